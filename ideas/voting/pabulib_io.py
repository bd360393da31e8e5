"""Budget rounds to and from Pabulib `.pb` files (https://pabulib.org/format).

`import_election` turns a parsed file (ideas.counting.pabulib.Election) into a round in its results phase, with
ideas, ballot rules and anonymous paper ballots; `export_round` writes a round's ballots as a deterministic,
anonymised `.pb` text. Wired into `manage.py pabulib import|export` (ideas/management/commands/pabulib.py) and
into the results snapshot (ideas/voting/results.py), which counts exactly the text exported here.

Co-funding. The `cost` column is what an idea costs the public budget: its official cost (else the author's
estimate) less partners' confirmed money pledges, never below zero (Idea.net_cost, kept by
ideas/partners/pledges.py and frozen once voting opens). So any Pabulib tool counts the file as Kopā counts
it. When at least one exported idea is co-funded, PROJECTS carries two more columns, which no counting reads:

- `official_cost`: the idea's cost before co-funding (what it costs altogether), in euros;
- `cofunding`: partners' confirmed money pledges on it, in euros (`0` for an idea without any).

For every project, `cost` = max(`official_cost` - `cofunding`, 0). Without co-funding the file has neither
column, so a round counted before co-funding existed exports exactly the text it was counted from. The results
snapshot reads the columns back (ideas/counting/explain.cofunding) to explain a co-funded idea; an import takes
`cost`, the amount counted, as each idea's cost and ignores the two columns.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale

from ideas.counting.pabulib import Election, format_pb, parse_number
from ideas.models import Area, Ballot, BallotChoice, BallotRules, BudgetRound, Category, Idea
from ideas.statuses import Status
from ideas.voting.casting import rules_for

Method = BallotRules.Method
BATCH = 5000
# PositiveSmallIntegerField's upper bound: larger META limits are stored as "no limit".
SMALL_MAX = 32767
# Statuses of ideas that were on a round's ballot, before and after the count.
BALLOT_STATUSES = (
    Status.ON_BALLOT,
    Status.SELECTED,
    Status.NOT_SELECTED,
    Status.IN_IMPLEMENTATION,
    Status.COMPLETED,
)
# The Pabulib vote_type of each ballot method.
VOTE_TYPES = {
    Method.APPROVAL_BUDGET: "approval",
    Method.APPROVAL_COUNT: "approval",
    Method.CHOOSE_ONE: "choose-1",
    Method.CUMULATIVE: "cumulative",
    Method.RANKING: "ordinal",
}
# A round has no rule field: greedy (fund the most voted ideas that fit) is the usual procedure.
DEFAULT_RULE = "greedy"


@dataclass
class ImportReport:
    """What `import_election` created: the round and how many ideas, ballots and choices; `repeats` counts
    ballot entries naming a project a second time, which a Kopā ballot cannot hold and which were dropped."""

    round: BudgetRound
    projects: int
    ballots: int
    choices: int
    repeats: int


def _small(value: str | None) -> int | None:
    """A META limit as a small positive int, or None when absent, not a plain whole number or too large to
    store. parse_number gives up on absurd magnitudes, so `1e100000000` is None at once, not after minutes."""
    number = parse_number(value.strip()) if value else None
    return number if isinstance(number, int) and 0 <= number <= SMALL_MAX else None


def rules_from_meta(meta: dict[str, str]) -> dict:
    """BallotRules fields for a file's META (vote_type and its ballot constraints)."""
    vote_type = meta.get("vote_type", "approval").lower()
    max_length = _small(meta.get("max_length"))
    fields = {"max_choices": max_length, "min_choices": _small(meta.get("min_length")) or 1}
    if vote_type == "approval":
        # A count limit without a cost limit is an "up to N ideas" ballot; otherwise the budget limits it.
        budget_limited = "max_sum_cost" in meta or max_length is None
        fields["method"] = Method.APPROVAL_BUDGET if budget_limited else Method.APPROVAL_COUNT
    elif vote_type == "choose-1":
        fields.update(method=Method.CHOOSE_ONE, max_choices=1)
    elif vote_type in ("cumulative", "scoring"):
        fields.update(
            method=Method.CUMULATIVE,
            points_total=_small(meta.get("max_sum_points")),
            max_points_per_idea=_small(meta.get("max_points")),
        )
    else:
        fields["method"] = Method.RANKING
    return fields


def _default_row(model, name):
    """The first default-language row of a translatable snippet, or a fallback "imported" row."""
    locale = Locale.get_default()
    row = model.objects.filter(locale=locale).order_by("pk").first()
    if row is None:
        row, _created = model.objects.get_or_create(locale=locale, code="imported", defaults={"name": name})
    return row


def import_election(election: Election, name: str | None = None) -> ImportReport:
    """Create a round from a parsed `.pb` file: phases in the past (so it is in its results phase), one idea
    on the ballot per project (file order, so idea pks follow it), the ballot rules, and one paper Ballot with
    its choices per vote. Imported voters are anonymous, so no VoterRecord rows are made and the ballots are
    stored opened (the round has no counting keys and no sealed box)."""
    now = timezone.now()
    day = datetime.timedelta(days=1)
    meta = election.meta
    title = (name or meta.get("description") or election.source).strip()[:150]
    with transaction.atomic():
        budget_round = BudgetRound.objects.create(
            name=title,
            total_budget=election.budget,
            submission_starts=now - 50 * day,
            review_starts=now - 40 * day,
            voting_starts=now - 20 * day,
            results_published=now - day,
            implementation_starts=now + 365 * day,
            minimum_votes=math.ceil(election.threshold) if election.threshold else 0,
        )
        BallotRules.objects.create(round=budget_round, **rules_from_meta(meta))
        category = _default_row(Category, "Imported")
        area = _default_row(Area, "Imported")
        ideas = {}
        for pid, project in election.projects.items():
            project_name = project.fields.get("name") or pid
            ideas[pid] = Idea.objects.create(
                round=budget_round,
                title=project_name[:120],
                summary=project_name[:300],
                description=f"Pabulib project {pid} of {election.source}.",
                category=category,
                area=area,
                estimated_cost=project.cost,
                status=Status.ON_BALLOT,
            )
        idea_pks = {pid: idea.pk for pid, idea in ideas.items()}
        ordinal = election.vote_type == "ordinal"
        ballots, choices = [], []
        counts = {"ballots": 0, "choices": 0, "repeats": 0}

        def flush():
            Ballot.objects.bulk_create(ballots, batch_size=BATCH)
            BallotChoice.objects.bulk_create(choices, batch_size=BATCH)
            counts["ballots"] += len(ballots)
            counts["choices"] += len(choices)
            ballots.clear()
            choices.clear()

        for ids, points, count in election.ballots:
            length = len(ids)
            entries, seen = [], set()
            for position, pid in enumerate(ids):
                if pid in seen:
                    counts["repeats"] += count
                    continue
                seen.add(pid)
                # The file's points are whole numbers 0..MAX_POINTS (the parser refuses others, for count and
                # import alike); ordinal without points gets the Borda points the tally gives (L, L-1, ..., 1).
                if points is not None:
                    value = points[position]
                elif ordinal:
                    value = length - position
                else:
                    value = 1
                entries.append((idea_pks[pid], value, position + 1 if ordinal else None))
            for _voter in range(count):
                ballot = Ballot(round=budget_round)
                ballots.append(ballot)
                choices += [
                    BallotChoice(ballot=ballot, idea_id=idea, points=value, rank=rank)
                    for idea, value, rank in entries
                ]
            if len(ballots) >= BATCH:
                flush()
        flush()
    return ImportReport(budget_round, len(ideas), counts["ballots"], counts["choices"], counts["repeats"])


def _number(value: Decimal | int) -> str:
    """An amount for the file: no decimals when whole, so `12000.00` is written `12000`."""
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def export_round(budget_round: BudgetRound, area: Area | None = None, rule: str | None = None) -> str:
    """The `.pb` text of a round's ballots (of one area when given), deterministic for the same data.

    Anonymised: no age band, channel, reference or time; voters are numbered 1..n in the order of their random
    ballot UUIDs. Project ids are idea pks; costs are net costs (official costs when set, less co-funding; see
    the module docstring for the `official_cost` and `cofunding` columns). Approval ballots list ideas by
    id; ranking ballots by place, with a points column (imported points, or L..1 for cast ballots whose
    BallotChoice.points holds the place); cumulative ballots with their points.
    """
    rules = rules_for(budget_round, area)
    vote_type = VOTE_TYPES.get(rules.method, "approval")
    ballots = Ballot.objects.filter(round=budget_round)
    ideas = Idea.objects.filter(round=budget_round)
    if area is not None:
        ballots = ballots.filter(area=area)
        ideas = ideas.filter(area=area)
    ballot_ids = list(ballots.order_by("id").values_list("id", flat=True))
    per_ballot: dict = {ballot_id: [] for ballot_id in ballot_ids}
    chosen = set()
    rows = BallotChoice.objects.filter(ballot__in=ballots).values_list(
        "ballot_id", "idea_id", "points", "rank"
    )
    for ballot_id, idea_id, points, rank in rows.iterator(chunk_size=BATCH):
        per_ballot[ballot_id].append((idea_id, points, rank))
        chosen.add(idea_id)
    # Ideas on the ballot (also once counted) and any idea a ballot names, whatever its status now.
    idea_list = sorted(
        {idea.pk: idea for idea in ideas.filter(status__in=BALLOT_STATUSES)}
        | {idea.pk: idea for idea in Idea.objects.filter(pk__in=chosen)},
        key=int,
    )
    idea_objects = {idea.pk: idea for idea in Idea.objects.filter(pk__in=idea_list)}
    votes = dict.fromkeys(idea_list, 0)
    score = dict.fromkeys(idea_list, 0)
    vote_rows = []
    for number, ballot_id in enumerate(ballot_ids, start=1):
        entries = per_ballot[ballot_id]
        row = {"voter_id": number}
        if vote_type == "ordinal":
            length = len(entries)
            # Imported ballots keep their place in `rank`; cast ballots store the place in `points`.
            ordered = sorted(entries, key=lambda e: (e[2] if e[2] is not None else e[1], e[0]))
            given = [p if r is not None else length - p + 1 for _i, p, r in ordered]
            row["vote"] = ",".join(str(e[0]) for e in ordered)
            row["points"] = ",".join(map(str, given))
        else:
            ordered = sorted(entries)
            given = [p if vote_type == "cumulative" else 1 for _i, p, _r in ordered]
            row["vote"] = ",".join(str(e[0]) for e in ordered)
            if vote_type == "cumulative":
                row["points"] = ",".join(map(str, given))
        for (idea_id, _p, _r), value in zip(ordered, given, strict=True):
            votes[idea_id] += 1
            score[idea_id] += value
        vote_rows.append(row)
    budget = rules.budget
    meta = {
        "description": budget_round.name,
        "country": "Latvia",
        "unit": budget_round.name,
        "subunit": area.code if area is not None else "",
        "instance": budget_round.pk,
        "num_projects": len(idea_list),
        "num_votes": len(vote_rows),
        "budget": _number(budget),
        "vote_type": vote_type,
        "rule": rule or DEFAULT_RULE,
        "min_length": rules.min_choices,
        "max_length": 1 if rules.method == Method.CHOOSE_ONE else rules.max_choices,
        "max_sum_cost": _number(budget) if rules.method == Method.APPROVAL_BUDGET else None,
        "max_sum_points": rules.points_total if rules.method == Method.CUMULATIVE else None,
        "max_points": rules.max_points_per_idea if rules.method == Method.CUMULATIVE else None,
        # The round's minimum votes travel with the file, so that a recount anywhere funds the same ideas.
        "min_project_score_threshold": budget_round.minimum_votes or None,
        "currency": "EUR",
    }
    meta = {key: value for key, value in meta.items() if value not in (None, "")}
    cofunded = any(idea_objects[pk].cofunding for pk in idea_list)
    projects = []
    for pk in idea_list:
        idea = idea_objects[pk]
        row = {"project_id": pk, "cost": _number(idea.net_cost)}
        if cofunded:
            row["official_cost"] = _number(idea.cost)
            row["cofunding"] = _number(idea.cofunding or 0)
        row.update(votes=votes[pk], score=score[pk], name=idea.title)
        projects.append(row)
    text = format_pb(meta, projects, vote_rows)
    if not vote_rows and vote_type in ("cumulative", "ordinal"):
        # No ballots: format_pb writes the minimal header, but these vote types need their points column.
        text = text.replace("VOTES\nvoter_id;vote\n", "VOTES\nvoter_id;vote;points\n")
    return text
