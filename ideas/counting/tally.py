"""The tally: votes and score per project, the ranking key, and the ranking every greedy rule walks."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .pabulib import Election, Points, parse_number

# Ballot types ranked by the number of votes; the others are ranked by their points (score).
RANKED_BY_VOTES = ("approval", "choose-1")


@dataclass
class Tally:
    """Per project (file order): `votes` = ballot entries naming it, `score` = the points they give, and
    `key` = what the ranking sorts on (votes for approval/choose-1, score otherwise)."""

    votes: dict[str, int]
    score: dict[str, Points]
    key: dict[str, Points]
    voters: int


def count_votes(election: Election) -> Tally:
    """Tally the grouped ballots. Each occurrence counts, so a ballot naming a project twice counts twice.

    Points: approval/choose-1 give 1 per entry; cumulative, scoring and ordinal with a points column give
    their points; an ordinal ballot of length L without points gives L, L-1, ..., 1 in order.
    """
    votes = dict.fromkeys(election.projects, 0)
    score: dict[str, Points] = dict.fromkeys(election.projects, 0)
    by_points = election.vote_type not in RANKED_BY_VOTES
    for ids, points, count in election.ballots:
        for pid in ids:
            votes[pid] += count
        if not by_points:
            continue
        if points is None:
            # Ordinal without points: a Borda-like count from the ballot's own length.
            length = len(ids)
            for position, pid in enumerate(ids):
                score[pid] += (length - position) * count
        else:
            for pid, value in zip(ids, points, strict=True):
                score[pid] += value * count
    if not by_points:
        score = dict(votes)
    key = score if by_points else votes
    return Tally(votes=votes, score=score, key=key, voters=election.voters)


def ranking(election: Election, tally: Tally) -> list[str]:
    """Project ids by descending ranking key; ties keep the PROJECTS file order (a stable sort)."""
    return sorted(election.projects, key=lambda pid: -tally.key[pid])


def column_mismatches(election: Election, tally: Tally) -> list[str]:
    """Where the tally differs from the file's own `votes` and `score` columns (empty when they agree or the
    file has no such column). Each item names the column, the project, the file's value and ours."""
    problems = []
    for column, ours in (("votes", tally.votes), ("score", tally.score)):
        cells = election.column(column)
        if cells is None:
            continue
        for pid, cell in cells.items():
            theirs = parse_number(cell) if cell else None
            if theirs is None or Fraction(theirs) != Fraction(ours[pid]):
                problems.append(f"{column} of {pid}: file {cell!r}, tally {ours[pid]}")
    return problems
