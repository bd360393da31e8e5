"""Result snapshots (ideas/voting/results.py, `manage.py count_round`): the published file and outcome are one
computation, anyone can recount the file, snapshots never change, and ideas become selected / not selected."""

import datetime
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ideas.counting import count_file
from ideas.models import Ballot, Channel, CountedReceipt, Idea, RoundResult, SealedBallot, StatusChange
from ideas.models.results import ResultImmutable
from ideas.phases import Phase
from ideas.voting import sealing
from ideas.voting.casting import cast
from ideas.voting.results import ENGINE_VERSION, count_round, publish_results
from tests.factories import make_idea
from tests.ideas import voters

pytestmark = pytest.mark.django_db


def person(number):
    return voters.on_census(f"01020{number}-12345")


@pytest.fixture
def closed_round():
    """A round voted on (approval within 20000 EUR) and then moved into its results phase, its box still sealed.

    Votes: ideas 0 and 1 three each, 2 and 3 one each. Greedy funds 0 (8000) and 1 (7000), skips 2 (6000 does
    not fit in the 5000 left) and funds 3 (5000)."""
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000, 5000])
    ]
    for number, chosen in enumerate([(0, 1), (0, 2), (0, 1), (1, 3)]):
        choices = {ideas[index].pk: 1 for index in chosen}
        cast(budget_round, person(number), channel=Channel.ONLINE, choices=choices)
    # Voting closes: the results phase starts an hour ago.
    budget_round.results_published = timezone.now() - datetime.timedelta(hours=1)
    budget_round.save()
    assert budget_round.current_phase() == Phase.RESULTS
    return budget_round, ideas


@pytest.fixture
def counted_round(closed_round):
    """The closed round with its ballot box opened by the election commission's key."""
    budget_round, ideas = closed_round
    assert voters.close_and_open(budget_round) == 4
    return budget_round, ideas


def test_the_snapshot_holds_the_counted_file_and_its_hash(counted_round, tmp_path):
    budget_round, ideas = counted_round
    result = count_round(budget_round)
    assert result.pb_sha256 == hashlib.sha256(result.pb_file.encode("utf-8")).hexdigest()
    assert result.rule == "greedy" and result.engine_version == ENGINE_VERSION
    assert result.outcome["selected"] == [ideas[0].pk, ideas[1].pk, ideas[3].pk]
    assert result.outcome["cost"] == "20000"
    assert result.outcome["votes"][str(ideas[0].pk)] == 3
    assert result.explanations[str(ideas[2].pk)]["reason"] == "budget_left"

    # Anyone can recount the published file, with the engine or with the command line.
    published = tmp_path / "result.pb"
    published.write_text(result.pb_file, encoding="utf-8")
    assert [int(pid) for pid in count_file(published)["selected"]] == result.outcome["selected"]
    out = io.StringIO()
    call_command("pabulib", "count", str(published), "--json", stdout=out)
    assert [int(pid) for pid in json.loads(out.getvalue())["selected"]] == result.outcome["selected"]


def test_ideas_become_selected_or_not_selected_by_the_system(counted_round):
    """Only when the count is published (issue 9): the count itself is a private preview."""
    budget_round, ideas = counted_round
    result = count_round(budget_round)
    assert result.published_at is None
    assert set(Idea.objects.filter(round=budget_round).values_list("status", flat=True)) == {"on_ballot"}
    assert publish_results(budget_round, [result], None) == 1
    statuses = dict(Idea.objects.filter(round=budget_round).values_list("pk", "status"))
    assert statuses == {
        ideas[0].pk: "selected",
        ideas[1].pk: "selected",
        ideas[2].pk: "not_selected",
        ideas[3].pk: "selected",
    }
    history = StatusChange.objects.filter(idea__in=ideas)
    assert history.count() == 4
    assert set(history.values_list("role", "reason")) == {(StatusChange.Role.SYSTEM, "")}


def test_a_recount_makes_a_new_snapshot_and_never_changes_the_first(counted_round):
    budget_round, _ideas = counted_round
    first = count_round(budget_round)
    stored = RoundResult.objects.filter(pk=first.pk).values().get()
    second = count_round(budget_round, rule="equalshares/add1")
    assert second.pk != first.pk and second.rule == "equalshares/add1"
    assert RoundResult.objects.filter(round=budget_round).count() == 2
    assert RoundResult.objects.filter(pk=first.pk).values().get() == stored
    # The same ballots give the same file whatever the rule, except the META rule line.
    assert second.pb_file.replace("equalshares/add1", "greedy") == first.pb_file


def test_a_snapshot_cannot_be_updated(counted_round):
    budget_round, _ideas = counted_round
    result = count_round(budget_round)
    result.rule = "equalshares"
    with pytest.raises(ResultImmutable):
        result.save()
    assert RoundResult.objects.get(pk=result.pk).rule == "greedy"


def test_an_unknown_rule_is_refused(counted_round):
    budget_round, _ideas = counted_round
    with pytest.raises(ValueError, match="unknown rule"):
        count_round(budget_round, rule="lottery")
    assert not RoundResult.objects.filter(round=budget_round).exists()


def test_the_count_round_command_prints_the_outcome(counted_round):
    budget_round, ideas = counted_round
    out = io.StringIO()
    call_command("count_round", str(budget_round.pk), stdout=out)
    text = out.getvalue()
    assert "rule greedy, 3 selected, cost 20000 of 20000, 4 ballots" in text
    assert f"selected {ideas[0].pk}: Idea 0 (3 votes, score 3)" in text
    assert RoundResult.objects.filter(round=budget_round).count() == 1
    # A private preview, as at the desk (issue 9); --publish publishes a count at once.
    assert RoundResult.objects.get(round=budget_round).published_at is None
    assert Idea.objects.get(pk=ideas[0].pk).status == "on_ballot"


def test_the_count_round_command_publishes_when_asked(counted_round):
    budget_round, ideas = counted_round
    out = io.StringIO()
    call_command("count_round", str(budget_round.pk), "--publish", stdout=out)
    assert "Published." in out.getvalue()
    assert RoundResult.objects.get(round=budget_round).published_at is not None
    assert Idea.objects.get(pk=ideas[0].pk).status == "selected"


def test_the_count_round_command_opens_the_sealed_box_with_the_key_file(closed_round, tmp_path):
    budget_round, _ideas = closed_round
    with pytest.raises(CommandError, match=r"(sealed|aizzīmogota)"):
        call_command("count_round", str(budget_round.pk), stdout=io.StringIO())
    _other_public, other_private = sealing.new_key_pair()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(other_private, encoding="utf-8")
    with pytest.raises(CommandError, match=r"(not the round's counting key|nav kārtas skaitīšanas atslēga)"):
        call_command("count_round", str(budget_round.pk), "--key-file", str(wrong), stdout=io.StringIO())
    assert SealedBallot.objects.filter(round=budget_round).count() == 4, "a wrong key opens nothing"
    assert not Ballot.objects.filter(round=budget_round).exists()

    key_file = tmp_path / "counting-key.txt"
    key_file.write_text(f"Counting key of the round\n{budget_round.test_private_key}\n", encoding="utf-8")
    out = io.StringIO()
    call_command("count_round", str(budget_round.pk), "--key-file", str(key_file), stdout=out)
    assert "3 selected, cost 20000 of 20000, 4 ballots" in out.getvalue()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert Ballot.objects.filter(round=budget_round).count() == 4
    assert CountedReceipt.objects.filter(round=budget_round).count() == 4
