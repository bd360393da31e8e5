"""Greedy rules: walk the ranking (votes or score, ties in file order) and fund what fits.

One walk serves every variant: `greedy` skips what does not fit, `greedy-no-skip` stops there, and Poznań's
`greedy-custom` stops there too but still funds that project when the budget left is at least 80% of its
cost (the file marks it `selected=2`). A project with the sentinel cost 999999999 is passed over and never
stops a walk; with a `min_project_score_threshold`, projects whose ranking key is below it are passed over
too (never a stop).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .explain import SENTINEL, Outcome, funded, money, not_funded, number
from .pabulib import Election
from .tally import Tally, ranking

# Poznań funds the first project that does not fit when at least this share of its cost is left.
POZNAN_SHARE = Fraction(4, 5)


def greedy(
    election: Election,
    tally: Tally,
    *,
    name: str = "greedy",
    no_skip: bool = False,
    last_share: Fraction | None = None,
    use_threshold: bool = True,
    budget: Decimal | None = None,
) -> Outcome:
    """Walk the ranking once and fund each eligible project whose cost fits in what is left.

    `no_skip` stops at the first eligible project that does not fit; `last_share` (with `no_skip`) still
    funds that project when the budget left is at least that share of its cost. `use_threshold=False` ignores
    the file's threshold (plain utilitarian greedy); `budget` replaces the file's.
    """
    left = election.budget if budget is None else budget
    threshold = election.threshold if use_threshold else None
    selected: list[str] = []
    explanations: dict[str, dict] = {}
    stopped_at: str | None = None
    for rank, pid in enumerate(ranking(election, tally), start=1):
        cost = election.projects[pid].cost
        key = tally.key[pid]
        if stopped_at is not None:
            explanations[pid] = not_funded(pid, "walk_stopped", rank=rank, at=stopped_at)
        elif cost == SENTINEL:
            explanations[pid] = not_funded(pid, "sentinel", rank=rank)
        elif threshold is not None and key < threshold:
            explanations[pid] = not_funded(
                pid, "below_threshold", rank=rank, score=number(key), threshold=number(threshold)
            )
        elif cost <= left:
            left -= cost
            selected.append(pid)
            explanations[pid] = funded(pid, len(selected), rank=rank, cost=money(cost), left=money(left))
        elif not no_skip:
            explanations[pid] = not_funded(pid, "budget_left", rank=rank, left=money(left), cost=money(cost))
        else:
            stopped_at = pid
            if last_share is not None and Fraction(left) >= last_share * Fraction(cost):
                selected.append(pid)
                explanations[pid] = funded(
                    pid,
                    len(selected),
                    rank=rank,
                    cost=money(cost),
                    left=money(0),
                    topped_up=money(cost - left),
                    tier=2,
                )
                left = Decimal(0)
            else:
                explanations[pid] = not_funded(
                    pid, "budget_left", rank=rank, left=money(left), cost=money(cost), stop=True
                )
    ordered = {pid: explanations[pid] for pid in election.projects}
    details = {"left": money(left)}
    if stopped_at is not None:
        details["stopped_at"] = stopped_at
    return Outcome(rule=name, selected=selected, explanations=ordered, details=details)


def next_best(election: Election, tally: Tally, outcome: Outcome, count: int) -> list[str]:
    """The `count` best-ranked projects that `outcome` left out (sentinels excluded): where Poznań's reserve
    funds go (`selected=3`)."""
    chosen = set(outcome.selected)
    rest = [
        pid
        for pid in ranking(election, tally)
        if pid not in chosen and election.projects[pid].cost != SENTINEL
    ]
    return rest[:count]
