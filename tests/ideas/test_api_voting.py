"""API of the vote: the voter's own sealed ballot (cast or replace it, read its receipt only; rules and
entitlement enforced as on the website) and published results with their counted receipts."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ideas.models import Area, AreaBudget, BudgetRound, Channel, CountedReceipt, SealedBallot, VoterRecord
from ideas.voting import keys, sealing
from ideas.voting.casting import cast
from tests.factories import make_idea, round_in_phase
from tests.ideas import voters

pytestmark = pytest.mark.django_db

READABLE = {"receipt", "fingerprint", "area"}


@pytest.fixture
def voting_round():
    budget_round = voters.voting_round(total_budget=Decimal("10000"))
    return budget_round, [
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(c)) for c in (6000, 5000, 4000)
    ]


def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def voter():
    return api_client(voters.confirmed_resident("anna", "010203-12345"))


def url(budget_round):
    return f"/api/v1/rounds/{budget_round.pk}/ballot/"


def test_cast_read_and_change_my_ballot_see_the_receipt_never_the_choices(voter, voting_round):
    budget_round, ideas = voting_round
    assert voter.get(url(budget_round) + "?lang=en").status_code == 404
    response = voter.put(
        url(budget_round), {"choices": [{"idea": ideas[0].pk}, {"idea": ideas[2].pk}]}, format="json"
    )
    assert response.status_code == 200, response.json()
    first = response.json()
    assert set(first) == READABLE and first["area"] is None
    assert first["receipt"] == sealing.receipt(first["fingerprint"])
    assert voter.get(url(budget_round)).json() == first, "GET gives the receipt, nothing of the choices"

    changed = voter.put(url(budget_round), {"choices": [{"idea": ideas[1].pk}]}, format="json").json()
    assert set(changed) == READABLE and changed["receipt"] != first["receipt"]
    assert voter.get(url(budget_round)).json() == changed
    envelope = SealedBallot.objects.get(round=budget_round)
    assert envelope.fingerprint == changed["fingerprint"]
    assert voters.sealed_choices(budget_round) == [[(ideas[1].pk, 1)]]

    voters.close_and_open(budget_round)
    counted = set(CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True))
    assert counted == {changed["fingerprint"]}


def test_nobody_reads_or_changes_another_persons_ballot(voter, voting_round):
    """Issue 8: the ballot endpoint read and changed ballots it should not. A ballot cast with the person's code
    cannot be read or replaced through their account, and another account sees only its own (none)."""
    budget_round, ideas = voting_round
    by_code = cast(
        budget_round, keys.person_key("010203-12345"), channel=Channel.CODE, choices={ideas[0].pk: 1}
    )
    mine = voter.get(url(budget_round)).json()
    assert mine == {"receipt": by_code.code, "fingerprint": by_code.fingerprint, "area": None}
    refused = voter.put(url(budget_round) + "?lang=en", {"choices": [{"idea": ideas[1].pk}]}, format="json")
    assert refused.status_code == 400 and "already voted" in str(refused.json())
    other = api_client(voters.confirmed_resident("juris", "020304-12345"))
    assert other.get(url(budget_round)).status_code == 404
    assert (
        other.put(url(budget_round), {"choices": [{"idea": ideas[2].pk}]}, format="json").status_code == 200
    )
    assert SealedBallot.objects.filter(round=budget_round, fingerprint=by_code.fingerprint).exists()
    assert voters.sealed_choices(budget_round) == [[(ideas[0].pk, 1)], [(ideas[2].pk, 1)]]


def test_over_budget_ballot_is_a_clear_400(voter, voting_round):
    budget_round, ideas = voting_round
    response = voter.put(
        url(budget_round) + "?lang=en", {"choices": [{"idea": idea.pk} for idea in ideas]}, format="json"
    )
    assert response.status_code == 400
    assert "more than the budget" in response.json()["choices"][0]
    assert not SealedBallot.objects.filter(round=budget_round).exists()


def test_anonymous_and_unconfirmed_voters_are_refused(resident, voting_round):
    budget_round, ideas = voting_round
    assert APIClient().put(
        url(budget_round), {"choices": [{"idea": ideas[0].pk}]}, format="json"
    ).status_code in (
        401,
        403,
    )
    client = api_client(resident)
    assert (
        client.put(url(budget_round), {"choices": [{"idea": ideas[0].pk}]}, format="json").status_code == 403
    )


@pytest.mark.parametrize(
    "census",
    [{"census": False}, {"birth_year": timezone.now().year - 15}],
    ids=["not-on-the-census", "under-age"],
)
def test_people_not_entitled_cannot_vote_through_the_api(voting_round, census):
    budget_round, ideas = voting_round
    client = api_client(voters.confirmed_resident("ilze", "030405-12345", **census))
    response = client.put(url(budget_round), {"choices": [{"idea": ideas[0].pk}]}, format="json")
    assert response.status_code == 403
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_no_ballot_without_keys_or_once_the_box_is_opened(voter, voting_round):
    budget_round, ideas = voting_round
    keyless = round_in_phase("voting", total_budget=Decimal("10000"))
    idea = make_idea(keyless, status="on_ballot", estimated_cost=Decimal(1000))
    response = voter.put(url(keyless) + "?lang=en", {"choices": [{"idea": idea.pk}]}, format="json")
    assert response.status_code == 400 and "counting keys" in str(response.json())
    assert not SealedBallot.objects.filter(round=keyless).exists()

    voter.put(url(budget_round), {"choices": [{"idea": ideas[0].pk}]}, format="json")
    voters.close_and_open(budget_round)
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        results_published=timezone.now() + datetime.timedelta(days=1)
    )
    response = voter.put(url(budget_round) + "?lang=en", {"choices": [{"idea": ideas[1].pk}]}, format="json")
    assert response.status_code == 400 and "Voting is not open now." in str(response.json())
    assert not SealedBallot.objects.filter(round=budget_round).exists()


def test_a_round_by_area_takes_the_census_areas_ballot_once(voting_round):
    """Issue 8: one person voted in every area; now a second PUT replaces the same envelope of the census
    area, and another area's ideas are refused."""
    budget_round, _ideas = voting_round
    BudgetRound.objects.filter(pk=budget_round.pk).update(ballot_scope=BudgetRound.BallotScope.AREA)
    budget_round.refresh_from_db()
    home = voters.home_area()
    other = Area.objects.filter(locale__language_code="lv").exclude(pk=home.pk).order_by("pk").first()
    for area in (home, other):
        AreaBudget.objects.create(round=budget_round, area=area, amount=Decimal("10000"))
    mine = make_idea(budget_round, status="on_ballot", area=home, estimated_cost=Decimal(1000))
    theirs = make_idea(budget_round, status="on_ballot", area=other, estimated_cost=Decimal(1000))
    client = api_client(voters.confirmed_resident("anna", "010203-12345", area=home))

    first = client.put(url(budget_round), {"choices": [{"idea": mine.pk}]}, format="json").json()
    assert first["area"] == home.pk
    envelope = SealedBallot.objects.get(round=budget_round)
    refused = client.put(url(budget_round) + "?lang=en", {"choices": [{"idea": theirs.pk}]}, format="json")
    assert refused.status_code == 400 and "not on this ballot" in str(refused.json())
    again = client.put(url(budget_round), {"choices": [{"idea": mine.pk, "points": 1}]}, format="json").json()
    assert again["area"] == home.pk and again["receipt"] != first["receipt"]
    assert list(SealedBallot.objects.filter(round=budget_round).values_list("pk", "area", "fingerprint")) == [
        (envelope.pk, home.pk, again["fingerprint"])
    ]
    assert VoterRecord.objects.filter(round=budget_round).count() == 1


def test_results_their_files_and_receipts_can_be_downloaded_and_verified(voter, voting_round):
    from ideas.voting.results import count_round, publish_results

    budget_round, ideas = voting_round
    cast_ballot = voter.put(url(budget_round), {"choices": [{"idea": ideas[1].pk}]}, format="json").json()
    voters.close_and_open(budget_round)
    result = count_round(budget_round)
    assert APIClient().get(f"/api/v1/results/?round={budget_round.pk}").json()["results"] == [], "a preview"
    assert APIClient().get(f"/api/v1/results/{result.pk}/pb/").status_code == 404
    publish_results(budget_round, [result], None)
    listing = APIClient().get(f"/api/v1/results/?round={budget_round.pk}").json()
    [published] = listing["results"]
    assert published["pb_sha256"] == result.pb_sha256
    pb = APIClient().get(f"/api/v1/results/{result.pk}/pb/")
    assert pb.status_code == 200
    assert hashlib.sha256(pb.content).hexdigest() == result.pb_sha256
    assert published["outcome"]["selected"] == [ideas[1].pk], "ideas without votes are not funded"
    receipts = APIClient().get(f"/api/v1/results/{result.pk}/receipts/")
    assert receipts.status_code == 200 and receipts.content.decode() == cast_ballot["fingerprint"] + "\n"
