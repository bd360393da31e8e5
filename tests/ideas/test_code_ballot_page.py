"""Voting with a one-time code on the web, without an account: the code page, the ballot, the review, the
receipt; refusals for wrong, unissued and used codes, for people who already voted in another channel, for
people no longer entitled, outside the voting phase, and after too many wrong codes."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from ideas.models import CensusEntry, Channel, SealedBallot, VoterRecord, VotingCode
from ideas.phases import Phase
from ideas.voting import keys, sealing
from ideas.voting.casting import cast
from ideas.voting.codes import hand_out, make_batch
from tests.factories import make_idea
from tests.ideas import voters
from tests.ideas.test_ballot_page import carried, receipt_on, round_page, ticks, vote_url

pytestmark = pytest.mark.django_db

PERSON = "150505-12345"


@pytest.fixture(autouse=True)
def no_remembered_attempts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def code_round(home_en):
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Code idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000])
    ]
    voters.on_census(PERSON)
    [code] = make_batch(budget_round, 1, "Library")
    hand_out(budget_round, code, PERSON)
    return budget_round, round_page(budget_round, home_en, slug="code-round"), ideas, code


def test_the_round_page_offers_voting_with_a_code(client, code_round):
    _budget_round, page, _ideas, _code = code_round
    html = client.get(page.url).content.decode()
    assert vote_url(page, "vote_with_code") in html and "Vote with a code" in html


def test_a_code_voter_votes_without_an_account(client, code_round):
    budget_round, page, ideas, code = code_round
    response = client.post(vote_url(page, "vote_with_code"), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302 and response.url == vote_url(page, "code_ballot")
    form = client.get(response.url).content.decode()
    assert f'name="idea_{ideas[0].pk}"' in form
    response = client.post(vote_url(page, "code_ballot"), ticks(ideas[0], ideas[1]))
    review = response.content.decode()
    assert response.status_code == 200 and "Code idea 1" in review and "Cast my ballot" in review
    assert f'action="{vote_url(page, "code_ballot")}"' in review
    assert not SealedBallot.objects.filter(round=budget_round).exists()  # nothing recorded before "Cast"
    response = client.post(vote_url(page, "code_ballot"), {**carried(review), "cast": "1"})
    done = response.content.decode()
    assert response.status_code == 200 and "code is now used up" in done
    envelope = SealedBallot.objects.get(round=budget_round)
    assert receipt_on(done) == sealing.receipt(envelope.fingerprint)
    assert voters.sealed_choices(budget_round) == [sorted([(ideas[0].pk, 1), (ideas[1].pk, 1)])]
    assert VoterRecord.objects.get(round=budget_round).channel == Channel.CODE
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.USED
    # The code is gone from the session and cannot open the ballot again.
    assert client.get(vote_url(page, "code_ballot")).url == vote_url(page, "vote_with_code")
    assert receipt_on(client.get(vote_url(page, "code_done")).content.decode()) is None
    again = client.post(vote_url(page, "vote_with_code"), {"code": code})
    assert again.status_code == 400 and "already been used" in again.content.decode()


def test_a_code_ballot_is_checked_against_the_rules(client, code_round):
    budget_round, page, ideas, code = code_round
    client.post(vote_url(page, "vote_with_code"), {"code": code})
    for extra in ({}, {"cast": "1"}):
        response = client.post(vote_url(page, "code_ballot"), {**ticks(*ideas), **extra})
        assert response.status_code == 400
        assert "The chosen ideas cost €21,000" in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED


def test_a_code_not_handed_out_or_wrong_is_refused(client, code_round):
    budget_round, page, _ideas, _code = code_round
    [fresh] = make_batch(budget_round, 1, "Kiosk")
    for wrong in (fresh, "AAAA-BBBB-CCCC"):
        response = client.post(vote_url(page, "vote_with_code"), {"code": wrong})
        assert response.status_code == 400
        assert "not valid, or it has already been used" in response.content.decode()
    assert client.get(vote_url(page, "code_ballot")).url == vote_url(page, "vote_with_code")


def test_a_person_who_voted_online_cannot_vote_again_with_a_code(client, code_round):
    budget_round, page, ideas, code = code_round
    online = cast(budget_round, keys.person_key(PERSON), channel=Channel.ONLINE, choices={ideas[2].pk: 1})
    client.post(vote_url(page, "vote_with_code"), {"code": code})
    response = client.post(vote_url(page, "code_ballot"), {**ticks(ideas[0]), "cast": "1"})
    assert response.status_code == 400
    assert "You have already voted in this round (Online)" in response.content.decode()
    assert SealedBallot.objects.get(round=budget_round).fingerprint == online.fingerprint
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED


def test_a_code_holder_taken_off_the_census_cannot_vote(client, code_round):
    """Entitlement is checked when the code votes, not only when it was handed out."""
    budget_round, page, ideas, code = code_round
    client.post(vote_url(page, "vote_with_code"), {"code": code})
    CensusEntry.objects.filter(person_key=keys.person_key(PERSON)).delete()
    response = client.post(vote_url(page, "code_ballot"), {**ticks(ideas[0]), "cast": "1"})
    assert response.status_code == 403
    assert "not on the municipality" in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED


def test_too_many_wrong_codes_lock_the_address_out(client, code_round, settings):
    _budget_round, page, _ideas, code = code_round
    settings.KOPA_RATE_LIMITS = {**settings.KOPA_RATE_LIMITS, "voting_code": {"address": (3, 3600)}}
    for _attempt in range(3):
        assert client.post(vote_url(page, "vote_with_code"), {"code": "AAAA-BBBB-CCCC"}).status_code == 400
    response = client.post(vote_url(page, "vote_with_code"), {"code": code})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_codes_vote_only_in_the_voting_phase(client, home_en):
    budget_round = voters.voting_round(phase=Phase.SUPPORT)
    page = round_page(budget_round, home_en, slug="support-round")
    response = client.get(vote_url(page, "vote_with_code"))
    assert response.status_code == 403 and "Voting is not open now." in response.content.decode()


def test_the_code_page_in_latvian(client, home_lv):
    budget_round = voters.voting_round()
    page = round_page(budget_round, home_lv, slug="balsosana", title="Balsošana")
    html = client.get(vote_url(page, "vote_with_code")).content.decode()
    assert 'lang="lv"' in html and "Balsot ar kodu" in html
