"""What a rule returns: the selection and, for every project, a short explanation as plain data.

Explanations are dicts meant for a UI (which words them in the reader's language); the engine writes no
prose. Every explanation has `project` and `funded`. A funded project has the `step` (1 = first funded) and
rule data: greedy gives `rank`, `cost` and the budget `left` after it (Poznań's 80% project also `tier` 2 and
what was `topped_up`); Equal Shares gives `payments` (`total`, `supporters`, `max_per_voter`, `paid_all`).
An unfunded project has a `reason`, one of REASONS, and the numbers behind it:

- `sentinel`: the file marks it unfundable (cost 999999999);
- `below_threshold`: its ranking key `score` is below the file's `threshold`;
- `budget_left`: greedy reached it with `left` below its `cost` (`stop` when a no-skip walk stopped there);
- `walk_stopped`: a no-skip walk had stopped earlier, `at` that project;
- `supporters_short`: Equal Shares ended with its supporters holding `held`, less than the `needed` cost;
- `no_supporters` and `zero_cost`: Equal Shares never picks these.

Money is always a string (see `money`); vote counts and scores are ints (or exact fraction strings).

Co-funding: a file whose PROJECTS have `official_cost` and `cofunding` columns (Kopā's export,
ideas/voting/pabulib_io.py) counts each project at its `cost`, what it costs the public budget after partners'
confirmed money. `with_cofunding` marks the explanation of each co-funded project (`cofunding` above 0) with
`cofunded` True, its `official_cost` and `cofunding`; a funded greedy project also gets `left_before` (the
budget left when its turn came, `left` + `cost`) and `fits_only_with_cofunding` (its official cost was more
than that). The rules never read these columns, so a co-funded file counts the same anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .pabulib import Election, parse_number

# Cost that Pabulib files give to a project that stays on the ballot but can never be funded.
SENTINEL = Decimal(999999999)

REASONS = (
    "sentinel",
    "below_threshold",
    "budget_left",
    "walk_stopped",
    "supporters_short",
    "no_supporters",
    "zero_cost",
)


def money(value: Decimal | Fraction | int) -> str:
    """An amount as a string with two decimals; exact amounts with more digits are truncated to cents for
    display only (every decision is taken on the exact value)."""
    cents = int(Fraction(value) * 100)  # int() truncates toward zero
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def number(value: int | Fraction) -> int | str:
    """A vote count or score for JSON: an int when whole, else an exact fraction string such as '7/2'."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else str(value)


def funded(project: str, step: int, **data) -> dict:
    """The explanation of a funded project (`step` 1 is the first one funded)."""
    return {"project": project, "funded": True, "step": step, **data}


def not_funded(project: str, reason: str, **data) -> dict:
    """The explanation of a project left out, with one of REASONS and its numbers."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    return {"project": project, "funded": False, "reason": reason, **data}


@dataclass
class Outcome:
    """The result of one rule: ids in selection order, an explanation per project (file order), and
    rule-level `details` (for example the per-voter budget add1 settled on, or the comparison's counts)."""

    rule: str
    selected: list[str]
    explanations: dict[str, dict]
    details: dict = field(default_factory=dict)


# PROJECTS columns of Kopā's export that say how partners' co-funding lowered a project's cost.
COFUNDING_COLUMNS = ("official_cost", "cofunding")


def _amount_cell(text: str) -> Decimal | None:
    """An amount cell of a co-funding column as a Decimal, or None when empty, not a plain number, absurdly
    large or negative (then the project is shown without co-funding; the count never reads these cells)."""
    value = parse_number(text.strip()) if text else None
    if value is None or value < 0:
        return None
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def cofunding(election: Election) -> dict[str, tuple[Decimal, Decimal]]:
    """{project id: (official cost, co-funding)} for every project of the file with co-funding above 0; {} for
    a file without both co-funding columns."""
    official, cofunded = (election.column(name) for name in COFUNDING_COLUMNS)
    if official is None or cofunded is None:
        return {}
    found = {}
    for pid in election.projects:
        cost, pledged = _amount_cell(official[pid]), _amount_cell(cofunded[pid])
        if cost is not None and pledged:
            found[pid] = (cost, pledged)
    return found


def with_cofunding(explanations: dict[str, dict], election: Election) -> dict[str, dict]:
    """The explanations with co-funded projects marked (see the module docstring); others unchanged."""
    found = cofunding(election)
    marked = {}
    for pid, explanation in explanations.items():
        if pid not in found:
            marked[pid] = explanation
            continue
        official, pledged = found[pid]
        extra = {"cofunded": True, "official_cost": money(official), "cofunding": money(pledged)}
        if explanation.get("funded") and "left" in explanation and "cost" in explanation:
            if "topped_up" in explanation:  # Poznań's tier 2: all that was left, the rest topped up
                before = Decimal(explanation["cost"]) - Decimal(explanation["topped_up"])
            else:
                before = Decimal(explanation["left"]) + Decimal(explanation["cost"])
            extra["left_before"] = money(before)
            extra["fits_only_with_cofunding"] = official > before
        marked[pid] = {**explanation, **extra}
    return marked
