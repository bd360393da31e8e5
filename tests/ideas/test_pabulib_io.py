"""Pabulib import and export (ideas/voting/pabulib_io.py, `manage.py pabulib import|export`): shared real files
survive a round trip through the database with the same tally and the same winners, and exports are
deterministic and anonymous."""

import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from ideas.counting import count_election, parse_text, read_file
from ideas.models import (
    Ballot,
    BallotChoice,
    BallotRules,
    BudgetRound,
    Channel,
    CountedReceipt,
    Idea,
    SealedBallot,
    VoterRecord,
)
from ideas.phases import Phase
from ideas.voting.casting import cast
from ideas.voting.pabulib_io import export_round, rules_from_meta
from tests.factories import make_idea
from tests.ideas import voters

pytestmark = pytest.mark.django_db

SHARED = Path(settings.BASE_DIR).parent / "shared" / "pabulib"


def shared_file(name):
    """A shared Pabulib file, or skip the test when the shared folder is not there."""
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"shared Pabulib file {path} is absent (test data is not committed)")
    return path


def import_file(path):
    """Run `pabulib import` and return the round it created and the command's output."""
    out = io.StringIO()
    call_command("pabulib", "import", str(path), stdout=out)
    return BudgetRound.objects.latest("pk"), out.getvalue()


@pytest.mark.parametrize(
    ("name", "rules"),
    [
        ("Netherlands_Assen_2024.pb", ["greedy", "equalshares/add1"]),  # approval
        ("Poland_Krakow_2021_Czyzyny.pb", ["greedy"]),  # ordinal with a points column
        ("Poland_Gdansk_2020_Przerobka.pb", ["greedy"]),  # cumulative
    ],
)
def test_a_shared_file_survives_import_and_export(name, rules, tmp_path):
    path = shared_file(name)
    original = read_file(path)
    budget_round, output = import_file(path)
    assert f"{len(original.projects)} projects, {original.voters} ballots" in output
    assert budget_round.current_phase() == Phase.RESULTS
    assert budget_round.total_budget == original.budget
    assert Idea.objects.filter(round=budget_round, status="on_ballot").count() == len(original.projects)
    # Imported voters are anonymous: opened ballots without a register, a sealed box or receipts.
    assert not VoterRecord.objects.filter(round=budget_round).exists()
    assert Ballot.objects.filter(round=budget_round).count() == original.voters
    assert not budget_round.counting_public_key
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not CountedReceipt.objects.filter(round=budget_round).exists()

    target = tmp_path / "export.pb"
    call_command("pabulib", "export", str(budget_round.pk), "--output", str(target), stdout=io.StringIO())
    exported = read_file(target)
    assert exported.vote_type == original.vote_type
    assert exported.voters == original.voters
    assert exported.budget == original.budget
    # Projects keep the file order (idea pks follow it), with the same names and costs.
    assert [(p.fields.get("name"), p.cost) for p in exported.projects.values()] == [
        (p.fields.get("name") or p.id, p.cost) for p in original.projects.values()
    ]
    # A round has no score threshold, so the export cannot carry one: compare the rules without it.
    original.threshold = None
    new_id = dict(zip(original.projects, exported.projects, strict=True))
    for rule in rules:
        before, after = count_election(original, rule), count_election(exported, rule)
        assert [before.tally.votes[pid] for pid in original.projects] == list(after.tally.votes.values())
        assert [before.tally.score[pid] for pid in original.projects] == list(after.tally.score.values())
        assert [new_id[pid] for pid in before.outcome.selected] == after.outcome.selected, rule


def test_import_maps_the_ballot_type_to_ballot_rules():
    assert rules_from_meta({"vote_type": "approval", "max_length": "3"})["method"] == "approval_count"
    assert rules_from_meta({"vote_type": "approval", "max_sum_cost": "100"})["method"] == "approval_budget"
    assert rules_from_meta({"vote_type": "choose-1"}) == {
        "method": "choose_one",
        "max_choices": 1,
        "min_choices": 1,
    }
    cumulative = rules_from_meta({"vote_type": "cumulative", "max_sum_points": "10", "max_points": "5"})
    assert (cumulative["method"], cumulative["points_total"], cumulative["max_points_per_idea"]) == (
        "cumulative",
        10,
        5,
    )
    assert rules_from_meta({"vote_type": "ordinal", "max_length": "3"})["method"] == "ranking"


def test_an_imported_round_gets_the_file_rules():
    path = shared_file("Poland_Gdynia_2020_Orlowo__small.pb")
    budget_round, _output = import_file(path)
    rules = BallotRules.objects.get(round=budget_round, area=None)
    assert (rules.method, rules.max_choices, rules.min_choices) == ("approval_count", 3, 1)


def person(number):
    return voters.on_census(f"01020{number}-12345")


@pytest.fixture
def ranked_round():
    """A round with ranking ballots and three ballots cast, then closed and its ballot box opened."""
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    BallotRules.objects.create(round=budget_round, method="ranking", max_choices=3)
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Idea; {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000])
    ]
    places = [{0: 1, 1: 2, 2: 3}, {2: 1, 0: 2}, {1: 1}]
    for number, ballot in enumerate(places):
        choices = {ideas[index].pk: place for index, place in ballot.items()}
        cast(budget_round, person(number), channel=Channel.ONLINE, choices=choices, birth_year=1980)
    assert voters.close_and_open(budget_round) == 3
    return budget_round, ideas


def test_an_export_is_deterministic_anonymous_and_scores_rankings(ranked_round):
    budget_round, ideas = ranked_round
    first, second = export_round(budget_round), export_round(budget_round)
    assert hashlib.sha256(first.encode()).hexdigest() == hashlib.sha256(second.encode()).hexdigest()
    election = parse_text(first)
    assert election.vote_type == "ordinal"
    assert election.vote_columns == ("voter_id", "vote", "points")
    assert election.meta["country"] == "Latvia" and election.meta["max_length"] == "3"
    # Names with `;` are quoted and read back whole.
    assert election.projects[str(ideas[0].pk)].fields["name"] == "Idea; 0"
    # A ranking of L ideas gives L, L-1, ..., 1 points in its order.
    count = count_election(election)
    assert count.tally.score == {str(ideas[0].pk): 3 + 1, str(ideas[1].pk): 2 + 1, str(ideas[2].pk): 1 + 2}
    assert count.tally.votes == {str(ideas[0].pk): 2, str(ideas[1].pk): 2, str(ideas[2].pk): 2}
    # Voters are numbered in the order of the random ballot ids; nothing about age, channel or receipts.
    ballot_ids = sorted(Ballot.objects.filter(round=budget_round).values_list("id", flat=True))
    first_ballot = BallotChoice.objects.filter(ballot_id=ballot_ids[0]).order_by("points")
    first_row = next(line for line in first.splitlines() if line.startswith("1;"))
    assert first_row.split(";")[1] == ",".join(str(choice.idea_id) for choice in first_ballot)
    receipts = CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True)
    assert len(receipts) == 3
    for secret in (
        "age",
        "channel",
        "online",
        "receipt",
        "fingerprint",
        *receipts,
        *(r[:20] for r in receipts),
    ):
        assert secret not in first


def test_export_to_standard_output(ranked_round):
    budget_round, _ideas = ranked_round
    out = io.StringIO()
    call_command("pabulib", "export", str(budget_round.pk), stdout=out)
    assert out.getvalue() == export_round(budget_round)
