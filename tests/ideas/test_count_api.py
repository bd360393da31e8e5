"""The API's door to a count (POST /api/v1/rounds/{id}/count/) runs the same service as the desk and the command
line (ideas/voting/closing.start_count): the same refusals, the sealed box opened only with the right key, and
the same audit entry."""

from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from ideas.models import Ballot, Channel, RoundResult, SealedBallot
from ideas.phases import Phase
from ideas.voting.casting import cast
from tests.factories import make_idea
from tests.ideas.voters import on_census, voting_round

pytestmark = pytest.mark.django_db


def _url(budget_round):
    return f"/api/v1/rounds/{budget_round.pk}/count/"


@pytest.fixture
def cast_round():
    budget_round = voting_round(total_budget=Decimal("20000"))
    ideas = [make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(8000)) for _ in range(3)]
    for number in range(3):
        cast(
            budget_round,
            on_census(f"01010{number}-2000{number}"),
            channel=Channel.ONLINE,
            choices={ideas[number % 2].pk: 1},
        )
    return budget_round


def _close(budget_round):
    budget_round.results_published = budget_round.voting_starts
    budget_round.save(update_fields=["results_published"])


def test_residents_cannot_count(client, cast_round, resident):
    _close(cast_round)
    client.force_login(resident)
    response = client.post(_url(cast_round), {"rule": "greedy"}, content_type="application/json")
    assert response.status_code == 403
    assert SealedBallot.objects.filter(round=cast_round).count() == 3


def test_refused_while_voting_is_open(client, cast_round, idea_moderator):
    client.force_login(idea_moderator)
    response = client.post(
        _url(cast_round),
        {"rule": "greedy", "private_key": cast_round.test_private_key},
        content_type="application/json",
    )
    assert response.status_code == 403  # the permission itself follows the phase
    assert not RoundResult.objects.filter(round=cast_round).exists()


def test_a_wrong_key_opens_nothing_and_the_right_one_counts(
    client, cast_round, idea_moderator, django_capture_on_commit_callbacks
):
    _close(cast_round)
    client.force_login(idea_moderator)
    other = voting_round(phase=Phase.SUPPORT).test_private_key
    wrong = client.post(
        _url(cast_round), {"rule": "greedy", "private_key": other}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert wrong.json()["detail"]  # the reason, in the site's language
    assert SealedBallot.objects.filter(round=cast_round).count() == 3
    assert not Ballot.objects.filter(round=cast_round).exists()
    missing = client.post(_url(cast_round), {"rule": "greedy"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["detail"]

    with django_capture_on_commit_callbacks(execute=True):
        right = client.post(
            _url(cast_round),
            {"rule": "greedy", "private_key": cast_round.test_private_key},
            content_type="application/json",
        )
    assert right.status_code == 202, right.content
    assert right.json()["state"] in ("queued", "done")
    assert Ballot.objects.filter(round=cast_round).count() == 3
    result = RoundResult.objects.get(round=cast_round)
    assert result.outcome["voters"] == 3
    actions = set(ModelLogEntry.objects.filter(object_id=str(cast_round.pk)).values_list("action", flat=True))
    assert {"ideas.voting.box_opened", "ideas.voting.count"} <= actions
