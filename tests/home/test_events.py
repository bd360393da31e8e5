"""Event registration: places, waiting list, duplicates, cancellation, e-mails, closed and invalid requests.

Every registration here is confirmed through the e-mailed link, as on the website; what happens before the
link is opened is in tests/home/test_event_registration_confirmation.py."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from home.models import EventPage, EventRegistration
from home.registrations import RegistrationError, cancel, confirm, register
from tests.factories import add_event, translate_page

pytestmark = pytest.mark.django_db

# The Latvian catalogue's wording of two messages (site/locale/lv/LC_MESSAGES/django.po).
LV_ALREADY_REGISTERED = "Šī e-pasta adrese jau ir reģistrēta šim pasākumam."
LV_WAITING_SUBJECT = "Jūs esat gaidīšanas sarakstā"

VALID = {"name": "Anna Bērziņa", "email": "anna@example.test", "consent": "on"}
CONFIRM_LINK = re.compile(r"https?://\S+/registration/confirm/\S+/")


def register_url(page):
    return page.url + page.reverse_subpage("register")


def committed(function, *args, **kwargs):
    """Call and run the on-commit hooks (e-mails) as a real request's commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


def post(client, page, **data):
    return committed(client.post, register_url(page), {**VALID, **data}, follow=True)


def confirm_link(message):
    """The confirmation link of a "please confirm" e-mail (its path, for the test client)."""
    [link] = CONFIRM_LINK.findall(message.body)
    return urlsplit(link).path


def sign_up(client, page, **data):
    """Register on the website, then open the link of the e-mail that asks to confirm and press the button."""
    post(client, page, **data)
    return committed(client.post, confirm_link(mail.outbox[-1]), follow=True)


def registered(event, name, email, language="lv"):
    """A registration made and confirmed through the service functions (register, then confirm)."""
    registration = register(event, name, email, language)
    confirm(registration)
    registration.refresh_from_db()
    return registration


@pytest.fixture
def event(event_index_lv):
    return add_event(event_index_lv, capacity=2, title="Koku stādīšanas darbnīca")


def test_registration_confirms_a_place_and_emails_in_latvian(client, event):
    response = sign_up(client, event)

    assert response.status_code == 200
    registration = EventRegistration.objects.get(event=event)
    assert registration.status == EventRegistration.Status.CONFIRMED
    assert registration.language == "lv"
    assert 'class="message message--success"' in response.content.decode()
    ask, confirmed = mail.outbox
    assert ask.to == confirmed.to == ["anna@example.test"]
    assert "Koku stādīšanas darbnīca" in confirmed.subject
    cancel_link = event.full_url + event.reverse_subpage("cancel_registration", args=[registration.token])
    assert cancel_link in confirmed.body
    assert cancel_link not in ask.body, "the cancel link goes only to a confirmed address"


def test_english_registration_is_answered_in_english_with_the_english_page(client, event, en):
    english = translate_page(event, en, title="Tree planting workshop", slug="tree-planting-workshop")

    sign_up(client, english, email="john@example.test")

    registration = EventRegistration.objects.get(email="john@example.test")
    assert registration.event_id == event.pk, "both languages share one registration list"
    assert registration.language == "en"
    ask, confirmed = mail.outbox
    assert ask.subject == "Please confirm your registration: Tree planting workshop"
    assert confirm_link(ask).startswith("/en/")
    assert confirmed.subject == "Registration confirmed: Tree planting workshop"
    assert "/en/" in confirmed.body


def test_duplicate_registration_is_refused_with_a_clear_message(client, event):
    sign_up(client, event)
    response = post(client, event, email="ANNA@example.test ", name="Anna")

    assert response.status_code == 400
    assert LV_ALREADY_REGISTERED in response.content.decode()
    assert EventRegistration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 2, "the refused duplicate sends nothing"


def test_when_full_people_join_the_waiting_list(client, event):
    for number in range(3):
        sign_up(client, event, email=f"person{number}@example.test")

    statuses = list(
        EventRegistration.objects.filter(event=event)
        .order_by("created_at", "pk")
        .values_list("status", flat=True)
    )
    assert statuses == ["confirmed", "confirmed", "waiting"]
    assert event.places_left() == 0
    assert mail.outbox[-1].subject == f"{LV_WAITING_SUBJECT}: {event.title}"


def test_both_languages_share_the_capacity(client, event, en):
    english = translate_page(event, en, slug="shared-capacity")

    sign_up(client, event, email="a@example.test")
    sign_up(client, english, email="b@example.test")
    sign_up(client, english, email="c@example.test")

    assert english.places_left() == 0
    assert EventRegistration.objects.get(email="c@example.test").status == "waiting"


def test_cancel_link_frees_the_place_for_the_first_on_the_waiting_list(client, event):
    for number in range(4):
        sign_up(client, event, email=f"person{number}@example.test")
    first = EventRegistration.objects.get(email="person0@example.test")
    mail.outbox = []
    cancel_url = event.url + event.reverse_subpage("cancel_registration", args=[first.token])

    confirm_page = client.get(cancel_url)
    assert confirm_page.status_code == 200
    assert "Anna Bērziņa" in confirm_page.content.decode()
    committed(client.post, cancel_url)

    statuses = dict(EventRegistration.objects.filter(event=event).values_list("email", "status"))
    assert statuses == {
        "person0@example.test": "cancelled",
        "person1@example.test": "confirmed",
        "person2@example.test": "confirmed",
        "person3@example.test": "waiting",
    }
    assert sorted(message.to[0] for message in mail.outbox) == [
        "person0@example.test",
        "person2@example.test",
    ]


def test_cancelling_twice_changes_nothing(event):
    registration = registered(event, "Jānis", "janis@example.test")
    cancel(registration)
    assert cancel(registration) is None
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_a_cancelled_person_may_register_again(client, event):
    registration = registered(event, "Jānis", "janis@example.test")
    cancel(registration)
    again = registered(event, "Jānis", "janis@example.test")
    assert again.status == "confirmed"


def test_registration_closes_when_the_event_starts(client, event_index_lv):
    started = add_event(event_index_lv, slug="started", days_ahead=-1)
    response = post(client, started)
    assert response.status_code == 400
    assert EventRegistration.objects.filter(event=started).count() == 0
    assert not mail.outbox
    with pytest.raises(RegistrationError):
        register(started, "Late", "late@example.test", "lv")


def test_events_without_registration_refuse_it(event_index_lv):
    no_registration = add_event(event_index_lv, slug="open-air", registration_enabled=False)
    with pytest.raises(RegistrationError):
        register(no_registration, "X", "x@example.test", "lv")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  "}, "name"),
        ({"email": "not-an-address"}, "email"),
        ({"consent": ""}, "consent"),
    ],
)
def test_invalid_form_keeps_the_input_and_names_the_problem(client, event, data, field):
    response = client.post(register_url(event), {**VALID, **data})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'href="#id_{field}"' in html, "the error summary links to the field"
    if field != "name":
        assert 'value="Anna Bērziņa"' in html, "what the resident typed is kept"
    assert not EventRegistration.objects.filter(event=event).exists()


def test_unknown_cancel_token_is_not_found(client, event):
    url = event.url + "registration/00000000-0000-0000-0000-000000000000/cancel/"
    assert client.get(url).status_code == 404


def test_get_on_the_register_route_goes_back_to_the_event(client, event):
    response = client.get(register_url(event))
    assert response.status_code == 302
    assert response["Location"] == event.url


def test_event_page_shows_places_left(client, event):
    registered(event, "Jānis", "janis@example.test")
    register(event, "Unconfirmed", "unconfirmed@example.test", "lv")
    html = client.get(event.url).content.decode()
    assert re.search(r"1\D+2", html), "1 of 2 places left: the unconfirmed registration takes none"


def test_event_index_shows_upcoming_and_past_events(client, event_index_lv):
    upcoming = client.get(event_index_lv.url).content.decode()
    past = client.get(event_index_lv.url + "?past=1").content.decode()
    finished = EventPage.objects.get(slug="budzeta-domnica-kekava")
    assert finished.end < timezone.now()
    assert finished.title not in upcoming
    assert finished.title in past


def test_editors_list_and_export_registrations_as_csv(client, editor, event):
    registered(event, "Jānis Kalniņš", "janis@example.test")
    registered(event, "Līga Ozola", "liga@example.test", "en")
    client.force_login(editor)

    listing = client.get("/admin/eventregistration/")
    assert listing.status_code == 200
    assert "Jānis Kalniņš" in listing.content.decode()

    export = client.get("/admin/eventregistration/?export=csv")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert "Jānis Kalniņš" in body
    assert "liga@example.test" in body
    assert "Koku stādīšanas darbnīca" in body


def test_residents_cannot_see_registrations_in_the_admin(client, event):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="plain-resident"))
    response = client.get("/admin/eventregistration/")
    assert response.status_code in (302, 403)
