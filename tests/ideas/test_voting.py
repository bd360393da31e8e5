"""Casting ballots (ideas/voting/casting.py): the rules, entitlement at cast time, one sealed ballot per person
per round whatever the channel or area, changes, refusals without keys or after the box is opened, and the secret
ballot (what is stored, and what is not)."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

from ideas.models import (
    Area,
    AreaBudget,
    Ballot,
    BallotChoice,
    BallotRules,
    BudgetRound,
    Channel,
    CountedReceipt,
    SealedBallot,
    VoterRecord,
)
from ideas.phases import Phase
from ideas.voting import keys, sealing
from ideas.voting.ballot_rules import Rules, ballot_problems
from ideas.voting.casting import VoteRefused, cast, current_receipt
from ideas.voting.eligibility import why_not_eligible
from tests.factories import make_idea, round_in_phase
from tests.ideas import voters

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"[0-9A-F]{4}(-[0-9A-F]{4}){4}")


@pytest.fixture
def sealed_round():
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000, 5000])
    ]
    return budget_round, ideas


def person(number, **census):
    """The person key of someone on the census list (born 1980 unless told)."""
    return voters.on_census(f"01020{number}-12345", **census)


def opened_choices(budget_round):
    """{frozenset of chosen idea ids, ...} of the opened ballots of a round."""
    ballots = {}
    for ballot_id, idea in BallotChoice.objects.filter(ballot__round=budget_round).values_list(
        "ballot_id", "idea_id"
    ):
        ballots.setdefault(ballot_id, set()).add(idea)
    return sorted(sorted(ideas) for ideas in ballots.values())


def test_a_ballot_within_the_budget_is_sealed_with_a_receipt(sealed_round):
    budget_round, ideas = sealed_round
    receipt = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1, ideas[1].pk: 1})
    assert RECEIPT.fullmatch(receipt.code) and len(receipt.fingerprint) == 64
    assert receipt.fingerprint.upper().replace("-", "").startswith(receipt.code.replace("-", ""))
    envelope = SealedBallot.objects.get(round=budget_round)
    assert envelope.fingerprint == receipt.fingerprint == sealing.fingerprint(bytes(envelope.sealed))
    assert not Ballot.objects.filter(round=budget_round).exists(), "nothing is opened while voting"
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    assert voters.close_and_open(budget_round) == 1
    assert opened_choices(budget_round) == [sorted([ideas[0].pk, ideas[1].pk])]


def test_over_budget_is_refused_with_a_clear_message(sealed_round):
    budget_round, ideas = sealed_round
    with translation.override("en"), pytest.raises(VoteRefused) as refused:
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={idea.pk: 1 for idea in ideas})
    assert refused.value.messages[0] == "The chosen ideas cost €26,000, more than the budget of €20,000."
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_one_ballot_per_person_whatever_the_channel(sealed_round):
    budget_round, ideas = sealed_round
    cast(budget_round, person(1), channel=Channel.CODE, choices={ideas[0].pk: 1})
    with translation.override("en"), pytest.raises(VoteRefused, match="already voted"):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    assert SealedBallot.objects.filter(round=budget_round).count() == 1


def test_a_changed_ballot_replaces_the_older_one_and_only_the_newest_is_counted(sealed_round):
    budget_round, ideas = sealed_round
    first = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    envelope = SealedBallot.objects.get(round=budget_round)
    second = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[2].pk: 1, ideas[3].pk: 1})
    assert first.fingerprint != second.fingerprint and first.code != second.code
    # One envelope per voter, the same row, now holding the newest ballot.
    replaced = SealedBallot.objects.get(round=budget_round)
    assert replaced.pk == envelope.pk and replaced.fingerprint == second.fingerprint
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    assert current_receipt(budget_round, person(1)) == second

    assert voters.close_and_open(budget_round) == 1
    assert opened_choices(budget_round) == [sorted([ideas[2].pk, ideas[3].pk])]
    counted = set(CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True))
    assert counted == {second.fingerprint}


def test_no_change_when_the_round_does_not_allow_it(sealed_round):
    budget_round, ideas = sealed_round
    first = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    budget_round.ballots_changeable = False
    budget_round.save()
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    assert SealedBallot.objects.get(round=budget_round).fingerprint == first.fingerprint


def test_voting_only_in_the_voting_phase_by_server_time(sealed_round):
    budget_round, ideas = sealed_round
    too_early = budget_round.voting_starts - datetime.timedelta(minutes=1)
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1}, moment=too_early)
    after = budget_round.results_published + datetime.timedelta(minutes=1)
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1}, moment=after)
    assert not SealedBallot.objects.filter(round=budget_round).exists()


def test_no_ballot_without_the_rounds_counting_keys():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    idea = make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(1000))
    assert not budget_round.counting_public_key
    with translation.override("en"), pytest.raises(VoteRefused, match="counting keys"):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={idea.pk: 1})
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_no_ballot_once_the_box_is_opened_even_if_voting_dates_are_moved(sealed_round):
    budget_round, ideas = sealed_round
    cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    voters.close_and_open(budget_round)
    budget_round.refresh_from_db()
    assert budget_round.ballot_box_opened_at
    # Someone moves the end of voting back into the future: the opened box still takes nothing.
    budget_round.results_published = timezone.now() + datetime.timedelta(days=1)
    budget_round.save(update_fields=["results_published"])
    assert budget_round.current_phase() == Phase.VOTING
    for who, choices in ((person(1), {ideas[1].pk: 1}), (person(2), {ideas[2].pk: 1})):
        with translation.override("en"), pytest.raises(VoteRefused, match="Voting is not open"):
            cast(budget_round, who, channel=Channel.ONLINE, choices=choices)
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert opened_choices(budget_round) == [[ideas[0].pk]]


def test_ideas_not_on_the_ballot_cannot_be_chosen(sealed_round):
    budget_round, _ideas = sealed_round
    feasible = make_idea(budget_round, status="feasible")
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={feasible.pk: 1})


def test_too_young_voters_are_refused_by_the_census_birth_year(sealed_round):
    budget_round, ideas = sealed_round
    young = person(1, birth_year=timezone.now().year - 15)
    with translation.override("en"), pytest.raises(VoteRefused, match="from the age of 16"):
        # A birth year given by the caller does not beat the census list's.
        cast(budget_round, young, channel=Channel.ONLINE, choices={ideas[0].pk: 1}, birth_year=1980)
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_people_not_on_the_census_list_are_refused(sealed_round):
    budget_round, ideas = sealed_round
    stranger = keys.person_key("010299-12345")
    with translation.override("en"), pytest.raises(VoteRefused, match="not on the municipality"):
        cast(budget_round, stranger, channel=Channel.ONLINE, choices={ideas[0].pk: 1}, birth_year=1980)
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


@pytest.mark.parametrize(
    ("rules", "choices", "problem"),
    [
        (Rules("approval_count", Decimal(100), max_choices=2), {1: 1, 2: 1, 3: 1}, "too_many"),
        (Rules("choose_one", Decimal(100)), {1: 1, 2: 1}, "too_many"),
        (Rules("approval_budget", Decimal(100), min_choices=2), {1: 1}, "too_few"),
        (Rules("approval_budget", Decimal(100)), {1: 1, 2: 1, 3: 1, 4: 1}, "over_budget"),
        (Rules("approval_budget", Decimal(100), min_budget_share=50), {1: 1}, "under_budget_share"),
        (Rules("cumulative", Decimal(1000), points_total=5), {1: 3, 2: 3}, "too_many_points"),
        (Rules("cumulative", Decimal(1000), max_points_per_idea=2), {1: 3}, "points_per_idea"),
        (Rules("ranking", Decimal(1000)), {1: 1, 2: 3}, "ranking_places"),
        (Rules("approval_budget", Decimal(100)), {99: 1}, "unknown_idea"),
    ],
)
def test_ballot_rules(rules, choices, problem):
    costs = {1: Decimal(30), 2: Decimal(30), 3: Decimal(30), 4: Decimal(30)}
    assert problem in [code for code, _details in ballot_problems(rules, choices, costs)]


def test_valid_ballots_have_no_problems():
    costs = {1: Decimal("33.33"), 2: Decimal("33.33"), 3: Decimal("33.34")}
    assert ballot_problems(Rules("approval_budget", Decimal(100)), {1: 1, 2: 1, 3: 1}, costs) == []
    assert ballot_problems(Rules("ranking", Decimal(100)), {1: 2, 2: 1}, costs) == []
    assert (
        ballot_problems(
            Rules("cumulative", Decimal(100), points_total=5, max_points_per_idea=3), {1: 3, 2: 2}, costs
        )
        == []
    )


def test_area_rules_override_the_round_rules(sealed_round):
    budget_round, ideas = sealed_round
    BallotRules.objects.create(round=budget_round, method="choose_one")
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1, ideas[1].pk: 1})
    assert cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})


# A ballot per area ------------------------------------------------------------------------------------------


@pytest.fixture
def area_round():
    """A round with a ballot per area: two areas with a budget and an idea each."""
    budget_round = voters.voting_round(
        total_budget=Decimal("20000"), ballot_scope=BudgetRound.BallotScope.AREA
    )
    home = voters.home_area()
    other = Area.objects.filter(locale__language_code="lv").exclude(pk=home.pk).order_by("pk").first()
    for area in (home, other):
        AreaBudget.objects.create(round=budget_round, area=area, amount=Decimal("10000"))
    home_idea = make_idea(budget_round, status="on_ballot", area=home, estimated_cost=Decimal(4000))
    other_idea = make_idea(budget_round, status="on_ballot", area=other, estimated_cost=Decimal(4000))
    return budget_round, home, other, home_idea, other_idea


def test_a_round_by_area_gives_the_census_areas_ballot_only(area_round):
    budget_round, home, _other, home_idea, other_idea = area_round
    voter = person(1, area=home)
    with translation.override("en"), pytest.raises(VoteRefused, match="not on this ballot"):
        cast(budget_round, voter, channel=Channel.ONLINE, choices={other_idea.pk: 1})
    first = cast(budget_round, voter, channel=Channel.ONLINE, choices={home_idea.pk: 1})
    assert first.area_id == home.pk
    envelope = SealedBallot.objects.get(round=budget_round)
    assert envelope.area == home
    # A second cast in the round replaces the same envelope; it can never be another area's.
    second = cast(budget_round, voter, channel=Channel.ONLINE, choices={home_idea.pk: 1})
    with pytest.raises(VoteRefused):
        cast(budget_round, voter, channel=Channel.ONLINE, choices={other_idea.pk: 1})
    assert list(SealedBallot.objects.filter(round=budget_round).values_list("pk", "area", "fingerprint")) == [
        (envelope.pk, home.pk, second.fingerprint)
    ]
    assert VoterRecord.objects.filter(round=budget_round).count() == 1


def test_a_round_by_area_refuses_people_of_an_area_without_a_ballot(area_round):
    budget_round, _home, other, home_idea, _other_idea = area_round
    AreaBudget.objects.filter(round=budget_round, area=other).delete()
    with translation.override("en"), pytest.raises(VoteRefused, match="no ballot for the area"):
        cast(budget_round, person(2, area=other), channel=Channel.ONLINE, choices={home_idea.pk: 1})
    assert not SealedBallot.objects.filter(round=budget_round).exists()


# The secret ballot -------------------------------------------------------------------------------------------


def test_the_envelope_is_ciphertext_of_one_size_whatever_it_holds(sealed_round):
    budget_round, _ideas = sealed_round
    cheap = [
        make_idea(budget_round, status="on_ballot", title=f"Cheap {n}", estimated_cost=Decimal(100))
        for n in range(12)
    ]
    choice_sets = [{cheap[0].pk: 1}, {idea.pk: 1 for idea in cheap[:5]}, {idea.pk: 1 for idea in cheap}]
    for number, choices in enumerate(choice_sets):
        cast(budget_round, person(number), channel=Channel.ONLINE, choices=choices)
    envelopes = [
        bytes(sealed)
        for sealed in SealedBallot.objects.filter(round=budget_round).values_list("sealed", flat=True)
    ]
    assert len(envelopes) == 3
    assert len({len(sealed) for sealed in envelopes}) == 1 and len(envelopes[0]) >= sealing.BLOCK
    for choices in choice_sets:
        plain = json.dumps(sorted(choices.items()), separators=(",", ":")).encode()
        ids = ",".join(map(str, sorted(choices))).encode()
        for sealed in envelopes:
            assert plain not in sealed and ids not in sealed and b'"idea"' not in sealed
    # ... and it is the ballot, for the holder of the private key only.
    private = sealing.check_private_key(budget_round.test_private_key, budget_round.counting_public_key)
    opened = sorted(sorted(sealing.unseal(private, sealed).items()) for sealed in envelopes)
    assert opened == sorted(sorted(choices.items()) for choices in choice_sets)
    other_public, other_private = sealing.new_key_pair()
    with pytest.raises(sealing.KeyProblem):
        sealing.unseal(sealing.check_private_key(other_private, other_public), envelopes[0])


def test_no_database_path_leads_from_a_person_to_ballot_contents():
    """Walk every relation from the user model and from the voter register: neither reaches a ballot."""
    user_model = get_user_model()
    ballot_models = {
        apps.get_model("ideas", name) for name in ("Ballot", "BallotChoice", "SealedBallot", "CountedReceipt")
    }

    def reachable(start):
        seen, todo = set(), [start]
        while todo:
            model = todo.pop()
            if model in seen:
                continue
            seen.add(model)
            for field in model._meta.get_fields():
                if field.is_relation and field.related_model and field.related_model not in seen:
                    # Ideas are public and shared by everyone; passing through them says nothing about a person.
                    if field.related_model._meta.label in {"ideas.Idea", "ideas.BudgetRound", "ideas.Area"}:
                        continue
                    todo.append(field.related_model)
        return seen

    assert not reachable(user_model) & ballot_models
    assert not reachable(apps.get_model("ideas", "VoterRecord")) & ballot_models
    assert not reachable(apps.get_model("ideas", "ResidentProfile")) & ballot_models


def test_ballots_carry_no_time_and_no_value_shared_with_the_register(sealed_round):
    budget_round, ideas = sealed_round
    for number in range(3):
        cast(budget_round, person(number), channel=Channel.ONLINE, choices={ideas[number].pk: 1})
    # Nothing about the voter, no time, no channel (an age band could single out the only young voter of a day).
    assert {field.name for field in SealedBallot._meta.concrete_fields} == {
        "id",
        "round",
        "area",
        "lookup",
        "sealed",
        "fingerprint",
    }
    assert {field.name for field in Ballot._meta.concrete_fields} == {"id", "round", "area"}
    for model in (SealedBallot, Ballot):
        kinds = {field.get_internal_type() for field in model._meta.concrete_fields}
        assert not {"DateTimeField", "DateField", "AutoField", "BigAutoField"} & kinds
    register_values = set(VoterRecord.objects.filter(round=budget_round).values_list("voter_key", flat=True))
    envelopes = SealedBallot.objects.filter(round=budget_round)
    envelope_values = set(envelopes.values_list("lookup", flat=True)) | set(
        envelopes.values_list("fingerprint", flat=True)
    )
    assert len(register_values) == 3 and not register_values & envelope_values


def test_without_the_key_an_envelope_cannot_be_found_for_a_person(sealed_round, settings):
    budget_round, ideas = sealed_round
    cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    assert SealedBallot.objects.filter(lookup=keys.ballot_lookup(budget_round.pk, person(1))).exists()
    settings.VOTING_KEY = "another-key"
    assert not SealedBallot.objects.filter(lookup=keys.ballot_lookup(budget_round.pk, person(1))).exists()


def test_deleting_the_account_does_not_free_the_person_to_vote_again(sealed_round):
    budget_round, ideas = sealed_round
    user = voters.confirmed_resident("anna", "010203-12345")
    assert why_not_eligible(user, budget_round) is None
    cast(budget_round, user.resident_profile.person_key, channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    user.delete()
    with pytest.raises(VoteRefused):
        cast(budget_round, keys.person_key("010203-12345"), channel=Channel.CODE, choices={ideas[1].pk: 1})
    assert SealedBallot.objects.filter(round=budget_round).count() == 1


def test_eligibility_needs_a_confirmed_person_on_the_census_list(sealed_round, resident, unverified):
    budget_round, _ideas = sealed_round
    assert why_not_eligible(unverified, budget_round)
    assert why_not_eligible(resident, budget_round), "verified, but not confirmed as a person"
    stranger = voters.confirmed_resident("ivars", "010299-12345", census=False)
    with translation.override("en"):
        assert "not on the municipality" in why_not_eligible(stranger, budget_round)
    young = voters.confirmed_resident("liga", "010298-12345", birth_year=timezone.now().year - 15)
    with translation.override("en"):
        assert "from the age of 16" in why_not_eligible(young, budget_round)
    assert why_not_eligible(voters.confirmed_resident("anna", "010203-12345"), budget_round) is None


def test_staff_edit_ballot_rules_inline_on_the_round(client, idea_moderator, sealed_round):
    budget_round, _ideas = sealed_round
    client.force_login(idea_moderator)
    response = client.get(f"/admin/snippets/ideas/budgetround/edit/{budget_round.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="ballot_rules-TOTAL_FORMS"' in html
    assert 'name="minimum_votes"' in html
