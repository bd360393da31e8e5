"""Paper ballots: the register at the polling place (census list and age, or a staff exception; one entry per
person in the whole round), double entry by two staff members, reconciliation per polling place (never more
confirmed ballots than registered paper voters, nothing waiting when the box is opened), and code, paper and
online ballots landing in one count."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ideas.models import (
    Ballot,
    BallotChoice,
    Channel,
    PaperBallotEntry,
    PollingPlace,
    SealedBallot,
    VoterRecord,
)
from ideas.voting import ballot_box, eligibility, keys, paper
from ideas.voting.casting import VoteRefused, cast
from ideas.voting.codes import hand_out, make_batch, vote_with_code
from tests.factories import UserFactory, make_idea
from tests.ideas.voters import area_round, child_birth_year, close_and_open, on_census, voting_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper_round():
    budget_round = voting_round(total_budget=Decimal("20000"))
    ideas = [make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(5000)) for _ in range(3)]
    school = PollingPlace.objects.create(round=budget_round, name="Ķekava school")
    library = PollingPlace.objects.create(round=budget_round, name="Baloži library")
    return budget_round, ideas, school, library


@pytest.fixture
def staff():
    return UserFactory(username="clerk-a"), UserFactory(username="clerk-b")


def registered(place, *personal_codes):
    """Put people on the census list and register them as paper voters at `place`."""
    for personal_code in personal_codes:
        on_census(personal_code)
        paper.register_paper_voter(place.round, personal_code, place)


def opened_choices(budget_round):
    return sorted(
        sorted(ballot.choices.values_list("idea_id", flat=True))
        for ballot in Ballot.objects.filter(round=budget_round)
    )


def test_a_paper_ballot_counts_only_after_a_second_person_confirms_it(paper_round, staff):
    budget_round, ideas, school, _library = paper_round
    registered(school, "050505-55555")
    entry = paper.enter(budget_round, {ideas[0].pk: 1, ideas[1].pk: 1}, staff[0], school)
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    with pytest.raises(PermissionDenied):
        paper.confirm(entry, staff[0])
    paper.confirm(entry, staff[1])
    entry.refresh_from_db()
    assert entry.state == PaperBallotEntry.State.CONFIRMED and entry.confirmed_by == staff[1]
    assert entry.choices == {}  # the typed-in copy is emptied: the ballot lives sealed in the box
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    with pytest.raises(ValidationError):
        paper.confirm(entry, staff[1])
    assert close_and_open(budget_round) == 1
    assert opened_choices(budget_round) == [sorted([ideas[0].pk, ideas[1].pk])]


def test_a_paper_ballot_breaking_the_rules_or_without_a_place_is_refused_at_entry(paper_round, staff):
    budget_round, ideas, school, _library = paper_round
    too_much = {idea.pk: 1 for idea in ideas} | {
        make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(9000)).pk: 1
    }
    with pytest.raises(VoteRefused):
        paper.enter(budget_round, too_much, staff[0], school)
    with pytest.raises(VoteRefused):
        paper.enter(budget_round, {ideas[0].pk: 1}, staff[0], None)
    elsewhere = PollingPlace.objects.create(round=voting_round(name="Other round"), name="Elsewhere")
    with pytest.raises(VoteRefused):
        paper.enter(budget_round, {ideas[0].pk: 1}, staff[0], elsewhere)
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "050505-55555", elsewhere)
    assert not PaperBallotEntry.objects.filter(round=budget_round).exists()


def test_the_register_refuses_a_person_who_voted_in_another_channel(paper_round):
    budget_round, ideas, school, _library = paper_round
    cast(budget_round, on_census("010203-12345"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "010203-12345", school)
    registered(school, "010203-54321")
    with pytest.raises(VoteRefused):
        cast(budget_round, keys.person_key("010203-54321"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    with pytest.raises(VoteRefused):
        paper.register_paper_voter(budget_round, "010203-54321", school)
    record = VoterRecord.objects.get(round=budget_round, channel=Channel.PAPER)
    assert record.polling_place == school and record.birth_year == 1980


# Eligibility (issue 8: paper skipped the census list and the age rule) -------------------------------------


def test_the_register_refuses_a_person_missing_from_the_census_list_or_too_young(paper_round):
    budget_round, _ideas, school, _library = paper_round
    with translation.override("en"), pytest.raises(VoteRefused, match="not on the municipality's list"):
        paper.register_paper_voter(budget_round, "010203-12345", school)
    on_census("020304-12345", birth_year=child_birth_year(11))
    with translation.override("en"), pytest.raises(VoteRefused, match="from the age of 16"):
        paper.register_paper_voter(budget_round, "020304-12345", school)
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_a_staff_exception_lets_a_person_off_the_list_vote_on_paper(paper_round, staff):
    budget_round, ideas, school, _library = paper_round
    on_census("020304-12345", birth_year=child_birth_year(11))
    for personal_code in ("010203-12345", "020304-12345"):
        eligibility.grant_override(
            budget_round, personal_code, area=None, reason="Documents checked at the desk", user=staff[0]
        )
        paper.register_paper_voter(budget_round, personal_code, school)
    assert VoterRecord.objects.filter(round=budget_round, channel=Channel.PAPER).count() == 2
    paper.confirm(paper.enter(budget_round, {ideas[0].pk: 1}, staff[0], school), staff[1])
    assert SealedBallot.objects.filter(round=budget_round).count() == 1


# Reconciliation (issue 8: confirmed paper ballots could exceed the paper voters) ---------------------------


def test_confirmed_ballots_never_exceed_the_paper_voters_of_their_place(paper_round, staff):
    budget_round, ideas, school, library = paper_round
    registered(school, "010101-11111")
    registered(library, "020202-22222")
    first = paper.enter(budget_round, {ideas[0].pk: 1}, staff[0], school)
    second = paper.enter(budget_round, {ideas[1].pk: 1}, staff[0], school)
    paper.confirm(first, staff[1])
    # The library's registered voter does not make room for a second ballot from the school.
    with translation.override("en"), pytest.raises(ValidationError, match="as many confirmed paper ballots"):
        paper.confirm(second, staff[1])
    second.refresh_from_db()
    assert second.state == PaperBallotEntry.State.PENDING
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    rows = {row["place"]: row for row in paper.reconciliation(budget_round)}
    assert {key: rows[school][key] for key in ("registered", "confirmed", "pending", "over")} == {
        "registered": 1,
        "confirmed": 1,
        "pending": 1,
        "over": False,
    }
    assert (rows[library]["registered"], rows[library]["confirmed"], rows[library]["unused"]) == (1, 0, 1)
    # Once the paper is checked, the extra entry is rejected and the box can be opened.
    paper.reject(second, staff[1])
    assert close_and_open(budget_round) == 1


def test_the_box_stays_shut_while_paper_waits_or_does_not_reconcile(paper_round, staff):
    budget_round, ideas, school, library = paper_round
    registered(school, "010101-11111")
    cast(budget_round, on_census("030303-33333"), channel=Channel.ONLINE, choices={ideas[2].pk: 1})
    waiting = paper.enter(budget_round, {ideas[0].pk: 1}, staff[0], school)
    with translation.override("en"), pytest.raises(ballot_box.BoxProblem, match="Ķekava school"):
        close_and_open(budget_round)
    assert SealedBallot.objects.filter(round=budget_round).count() == 1
    paper.confirm(waiting, staff[1])
    # More confirmed ballots than registered voters (a register entry lost): the box is not opened either.
    PaperBallotEntry.objects.create(
        round=budget_round,
        polling_place=library,
        choices={},
        entered_by=staff[0],
        confirmed_by=staff[1],
        state=PaperBallotEntry.State.CONFIRMED,
    )
    with translation.override("en"), pytest.raises(ballot_box.BoxProblem, match="Baloži library"):
        ballot_box.open_ballot_box(budget_round, budget_round.test_private_key, None)
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at is None
    assert SealedBallot.objects.filter(round=budget_round).count() == 2
    assert not Ballot.objects.filter(round=budget_round).exists()


# Rounds with a ballot per area (issue 8: one person voted in every area) ------------------------------------


def test_a_paper_voter_gets_their_census_areas_ballot_and_votes_once_in_the_round():
    budget_round, (north, south) = area_round()
    place = PollingPlace.objects.create(round=budget_round, name="Parish hall")
    north_idea = make_idea(budget_round, status="on_ballot", area=north, estimated_cost=Decimal(4000))
    on_census("040404-44444", area=south)
    assert paper.register_paper_voter(budget_round, "040404-44444", place) == south
    cast(
        budget_round,
        on_census("010203-12345", area=north),
        channel=Channel.ONLINE,
        choices={north_idea.pk: 1},
    )
    # Already voted online in the north: no paper ballot in the south, even with an exception for the south.
    eligibility.grant_override(
        budget_round, "010203-12345", area=south, reason="Says they moved", user=UserFactory(username="c")
    )
    with translation.override("en"), pytest.raises(VoteRefused, match="already voted"):
        paper.register_paper_voter(budget_round, "010203-12345", place)
    assert VoterRecord.objects.filter(round=budget_round).count() == 2


def test_online_code_and_paper_ballots_land_in_one_count(paper_round, staff):
    from ideas.voting.results import count_round

    budget_round, ideas, school, _library = paper_round
    cast(budget_round, on_census("010101-11111"), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    [code] = make_batch(budget_round, 1, "Library")
    on_census("020202-22222")
    hand_out(budget_round, code, "020202-22222")
    vote_with_code(budget_round, keys.code_hash(code), {ideas[0].pk: 1, ideas[1].pk: 1})
    registered(school, "030303-33333")
    paper.confirm(paper.enter(budget_round, {ideas[2].pk: 1}, staff[0], school), staff[1])

    channels = VoterRecord.objects.filter(round=budget_round).values_list("channel", flat=True)
    assert sorted(channels) == ["code", "online", "paper"]
    assert close_and_open(budget_round) == 3
    votes = {idea.pk: BallotChoice.objects.filter(idea=idea).count() for idea in ideas}
    assert votes == {ideas[0].pk: 2, ideas[1].pk: 1, ideas[2].pk: 1}
    result = count_round(budget_round)
    assert result.outcome["voters"] == 3
    votes_section = result.pb_file.split("VOTES\n", 1)[1].splitlines()[1:]
    named = sorted(idea for line in votes_section for idea in line.split(";")[1].split(","))
    assert named == sorted(map(str, [ideas[0].pk, ideas[0].pk, ideas[1].pk, ideas[2].pk]))
