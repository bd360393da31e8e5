"""Benchmark: our counting engine (ideas/counting) against pabutools on the largest shared Pabulib files.

Run from the project root: `.venv/bin/python bench/counting.py` (see bench/README.md). For each case it times
ours (median of --repeat runs, parsing included) and pabutools (one run per --pabutools-repeat, in a child
process stopped after --timeout seconds), checks that both select the same projects, and prints medians and
the ratio pabutools / ours. pabutools is optional (`pip install pabutools`); without it only ours is timed.

Both sides count the same rule: plain greedy by votes (or by score for ordinal ballots), skipping what does
not fit, no threshold, ties in file order; and plain Equal Shares (cost utilities, no completion).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ideas.counting import count_votes, equal_shares, greedy, read_file  # noqa: E402

SHARED = ROOT.parent / "shared" / "pabulib"
# (file, rule): greedy on the four largest files, plain Equal Shares on Łódź 2022.
CASES = [
    ("Poland_Krakow_2024.pb", "greedy"),
    ("Poland_Lodz_2022.pb", "greedy"),
    ("Poland_Warszawa_2026.pb", "greedy"),
    ("Poland_Wroclaw_2017.pb", "greedy"),
    ("Poland_Lodz_2022.pb", "equalshares"),
]


def ours(path: Path, rule: str) -> list[str]:
    """Parse and count with our engine; the winners in selection order."""
    election = read_file(path)
    tally = count_votes(election)
    if rule == "greedy":
        return greedy(election, tally, use_threshold=False).selected
    return equal_shares(election, tally).selected


def pabutools_worker(path: str, rule: str) -> None:
    """Child process: parse and count with pabutools, print winners and timings as JSON."""
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.election.ballot import AbstractOrdinalBallot
    from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares
    from pabutools.tiebreaking import TieBreakingRule

    started = time.perf_counter()
    instance, profile = parse_pabulib(path)
    parsed = time.perf_counter()
    order = {pid: index for index, pid in enumerate(read_file(path).projects)}
    file_order = TieBreakingRule(lambda _instance, _profile, project: order[project.name])

    class PabulibScoreSat(AdditiveSatisfaction):
        """Greedy by score for ordinal ballots: L, L-1, ..., 1 points, times the cost (pabutools' greedy
        divides the total satisfaction by the cost)."""

        def __init__(self, instance, profile, ballot):
            def score(_instance, _profile, ballot, project, _values):
                if project not in ballot:
                    return 0
                return (len(ballot) - ballot.position(project)) * project.cost

            AdditiveSatisfaction.__init__(self, instance, profile, ballot, score)

    ordinal = isinstance(next(iter(profile)), AbstractOrdinalBallot)
    if rule == "greedy":
        sat = PabulibScoreSat if ordinal else Cost_Sat
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=file_order)
    else:
        outcome = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=file_order)
    counted = time.perf_counter()
    print(
        json.dumps(
            {
                "winners": [project.name for project in outcome],
                "parse": parsed - started,
                "rule": counted - parsed,
            }
        )
    )


def has_pabutools() -> bool:
    """Whether pabutools can be imported."""
    try:
        import pabutools  # noqa: F401
    except ImportError:
        return False
    return True


def run_pabutools(path: Path, rule: str, timeout: float) -> dict | None:
    """One pabutools run in a child process, or None when it took longer than `timeout` seconds."""
    command = [sys.executable, __file__, "--pabutools-worker", str(path), rule]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    """Time every case and print a table of medians, ratios and whether the winners agree."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of our engine per case (median)")
    parser.add_argument("--pabutools-repeat", type=int, default=1, help="runs of pabutools per case (median)")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds before a pabutools run is stopped"
    )
    parser.add_argument("--no-pabutools", action="store_true", help="time our engine only")
    parser.add_argument("--pabutools-worker", nargs=2, metavar=("FILE", "RULE"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.pabutools_worker:
        pabutools_worker(*options.pabutools_worker)
        return 0
    if not SHARED.is_dir():
        print(f"The Pabulib files are not at {SHARED}; nothing to measure.")
        return 1
    compare = not options.no_pabutools and has_pabutools()
    if not options.no_pabutools and not compare:
        print("pabutools is not installed (pip install pabutools): timing our engine only.\n")

    print(
        f"{'file':28} {'rule':12} {'ours s':>8} {'pabutools s':>12} {'(rule only)':>12} {'ratio':>8}  winners"
    )
    all_same = True
    for name, rule in CASES:
        path = SHARED / name
        times = []
        for _ in range(options.repeat):
            started = time.perf_counter()
            winners = ours(path, rule)
            times.append(time.perf_counter() - started)
        mine = statistics.median(times)
        line = f"{name:28} {rule:12} {mine:8.3f}"
        if compare:
            runs = [run_pabutools(path, rule, options.timeout) for _ in range(options.pabutools_repeat)]
            finished = [run for run in runs if run is not None]
            if not finished:
                line += f" {'>' + format(options.timeout, '.0f'):>12} {'':>12} {'>' + format(options.timeout / mine, '.0f'):>8}"
                line += "  (pabutools stopped at the timeout)"
            else:
                total = statistics.median(run["parse"] + run["rule"] for run in finished)
                rule_only = statistics.median(run["rule"] for run in finished)
                same = all(set(run["winners"]) == set(winners) for run in finished)
                all_same &= same
                line += f" {total:12.2f} {rule_only:12.2f} {total / mine:7.0f}x"
                line += f"  {'same' if same else 'DIFFERENT'} ({len(winners)})"
        else:
            line += f" {'-':>12} {'-':>12} {'-':>8}  ({len(winners)} winners)"
        print(line, flush=True)
    if compare:
        print("\nratio = pabutools (parse + rule) / ours (parse + rule); medians.")
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
