"""Shared fixtures: the demo municipality is loaded once per test session and every test runs in a
transaction that is rolled back, so tests see the same realistic site and cannot disturb each other."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import Locale

from home.models import EventIndexPage, HomePage, NewsIndexPage

from .factories import UserFactory


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests first. pytest-django runs tests without a database marker after the transactional ones
    (tests/ideas/test_voting_concurrency.py on PostgreSQL), whose flush at the end empties tables the browser tests
    read through site_server (the demo's groups, so its staff lose the admin). A stable sort keeps the rest as
    pytest-django ordered it."""
    items.sort(key=lambda item: 0 if "site_server" in getattr(item, "fixturenames", ()) else 1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _clean_outbox():
    mail.outbox = []


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Every test starts with empty rate-limit counters (ideas/limits.py keeps them in the cache): all test requests
    come from 127.0.0.1, and SQLite reuses user ids after a rollback, so counts would carry over between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


# Browser tests -------------------------------------------------------------------------------------------
# Debian's Chromium driven by Playwright (Playwright cannot download its own browser here).
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium(site_server):
    # Depends on site_server so that the browser closes first: its keep-alive connections hold server threads,
    # and with them database connections that would stop the test database from being dropped.
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from it unless told
    # that tests may mix them (https://docs.djangoproject.com/en/5.2/topics/async/#async-safety).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker):
    """The demo site served over HTTP for browser tests, for the whole session.

    pytest-django's live_server flushes the database after each test, and with it the demo; this server reads
    the demo loaded once by django_db_setup instead (the LiveServerThread of Django's LiveServerTestCase).
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.db import connections
    from django.test.testcases import LiveServerThread

    with django_db_blocker.unblock():
        shared = {}
        for connection in connections.all():
            # An in-memory SQLite database exists only in this connection, so the server thread must share it.
            if connection.vendor == "sqlite" and connection.is_in_memory_db():
                connection.inc_thread_sharing()
                shared[connection.alias] = connection
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=shared, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
        thread.terminate()
        for connection in shared.values():
            connection.dec_thread_sharing()
        if connections["default"].vendor == "postgresql":
            # Request threads of the server may still hold a session, which would stop pytest-django from
            # dropping the test database ("is being accessed by other users").
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(locale="lv-LV")
    # Nothing may leave the machine: any request to another host is aborted.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.abort()
        ),
    )
    page = context.new_page()
    yield page
    context.close()
