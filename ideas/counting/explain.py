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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

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
