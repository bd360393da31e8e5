"""Whether a filled-in ballot follows its round's rules. Plain Python (no Django), exact arithmetic.

`ballot_problems` returns what is wrong as (code, details) pairs; ideas/voting/casting.py turns them into
messages in the voter's language.
"""

from dataclasses import dataclass
from decimal import Decimal

APPROVAL_BUDGET = "approval_budget"
APPROVAL_COUNT = "approval_count"
CHOOSE_ONE = "choose_one"
CUMULATIVE = "cumulative"
RANKING = "ranking"

# The most points (or the highest place) one idea can get: the count stores them as PostgreSQL smallints
# (BallotChoice.points), so more would break the opening of the box; refused here, with the voter's message.
MAX_POINTS = 32767


@dataclass(frozen=True)
class Rules:
    method: str
    budget: Decimal
    max_choices: int | None = None
    min_choices: int = 1
    points_total: int | None = None
    max_points_per_idea: int | None = None
    min_budget_share: int = 0  # percent


def ballot_problems(rules, choices, costs):
    """Problems of a ballot. `choices` maps idea id -> points (1 on approval ballots; for ranking, the place:
    1, 2, 3 ...); `costs` maps every idea on the ballot to its cost."""
    problems = []
    unknown = sorted(str(idea) for idea in choices if idea not in costs)
    if unknown:
        return [("unknown_idea", {"ideas": unknown})]
    if any(points < 1 for points in choices.values()):
        problems.append(("points_not_positive", {}))
    count = len(choices)
    if count < rules.min_choices:
        problems.append(("too_few", {"minimum": rules.min_choices}))
    maximum = 1 if rules.method == CHOOSE_ONE else rules.max_choices
    if maximum is not None and count > maximum:
        problems.append(("too_many", {"maximum": maximum}))
    total_cost = sum((costs[idea] for idea in choices), Decimal(0))
    if rules.method == APPROVAL_BUDGET and total_cost > rules.budget:
        problems.append(("over_budget", {"cost": total_cost, "budget": rules.budget}))
    if rules.min_budget_share and total_cost * 100 < rules.budget * rules.min_budget_share:
        problems.append(("under_budget_share", {"share": rules.min_budget_share, "cost": total_cost}))
    if rules.method == CUMULATIVE:
        total_points = sum(choices.values())
        if rules.points_total is not None and total_points > rules.points_total:
            problems.append(("too_many_points", {"points": total_points, "allowed": rules.points_total}))
    per_idea = MAX_POINTS
    if rules.method == CUMULATIVE and rules.max_points_per_idea is not None:
        per_idea = min(per_idea, rules.max_points_per_idea)
    # Every channel (web, code, API, paper) comes through here; places on ranking ballots are checked below.
    if rules.method != RANKING and any(points > per_idea for points in choices.values()):
        problems.append(("points_per_idea", {"allowed": per_idea}))
    if rules.method == RANKING and sorted(choices.values()) != list(range(1, count + 1)):
        problems.append(("ranking_places", {"count": count}))
    return problems
