"""Editorial workflow: editors submit, moderators approve and publish; scheduled publishing goes live on time."""

import datetime
import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone

from home.models import NewsPage
from tests.factories import add_news

pytestmark = pytest.mark.django_db


def test_editors_cannot_publish_but_moderators_can(editor, moderator, news_index_lv):
    [page] = add_news(news_index_lv, 1)
    assert page.permissions_for_user(editor).can_edit()
    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(moderator).can_publish()


def test_editor_submits_and_moderator_approves(editor, moderator, news_index_lv):
    page = NewsPage(
        title="Jauns gājēju tilts", slug="ganeju-tilts", lead="Būvēs tiltu.", locale=news_index_lv.locale
    )
    news_index_lv.add_child(instance=page)
    page.unpublish()
    page.save_revision(user=editor)

    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "Moderatoru apstiprinājums"
    workflow_state = workflow.start(page, editor)
    page.refresh_from_db()
    assert not page.live
    task_state = workflow_state.current_task_state
    assert task_state.task.specific.user_can_access_editor(page, moderator)
    assert not task_state.task.specific.get_actions(page, editor), "editors cannot approve their own work"

    task_state.task.specific.on_action(task_state, moderator, "approve")

    page.refresh_from_db()
    assert page.live
    workflow_state.refresh_from_db()
    assert workflow_state.status == "approved"


def test_moderator_can_reject_with_a_comment(editor, moderator, news_index_lv):
    [page] = add_news(news_index_lv, 1)
    page.save_revision(user=editor)
    workflow_state = page.get_workflow().start(page, editor)
    task_state = workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, moderator, "reject", comment="Please add a photo.")

    workflow_state.refresh_from_db()
    assert workflow_state.status == "needs_changes"
    task_state.refresh_from_db()
    assert task_state.comment == "Please add a photo."


def test_scheduled_page_goes_live_when_its_time_comes(news_index_lv):
    [page] = add_news(news_index_lv, 1)
    page.unpublish()
    page.go_live_at = timezone.now() + datetime.timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    assert not page.live, "scheduled, not yet live"

    call_command("publish_scheduled", stdout=io.StringIO())
    page.refresh_from_db()
    assert not page.live, "the command does not publish early"

    time.sleep(max((page.go_live_at - timezone.now()).total_seconds(), 0) + 0.2)
    call_command("publish_scheduled", stdout=io.StringIO())
    page.refresh_from_db()
    assert page.live


def test_expired_page_is_unpublished(news_index_lv):
    [page] = add_news(news_index_lv, 1)
    NewsPage.objects.filter(pk=page.pk).update(expire_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled", stdout=io.StringIO())
    page.refresh_from_db()
    assert not page.live
    assert page.expired
