"""E-mails about ideas (ideas/notifications.py) and the moderators' daily digest (moderation_digest)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Site

from ideas import notifications
from ideas.models import BudgetRound, Comment, Follow, Idea, Report, ResidentProfile
from ideas.services import change_status
from tests.factories import UserFactory, make_idea, verified_resident

pytestmark = pytest.mark.django_db

LV_ROUND_PATH = "/zalaka-apkaime-2026/"
EN_ROUND_PATH = "/en/greener-neighbourhood-2026/"


def profile(user, language, name):
    ResidentProfile.objects.update_or_create(
        user=user, defaults={"preferred_language": language, "display_name": name}
    )
    return user


@pytest.fixture
def demo_round(db):
    """The demo round: it has a page in both languages, so the e-mails can link to the idea."""
    return BudgetRound.objects.get(name="Zaļāka apkaime 2026")


@pytest.fixture
def root_url():
    return Site.objects.get(is_default_site=True).root_url


@pytest.fixture
def english_author(resident):
    return profile(resident, "en", "Anna")


@pytest.fixture
def latvian_author(other_resident):
    return profile(other_resident, "lv", "Juris")


def to(message):
    (address,) = message.to
    return address


def test_the_author_gets_the_new_status_in_english(
    demo_round, english_author, idea_moderator, root_url, run_on_commit
):
    profile(idea_moderator, "lv", "Ilze Moderatore")
    idea = make_idea(demo_round, author=english_author, status="submitted", title="Lindens for Gaismas iela")

    with run_on_commit():
        change_status(idea, "published", user=idea_moderator)

    (message,) = mail.outbox
    assert to(message) == english_author.email
    assert message.subject == "Your idea “Lindens for Gaismas iela” has a new status: Published"
    assert "Hello Anna," in message.body
    assert f"{root_url}{EN_ROUND_PATH}{idea.pk}/" in message.body
    for staff_detail in ("Ilze", idea_moderator.username, idea_moderator.email):
        assert staff_detail not in message.body + message.subject


def test_a_latvian_author_gets_the_latvian_link_and_the_public_reason(
    demo_round, latvian_author, idea_moderator, root_url, run_on_commit
):
    idea = make_idea(demo_round, author=latvian_author, status="submitted", title="Soliņi pie upes")

    with run_on_commit():
        change_status(idea, "needs_changes", user=idea_moderator, reason="Lūdzu, norādiet precīzu vietu.")

    (message,) = mail.outbox
    assert to(message) == latvian_author.email
    assert "Soliņi pie upes" in message.subject
    assert "Lūdzu, norādiet precīzu vietu." in message.body
    assert f"{root_url}{LV_ROUND_PATH}{idea.pk}/" in message.body
    assert "/en/" not in message.body


def test_followers_get_their_own_email_and_the_author_is_not_told_twice(
    demo_round, english_author, latvian_author, idea_moderator, run_on_commit
):
    idea = make_idea(demo_round, author=english_author, status="published", title="Bike racks at the station")
    no_address = verified_resident("no-address", email="")
    Follow.objects.create(idea=idea, user=english_author)
    Follow.objects.create(idea=idea, user=latvian_author)
    Follow.objects.create(idea=idea, user=no_address)

    with run_on_commit():
        change_status(idea, "under_assessment", user=idea_moderator, role="staff")

    by_recipient = {to(message): message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english_author.email, latvian_author.email])
    assert by_recipient[english_author.email].subject.startswith("Your idea")
    follower_mail = by_recipient[latvian_author.email]
    assert "Bike racks at the station" in follower_mail.subject
    assert "Bike racks at the station" in follower_mail.body
    assert LV_ROUND_PATH in follower_mail.body


def test_after_a_merge_the_followers_are_told_where_the_idea_went(
    demo_round, english_author, latvian_author, idea_moderator, run_on_commit
):
    target = make_idea(demo_round, author=None, status="published", title="Trees along the school street")
    duplicate = make_idea(demo_round, author=english_author, status="published", title="Shade for pupils")
    Follow.objects.create(idea=duplicate, user=latvian_author)

    with run_on_commit():
        change_status(duplicate, "merged", user=idea_moderator, merged_into=target)

    by_recipient = {to(message): message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english_author.email, latvian_author.email])
    english = by_recipient[english_author.email]
    assert "Shade for pupils" in english.subject
    assert "Trees along the school street" in english.body
    assert f"{EN_ROUND_PATH}{target.pk}/" in english.body


def test_an_official_answer_reaches_the_author_and_followers_but_not_its_writer(
    demo_round, english_author, latvian_author, idea_moderator, run_on_commit
):
    idea = make_idea(demo_round, author=english_author, status="published", title="Playground in Baloži")
    Follow.objects.create(idea=idea, user=latvian_author)
    Follow.objects.create(idea=idea, user=idea_moderator)
    comment = Comment.objects.create(
        idea=idea, author=idea_moderator, text="We will build it in May.", is_official=True
    )

    with run_on_commit():
        notifications.official_answer.enqueue(comment.pk)

    by_recipient = {to(message): message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english_author.email, latvian_author.email])
    english = by_recipient[english_author.email]
    assert english.subject == "The municipality answered on “Playground in Baloži”"
    assert "We will build it in May." in english.body
    assert f"{EN_ROUND_PATH}{idea.pk}/" in english.body
    assert idea_moderator.username not in english.body


def test_an_ordinary_comment_sends_nothing(demo_round, english_author, latvian_author):
    idea = make_idea(demo_round, author=english_author, status="published")
    comment = Comment.objects.create(idea=idea, author=latvian_author, text="Nice!")

    notifications.official_answer.enqueue(comment.pk)

    assert mail.outbox == []


# The moderators' digest -----------------------------------------------------------------------------------


def test_the_digest_says_so_and_sends_nothing_when_nothing_waits(idea_moderator):
    Idea.objects.filter(status="submitted").update(status="published")
    Report.objects.update(resolved_at=timezone.now())
    out = io.StringIO()

    call_command("moderation_digest", stdout=out)

    assert "Nothing waits" in out.getvalue()
    assert mail.outbox == []


def test_the_digest_goes_to_each_moderator_with_an_address(
    idea_moderator, moderator, resident, support_round, root_url
):
    Idea.objects.filter(status="submitted").update(status="published")
    Report.objects.update(resolved_at=timezone.now())
    profile(moderator, "en", "Māris")
    without_address = UserFactory(username="no-mail-moderator", email="", groups=["Moderators"])
    inactive = UserFactory(username="gone-moderator", is_active=False, groups=["Moderators"])
    waiting = make_idea(support_round, author=resident, status="submitted", title="A fountain in the park")
    Idea.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - timezone.timedelta(days=3))
    Report.objects.create(idea=make_idea(support_round), reporter=resident, reason="Spam")
    out = io.StringIO()

    call_command("moderation_digest", stdout=out)

    recipients = [to(message) for message in mail.outbox]
    assert idea_moderator.email in recipients and moderator.email in recipients
    assert resident.email not in recipients
    assert inactive.email not in recipients
    assert "" not in recipients and without_address.email == ""
    group_members = Group.objects.get(name="Moderators").user_set.filter(is_active=True).exclude(email="")
    assert len(recipients) == group_members.count()
    english = next(message for message in mail.outbox if to(message) == moderator.email)
    assert english.subject == "Moderation: 1 idea waits, 1 report"
    assert "Hello Māris," in english.body
    assert "A fountain in the park" in english.body
    assert f"/admin/snippets/ideas/idea/edit/{waiting.pk}/" in english.body
    assert "Unresolved reports: 1" in english.body
    assert "waiting for 3 days" in english.body
    assert f"to {len(recipients)} moderators" in out.getvalue()
