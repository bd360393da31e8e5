"""Voting codes: only hashes stored, handed out only to a person who may vote (census list and age, or a staff
exception), one sealed ballot per code, voidable; a code voter cannot vote again online or on paper, not even in
another area of a round with a ballot per area."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import ModelLogEntry

from ideas.models import (
    BallotChoice,
    BudgetRound,
    CensusEntry,
    Channel,
    PollingPlace,
    SealedBallot,
    VoterRecord,
    VotingCode,
)
from ideas.voting import eligibility, keys, paper
from ideas.voting.casting import VoteRefused, cast
from ideas.voting.codes import hand_out, make_batch, usable_person, void_unused, vote_with_code
from tests.factories import UserFactory, make_idea
from tests.ideas.voters import area_round, child_birth_year, close_and_open, on_census, voting_round

pytestmark = pytest.mark.django_db

PERSON = "010203-12345"


@pytest.fixture
def code_round():
    budget_round = voting_round(total_budget=Decimal("20000"))
    return budget_round, [
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(5000)) for _ in range(3)
    ]


def vote(budget_round, code, choices):
    """Vote with a printed code as the code page does: by the code's keyed hash."""
    return vote_with_code(budget_round, keys.code_hash(code), choices)


def test_codes_are_stored_only_as_hashes(code_round):
    budget_round, _ideas = code_round
    codes = make_batch(budget_round, 20, "Library, 3 December")
    assert len(set(codes)) == 20
    stored = set(VotingCode.objects.filter(round=budget_round).values_list("code_hash", flat=True))
    assert not set(codes) & stored
    assert {keys.code_hash(code) for code in codes} == stored


def test_a_handed_out_code_votes_once_with_a_sealed_ballot(code_round):
    budget_round, ideas = code_round
    [code] = make_batch(budget_round, 1, "Workshop")
    on_census(PERSON)
    with pytest.raises(ValidationError):
        vote(budget_round, code, {ideas[0].pk: 1})  # not handed out yet
    hand_out(budget_round, code, PERSON)
    assert usable_person(budget_round, keys.code_hash(code)) == keys.person_key(PERSON)
    receipt = vote(budget_round, code.lower(), {ideas[0].pk: 1})
    envelope = SealedBallot.objects.get(round=budget_round)
    assert receipt.fingerprint == envelope.fingerprint and receipt.area_id is None
    assert VoterRecord.objects.get(round=budget_round).channel == Channel.CODE
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.USED
    assert usable_person(budget_round, keys.code_hash(code)) is None
    with pytest.raises(ValidationError):
        vote(budget_round, code, {ideas[1].pk: 1})
    assert close_and_open(budget_round) == 1
    assert list(
        BallotChoice.objects.filter(ballot__round=budget_round).values_list("idea_id", flat=True)
    ) == [ideas[0].pk]


def test_code_voter_cannot_vote_again_online_or_on_paper(code_round):
    budget_round, ideas = code_round
    place = PollingPlace.objects.create(round=budget_round, name="Library")
    [code] = make_batch(budget_round, 1, "Kiosk")
    on_census(PERSON)
    hand_out(budget_round, code, PERSON)
    vote(budget_round, code, {ideas[0].pk: 1})
    with pytest.raises(VoteRefused):
        cast(budget_round, keys.person_key(PERSON), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, PERSON, place)
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    assert VoterRecord.objects.filter(round=budget_round).count() == 1


def test_a_refused_ballot_does_not_use_up_the_code(code_round):
    budget_round, ideas = code_round
    [code] = make_batch(budget_round, 1, "Workshop")
    on_census(PERSON)
    hand_out(budget_round, code, PERSON)
    with pytest.raises(VoteRefused):
        vote(budget_round, code, {idea.pk: 1 for idea in ideas} | {999999: 1})
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert vote(budget_round, code, {ideas[0].pk: 1})


def test_unused_codes_can_be_voided(code_round):
    budget_round, ideas = code_round
    codes = make_batch(budget_round, 3, "Workshop")
    on_census(PERSON)
    on_census("010203-54321")
    hand_out(budget_round, codes[0], PERSON)
    vote(budget_round, codes[0], {ideas[0].pk: 1})
    assert void_unused(budget_round, "Workshop") == 2
    with pytest.raises(ValidationError):
        hand_out(budget_round, codes[1], "010203-54321")


# Eligibility (issue 8: codes skipped the census list and the age rule) -------------------------------------


def test_a_code_is_not_handed_to_a_person_missing_from_the_census_list(code_round):
    budget_round, _ideas = code_round
    [code] = make_batch(budget_round, 1, "Workshop")
    with translation.override("en"), pytest.raises(ValidationError, match="not on the municipality's list"):
        hand_out(budget_round, code, PERSON)
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.NEW
    assert VotingCode.objects.get(round=budget_round).person_key == ""


def test_a_code_is_not_handed_to_a_child(code_round):
    budget_round, ideas = code_round
    [code, other] = make_batch(budget_round, 2, "School")
    on_census(PERSON, birth_year=child_birth_year(11))
    with translation.override("en"), pytest.raises(ValidationError, match="from the age of 16"):
        hand_out(budget_round, code, PERSON)
    assert VotingCode.objects.filter(round=budget_round, state=VotingCode.State.NEW).count() == 2
    # Sixteen this year is old enough.
    on_census("020304-12345", birth_year=child_birth_year(16))
    hand_out(budget_round, other, "020304-12345")
    assert vote(budget_round, other, {ideas[0].pk: 1})


def test_a_staff_exception_lets_a_person_off_the_list_get_a_code(code_round):
    budget_round, ideas = code_round
    [code] = make_batch(budget_round, 1, "Workshop")
    clerk = UserFactory(username="exception-clerk")
    with pytest.raises(ValidationError):
        eligibility.grant_override(budget_round, PERSON, area=None, reason="  ", user=clerk)
    eligibility.grant_override(
        budget_round, PERSON, area=None, reason="Moved here in May; lease checked.", user=clerk
    )
    hand_out(budget_round, code, PERSON)
    assert vote(budget_round, code, {ideas[0].pk: 1})
    [logged] = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BudgetRound),
        object_id=str(budget_round.pk),
        action="ideas.voting.eligibility_override",
    )
    assert logged.user == clerk and logged.data["reason"] == "Moved here in May; lease checked."
    assert PERSON.replace("-", "") not in str(logged.data) and PERSON not in str(logged.data)


def test_eligibility_is_checked_again_when_the_code_votes(code_round):
    budget_round, ideas = code_round
    [code] = make_batch(budget_round, 1, "Workshop")
    on_census(PERSON)
    hand_out(budget_round, code, PERSON)
    CensusEntry.objects.filter(person_key=keys.person_key(PERSON)).delete()  # removed by a new census upload
    with pytest.raises(VoteRefused):
        vote(budget_round, code, {ideas[0].pk: 1})
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED
    assert (
        not SealedBallot.objects.filter(round=budget_round).exists()
        and not VoterRecord.objects.filter(round=budget_round).exists()
    )


# Rounds with a ballot per area (issue 8: one person voted in every area) ------------------------------------


def test_a_code_voter_gets_the_ballot_of_their_census_area():
    budget_round, (north, south) = area_round()
    north_idea = make_idea(budget_round, status="on_ballot", area=north, estimated_cost=Decimal(4000))
    south_idea = make_idea(budget_round, status="on_ballot", area=south, estimated_cost=Decimal(4000))
    [code] = make_batch(budget_round, 1, "South library")
    on_census(PERSON, area=south)
    hand_out(budget_round, code, PERSON)
    with pytest.raises(VoteRefused):
        vote(budget_round, code, {north_idea.pk: 1})  # not on the ballot of their area
    receipt = vote(budget_round, code, {south_idea.pk: 1})
    assert receipt.area_id == south.pk
    assert SealedBallot.objects.get(round=budget_round).area == south


def test_a_person_who_voted_online_in_one_area_cannot_vote_by_code_in_another():
    budget_round, (north, south) = area_round()
    north_idea = make_idea(budget_round, status="on_ballot", area=north, estimated_cost=Decimal(4000))
    south_idea = make_idea(budget_round, status="on_ballot", area=south, estimated_cost=Decimal(4000))
    person = on_census(PERSON, area=north)
    cast(budget_round, person, channel=Channel.ONLINE, choices={north_idea.pk: 1})
    [code] = make_batch(budget_round, 1, "South library")
    # Staff give them a south override and a code: still one ballot per person in the whole round.
    eligibility.grant_override(
        budget_round, PERSON, area=south, reason="Says they moved", user=UserFactory(username="c")
    )
    hand_out(budget_round, code, PERSON)
    for choices in ({south_idea.pk: 1}, {north_idea.pk: 1}):
        with pytest.raises(VoteRefused):
            vote(budget_round, code, choices)
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    assert VoterRecord.objects.get(round=budget_round).channel == Channel.ONLINE
    assert list(SealedBallot.objects.filter(round=budget_round).values_list("area", flat=True)) == [north.pk]
    assert VotingCode.objects.get(round=budget_round).state == VotingCode.State.ISSUED
