"""What only PostgreSQL can prove: row locks and unique constraints under real concurrency. 32 simultaneous
first ballots of one voter leave exactly one sealed ballot; simultaneous changes never leave a mixed or
over-budget ballot (checked by opening the box with the round's private key)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from ideas.limits import Limited
from ideas.models import Area, Ballot, BallotChoice, Category, Channel, SealedBallot, VoterRecord
from ideas.voting.casting import Receipt, VoteRefused, cast
from tests.factories import make_idea
from tests.ideas.voters import close_and_open, on_census, voting_round

# Real transactions (not the test's wrapping one), so each thread commits on its own connection. The database is
# emptied between such tests, so each builds what it needs itself.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 32


@pytest.fixture
def sealed_round():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions are proven on PostgreSQL (CI runs it)")
    from wagtail.models import Locale

    locale, _created = Locale.objects.get_or_create(language_code="lv")
    area = Area.objects.create(name="Ķekava", code="kekava-c", locale=locale)
    category = Category.objects.create(name="Vide", code="environment-c", locale=locale)
    budget_round = voting_round(total_budget=Decimal("10000"))
    on_census("010203-12345", area=area)
    ideas = [
        make_idea(
            budget_round, status="on_ballot", estimated_cost=Decimal(cost), area=area, category=category
        )
        for cost in (6000, 5000, 4000, 3000)
    ]
    return budget_round, ideas


def run_together(jobs):
    """Start every job at the same moment in its own thread (own database connection); collect outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as error:  # every outcome, refusals included, is examined by the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_32_simultaneous_first_ballots_leave_exactly_one(sealed_round):
    budget_round, ideas = sealed_round
    voter = on_census("010203-12345")
    choice_sets = [{ideas[i % 4].pk: 1} for i in range(THREADS)]
    outcomes = run_together(
        [
            lambda choices=choices: cast(budget_round, voter, channel=Channel.ONLINE, choices=choices)
            for choices in choice_sets
        ]
    )
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    # The first ballot is free; the other 31 are changes, and past the per-person budget a change is Limited.
    assert not [error for error in errors if not isinstance(error, VoteRefused | Limited)], errors
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    assert close_and_open(budget_round) == 1
    assert BallotChoice.objects.filter(ballot__round=budget_round).count() == 1


def test_32_simultaneous_first_ballots_when_ballots_cannot_change(sealed_round):
    budget_round, ideas = sealed_round
    budget_round.ballots_changeable = False
    budget_round.save()
    voter = on_census("010203-12345")
    outcomes = run_together(
        [lambda: cast(budget_round, voter, channel=Channel.ONLINE, choices={ideas[0].pk: 1})] * THREADS
    )
    accepted = [outcome for outcome in outcomes if isinstance(outcome, Receipt)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, VoteRefused)]
    assert len(accepted) == 1 and len(refused) == THREADS - 1
    assert SealedBallot.objects.filter(round=budget_round).get().fingerprint == accepted[0].fingerprint


def test_simultaneous_changes_never_mix_into_an_over_budget_ballot(sealed_round, settings):
    # 32 changes by one voter at once: above the hourly limit on ballot changes (ideas/limits.py), which is not
    # what this test is about.
    settings.KOPA_ACTION_LIMITS = {"ballot_change": {"account": (1000, 3600)}}
    budget_round, ideas = sealed_round
    voter = on_census("010203-12345")
    cast(budget_round, voter, channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    # Each set fits the 10,000 budget alone; any two mixed together would not.
    valid_sets = [
        {ideas[0].pk: 1, ideas[3].pk: 1},
        {ideas[1].pk: 1, ideas[2].pk: 1},
        {ideas[1].pk: 1, ideas[3].pk: 1},
    ]
    outcomes = run_together(
        [
            lambda choices=valid_sets[i % 3]: cast(
                budget_round, voter, channel=Channel.ONLINE, choices=choices
            )
            for i in range(THREADS)
        ]
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    assert close_and_open(budget_round) == 1
    assert Ballot.objects.filter(round=budget_round).count() == 1
    final = set(BallotChoice.objects.filter(ballot__round=budget_round).values_list("idea_id", flat=True))
    assert final in [set(choices) for choices in valid_sets]
    cost = sum(idea.estimated_cost for idea in ideas if idea.pk in final)
    assert cost <= budget_round.total_budget
