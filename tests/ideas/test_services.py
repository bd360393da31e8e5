"""The status lifecycle (ideas/services.py): allowed steps, reasons, public history, audit log, merging."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import ModelLogEntry

from ideas.models import Comment, Follow, Idea, StatusChange, Support
from ideas.services import change_status
from ideas.statuses import TRANSITIONS, Status
from tests.factories import make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_round():
    return round_in_phase("support")


def test_the_whole_lifecycle_is_recorded_publicly(budget_round, resident, idea_moderator):
    idea = make_idea(budget_round, author=resident, status="draft")
    steps = [
        ("submitted", "", StatusChange.Role.AUTHOR),
        ("published", "", StatusChange.Role.MODERATOR),
        ("under_assessment", "", StatusChange.Role.STAFF),
        ("feasible", "", StatusChange.Role.STAFF),
        ("on_ballot", "", StatusChange.Role.STAFF),
        ("selected", "", StatusChange.Role.SYSTEM),
        ("in_implementation", "", StatusChange.Role.STAFF),
        ("completed", "", StatusChange.Role.STAFF),
    ]
    for status, reason, role in steps:
        idea = change_status(idea, status, user=idea_moderator, role=role, reason=reason)
    history = list(StatusChange.objects.filter(idea=idea).values_list("from_status", "to_status", "role"))
    assert [step[1] for step in history] == [status for status, _reason, _role in steps]
    assert history[0] == ("draft", "submitted", "author")
    assert idea.submitted_at and idea.published_at
    assert ModelLogEntry.objects.filter(object_id=str(idea.pk), action="ideas.status.published").exists()


@pytest.mark.parametrize("current", list(Status))
def test_only_declared_transitions_are_allowed(budget_round, current):
    idea = make_idea(budget_round, status=current)
    for target in Status:
        if target in TRANSITIONS[current] or target == Status.MERGED:
            continue
        with pytest.raises(ValidationError):
            change_status(idea, target, reason="because")
    assert Idea.objects.get(pk=idea.pk).status == current


@pytest.mark.parametrize("status", ["needs_changes", "rejected"])
def test_a_public_reason_is_required(budget_round, status):
    idea = make_idea(budget_round, status="submitted")
    with translation.override("en"), pytest.raises(ValidationError, match="reason"):
        change_status(idea, status, reason="   ")
    idea = change_status(idea, status, reason="Please add the exact place.")
    assert idea.status_reason == "Please add the exact place."
    assert StatusChange.objects.get(idea=idea).reason == "Please add the exact place."


def test_not_feasible_needs_an_explanation(budget_round):
    idea = make_idea(budget_round, status="under_assessment")
    with pytest.raises(ValidationError):
        change_status(idea, "not_feasible")
    assert change_status(idea, "not_feasible", reason="The land is private.").status == "not_feasible"


def test_history_names_the_role_never_the_staff_member(budget_round, idea_moderator):
    idea = change_status(make_idea(budget_round, status="submitted"), "published", user=idea_moderator)
    change = StatusChange.objects.get(idea=idea)
    assert change.role == "moderator"
    assert not any(
        idea_moderator.username in str(getattr(change, field.name)) for field in StatusChange._meta.fields
    )


def test_merging_moves_supports_comments_and_followers(budget_round, resident, other_resident):
    target = make_idea(budget_round, title="Linden alley", status="published")
    duplicate = make_idea(budget_round, author=other_resident, title="Trees on the school street")
    third = verified_resident("merge-third")
    Support.objects.create(idea=duplicate, user=resident)
    Support.objects.create(idea=duplicate, user=third)
    Support.objects.create(idea=target, user=resident)  # supports both: counted once after the merge
    Follow.objects.create(idea=duplicate, user=third)
    Comment.objects.create(idea=duplicate, author=third, text="Yes, please!")

    change_status(duplicate, "merged", merged_into=target, reason="Same place and purpose.")

    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into == target
    assert set(Support.objects.filter(idea=target).values_list("user__username", flat=True)) == {
        "anna",
        "merge-third",
    }
    assert not Support.objects.filter(idea=duplicate).exists()
    assert Comment.objects.filter(idea=target, text="Yes, please!").exists()
    assert set(Follow.objects.filter(idea=target).values_list("user__username", flat=True)) == {
        "merge-third",
        "juris",  # the author of the merged idea follows what became of it
    }


@pytest.mark.parametrize("problem", ["itself", "other_round", "draft_target", "none"])
def test_merge_targets_are_checked(budget_round, problem):
    idea = make_idea(budget_round, status="published")
    targets = {
        "itself": idea,
        "other_round": make_idea(round_in_phase("support", name="Other"), status="published"),
        "draft_target": make_idea(budget_round, status="draft"),
        "none": None,
    }
    with pytest.raises(ValidationError):
        change_status(idea, "merged", merged_into=targets[problem])
