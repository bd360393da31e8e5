"""What only PostgreSQL can prove about event registrations: simultaneous confirmations never give away more
places than the event has (the event row's lock in home/registrations.py), and a link opened twice at once
confirms once."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from home.models import EventPage, EventRegistration
from home.registrations import confirm
from tests.ideas.test_voting_concurrency import run_together

# Real transactions (not the test's wrapping one), so each thread commits on its own connection. The database is
# emptied between such tests, so each builds what it needs itself.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24
CAPACITY = 5


@pytest.fixture
def event():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent transactions are proven on PostgreSQL (CI runs it)")
    locale, _created = Locale.objects.get_or_create(language_code="lv")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        # The e-mails sent after each confirmation link to the page, so the page must be under a site.
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=locale)
        )
        site = Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    start = timezone.now() + datetime.timedelta(days=3)
    page = EventPage(
        title="Talka",
        slug="talka-concurrency",
        start=start,
        end=start + datetime.timedelta(hours=2),
        venue_name="Baložu skola",
        venue_address="Baloži",
        capacity=CAPACITY,
        locale=locale,
    )
    site.root_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def pending(event, count):
    return [
        EventRegistration.objects.create(
            event=event,
            name=f"Person {number}",
            email=f"person{number}@example.test",
            language="lv",
            status=EventRegistration.Status.PENDING,
            link_sent_at=timezone.now(),
        )
        for number in range(count)
    ]


def test_simultaneous_confirmations_never_exceed_the_capacity(event):
    registrations = pending(event, THREADS)

    outcomes = run_together(
        [
            lambda pk=registration.pk: confirm(EventRegistration.objects.get(pk=pk))
            for registration in registrations
        ]
    )

    assert outcomes == [True] * THREADS, outcomes
    rows = EventRegistration.objects.filter(event=event)
    assert rows.filter(status=EventRegistration.Status.CONFIRMED).count() == CAPACITY
    assert rows.filter(status=EventRegistration.Status.WAITING).count() == THREADS - CAPACITY
    # Every place was given before any waiting-list position: the order of confirmation is the order of the lock.
    last_place = max(rows.filter(status="confirmed").values_list("confirmed_at", flat=True))
    first_waiting = min(rows.filter(status="waiting").values_list("confirmed_at", flat=True))
    assert last_place <= first_waiting
    event.refresh_from_db()
    assert event.places_left() == 0


def test_one_link_opened_many_times_at_once_confirms_once(event):
    [registration] = pending(event, 1)

    outcomes = run_together([lambda: confirm(EventRegistration.objects.get(pk=registration.pk))] * 8)

    assert sorted(outcomes) == [False] * 7 + [True], outcomes
    registration.refresh_from_db()
    assert registration.status == EventRegistration.Status.CONFIRMED
