"""Vote counting for participatory budgeting, in plain Python (no Django): Pabulib files, the tally, greedy
rules, the Method of Equal Shares with add1 completion, explanations, and the `pabulib` command line.

Exact arithmetic only (int, Decimal, Fraction); project ids are strings; ties are broken as documented in
each rule's module. Start with `count_file(path)` or `count_election(read_file(path))`.
"""

from .equal_shares import EqualShares, compare_with_greedy, equal_shares, equal_shares_add1
from .explain import REASONS, SENTINEL, Outcome, money
from .greedy import greedy
from .pabulib import BallotGroup, Election, ParseError, Project, cell_text, format_pb, parse_text, read_file
from .run import RULES, Count, apply_rule, count_election, count_file, unknown_rule_note
from .tally import Tally, column_mismatches, count_votes, ranking

__all__ = [
    "REASONS",
    "RULES",
    "SENTINEL",
    "BallotGroup",
    "Count",
    "Election",
    "EqualShares",
    "Outcome",
    "ParseError",
    "Project",
    "Tally",
    "apply_rule",
    "cell_text",
    "column_mismatches",
    "compare_with_greedy",
    "count_election",
    "count_file",
    "count_votes",
    "equal_shares",
    "equal_shares_add1",
    "format_pb",
    "greedy",
    "money",
    "parse_text",
    "ranking",
    "read_file",
    "unknown_rule_note",
]
