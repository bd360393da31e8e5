"""What a rule returns: the selection and, for every project, a short explanation as plain data.

Explanations are dicts meant for a UI (which words them in the reader's language); the engine writes no
prose. Every explanation has `project` and `funded`; a funded project has the `step` (1 = first funded) and
rule-specific data; an unfunded one has a `reason` from REASONS and the numbers behind it. Money is always a
string (see `money`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

# Cost that Pabulib files give to a project that stays on the ballot but can never be funded.
SENTINEL = Decimal(999999999)

REASONS = {
    "sentinel": "the file marks the project as unfundable (cost 999999999)",
    "below_threshold": "its ranking key (`score`) is below the file's `threshold`",
    "budget_left": "greedy: the budget `left` when its turn came was below its `cost`",
    "walk_stopped": "no-skip greedy stopped earlier, `at` the first project that did not fit",
    "supporters_short": "equal shares: its supporters `held` less than the `needed` cost at the end",
    "no_supporters": "equal shares: nobody voted for it",
    "zero_cost": "equal shares: a project costing nothing is never picked",
}


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
    assert reason in REASONS, reason
    return {"project": project, "funded": False, "reason": reason, **data}


@dataclass
class Outcome:
    """The result of one rule: ids in selection order, an explanation per project (file order), and
    rule-level `details` (for example the per-voter budget add1 settled on, or the comparison's counts)."""

    rule: str
    selected: list[str]
    explanations: dict[str, dict]
    details: dict = field(default_factory=dict)
