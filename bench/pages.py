"""Pages per second as served in production (gunicorn, 2 workers, PostgreSQL, Redis): cached anonymous pages
against a bare Django view, and uncached results against an uncached standard page, measured in the same run.

    .venv/bin/python bench/pages.py [--seconds 5] [--rounds 3] [--database-url postgres://...]

Serves a copy of the demo database (bench/serving.py; built once, then a copy per run, dropped at the end) with
`wrk -t1 -c8` from 127.0.0.1, in two servers one after the other:
1. the page cache on (home/page_cache.py, in Redis): the bare view /__bench/bare/ (bench/bare_app.py, the same
   middleware, HttpResponse("ok")), then the home page, the newest round's ideas list and one of its ideas, each
   checked to be a cache hit (`X-Kopa-Cache: hit`) before and after it is measured;
2. the page cache off (KOPA_PAGE_CACHE=false, every request rendered, as for anyone with a session): a standard
   page and the results page of the newest counted round; the site chrome's rows, and the results page's body,
   come from the fragment store (home/page_cache.fragment; `--fragments off` builds them on every request).
The cached cases are each measured --rounds times, interleaved. The two uncached pages are compared in --pairs
pairs of short runs, in alternating order (standard-results, results-standard, ...), and their ratio is the median
of the pairs' ratios: on a noisy 2-core machine the speed drifts within seconds, and a pair measured back to back
sees the same drift. Prints medians, the ratios and their targets (cached page / bare >= 0.40, results page /
standard page >= 1.0). Exit status 1 when a target or a check fails. About 3 minutes with the defaults (plus a
few minutes once to build the demo template).
"""

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import serving

CACHED_TARGET = 0.40  # a cached page against the bare view
RESULTS_TARGET = 1.0  # the results page against a standard page, both uncached


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="length of one wrk measurement (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="measurements per case; medians are printed")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unrecorded wrk per case first")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--pairs", type=int, default=16, help="pairs of uncached runs (default 16)")
    parser.add_argument(
        "--pair-seconds", type=float, default=2, help="length of one uncached run in a pair (default 2)"
    )
    parser.add_argument(
        "--fragments",
        choices=("on", "off"),
        default="on",
        help="the chrome rows and the results body from the fragment store (on, as in production) or built every time (off)",
    )
    for name in ("home", "ideas", "idea", "standard", "results"):
        parser.add_argument(f"--{name}-path", help=f"the {name} page's path (default: found in the database)")
    serving.add_server_arguments(parser, redis_db=12)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")

    sys.exit(0 if serving.on_demo_copy(options, run) else 1)


def find_paths(options):
    """The demo's pages: home, the newest round's ideas list and its first listed idea, a standard page, and
    the results page of the newest round with a published count."""
    from urllib.parse import urlsplit

    from wagtail.models import Locale

    from home.models import StandardPage
    from ideas.models import BudgetRoundPage, Idea, RoundResult
    from ideas.statuses import LISTED

    locale = Locale.get_default()
    rounds = list(
        BudgetRoundPage.objects.live()
        .filter(locale=locale)
        .select_related("budget_round")
        .order_by("-budget_round__submission_starts")
    )

    def url(page):
        return urlsplit(page.get_url()).path

    paths = {"home": options.home_path or "/"}
    newest = rounds[0] if rounds else None
    idea = newest and Idea.objects.filter(round=newest.budget_round, status__in=LISTED).order_by("pk").first()
    counted = next(
        (
            page
            for page in rounds
            if RoundResult.objects.filter(round=page.budget_round, published_at__isnull=False).exists()
        ),
        None,
    )
    standard = StandardPage.objects.live().filter(locale=locale).order_by("path").first()
    found = {
        "ideas": newest and url(newest),
        "idea": idea and f"{url(newest)}{idea.pk}/",
        "standard": standard and url(standard),
        "results": counted and f"{url(counted)}results/",
    }
    for name, path in found.items():
        paths[name] = getattr(options, f"{name}_path") or path
        if not paths[name]:
            sys.exit(f"No {name} page in this database; give --{name}-path.")
    return paths


def wrk(url, seconds, connections):
    """(requests per second, requests, non-2xx/3xx responses, socket errors) of one wrk run."""
    result = subprocess.run(
        # wrk's own timeout (2 s) would count slow uncached renders on a busy machine as socket errors.
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if result.returncode != 0:
        sys.exit(f"wrk failed: {result.stdout}{result.stderr}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    requests = int(re.search(r"(\d+) requests in", result.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", result.stdout
    )
    return (
        rate,
        requests,
        int(bad.group(1)) if bad else 0,
        sum(map(int, sockets.groups())) if sockets else 0,
    )


def cache_state(url):
    status, headers, _body = serving.get(url)
    return status, headers.get("X-Kopa-Cache", "")


def measure_cached(process, base, cases, options, problems):
    """{case: [(req/s, server CPU ms per request) per round]}, warming each case up first; every page (not the
    bare view) must be a cache hit before and after each measurement."""
    for name, path in cases.items():
        status, _state = cache_state(base + path)
        if status != 200:
            problems.append(f"{name} {path}: HTTP {status}")
        wrk(base + path, options.warmup, options.connections)
    rates = {name: [] for name in cases}
    for _round in range(options.rounds):
        for name, path in cases.items():
            check = name != "bare"
            if check and cache_state(base + path)[1] != "hit":
                problems.append(f"{name} {path}: not a cache hit before the measurement")
            cpu = serving.server_cpu_seconds(process)
            rate, requests, bad, socket_errors = wrk(base + path, options.seconds, options.connections)
            cpu_ms = (serving.server_cpu_seconds(process) - cpu) * 1000 / max(1, requests)
            if bad:
                problems.append(f"{name} {path}: {bad} responses not 2xx/3xx")
            if socket_errors:
                problems.append(f"{name} {path}: {socket_errors} socket errors")
            if check and cache_state(base + path)[1] != "hit":
                problems.append(f"{name} {path}: not a cache hit after the measurement")
            rates[name].append((rate, cpu_ms))
    return rates


def measure_pairs(process, base, cases, options, problems):
    """({case: [(req/s, server CPU ms per request) per run]}, [second case / first case per pair]) for two
    uncached pages measured in pairs of runs, the order alternating from pair to pair."""
    first, second = cases
    for name, path in cases.items():
        status, state = cache_state(base + path)
        if status != 200:
            problems.append(f"{name} {path}: HTTP {status}")
        if state:
            problems.append(f"{name} {path}: the page cache answered with the cache off")
        wrk(base + path, options.warmup, options.connections)
    rates = {name: [] for name in cases}
    ratios = []
    for pair in range(options.pairs):
        measured = {}
        for name in (first, second) if pair % 2 == 0 else (second, first):
            cpu = serving.server_cpu_seconds(process)
            rate, requests, bad, socket_errors = wrk(
                base + cases[name], options.pair_seconds, options.connections
            )
            cpu_ms = (serving.server_cpu_seconds(process) - cpu) * 1000 / max(1, requests)
            if bad:
                problems.append(f"{name} {cases[name]}: {bad} responses not 2xx/3xx")
            if socket_errors:
                problems.append(f"{name} {cases[name]}: {socket_errors} socket errors")
            measured[name] = rate
            rates[name].append((rate, cpu_ms))
        ratios.append(measured[second] / measured[first] if measured[first] else 0.0)
    return rates, ratios


def serve_and_measure(env, measure, cases, options, problems, log_path):
    """What `measure` (measure_cached or measure_pairs) returns for `cases`, served by a gunicorn with `env`."""
    process, base = serving.start_gunicorn(env, options.workers, log_path, bare=True)
    try:
        return measure(process, base, cases, options, problems)
    finally:
        serving.stop_gunicorn(process)
        if errors := serving.server_errors(log_path):
            problems.append(f"{errors} tracebacks or worker timeouts in {log_path}")


def run(options, database_url):
    env = serving.server_env(serving.with_conn_max_age(database_url, options.conn_max_age), options.redis_url)
    serving.setup_django(env)
    from home.page_cache import purge

    # Pages a previous run (another copy of the database) left in the cache are not this database's.
    purge()
    paths = find_paths(options)
    serving.collectstatic(env)
    logs = Path(tempfile.mkdtemp(prefix="kopa-bench-pages-"))
    problems = []

    print(
        f"wrk -t1 -c{options.connections} -d{options.seconds:g}s, {options.rounds} rounds, medians; "
        f"{serving.machine_load()}"
    )
    cached = serve_and_measure(
        {**env, "KOPA_PAGE_CACHE": "true"},
        measure_cached,
        {"bare": "/__bench/bare/", "home": paths["home"], "ideas": paths["ideas"], "idea": paths["idea"]},
        options,
        problems,
        logs / "cached.log",
    )
    uncached, pair_ratios = serve_and_measure(
        {**env, "KOPA_PAGE_CACHE": "false", "KOPA_FRAGMENT_CACHE": str(options.fragments == "on").lower()},
        measure_pairs,
        {"standard": paths["standard"], "results": paths["results"]},
        options,
        problems,
        logs / "uncached.log",
    )

    measured = {**cached, **uncached}
    medians = {name: statistics.median(rate for rate, _cpu in runs) for name, runs in measured.items()}
    cpu = {name: statistics.median(cpu_ms for _rate, cpu_ms in runs) for name, runs in measured.items()}
    labels = {
        "bare": "bare Django view",
        "home": "home, cached",
        "ideas": "ideas list, cached",
        "idea": "idea page, cached",
        "standard": "standard page, uncached",
        "results": "results page, uncached",
    }
    paths["bare"] = "/__bench/bare/"
    # CPU: gunicorn's own CPU time per request (the database's not included); steadier than req/s on a busy machine.
    print(f"{'case':<26}{'path':<32}{'req/s':>7}{'CPU ms/req':>12}   req/s per round (uncached: per run)")
    for name, label in labels.items():
        rounds = " ".join(f"{rate:.0f}" for rate, _cpu in measured[name])
        print(f"{label:<26}{paths[name]:<32}{medians[name]:>7.0f}{cpu[name]:>12.1f}   {rounds}")
    print(f"results / standard per pair: {' '.join(f'{ratio:.2f}' for ratio in pair_ratios)}")
    if options.fragments == "off":
        print("(results body rendered on every request: --fragments off)")

    ok = True
    print()
    for name in ("home", "ideas", "idea"):
        ratio = medians[name] / medians["bare"]
        passed = ratio >= CACHED_TARGET
        ok &= passed
        print(
            f"{labels[name] + ' / bare':<44}{ratio:>6.2f}  target >= {CACHED_TARGET:.2f}  {_verdict(passed)}"
        )
    ratio = statistics.median(pair_ratios)
    passed = ratio >= RESULTS_TARGET
    ok &= passed
    print(
        f"{'results page / standard page (uncached)':<44}{ratio:>6.2f}  target >= {RESULTS_TARGET:.2f}  "
        f"{_verdict(passed)}  (median of {len(pair_ratios)} pairs)"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    print(f"{serving.machine_load()} at the end; gunicorn logs: {logs}")
    return ok and not problems


def _verdict(passed):
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    main()
