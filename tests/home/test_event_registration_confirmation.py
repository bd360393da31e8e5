"""A website registration takes a place only once its e-mail address is confirmed (home/registrations.py): the
e-mailed link, its expiry and misuse, the logged-in shortcut, repeated registrations, the speed limits and what
staff see."""

import datetime
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from home.models import EventRegistration
from home.registrations import CONFIRMATION_MAX_AGE, RESEND_AFTER, cancel, confirm, register
from ideas.limits import ACTION_LIMITS
from tests.factories import UserFactory, add_event, translate_page, verified_resident
from tests.home.test_events import VALID, committed, confirm_link, post, register_url

pytestmark = pytest.mark.django_db

Status = EventRegistration.Status


@pytest.fixture
def event(event_index_lv):
    return add_event(event_index_lv, capacity=20, title="Talka Baložos", slug="talka")


def statuses(event):
    return dict(EventRegistration.objects.filter(event=event).values_list("email", "status"))


def post_from(client, page, address, **data):
    """Register from another client address (REMOTE_ADDR)."""
    return committed(client.post, register_url(page), {**VALID, **data}, follow=True, REMOTE_ADDR=address)


def in_latvian(message):
    with translation.override("lv"):
        return gettext(message)


def open_link(client, link):
    """Press the button on the confirmation page, as the registrant does."""
    return committed(client.post, link, follow=True)


def test_anonymous_registrations_fill_nothing_until_confirmed(client, event):
    # The incident of issue 12: 30 registrations with made-up addresses on a 20-place event.
    for number in range(30):
        post(client, event, email=f"made-up{number}@example.test")

    assert set(statuses(event).values()) == {Status.PENDING}
    assert event.places_left() == 20
    assert len(mail.outbox) == 30
    for message in mail.outbox:
        assert len(message.to) == 1 and confirm_link(message)
        assert "/cancel/" not in message.body
    assert 'class="notice"' not in client.get(event.url).content.decode(), "no 'all places are taken' notice"

    # A real resident (another address) still gets a place by confirming.
    response = post_from(client, event, "10.1.2.3", email="real@example.test")
    assert response.status_code == 200
    open_link(client, confirm_link(mail.outbox[-1]))
    assert statuses(event)["real@example.test"] == Status.CONFIRMED
    assert event.places_left() == 19


def test_confirming_takes_a_place_or_a_waiting_position_in_confirmation_order(client, event_index_lv):
    small = add_event(event_index_lv, capacity=1, slug="small")
    links = {}
    for person in ("first", "second", "third"):
        post(client, small, email=f"{person}@example.test")
        links[person] = confirm_link(mail.outbox[-1])

    for person in ("first", "third", "second"):
        open_link(client, links[person])

    assert statuses(small) == {
        "first@example.test": Status.CONFIRMED,
        "third@example.test": Status.WAITING,
        "second@example.test": Status.WAITING,
    }
    # The freed place goes to who confirmed first, not to who registered first.
    promoted = cancel(EventRegistration.objects.get(email="first@example.test"))
    assert promoted.email == "third@example.test"
    assert statuses(small)["second@example.test"] == Status.WAITING


def test_confirming_after_the_event_filled_meanwhile_joins_the_waiting_list(client, event_index_lv):
    small = add_event(event_index_lv, capacity=1, slug="small")
    post(client, small, email="late@example.test")
    late_link = confirm_link(mail.outbox[-1])
    post(client, small, email="quick@example.test")
    open_link(client, confirm_link(mail.outbox[-1]))
    mail.outbox = []

    response = open_link(client, late_link)

    assert statuses(small)["late@example.test"] == Status.WAITING
    html = response.content.decode()
    assert 'class="message message--info"' in html, "the page says it is the waiting list"
    [message] = mail.outbox
    assert message.to == ["late@example.test"] and "/cancel/" in message.body


def test_opening_the_link_shows_a_button_and_changes_nothing_by_itself(client, event):
    post(client, event)
    link = confirm_link(mail.outbox[-1])

    page = client.get(link)

    assert page.status_code == 200
    assert "<form" in page.content.decode() and "Anna Bērziņa" in page.content.decode()
    assert statuses(event) == {"anna@example.test": Status.PENDING}, (
        "mail scanners that open links confirm nothing"
    )


def test_a_link_works_once(client, event):
    post(client, event)
    link = confirm_link(mail.outbox[-1])
    open_link(client, link)
    sent = len(mail.outbox)

    again = open_link(client, link)

    assert again.status_code == 200
    assert in_latvian("This link has already been used.") in again.content.decode()
    assert EventRegistration.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
    assert event.places_left() == 19
    assert len(mail.outbox) == sent
    assert confirm(EventRegistration.objects.get(event=event)) is False


@pytest.fixture
def english(event, en):
    return translate_page(event, en, title="Clean-up in Baloži", slug="clean-up")


def test_an_expired_link_gets_a_clear_page_in_the_pages_language(client, event, english, monkeypatch):
    old = int(time.time() - CONFIRMATION_MAX_AGE.total_seconds() - 60)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(old))
    post(client, english, email="john@example.test")
    monkeypatch.undo()
    link = confirm_link(mail.outbox[-1])
    assert link.startswith("/en/")

    for response in (client.get(link), open_link(client, link)):
        assert response.status_code == 410
        html = response.content.decode()
        assert "This confirmation link has expired" in html and "register again" in html
        assert '<html lang="en"' in html
    assert statuses(event) == {"john@example.test": Status.PENDING}


def test_a_tampered_or_foreign_link_is_refused_clearly(client, event, english, event_index_lv):
    post(client, english, email="john@example.test")
    link = confirm_link(mail.outbox[-1])
    value, stamp, signature = link.rstrip("/").split("/")[-3:]
    prefix = link.rstrip("/").rsplit("/", 3)[0]
    forged_pk = signing.b64_encode(b"1").decode()
    other = add_event(event_index_lv, slug="other-event")
    other_link = urlsplit(other.full_url).path + f"registration/confirm/{value}/{stamp}/{signature}/"

    not_valid = {"en": "This confirmation link is not valid", "lv": "Šī apstiprinājuma saite nav derīga"}
    for bad, language in (
        (f"{prefix}/{value}/{stamp}/{signature[:-2]}xy/", "en"),  # changed signature
        (f"{prefix}/{forged_pk}/{stamp}/{signature}/", "en"),  # another registration's number
        (f"{prefix}/{value}/{signature}/", "en"),  # cut short
        (other_link, "lv"),  # a genuine link used on another event, a Latvian page
    ):
        response = open_link(client, bad)
        assert response.status_code == 400, bad
        assert not_valid[language] in response.content.decode(), bad
    assert statuses(event) == {"john@example.test": Status.PENDING}


def test_confirming_after_registration_closed_is_refused(client, event):
    post(client, event)
    link = confirm_link(mail.outbox[-1])
    event.start = timezone.now() - datetime.timedelta(minutes=5)
    event.save_revision().publish()

    response = open_link(client, link)

    assert response.status_code == 400
    assert statuses(event) == {"anna@example.test": Status.PENDING}


def test_a_logged_in_resident_with_a_verified_address_is_confirmed_at_once(client, event):
    resident = verified_resident("kristaps", email="kristaps@example.test")
    client.force_login(resident)

    form = client.get(event.url).content.decode()
    assert 'value="kristaps@example.test"' in form, "the form offers the account's address"
    response = post(client, event, email="Kristaps@Example.test")

    registration = EventRegistration.objects.get(event=event)
    assert (registration.status, registration.user) == (Status.CONFIRMED, resident)
    assert registration.confirmed_at is not None
    assert 'class="message message--success"' in response.content.decode()
    [message] = mail.outbox
    assert "/cancel/" in message.body and "/confirm/" not in message.body, "no round trip"


def test_a_logged_in_resident_confirms_another_or_unverified_address_by_e_mail(client, event):
    client.force_login(verified_resident("kristaps", email="kristaps@example.test"))
    post(client, event, email="kristaps.work@example.test")
    client.force_login(UserFactory(username="unverified", email="unverified@example.test"))
    post(client, event, email="unverified@example.test")

    assert set(statuses(event).values()) == {Status.PENDING}
    assert all(confirm_link(message) for message in mail.outbox)


def test_logging_in_confirms_a_waiting_link_of_ones_own_address(client, event):
    post(client, event, email="kristaps@example.test")
    client.force_login(verified_resident("kristaps", email="kristaps@example.test"))

    post(client, event, email="kristaps@example.test")

    registration = EventRegistration.objects.get(event=event)
    assert registration.status == Status.CONFIRMED
    assert registration.user.username == "kristaps"


def test_registering_twice_sends_one_link_and_takes_at_most_one_place(client, event):
    post(client, event)
    first_link = confirm_link(mail.outbox[-1])

    again = post(client, event, name="Anna B.")

    assert again.status_code == 400
    assert len(mail.outbox) == 1, "no second e-mail within a short time"
    assert EventRegistration.objects.filter(event=event).count() == 1

    # Later a new link goes out for the same registration; either link confirms it once.
    EventRegistration.objects.filter(event=event).update(link_sent_at=F("link_sent_at") - RESEND_AFTER)
    assert post(client, event).status_code == 200
    assert len(mail.outbox) == 2
    second_link = confirm_link(mail.outbox[-1])
    open_link(client, second_link)
    open_link(client, first_link)
    assert EventRegistration.objects.filter(event=event).count() == 1
    assert EventRegistration.objects.get(event=event).status == Status.CONFIRMED
    assert event.places_left() == 19


def test_too_many_registrations_from_one_address_are_answered_429(client, event):
    amount, _seconds = ACTION_LIMITS["registration"]["address"]
    for number in range(amount):
        post(client, event, email=f"pupil{number}@example.test")

    response = client.post(register_url(event), {**VALID, "email": "one-too-many@example.test"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert in_latvian("Many registrations came from your network or with this e-mail address.") in (
        response.content.decode()
    )
    assert "one-too-many@example.test" not in statuses(event)
    assert len(mail.outbox) == amount
    # A neighbour elsewhere is not affected.
    assert post_from(client, event, "10.9.8.7", email="neighbour@example.test").status_code == 200


def test_one_address_is_not_e_mailed_again_and_again(client, event_index_lv):
    amount, _seconds = ACTION_LIMITS["registration"]["account"]
    events = [add_event(event_index_lv, slug=f"event-{number}") for number in range(amount + 1)]
    for number, page in enumerate(events[:amount]):
        # Each from another address, as someone spreading them over networks would.
        assert post_from(client, page, f"10.0.0.{number}", email="victim@example.test").status_code == 200

    response = post_from(client, events[-1], "10.0.1.1", email="victim@example.test")

    assert response.status_code == 429
    assert len(mail.outbox) == amount
    assert not EventRegistration.objects.filter(event=events[-1]).exists()


def test_unconfirmed_registrations_past_the_link_age_are_deleted(client, event):
    post(client, event, email="stale@example.test")
    EventRegistration.objects.filter(email="stale@example.test").update(
        link_sent_at=timezone.now() - CONFIRMATION_MAX_AGE - datetime.timedelta(minutes=1)
    )
    post(client, event, email="fresh@example.test")
    assert statuses(event) == {"fresh@example.test": Status.PENDING}


def test_staff_see_unconfirmed_registrations_only_when_they_ask(client, editor, event):
    post(client, event, email="unconfirmed@example.test", name="Neapstiprināts Reģistrants")
    post(client, event, email="confirmed@example.test", name="Apstiprināts Reģistrants")
    open_link(client, confirm_link(mail.outbox[-1]))
    client.force_login(editor)

    listing = client.get("/admin/eventregistration/").content.decode()
    assert "Apstiprināts Reģistrants" in listing
    assert "Neapstiprināts Reģistrants" not in listing, "unconfirmed people are not attendees"
    export = b"".join(client.get("/admin/eventregistration/?export=csv").streaming_content).decode()
    assert "confirmed@example.test" in export and "unconfirmed@example.test" not in export

    unconfirmed = client.get("/admin/eventregistration/?status=pending").content.decode()
    assert "Neapstiprināts Reģistrants" in unconfirmed and "Apstiprināts Reģistrants" not in unconfirmed
    assert in_latvian("Unconfirmed (e-mail not confirmed)") in unconfirmed, "marked as unconfirmed"


def test_the_confirmation_e_mail_is_in_the_registrants_language(client, event, english):
    post(client, english, email="john@example.test")
    [message] = mail.outbox
    assert message.subject == "Please confirm your registration: Clean-up in Baloži"
    assert "within 48 hours" in message.body
    assert "If you did not register, ignore this e-mail" in message.body


def test_register_without_a_request_makes_a_pending_registration(event):
    registration = register(event, "Jānis", "janis@example.test", "lv")
    assert registration.status == Status.PENDING
    assert event.places_left() == 20
    assert confirm(registration) is True
    assert registration.status == Status.CONFIRMED


def test_asking_again_and_again_whether_an_address_is_registered_is_limited(client, event, settings):
    settings.KOPA_ACTION_LIMITS = {"registration": {"account": (3, 86400), "address": (5, 86400)}}
    post_from(client, event, "10.9.9.9", email="taken@example.test")
    answers = [post_from(client, event, "10.9.9.9", email="taken@example.test").status_code for _ in range(6)]
    assert answers[:4] == [400] * 4 and answers[4:] == [429, 429]
    assert len(mail.outbox) == 1


def test_a_new_link_carries_the_newest_registrants_name(client, event, settings):
    settings.KOPA_ACTION_LIMITS = {"registration": {"account": (3, 86400), "address": (30, 86400)}}
    post_from(client, event, "10.9.9.8", email="anna@example.test", name="Kāds cits")
    registration = EventRegistration.objects.get(event=event, email="anna@example.test")
    EventRegistration.objects.filter(pk=registration.pk).update(
        link_sent_at=timezone.now() - datetime.timedelta(hours=1)
    )
    post_from(client, event, "10.9.9.7", email="anna@example.test", name="Anna Bērziņa")
    registration.refresh_from_db()
    assert registration.name == "Anna Bērziņa" and len(mail.outbox) == 2
