"""Voting codes: only hashes stored, handed to an identified person, one vote, voidable; one person cannot vote
again online or on paper."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ideas.models import Ballot, Channel, VotingCode
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.casting import VoteRefused, cast
from ideas.voting.codes import hand_out, make_batch, void_unused, vote_with_code
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting_round():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    return budget_round, [
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(5000)) for _ in range(3)
    ]


def test_codes_are_stored_only_as_hashes(voting_round):
    budget_round, _ideas = voting_round
    codes = make_batch(budget_round, 20, "Library, 3 December")
    assert len(set(codes)) == 20
    stored = set(VotingCode.objects.values_list("code_hash", flat=True))
    assert not set(codes) & stored
    assert {keys.code_hash(code) for code in codes} == stored


def test_a_handed_out_code_votes_once(voting_round):
    budget_round, ideas = voting_round
    [code] = make_batch(budget_round, 1, "Workshop")
    with pytest.raises(ValidationError):
        vote_with_code(budget_round, code, {ideas[0].pk: 1})  # not handed out yet
    hand_out(budget_round, code, "010203-12345")
    ballot = vote_with_code(budget_round, code.lower(), {ideas[0].pk: 1})
    assert ballot.channel == Channel.CODE
    with pytest.raises(ValidationError):
        vote_with_code(budget_round, code, {ideas[1].pk: 1})


def test_code_voter_cannot_vote_again_online_or_on_paper(voting_round):
    budget_round, ideas = voting_round
    [code] = make_batch(budget_round, 1, "Kiosk")
    hand_out(budget_round, code, "010203-12345")
    vote_with_code(budget_round, code, {ideas[0].pk: 1})
    for channel in (Channel.ONLINE, Channel.PAPER):
        with pytest.raises(VoteRefused):
            cast(budget_round, keys.person_key("010203-12345"), channel=channel, choices={ideas[1].pk: 1})
    assert Ballot.objects.filter(round=budget_round).count() == 1


def test_a_refused_ballot_does_not_use_up_the_code(voting_round):
    budget_round, ideas = voting_round
    [code] = make_batch(budget_round, 1, "Workshop")
    hand_out(budget_round, code, "010203-12345")
    with pytest.raises(VoteRefused):
        vote_with_code(budget_round, code, {idea.pk: 1 for idea in ideas} | {999999: 1})
    assert VotingCode.objects.get().state == VotingCode.State.ISSUED
    assert vote_with_code(budget_round, code, {ideas[0].pk: 1})


def test_unused_codes_can_be_voided(voting_round):
    budget_round, ideas = voting_round
    codes = make_batch(budget_round, 3, "Workshop")
    hand_out(budget_round, codes[0], "010203-12345")
    vote_with_code(budget_round, codes[0], {ideas[0].pk: 1})
    assert void_unused(budget_round, "Workshop") == 2
    with pytest.raises(ValidationError):
        hand_out(budget_round, codes[1], "010203-54321")
