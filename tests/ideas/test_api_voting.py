"""API of the vote: the voter's own ballot (rules enforced as on the website) and published results."""

import hashlib
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from ideas.models import Ballot, CensusEntry, ResidentProfile
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.eligibility import confirm_from_census
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting_round():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("10000"))
    return budget_round, [
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(c)) for c in (6000, 5000, 4000)
    ]


@pytest.fixture
def voter(resident, voting_round):
    _budget_round, ideas = voting_round
    CensusEntry.objects.create(
        person_key=keys.person_key("010203-12345"), area=ideas[0].area, birth_year=1980
    )
    confirm_from_census(ResidentProfile.objects.create(user=resident, display_name="Anna"), "010203-12345")
    client = APIClient()
    client.force_authenticate(resident)
    return client


def test_cast_read_and_change_my_ballot(voter, voting_round):
    budget_round, ideas = voting_round
    url = f"/api/v1/rounds/{budget_round.pk}/ballot/"
    assert voter.get(url + "?lang=en").status_code == 404
    response = voter.put(url, {"choices": [{"idea": ideas[0].pk}, {"idea": ideas[2].pk}]}, format="json")
    assert response.status_code == 200, response.json()
    reference = response.json()["reference"]
    assert [choice["idea"] for choice in voter.get(url).json()["choices"]] == [ideas[0].pk, ideas[2].pk]
    changed = voter.put(url, {"choices": [{"idea": ideas[1].pk}]}, format="json").json()
    assert changed["reference"] == reference and changed["choices"] == [{"idea": ideas[1].pk, "points": 1}]
    assert Ballot.objects.filter(round=budget_round).count() == 1


def test_over_budget_ballot_is_a_clear_400(voter, voting_round):
    budget_round, ideas = voting_round
    response = voter.put(
        f"/api/v1/rounds/{budget_round.pk}/ballot/?lang=en",
        {"choices": [{"idea": idea.pk} for idea in ideas]},
        format="json",
    )
    assert response.status_code == 400
    assert "more than the budget" in response.json()["choices"][0]
    assert not Ballot.objects.filter(round=budget_round).exists()


def test_anonymous_and_unconfirmed_voters_are_refused(resident, voting_round):
    budget_round, ideas = voting_round
    url = f"/api/v1/rounds/{budget_round.pk}/ballot/"
    assert APIClient().put(url, {"choices": [{"idea": ideas[0].pk}]}, format="json").status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(resident)
    assert client.put(url, {"choices": [{"idea": ideas[0].pk}]}, format="json").status_code == 403


def test_results_and_their_files_can_be_downloaded_and_verified(voter, voting_round):
    from ideas.voting.results import count_round

    budget_round, ideas = voting_round
    voter.put(
        f"/api/v1/rounds/{budget_round.pk}/ballot/", {"choices": [{"idea": ideas[1].pk}]}, format="json"
    )
    result = count_round(budget_round)
    listing = APIClient().get(f"/api/v1/results/?round={budget_round.pk}").json()
    [published] = listing["results"]
    assert published["pb_sha256"] == result.pb_sha256
    pb = APIClient().get(f"/api/v1/results/{result.pk}/pb/")
    assert pb.status_code == 200
    assert hashlib.sha256(pb.content).hexdigest() == result.pb_sha256
    assert published["outcome"]["selected"] == [ideas[1].pk], "ideas without votes are not funded"
