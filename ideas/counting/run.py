"""Counting a file end to end: pick the rule, apply it, and compare with the file's official result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .equal_shares import compare_with_greedy, equal_shares, equal_shares_add1
from .explain import Outcome
from .greedy import POZNAN_SHARE, greedy, next_best
from .pabulib import Election, read_file
from .tally import Tally, count_votes

# Every rule name a Pabulib file may state, and what `--rule` accepts.
RULES = (
    "greedy",
    "greedy-threshold",
    "greedy-no-skip",
    "greedy-custom",
    "greedy-exclusive",
    "unknown",
    "equalshares",
    "equalshares-comparison",
    "equalshares/add1",
    "equalshares/add1-comparison",
)
# Rules whose official result is derivable from the file (greedy-custom only for Poznań).
DERIVABLE = frozenset(RULES) - {"greedy-custom", "greedy-exclusive", "unknown"}


def is_poznan(election: Election, rule: str) -> bool:
    """Poznań's greedy-custom: its META comment describes funding the first misfit from 80% of its cost."""
    return rule == "greedy-custom" and "80%" in election.meta.get("comment", "")


def apply_rule(election: Election, tally: Tally, rule: str) -> Outcome:
    """Count the election with `rule`; rules that the file cannot define are counted with plain greedy."""
    if rule in ("greedy", "greedy-threshold"):
        return greedy(election, tally, name=rule)
    if rule == "greedy-no-skip":
        return greedy(election, tally, name=rule, no_skip=True)
    if is_poznan(election, rule):
        return greedy(election, tally, name=rule, no_skip=True, last_share=POZNAN_SHARE)
    if rule in ("greedy-custom", "greedy-exclusive", "unknown"):
        outcome = greedy(election, tally, name="greedy")
        outcome.details["counted_as"] = "greedy"
        return outcome
    if rule == "equalshares":
        return equal_shares(election, tally)
    if rule == "equalshares-comparison":
        return compare_with_greedy(election, tally, equal_shares(election, tally, rule=rule))
    if rule == "equalshares/add1":
        return equal_shares_add1(election, tally)
    if rule == "equalshares/add1-comparison":
        return compare_with_greedy(election, tally, equal_shares_add1(election, tally, rule=rule))
    raise ValueError(f"unknown rule {rule!r}; known rules: {', '.join(RULES)}")


@dataclass
class Count:
    """A counted election: the tally, the rule's outcome and the comparison with the official result."""

    election: Election
    tally: Tally
    rule: str
    outcome: Outcome
    official: list[str] | None
    reserves: list[str] | None
    verifiable: bool
    matches_official: bool | None

    @property
    def cost(self) -> Decimal:
        """Total cost of the selected projects."""
        return sum((self.election.projects[pid].cost for pid in self.outcome.selected), Decimal(0))

    @property
    def counted_as(self) -> str:
        """The rule that was applied: `rule` itself, or greedy for a rule the file cannot define."""
        return self.outcome.details.get("counted_as", self.rule)

    def summary(self) -> dict:
        """The one-line JSON summary the `pabulib count` command prints; `counted_as` only when the rule
        applied is not the rule named (greedy for `unknown`, greedy-exclusive or a name no rule has)."""
        summary = {
            "file": self.election.source,
            "rule": self.rule,
            "vote_type": self.election.vote_type,
            "budget": str(self.election.budget),
            "selected": list(self.outcome.selected),
            "cost": str(self.cost),
            "official": self.official,
            "verifiable": self.verifiable,
            "matches_official": self.matches_official,
        }
        if self.counted_as != self.rule:
            summary["counted_as"] = self.counted_as
        return summary


def unknown_rule_note(election: Election) -> str | None:
    """What `pabulib count` and `pabulib import` both say about a file whose META names a rule that is not
    one of RULES: it is accepted and counted with greedy, like `unknown`. None for a known rule."""
    if election.rule in RULES:
        return None
    return f"{election.source}: rule {election.rule!r} is not a Pabulib rule; it is counted with greedy"


def official_result(election: Election, rule: str) -> tuple[list[str] | None, list[str] | None]:
    """The officially funded ids from the `selected` column (file order) and Poznań's reserves (`3`), or
    (None, None) without the column. Only `1` counts, and also `2` for Poznań's 80% rule: elsewhere (Gdynia,
    Katowice) `2` lies outside the rule."""
    cells = election.column("selected")
    if cells is None:
        return None, None
    funded_marks = {"1", "2"} if is_poznan(election, rule) else {"1"}
    official = [pid for pid, cell in cells.items() if cell in funded_marks]
    reserves = [pid for pid, cell in cells.items() if cell == "3"] if is_poznan(election, rule) else None
    return official, reserves


def count_election(election: Election, rule: str | None = None) -> Count:
    """Tally and count an election with its own rule, or with `rule` instead."""
    stated = election.rule
    used = rule or stated
    tally = count_votes(election)
    # A rule name this engine does not know, stated by the file, is treated like `unknown`.
    outcome = apply_rule(election, tally, used if used in RULES or rule else "unknown")
    outcome.details["stated_rule"] = stated
    official, reserves = official_result(election, used)
    # An override is checked against the official result only when it is the file's own rule.
    derivable = used in DERIVABLE or is_poznan(election, used)
    verifiable = official is not None and used == stated and derivable
    matches = None
    if verifiable:
        matches = set(outcome.selected) == set(official)
        if reserves:
            matches = matches and set(next_best(election, tally, outcome, len(reserves))) == set(reserves)
    return Count(election, tally, used, outcome, official, reserves, verifiable, matches)


def count_file(path: str | Path, rule: str | None = None) -> dict:
    """Count the `.pb` file at `path` (with its own rule, or `rule`) and return the JSON summary."""
    return count_election(read_file(path), rule).summary()
