"""Paper ballots: the register at the polling place, double entry by two staff members, and code, paper and
online ballots landing in one count."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ideas.models import Ballot, BallotChoice, Channel, PaperBallotEntry
from ideas.phases import Phase
from ideas.voting import keys, paper
from ideas.voting.casting import VoteRefused, cast
from ideas.voting.codes import hand_out, make_batch, vote_with_code
from tests.factories import UserFactory, make_idea, round_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting_round():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    return budget_round, [
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(5000)) for _ in range(3)
    ]


@pytest.fixture
def staff():
    return UserFactory(username="clerk-a"), UserFactory(username="clerk-b")


def test_a_paper_ballot_counts_only_after_a_second_person_confirms_it(voting_round, staff):
    budget_round, ideas = voting_round
    entry = paper.enter(budget_round, {ideas[0].pk: 1, ideas[1].pk: 1}, entered_by=staff[0])
    assert not Ballot.objects.filter(round=budget_round).exists()
    with pytest.raises(PermissionDenied):
        paper.confirm(entry, confirmed_by=staff[0])
    ballot = paper.confirm(entry, confirmed_by=staff[1])
    assert ballot.channel == Channel.PAPER
    assert set(BallotChoice.objects.filter(ballot=ballot).values_list("idea_id", flat=True)) == {
        ideas[0].pk,
        ideas[1].pk,
    }
    with pytest.raises(ValidationError):
        paper.confirm(entry, confirmed_by=staff[1])


def test_a_paper_ballot_breaking_the_rules_is_refused_at_entry(voting_round, staff):
    budget_round, ideas = voting_round
    too_much = {idea.pk: 1 for idea in ideas} | {
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(9000)).pk: 1
    }
    with pytest.raises(VoteRefused):
        paper.enter(budget_round, too_much, entered_by=staff[0])
    assert not PaperBallotEntry.objects.exists()


def test_the_register_refuses_a_person_who_voted_in_another_channel(voting_round):
    budget_round, ideas = voting_round
    cast(budget_round, keys.person_key("010203-12345"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "010203-12345")
    paper.register_paper_voter(budget_round, "010203-54321")
    with pytest.raises(VoteRefused):
        cast(budget_round, keys.person_key("010203-54321"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})


def test_online_code_and_paper_ballots_land_in_one_count(voting_round, staff):
    budget_round, ideas = voting_round
    cast(budget_round, keys.person_key("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    [code] = make_batch(budget_round, 1, "Library")
    hand_out(budget_round, code, "020202-22222")
    vote_with_code(budget_round, code, {ideas[0].pk: 1, ideas[1].pk: 1})
    paper.register_paper_voter(budget_round, "030303-33333")
    paper.confirm(paper.enter(budget_round, {ideas[2].pk: 1}, entered_by=staff[0]), confirmed_by=staff[1])

    channels = sorted(Ballot.objects.filter(round=budget_round).values_list("channel", flat=True))
    assert channels == ["code", "online", "paper"]
    votes = {idea.pk: BallotChoice.objects.filter(idea=idea).count() for idea in ideas}
    assert votes == {ideas[0].pk: 2, ideas[1].pk: 1, ideas[2].pk: 1}


def test_the_count_includes_every_channel(voting_round, staff):
    from ideas.voting.results import count_round

    budget_round, ideas = voting_round
    cast(budget_round, keys.person_key("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    [code] = make_batch(budget_round, 1, "Library")
    hand_out(budget_round, code, "020202-22222")
    vote_with_code(budget_round, code, {ideas[0].pk: 1})
    paper.confirm(paper.enter(budget_round, {ideas[1].pk: 1}, entered_by=staff[0]), confirmed_by=staff[1])

    result = count_round(budget_round)
    assert result.outcome["voters"] == 3
    votes_section = result.pb_file.split("VOTES\n", 1)[1].splitlines()[1:]
    named = [line.split(";")[1] for line in votes_section]
    assert sorted(named) == sorted([str(ideas[0].pk), str(ideas[0].pk), str(ideas[1].pk)])
