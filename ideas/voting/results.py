"""Counting a round and publishing the result as an immutable snapshot (ideas.models.RoundResult).

`count_round` exports the round's ballots to `.pb` text (ideas/voting/pabulib_io.py), hashes it, parses that
same text back with the counting engine (ideas.counting) and counts it, so the published file and the published
outcome are provably one computation. The snapshot is a private preview for staff (`published_at` empty) until
`publish_results` publishes it: then, and only then, residents see it and the ideas on the ballot become
selected / not selected. Wired to the voting desk and `manage.py count_round` (ideas/voting/closing.py).

Co-funding: the file counts each idea at its net cost (ideas/voting/pabulib_io.py); the explanations of
co-funded ideas carry the official cost and the co-funding read back from that same file
(ideas/counting/explain.with_cofunding), and the outcome's `cofunding` is the co-funding of the funded ideas, so
the results page shows what was counted, whatever happens to the ideas or their pledges later.

What else the results page shows (Equal Shares against greedy, each idea's counted costs, participation) is
computed here too, once, and stored with the snapshot (RoundResult.comparison, ideas/voting/comparison.py): a view
of the page reads it and never recounts.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from home import page_cache
from ideas.counting import RULES, count_election, parse_text
from ideas.counting.explain import cofunding, with_cofunding
from ideas.models import Area, Ballot, BudgetRound, Idea, RoundResult, StatusChange, VoterRecord
from ideas.statuses import Status
from ideas.voting import comparison
from ideas.voting.pabulib_io import DEFAULT_RULE, export_round

# The counting engine exposes no version: bump this when ideas/counting changes how it counts, so that every
# snapshot says which engine produced it.
ENGINE_VERSION = "kopa-counting-1"


def _plain(value):
    """JSON-safe data: exact numbers become strings (Decimal '12.50', Fraction '7/2'), never floats."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (bool, int, str, float)):
        return value
    return str(value)


def count_round(budget_round: BudgetRound, rule: str | None = None, area: Area | None = None) -> RoundResult:
    """Count a round (or one area of a round that votes by area) with `rule` (default greedy) and store the
    snapshot as an unpublished preview; ideas keep their status until the snapshot is published
    (publish_results). A recount makes a new snapshot."""
    rule = rule or DEFAULT_RULE
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; known rules: {', '.join(RULES)}")
    with transaction.atomic():
        text = export_round(budget_round, area=area, rule=rule)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        # Count the exported text itself, not the database rows.
        election = parse_text(text, source=f"round-{budget_round.pk}.pb")
        count = count_election(election, rule)
        selected = [int(pid) for pid in count.outcome.selected]
        cofunded = cofunding(election)
        outcome = {
            "selected": selected,
            "cost": str(count.cost),
            "budget": str(election.budget),
            # Partners' money on the funded ideas, on top of the budget's `cost`.
            "cofunding": str(
                sum((cofunded[pid][1] for pid in count.outcome.selected if pid in cofunded), Decimal(0))
            ),
            "voters": count.tally.voters,
            "votes": _plain(count.tally.votes),
            "score": _plain(count.tally.score),
            "details": _plain(count.outcome.details),
        }
        result = RoundResult.objects.create(
            round=budget_round,
            area=area,
            rule=count.rule,
            parameters={"vote_type": election.vote_type, "budget": str(election.budget)},
            engine_version=ENGINE_VERSION,
            pb_sha256=digest,
            pb_file=text,
            outcome=outcome,
            explanations=_plain(with_cofunding(count.outcome.explanations, election)),
            # Voting has closed and the box is open: the register no longer changes, so participation is
            # stored with the count like the rest of what the results page shows.
            comparison=comparison.build(
                election,
                count.rule,
                comparison.participation(VoterRecord, Ballot, budget_round.pk, budget_round.voting_starts),
                counted=count,
            ),
        )
    return result


def published(results):
    """Only what residents may see: results that staff have published."""
    return results.filter(published_at__isnull=False)


def publish_results(budget_round, results, user, moment=None):
    """Publish counted previews of a round (the parts of one count: one per area when the round votes by
    area): residents see them from now on, and ideas still on the ballot of each part become selected or not
    selected (role system, with their public history). Ideas decided by an earlier publication stay as they
    are. Returns the number of results published; 0 when all were published already (nothing changes, no
    audit entry)."""
    from ideas.delivery import start_delivery
    from ideas.lifecycle import _check
    from ideas.services import change_status

    _check(user, "ideas.publish_results", budget_round)
    ids = [result.pk for result in results]
    moment = moment or timezone.now()
    with transaction.atomic():
        waiting = list(
            RoundResult.objects.select_for_update()
            .filter(round=budget_round, pk__in=ids, published_at__isnull=True)
            .order_by("pk")
        )
        if not waiting:
            return 0
        # RoundResult.save refuses to change a snapshot; publishing touches only these two fields.
        RoundResult.objects.filter(pk__in=[result.pk for result in waiting]).update(
            published_at=moment, published_by=user
        )
        # An update sends no post_save: the stored pages and results bodies learn of the new count here
        # (a recount of decided ideas saves nothing else that would tell them).
        page_cache.purge()
        for result in waiting:
            chosen = {int(pid) for pid in result.outcome.get("selected", [])}
            counted = {int(pid) for pid in result.explanations} | {
                int(pid) for pid in result.outcome.get("votes", {})
            }
            on_ballot = Idea.objects.filter(
                round=budget_round, pk__in=counted | chosen, status=Status.ON_BALLOT
            )
            for idea in on_ballot.order_by("pk"):
                new = Status.SELECTED if idea.pk in chosen else Status.NOT_SELECTED
                idea = change_status(idea, new, user=user, role=StatusChange.Role.SYSTEM)
                if new == Status.SELECTED:
                    # Its delivery is followed from now on, with the public money the vote allocated to it.
                    start_delivery(idea, user=None)
        log(
            instance=budget_round,
            action="ideas.voting.publish",
            user=user,
            data={"results": [result.pk for result in waiting], "rule": waiting[0].rule},
        )
    return len(waiting)


def summary_lines(result: RoundResult) -> list[str]:
    """A readable account of a snapshot for the command line: rule, cost, and each idea with its votes."""
    outcome = result.outcome
    titles = dict(Idea.objects.filter(round=result.round).values_list("pk", "title"))
    lines = [
        f"Result #{result.pk} of {result.round} ({result.area or 'whole round'}): rule {result.rule}, "
        f"{len(outcome['selected'])} selected, cost {outcome['cost']} of {outcome['budget']}, "
        f"{outcome['voters']} ballots",
        f"File SHA-256 {result.pb_sha256}, engine {result.engine_version}",
    ]
    for pk in outcome["selected"]:
        lines.append(
            f"  selected {pk}: {titles.get(pk, '?')} ({outcome['votes'].get(str(pk))} votes, "
            f"score {outcome['score'].get(str(pk))})"
        )
    return lines
