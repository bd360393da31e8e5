"""Staff moderation in the Wagtail admin (ideas/moderation/): the queue, each idea's moderation page, bulk
actions, comments, reports, exports, and who may use them."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from home.models import Department
from ideas.models import Comment, Follow, Idea, ReasonTemplate, Report, ResidentProfile, StatusChange, Support
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

QUEUE = "wagtailsnippets_ideas_idea:list"
MODERATE = "wagtailsnippets_ideas_idea:edit"


def moderate_url(idea):
    return reverse(MODERATE, args=[idea.pk])


def bulk_url(action, *ideas):
    url = reverse("wagtail_bulk_action", args=["ideas", "idea", action])
    return url + "?" + "&".join(f"id={idea.pk}" for idea in ideas)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def refused(response):
    """Wagtail answers a PermissionDenied in the admin with a redirect to the dashboard (or to the login for
    people without admin access); a plain 403 counts too. A successful action redirects elsewhere."""
    if response.status_code == 403:
        return True
    home, login = reverse("wagtailadmin_home"), reverse("wagtailadmin_login")
    return response.status_code == 302 and response.url.split("?")[0] in (home, login)


def submitted(budget_round, author=None, days_ago=1, **fields):
    idea = make_idea(budget_round, author=author, status="submitted", **fields)
    Idea.objects.filter(pk=idea.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=days_ago))
    idea.refresh_from_db()
    return idea


@pytest.fixture
def staff(client, idea_moderator):
    ResidentProfile.objects.update_or_create(
        user=idea_moderator, defaults={"display_name": "Ilze Moderatore", "preferred_language": "lv"}
    )
    # The admin speaks English to this moderator, so that the tests can read its labels.
    UserProfile.objects.update_or_create(user=idea_moderator, defaults={"preferred_language": "en"})
    client.force_login(idea_moderator)
    return client


@pytest.fixture
def waiting_idea(support_round, resident):
    return submitted(support_round, author=resident, title="Bench by the river")


def log_entries(instance, action):
    return ModelLogEntry.objects.filter(object_id=str(instance.pk), action=action)


# The queue ------------------------------------------------------------------------------------------------


def test_moderator_sees_the_queue_with_counts_waiting_ideas_first_oldest_first(
    staff, support_round, resident, published_idea
):
    newer = submitted(support_round, author=resident, title="Newer waiting idea", days_ago=1)
    older = submitted(support_round, author=resident, title="Older waiting idea", days_ago=30)
    Report.objects.create(idea=published_idea, reporter=resident, reason="Advertising")

    response = staff.get(reverse(QUEUE))

    assert response.status_code == 200
    waiting = Idea.objects.filter(status="submitted").count()
    reports = Report.objects.filter(resolved_at__isnull=True).count()
    content = response.content.decode()
    assert f"Waiting: {waiting}" in content
    assert f"Reports: {reports}" in content
    listed = list(response.context["object_list"])
    assert all(idea.status == "submitted" for idea in listed[:waiting]), "waiting ideas come first"
    assert listed.index(older) < listed.index(newer)
    assert not any(idea.status == "draft" for idea in listed)


def test_the_queue_filters_by_status_round_area_and_category_and_searches(
    staff, support_round, waiting_idea, published_idea
):
    by_status = staff.get(reverse(QUEUE), {"status": "submitted"}).context["object_list"]
    assert waiting_idea in by_status and published_idea not in by_status

    by_round = staff.get(reverse(QUEUE), {"round": support_round.pk}).context["object_list"]
    assert set(by_round) == {waiting_idea, published_idea}

    other_area = waiting_idea.area.__class__.objects.filter(locale=waiting_idea.area.locale).exclude(
        pk=waiting_idea.area_id
    )[0]
    Idea.objects.filter(pk=published_idea.pk).update(area=other_area)
    by_area = staff.get(reverse(QUEUE), {"round": support_round.pk, "area": other_area.pk})
    assert list(by_area.context["object_list"]) == [Idea.objects.get(pk=published_idea.pk)]
    by_category = staff.get(reverse(QUEUE), {"round": support_round.pk, "category": waiting_idea.category_id})
    assert set(by_category.context["object_list"]) == {waiting_idea, published_idea}

    found = staff.get(reverse(QUEUE), {"q": "Bench by the"}).context["object_list"]
    assert list(found) == [waiting_idea]


# One idea's moderation page -------------------------------------------------------------------------------


def test_only_the_steps_the_lifecycle_allows_are_offered(staff, waiting_idea, published_idea):
    offered = [item["action"].name for item in staff.get(moderate_url(waiting_idea)).context["actions"]]
    assert offered == ["publish", "request_changes", "reject", "merge"]

    offered = [item["action"].name for item in staff.get(moderate_url(published_idea)).context["actions"]]
    assert offered == ["reject", "merge", "start_assessment", "assess"]

    Idea.objects.filter(pk=published_idea.pk).update(status="rejected")
    assert staff.get(moderate_url(published_idea)).context["actions"] == []


def test_publishing_records_the_role_not_the_moderator_and_writes_the_audit_log(
    staff, idea_moderator, waiting_idea
):
    response = staff.post(moderate_url(waiting_idea), {"action": "publish"})

    assert response.status_code == 302
    waiting_idea.refresh_from_db()
    assert waiting_idea.status == "published"
    change = StatusChange.objects.get(idea=waiting_idea)
    assert (change.from_status, change.to_status, change.role) == ("submitted", "published", "moderator")
    recorded = str(model_to_dict(change))
    for personal in (idea_moderator.username, idea_moderator.email, "Ilze"):
        assert personal not in recorded
    entry = log_entries(waiting_idea, "ideas.status.published").get()
    assert entry.user_id == idea_moderator.pk
    history = staff.get(reverse("wagtailsnippets_ideas_idea:history", args=[waiting_idea.pk]))
    assert "Idea status changed to “Published”" in history.content.decode()
    assert any("is now" in message for message in messages_of(response))


def test_publishing_through_the_admin_emails_the_author(staff, waiting_idea, resident, run_on_commit):
    with run_on_commit():
        staff.post(moderate_url(waiting_idea), {"action": "publish"})
    assert [message.to for message in mail.outbox] == [[resident.email]]
    assert waiting_idea.title in mail.outbox[0].subject


def test_a_request_for_changes_without_a_reason_is_refused(staff, waiting_idea):
    response = staff.post(moderate_url(waiting_idea), {"action": "request_changes"})

    assert response.status_code == 200
    assert any("reason" in message for message in messages_of(response))
    waiting_idea.refresh_from_db()
    assert waiting_idea.status == "submitted"
    assert not StatusChange.objects.filter(idea=waiting_idea).exists()


def test_a_request_for_changes_combines_the_template_and_free_text(staff, waiting_idea):
    template = ReasonTemplate.objects.filter(kind="needs_changes", locale__language_code="lv").first()
    response = staff.post(
        moderate_url(waiting_idea),
        {
            "action": "request_changes",
            "request_changes-template": template.pk,
            "request_changes-text": "The bench should face the river.",
        },
    )

    assert response.status_code == 302
    waiting_idea.refresh_from_db()
    assert waiting_idea.status == "needs_changes"
    assert waiting_idea.status_reason == f"{template.text}\n\nThe bench should face the river."


def test_rejecting_with_a_template_reason(staff, waiting_idea):
    template = ReasonTemplate.objects.filter(kind="rejected", locale__language_code="lv").first()
    staff.post(moderate_url(waiting_idea), {"action": "reject", "reject-template": template.pk})

    waiting_idea.refresh_from_db()
    assert waiting_idea.status == "rejected"
    assert waiting_idea.status_reason == template.text
    assert StatusChange.objects.get(idea=waiting_idea).reason == template.text


def test_a_template_of_the_wrong_kind_is_not_accepted(staff, waiting_idea):
    wrong = ReasonTemplate.objects.filter(kind="needs_changes").first()
    response = staff.post(moderate_url(waiting_idea), {"action": "reject", "reject-template": wrong.pk})

    assert response.status_code == 200
    assert response.context["actions"][2]["form"].errors
    waiting_idea.refresh_from_db()
    assert waiting_idea.status == "submitted"


def test_merging_moves_supports_comments_and_followers(
    staff, support_round, resident, other_resident, published_idea
):
    duplicate = make_idea(
        support_round, author=other_resident, status="published", title="Shade for the school"
    )
    third = verified_resident("peteris", email="peteris@example.test")
    Support.objects.create(idea=duplicate, user=third)
    Support.objects.create(idea=duplicate, user=resident)
    Support.objects.create(idea=published_idea, user=resident)  # already supports the target
    comment = Comment.objects.create(idea=duplicate, author=third, text="Yes, please!")
    Follow.objects.create(idea=duplicate, user=third)

    response = staff.post(
        moderate_url(duplicate), {"action": "merge", "merge-target": published_idea.pk, "merge-text": ""}
    )

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == "merged"
    assert duplicate.merged_into == published_idea
    assert set(Support.objects.filter(idea=published_idea).values_list("user", flat=True)) == {
        resident.pk,
        third.pk,
    }
    assert Comment.objects.get(pk=comment.pk).idea == published_idea
    assert set(Follow.objects.filter(idea=published_idea).values_list("user", flat=True)) >= {
        third.pk,
        other_resident.pk,
    }
    assert not Support.objects.filter(idea=duplicate).exists()


def test_merging_into_an_idea_of_another_round_is_not_offered(staff, resident, published_idea):
    elsewhere = make_idea(round_in_phase(Phase.SUPPORT, name="Other round"), author=resident)
    response = staff.post(moderate_url(published_idea), {"action": "merge", "merge-target": elsewhere.pk})

    assert response.status_code == 200
    published_idea.refresh_from_db()
    assert published_idea.status == "published"


def test_not_feasible_needs_an_explanation_then_records_the_assessment(staff, idea_moderator, published_idea):
    department = Department.objects.filter(locale__language_code="lv").first()
    data = {
        "action": "assess",
        "assess-result": "not_feasible",
        "assess-official_cost": "45000",
        "assess-explanation": "",
        "assess-responsible_department": department.pk if department else "",
    }
    refused = staff.post(moderate_url(published_idea), data)

    assert refused.status_code == 200
    assert "explanation" in refused.context["actions"][-1]["form"].errors
    published_idea.refresh_from_db()
    assert published_idea.status == "published"
    assert published_idea.official_cost is None

    data["assess-explanation"] = "The land belongs to the state railway."
    assert staff.post(moderate_url(published_idea), data).status_code == 302

    published_idea.refresh_from_db()
    assert published_idea.status == "not_feasible"
    assert published_idea.official_cost == Decimal("45000")
    assert published_idea.assessment == "The land belongs to the state railway."
    assert published_idea.status_reason == "The land belongs to the state railway."
    assert published_idea.responsible_department == department
    steps = list(StatusChange.objects.filter(idea=published_idea).values_list("to_status", "role"))
    assert steps == [("under_assessment", "staff"), ("not_feasible", "staff")]
    assert log_entries(published_idea, "ideas.idea.assess").get().user_id == idea_moderator.pk


def test_a_feasible_idea_needs_its_official_cost(staff, published_idea):
    data = {"action": "assess", "assess-result": "feasible", "assess-explanation": "Can be done in spring."}
    assert staff.post(moderate_url(published_idea), data).status_code == 200
    published_idea.refresh_from_db()
    assert published_idea.status == "published"

    data["assess-official_cost"] = "11800.50"
    staff.post(moderate_url(published_idea), data)
    published_idea.refresh_from_db()
    assert (published_idea.status, published_idea.official_cost) == ("feasible", Decimal("11800.50"))


def test_an_action_the_status_does_not_allow_shows_why(staff, published_idea):
    response = staff.post(moderate_url(published_idea), {"action": "publish"})

    assert response.status_code == 302
    assert any("cannot" in message for message in messages_of(response))
    assert not StatusChange.objects.filter(idea=published_idea).exists()


def test_moderating_outside_the_phases_that_allow_it_is_forbidden(staff, resident):
    idea = submitted(round_in_phase(Phase.VOTING), author=resident)
    assert refused(staff.post(moderate_url(idea), {"action": "publish"}))
    idea.refresh_from_db()
    assert idea.status == "submitted"
    assert staff.get(moderate_url(idea)).context["actions"] == []


@pytest.mark.parametrize("who", ["resident", "editor"])
def test_residents_and_editors_cannot_use_moderation(client, who, resident, editor, waiting_idea):
    comment = Comment.objects.create(idea=waiting_idea, author=resident, text="Hmm")
    report = Report.objects.create(comment=comment, reporter=resident, reason="Rude")
    client.force_login({"resident": resident, "editor": editor}[who])

    for url in (
        reverse(QUEUE),
        moderate_url(waiting_idea),
        reverse("ideas_comment:index"),
        reverse("ideas_comment:edit", args=[comment.pk]),
        reverse("ideas_report:index"),
        bulk_url("publish", waiting_idea),
    ):
        assert refused(client.get(url)), url
    for url, data in (
        (moderate_url(waiting_idea), {"action": "publish"}),
        (bulk_url("publish", waiting_idea), {}),
        (reverse("ideas_comment:hide", args=[comment.pk]), {"reason": "Rude"}),
        (reverse("ideas_report:resolve", args=[report.pk]), {}),
    ):
        assert refused(client.post(url, data)), url

    waiting_idea.refresh_from_db()
    comment.refresh_from_db()
    report.refresh_from_db()
    assert (waiting_idea.status, comment.is_hidden, report.resolved_at) == ("submitted", False, None)


# Bulk actions ---------------------------------------------------------------------------------------------


def test_bulk_publish_publishes_what_it_can_and_reports_the_rest(staff, support_round, resident):
    first = submitted(support_round, author=resident, title="First")
    second = submitted(support_round, author=resident, title="Second")
    rejected = make_idea(support_round, author=resident, status="rejected", title="Already rejected")

    confirm = staff.get(bulk_url("publish", first, second, rejected))
    assert confirm.status_code == 200
    response = staff.post(bulk_url("publish", first, second, rejected))

    assert response.status_code == 302
    statuses = dict(
        Idea.objects.filter(pk__in=[first.pk, second.pk, rejected.pk]).values_list("title", "status")
    )
    assert statuses == {"First": "published", "Second": "published", "Already rejected": "rejected"}
    shown = messages_of(response)
    assert any("Already rejected" in message for message in shown)
    assert any("2 ideas published" in message for message in shown)
    assert StatusChange.objects.filter(idea__in=[first, second], role="moderator").count() == 2


def test_bulk_reject_requires_a_reason(staff, support_round, resident):
    first = submitted(support_round, author=resident, title="First")
    second = submitted(support_round, author=resident, title="Second")

    refused = staff.post(bulk_url("reject", first, second), {"text": ""})
    assert refused.status_code == 200
    assert Idea.objects.filter(pk__in=[first.pk, second.pk], status="submitted").count() == 2

    template = ReasonTemplate.objects.filter(kind="rejected", locale__language_code="lv").first()
    staff.post(bulk_url("reject", first, second), {"template": template.pk})
    for idea in (first, second):
        idea.refresh_from_db()
        assert (idea.status, idea.status_reason) == ("rejected", template.text)


# Comments and reports -------------------------------------------------------------------------------------


def test_hiding_a_comment_needs_a_reason_resolves_its_reports_and_is_logged(
    staff, idea_moderator, published_idea, other_resident
):
    comment = Comment.objects.create(idea=published_idea, author=other_resident, text="Something rude")
    report = Report.objects.create(comment=comment, reporter=published_idea.author, reason="Rude")
    hide = reverse("ideas_comment:hide", args=[comment.pk])

    refused = staff.post(hide, {"reason": ""})
    assert refused.status_code == 200
    comment.refresh_from_db()
    assert not comment.is_hidden

    assert staff.post(hide, {"reason": "Offensive language"}).status_code == 302
    comment.refresh_from_db()
    report.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (True, "Offensive language")
    assert report.resolved_at is not None
    assert log_entries(comment, "ideas.comment.hide").get().user_id == idea_moderator.pk
    assert log_entries(report, "ideas.report.resolve").exists()

    staff.post(reverse("ideas_comment:unhide", args=[comment.pk]))
    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (False, "")
    assert log_entries(comment, "ideas.comment.unhide").exists()


def test_the_comment_listing_filters_hidden_and_reported_comments(staff, published_idea, other_resident):
    visible = Comment.objects.create(idea=published_idea, author=other_resident, text="Fine comment")
    hidden = Comment.objects.create(
        idea=published_idea, author=other_resident, text="Hidden one", is_hidden=True, hidden_reason="Spam"
    )
    reported = Comment.objects.create(idea=published_idea, author=other_resident, text="Reported one")
    Report.objects.create(comment=reported, reporter=published_idea.author, reason="Rude")
    index = reverse("ideas_comment:index")

    assert staff.get(index).status_code == 200
    only_hidden = set(staff.get(index, {"is_hidden": "true"}).context["object_list"])
    assert hidden in only_hidden and visible not in only_hidden
    only_visible = set(staff.get(index, {"is_hidden": "false"}).context["object_list"])
    assert {visible, reported} <= only_visible and hidden not in only_visible
    only_reported = list(staff.get(index, {"reported": "true"}).context["object_list"])
    assert reported in only_reported and visible not in only_reported
    assert staff.get(reverse("ideas_comment:edit", args=[reported.pk])).status_code == 200


def test_resolving_a_report(staff, idea_moderator, published_idea, other_resident):
    report = Report.objects.create(idea=published_idea, reporter=other_resident, reason="Advertising")
    index = reverse("ideas_report:index")
    assert report in staff.get(index).context["object_list"]
    assert staff.get(reverse("ideas_report:edit", args=[report.pk])).status_code == 200

    response = staff.post(reverse("ideas_report:resolve", args=[report.pk]))

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.resolved_at is not None
    assert log_entries(report, "ideas.report.resolve").get().user_id == idea_moderator.pk
    assert report not in staff.get(index).context["object_list"]
    assert report in staff.get(index, {"state": "resolved"}).context["object_list"]


# Exports and the other listings ---------------------------------------------------------------------------


def test_the_csv_export_has_the_ideas_and_no_email_addresses(staff, support_round, resident, published_idea):
    ResidentProfile.objects.update_or_create(user=resident, defaults={"display_name": "Anna B."})
    Support.objects.create(idea=published_idea, user=verified_resident("liga", email="liga@example.test"))
    Idea.objects.filter(pk=published_idea.pk).update(title="=HYPERLINK(1)")

    response = staff.get(reverse(QUEUE), {"round": support_round.pk, "export": "csv"})

    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode()
    assert "@" not in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["ID"] for row in rows] == [str(published_idea.pk)]
    row = rows[0]
    assert row["Author"] == "Anna B."
    assert row["Supports"] == "1"
    assert row["Title"] == "'=HYPERLINK(1)", "a formula must not run when the file is opened"
    assert row["Round"] == support_round.name
    assert row["Status"] == "Published"


def test_the_xlsx_export(staff, support_round, published_idea):
    from openpyxl import load_workbook

    response = staff.get(reverse(QUEUE), {"round": support_round.pk, "export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:3] == ("ID", "Round", "Title")
    assert rows[1][0] == published_idea.pk
    assert not any("@" in str(value) for row in rows for value in row)


@pytest.mark.parametrize("model", ["area", "category", "reasontemplate", "budgetround"])
def test_moderators_edit_the_participation_snippets(staff, model):
    response = staff.get(reverse(f"wagtailsnippets_ideas_{model}:list"))
    assert response.status_code == 200
    first = response.context["object_list"][0]
    assert staff.get(reverse(f"wagtailsnippets_ideas_{model}:edit", args=[first.pk])).status_code == 200


def test_the_round_listing_shows_the_current_phase(staff, support_round):
    response = staff.get(reverse("wagtailsnippets_ideas_budgetround:list"))
    assert "Support" in response.content.decode()


def test_the_participation_menu_groups_everything(staff):
    content = staff.get(reverse("wagtailadmin_home")).content.decode()
    assert "Participation" in content
    for url in (reverse(QUEUE), reverse("ideas_comment:index"), reverse("ideas_report:index")):
        assert url in content


def test_the_group_editor_still_renders(client, superuser):
    client.force_login(superuser)
    moderators = Group.objects.get(name="Moderators")
    response = client.get(reverse("wagtailusers_groups:edit", args=[moderators.pk]))
    assert response.status_code == 200
    offered = response.context["form"].fields["permissions"].queryset
    assert not offered.filter(content_type__app_label="ideas", codename__endswith="_comment").exists()


def test_a_superuser_cannot_add_ideas_through_the_admin(client, superuser):
    client.force_login(superuser)
    assert refused(client.get(reverse("wagtailsnippets_ideas_idea:add")))


def test_editors_do_not_see_the_participation_menu(client, editor):
    client.force_login(editor)
    content = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(QUEUE) not in content
