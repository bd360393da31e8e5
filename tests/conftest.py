"""Shared fixtures: the demo municipality is loaded once per test session and every test runs in a
transaction that is rolled back, so tests see the same realistic site and cannot disturb each other."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import Locale

from home.models import EventIndexPage, HomePage, NewsIndexPage

from .factories import UserFactory


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _clean_outbox():
    mail.outbox = []


@pytest.fixture
def lv(db):
    return Locale.objects.get(language_code="lv")


@pytest.fixture
def en(db):
    return Locale.objects.get(language_code="en")


@pytest.fixture
def home_lv(lv):
    return HomePage.objects.get(locale=lv)


@pytest.fixture
def home_en(en):
    return HomePage.objects.get(locale=en)


@pytest.fixture
def news_index_lv(lv):
    return NewsIndexPage.objects.get(locale=lv)


@pytest.fixture
def news_index_en(en):
    return NewsIndexPage.objects.get(locale=en)


@pytest.fixture
def event_index_lv(lv):
    return EventIndexPage.objects.get(locale=lv)


@pytest.fixture
def editor(db):
    return UserFactory(username="test-editor", groups=["Editors"])


@pytest.fixture
def moderator(db):
    return UserFactory(username="test-moderator", groups=["Moderators"])


@pytest.fixture
def superuser(db):
    return UserFactory(username="test-admin", is_superuser=True, is_staff=True)
