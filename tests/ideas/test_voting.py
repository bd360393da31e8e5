"""Casting ballots: the rules, one ballot per person whatever the channel, changes, and the secret ballot."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import translation

from ideas.models import Ballot, BallotChoice, BallotRules, CensusEntry, Channel, VoterRecord
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.ballot_rules import Rules, ballot_problems
from ideas.voting.casting import VoteRefused, cast
from ideas.voting.eligibility import confirm_from_census, why_not_eligible
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting_round():
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000, 5000])
    ]
    return budget_round, ideas


def person(number):
    return keys.person_key(f"01020{number}-12345")


def test_a_ballot_within_the_budget_is_recorded_with_a_receipt(voting_round):
    budget_round, ideas = voting_round
    ballot = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1, ideas[1].pk: 1})
    assert len(ballot.reference) == 9
    assert sorted(BallotChoice.objects.filter(ballot=ballot).values_list("idea_id", flat=True)) == sorted(
        [ideas[0].pk, ideas[1].pk]
    )
    assert VoterRecord.objects.filter(round=budget_round).count() == 1


def test_over_budget_is_refused_with_a_clear_message(voting_round):
    budget_round, ideas = voting_round
    with translation.override("en"), pytest.raises(VoteRefused) as refused:
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={idea.pk: 1 for idea in ideas})
    assert "cost 26000" in refused.value.messages[0] and "20000" in refused.value.messages[0]
    assert not Ballot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_one_ballot_per_person_whatever_the_channel(voting_round):
    budget_round, ideas = voting_round
    cast(budget_round, person(1), channel=Channel.PAPER, choices={ideas[0].pk: 1})
    with translation.override("en"), pytest.raises(VoteRefused, match="already voted"):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[1].pk: 1})
    assert Ballot.objects.filter(round=budget_round).count() == 1


def test_a_ballot_can_be_changed_until_voting_closes(voting_round):
    budget_round, ideas = voting_round
    first = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    second = cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[2].pk: 1, ideas[3].pk: 1})
    assert first.pk == second.pk and first.reference == second.reference
    assert sorted(
        BallotChoice.objects.filter(ballot__round=budget_round).values_list("idea_id", flat=True)
    ) == sorted([ideas[2].pk, ideas[3].pk])
    budget_round.ballots_changeable = False
    budget_round.save()
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[1].pk: 1})


def test_voting_only_in_the_voting_phase_by_server_time(voting_round):
    budget_round, ideas = voting_round
    too_early = budget_round.voting_starts - datetime.timedelta(minutes=1)
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1}, moment=too_early)
    after = budget_round.results_published + datetime.timedelta(minutes=1)
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1}, moment=after)


def test_ideas_not_on_the_ballot_cannot_be_chosen(voting_round):
    budget_round, _ideas = voting_round
    feasible = make_idea(budget_round, status="feasible")
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={feasible.pk: 1})


def test_too_young_voters_are_refused(voting_round):
    budget_round, ideas = voting_round
    with pytest.raises(VoteRefused):
        cast(
            budget_round,
            person(1),
            channel=Channel.ONLINE,
            choices={ideas[0].pk: 1},
            birth_year=datetime.date.today().year - 15,
        )


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


def test_area_rules_override_the_round_rules(voting_round):
    budget_round, ideas = voting_round
    BallotRules.objects.create(round=budget_round, method="choose_one")
    with pytest.raises(VoteRefused):
        cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1, ideas[1].pk: 1})
    assert cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})


# The secret ballot -------------------------------------------------------------------------------------------


def test_no_database_path_leads_from_a_person_to_ballot_contents():
    """Walk every relation from the user model and from the voter register: neither reaches a ballot."""
    user_model = get_user_model()
    ballot_models = {apps.get_model("ideas", "Ballot"), apps.get_model("ideas", "BallotChoice")}

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


def test_ballots_carry_no_time_and_no_value_shared_with_the_register(voting_round):
    budget_round, ideas = voting_round
    for number in range(3):
        cast(budget_round, person(number), channel=Channel.ONLINE, choices={ideas[number].pk: 1})
    ballot_fields = {field.get_internal_type() for field in Ballot._meta.concrete_fields}
    assert not {"DateTimeField", "DateField", "AutoField", "BigAutoField"} & ballot_fields
    # Nothing about the voter either (an age band could single out the only young voter of a day).
    assert {field.name for field in Ballot._meta.concrete_fields} == {
        "id",
        "round",
        "area",
        "channel",
        "lookup",
        "reference",
    }
    register_values = set(VoterRecord.objects.values_list("voter_key", flat=True))
    ballot_values = set(Ballot.objects.values_list("lookup", flat=True)) | set(
        Ballot.objects.values_list("reference", flat=True)
    )
    assert register_values and not register_values & ballot_values


def test_without_the_key_a_ballot_cannot_be_found_for_a_person(voting_round, settings):
    budget_round, ideas = voting_round
    cast(budget_round, person(1), channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    settings.VOTING_KEY = "another-key"
    assert not Ballot.objects.filter(lookup=keys.ballot_lookup(budget_round.pk, person(1))).exists()


def test_deleting_the_account_does_not_free_the_person_to_vote_again(voting_round, resident):
    budget_round, ideas = voting_round
    area = ideas[0].area
    CensusEntry.objects.create(person_key=keys.person_key("010203-12345"), area=area, birth_year=1980)
    from ideas.models import ResidentProfile

    profile = ResidentProfile.objects.create(user=resident, display_name="Anna")
    confirm_from_census(profile, "010203-12345")
    assert why_not_eligible(resident, budget_round) is None
    cast(budget_round, profile.person_key, channel=Channel.ONLINE, choices={ideas[0].pk: 1})
    resident.delete()
    with pytest.raises(VoteRefused):
        cast(budget_round, keys.person_key("010203-12345"), channel=Channel.CODE, choices={ideas[1].pk: 1})


def test_eligibility_needs_a_confirmed_residency(voting_round, resident, unverified):
    budget_round, _ideas = voting_round
    assert why_not_eligible(unverified, budget_round)
    assert why_not_eligible(resident, budget_round), "verified, but residency not confirmed"


def test_staff_edit_ballot_rules_inline_on_the_round(client, idea_moderator, voting_round):
    budget_round, _ideas = voting_round
    client.force_login(idea_moderator)
    response = client.get(f"/admin/snippets/ideas/budgetround/edit/{budget_round.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="ballot_rules-TOTAL_FORMS"' in html
    assert 'name="minimum_votes"' in html


def test_staff_can_confirm_residency_in_person(voting_round, resident, other_resident):
    from django.core.exceptions import ValidationError

    from ideas.models import ResidentProfile
    from ideas.voting.eligibility import confirm_in_person

    budget_round, ideas = voting_round
    profile = ResidentProfile.objects.create(user=resident, display_name="Anna")
    confirm_in_person(profile, "030303-12345", ideas[0].area, 1990)
    profile.refresh_from_db()
    assert profile.residency == "in_person" and profile.person_key == keys.person_key("030303-12345")
    assert why_not_eligible(resident, budget_round) is None
    # The same person cannot be confirmed for a second account.
    other = ResidentProfile.objects.create(user=other_resident, display_name="Juris")
    with pytest.raises(ValidationError):
        confirm_in_person(other, "030303-12345", ideas[0].area, 1990)
