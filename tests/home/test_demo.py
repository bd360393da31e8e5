"""The demo command builds the whole demo site and can run again without duplicating anything."""

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page, Site

from home.models import EventPage, HomePage, NewsPage, ProjectPage, SiteText, StandardPage

pytestmark = pytest.mark.django_db


def counts():
    return {
        model._meta.label: model.objects.count() for model in apps.get_app_config("home").get_models()
    } | {
        "pages": Page.objects.count(),
        "users": get_user_model().objects.count(),
        "sites": Site.objects.count(),
    }


def test_running_the_demo_command_again_changes_no_counts():
    before = counts()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert counts() == before
    assert "Demo logins" in output.getvalue()


def test_demo_content_covers_what_the_issue_asks_for(lv, en):
    for locale in (lv, en):
        assert NewsPage.objects.live().filter(locale=locale).count() >= 6
        assert {event.kind for event in EventPage.objects.filter(locale=locale)} == {
            "training",
            "workshop",
            "public_event",
        }
        assert {event.audience for event in EventPage.objects.filter(locale=locale)} >= {"seniors", "youth"}
        assert ProjectPage.objects.filter(locale=locale).count() == 1
        assert StandardPage.objects.filter(locale=locale).count() == 2  # about + accessibility statement
        assert SiteText.objects.filter(locale=locale).exists()
    project = ProjectPage.objects.get(locale=lv)
    assert project.partners.count() == 10
    assert project.period_start.isoformat() == "2020-05-01"
    assert project.period_end.isoformat() == "2022-08-31"
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.locale == lv
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()


def test_demo_users_have_their_roles():
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["admin", "editor", "moderator", "resident"])
    }
    assert users["admin"].is_superuser
    assert list(users["editor"].groups.values_list("name", flat=True)) == ["Editors"]
    assert list(users["moderator"].groups.values_list("name", flat=True)) == ["Moderators"]
    assert not users["resident"].groups.exists() and not users["resident"].is_staff
    assert users["editor"].check_password("kopa-editor-2026")


def test_demo_users_are_refused_with_production_settings(settings):
    settings.DEMO_USERS_ALLOWED = False
    get_user_model().objects.filter(username="resident").delete()
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    assert not get_user_model().objects.filter(username="resident").exists()
    assert "not created" in output.getvalue()
