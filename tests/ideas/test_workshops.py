"""Budget think-tank workshops: the services (ideas/workshops.py) with consent, attendance, credit, status
history and the voting desk's eligibility checks; who may record (moderator, editor, resident, anonymous); the
admin pages (ideas/moderation/workshops.py); the public event page and the round page in both languages; the
registration's account; the demo workshop."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from wagtail.models import ModelLogEntry, PageLogEntry
from wagtail.users.models import UserProfile

from home import page_cache
from home.models import EventIndexPage, EventPage, EventRegistration
from ideas import workshops
from ideas.demo_workshops import PAGE as DEMO_PAGE
from ideas.demo_workshops import load_workshops_demo
from ideas.models import (
    Area,
    BudgetRound,
    Category,
    CensusEntry,
    EligibilityOverride,
    Idea,
    StatusChange,
    VotingCode,
    WorkshopOutcome,
)
from ideas.participation import Invalid, LoginRequired, Refused
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.codes import make_batch
from ideas.voting.eligibility import NotEligible
from tests.factories import UserFactory, add_event, round_in_phase, translate_page, verified_resident
from tests.ideas.voters import child_birth_year, on_census

pytestmark = pytest.mark.django_db

PERSON = "010203-12345"


# Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _services_speak_english():
    """The services' refusals are read in English here (pages set their own language per request)."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    """A moderator whose admin speaks English."""
    user = verified_resident("workshop-moderator", email="ws-moderator@kekava.example", groups=["Moderators"])
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user


@pytest.fixture
def workshop_round(db):
    """A round in its support phase: submission started 25 days ago and closed 15 days ago."""
    return round_in_phase(Phase.SUPPORT, name="Workshop test round")


def _workshop(index, budget_round, days_ahead=-20, slug="test-think-tank", **fields):
    fields.setdefault("title", "Test think-tank")
    return add_event(
        index,
        slug=slug,
        days_ahead=days_ahead,
        kind=EventPage.Kind.WORKSHOP,
        budget_round=budget_round,
        facilitator="Dace Priede",
        agenda="18:00 Welcome\n\n18:30 Group work\n",
        **fields,
    )


@pytest.fixture
def workshop(event_index_lv, workshop_round):
    """A workshop held 20 days ago, while the round took ideas."""
    return _workshop(event_index_lv, workshop_round)


@pytest.fixture
def workshop_en(workshop, en):
    return translate_page(workshop, en, title="Test think-tank (English)", slug="test-think-tank-en")


def register(event, name, email, attended=True, user=None, language="lv"):
    return EventRegistration.objects.create(
        event=event, name=name, email=email, language=language, attended=attended, user=user
    )


def idea_fields(**overrides):
    values = {
        "title": "Bicycle shed at the school",
        "summary": "A roofed shed for 40 bicycles.",
        "description": "Children's bicycles now stand in the rain.",
        "category": Category.objects.filter(locale__language_code="lv").first(),
        "area": Area.objects.filter(locale__language_code="lv").first(),
        "estimated_cost": Decimal("6500"),
    }
    values.update(overrides)
    return values


def demo_round():
    return BudgetRound.objects.get(name="Zaļāka apkaime 2026")


def demo_workshop():
    return EventPage.objects.get(slug=DEMO_PAGE["lv"]["slug"], locale__language_code="lv")


# Entering an idea for an attendee -------------------------------------------------------------------------


def test_an_idea_needs_the_attendees_consent(staff, workshop):
    attendee = register(workshop, "Ilze Auziņa", "ilze@example.org")
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, attendee, consent=False, credited_to="Ilze Auziņa", **idea_fields()
        )
    assert "consent" in refused.value.message_dict
    assert "with their consent" in refused.value.message_dict["consent"][0]
    assert not Idea.objects.filter(workshop=workshop).exists()


def test_an_idea_is_only_entered_for_someone_who_attended_this_workshop(staff, workshop, event_index_lv):
    absent = register(workshop, "Oskars Grava", "oskars@example.org", attended=False)
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, absent, consent=True, credited_to="Oskars", **idea_fields()
        )
    assert "Oskars Grava is not marked as attending" in refused.value.message_dict["registration"][0]
    other_event = _workshop(event_index_lv, workshop.budget_round, slug="other-think-tank")
    elsewhere = register(other_event, "Marta Siliņa", "marta@example.org")
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, elsewhere, consent=True, credited_to="Marta", **idea_fields()
        )
    assert "registration" in refused.value.message_dict
    assert not Idea.objects.filter(workshop__in=[workshop, other_event]).exists()


def test_the_entered_idea_is_credited_submitted_and_in_its_history(staff, workshop_en, workshop):
    account = verified_resident("ilze-account", email="ilze@example.org")
    attendee = register(workshop, "Ilze Auziņa", "ilze@example.org", user=account)
    before = timezone.now()
    # Staff may work from the English page: everything is stored against the Latvian original.
    idea = workshops.enter_idea_for_attendee(
        staff, workshop_en, attendee, consent=True, credited_to="  Ilze A.  ", **idea_fields()
    )
    idea.refresh_from_db()
    assert idea.status == "submitted" and idea.submitted_at is not None
    assert idea.round == workshop.budget_round and idea.workshop_id == workshop.pk
    assert idea.credited_to == "Ilze A." and idea.author == account and idea.entered_by == staff
    assert idea.consent_recorded_at >= before
    history = list(idea.history.values_list("from_status", "to_status", "role"))
    assert history == [("draft", "submitted", StatusChange.Role.STAFF)]
    logged = set(ModelLogEntry.objects.for_instance(idea).values_list("action", flat=True))
    assert {"ideas.workshop.idea", "ideas.status.submitted"} <= logged
    # Moderation goes on as usual.
    assert idea in Idea.objects.filter(status="submitted")


def test_an_attendee_without_an_account_is_credited_without_an_author(staff, workshop):
    attendee = register(workshop, "Sarah Miller", "sarah@example.org", language="en")
    idea = workshops.enter_idea_for_attendee(
        staff, workshop, attendee, consent=True, credited_to="Sarah Miller", **idea_fields()
    )
    assert idea.author is None and idea.credited_to == "Sarah Miller" and idea.language == "en"


def test_an_incomplete_idea_is_refused_and_nothing_is_kept(staff, workshop):
    attendee = register(workshop, "Ilze Auziņa", "ilze@example.org")
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, attendee, consent=True, credited_to="Ilze", **idea_fields(summary="")
        )
    assert list(refused.value.message_dict) == ["summary"]
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, attendee, consent=True, credited_to=" ", **idea_fields()
        )
    assert "credited_to" in refused.value.message_dict
    too_dear = idea_fields(estimated_cost=Decimal("999999"))
    with pytest.raises(Invalid) as refused:
        workshops.enter_idea_for_attendee(
            staff, workshop, attendee, consent=True, credited_to="Ilze", **too_dear
        )
    assert "estimated_cost" in refused.value.message_dict
    assert not Idea.objects.filter(workshop=workshop).exists()


def test_ideas_from_a_workshop_after_submission_closed_are_refused(staff, event_index_lv, workshop_round):
    late = _workshop(event_index_lv, workshop_round, days_ahead=-10, slug="late-think-tank")
    attendee = register(late, "Ilze Auziņa", "ilze@example.org")
    with pytest.raises(Refused, match="stopped taking ideas"):
        workshops.enter_idea_for_attendee(
            staff, late, attendee, consent=True, credited_to="Ilze", **idea_fields()
        )


# Attendance and notes -------------------------------------------------------------------------------------


def test_attendance_marks_exactly_the_chosen_registrations(staff, workshop_en, workshop, event_index_lv):
    came = register(workshop, "A", "a@example.org", attended=False)
    stayed_home = register(workshop, "B", "b@example.org", attended=True)
    assert workshops.set_attendance(staff, workshop_en, [str(came.pk)]) == 1
    came.refresh_from_db(), stayed_home.refresh_from_db()
    assert came.attended and not stayed_home.attended
    assert PageLogEntry.objects.filter(page=workshop, action="ideas.workshop.attendance").exists()
    other = register(_workshop(event_index_lv, workshop.budget_round, slug="other"), "C", "c@example.org")
    for wrong in ([other.pk], ["abc"], [None]):
        with pytest.raises(Invalid):
            workshops.set_attendance(staff, workshop, wrong)
    came.refresh_from_db()
    assert came.attended  # a refused change changes nothing


def test_attendance_renews_the_stored_pages(staff, workshop):
    came = register(workshop, "A", "a@example.org", attended=False)
    before = page_cache.generation()
    workshops.set_attendance(staff, workshop, [came.pk])
    assert page_cache.generation() != before, "the public attendance count is shown from the page cache"


def test_outcomes_wait_for_the_workshop_to_start(staff, event_index_lv, workshop_round):
    upcoming = _workshop(event_index_lv, workshop_round, days_ahead=3, slug="upcoming-think-tank")
    with pytest.raises(Refused, match="once the workshop has started"):
        workshops.record_outcome(staff, upcoming, "Notes")
    with pytest.raises(Refused):
        workshops.set_attendance(staff, upcoming, [])


def test_notes_are_kept_once_for_both_languages(staff, workshop, workshop_en):
    workshops.record_outcome(staff, workshop_en, "Ideas on\x00 cycling.  ")
    workshops.record_outcome(staff, workshop, "Ideas on cycling and shade.")
    outcome = WorkshopOutcome.objects.get(event=workshop)
    assert outcome.event_id == workshop.pk and outcome.recorded_by == staff
    assert outcome.notes == "Ideas on cycling and shade."
    with pytest.raises(Invalid):
        workshops.record_outcome(staff, workshop, "x" * (workshops.NOTES_MAX_LENGTH + 1))


def test_an_ordinary_event_is_not_a_workshop(staff, event_index_lv, workshop_round):
    training = add_event(event_index_lv, slug="training", days_ahead=-2, kind="training")
    unlinked = add_event(event_index_lv, slug="unlinked-workshop", days_ahead=-2, kind="workshop")
    for event in (training, unlinked):
        with pytest.raises(Refused, match="not a budget think-tank workshop"):
            workshops.record_outcome(staff, event, "Notes")


# Voting codes --------------------------------------------------------------------------------------------


def test_a_code_handed_out_at_the_workshop_is_checked_and_linked(staff, workshop_en, workshop):
    budget_round = workshop.budget_round
    code, spare = make_batch(budget_round, 2, "Workshop")
    on_census(PERSON)
    voting_code = workshops.hand_out_code_at_workshop(staff, workshop_en, code, PERSON)
    voting_code.refresh_from_db()
    assert voting_code.state == VotingCode.State.ISSUED
    assert voting_code.workshop_id == workshop.pk
    assert voting_code.person_key == keys.person_key(PERSON)
    assert VotingCode.objects.get(code_hash=keys.code_hash(spare)).workshop_id is None
    entry = PageLogEntry.objects.get(page=workshop, action="ideas.workshop.code")
    assert code not in str(entry.data) and PERSON not in str(entry.data)
    assert workshops.outcome_of(workshop_en).codes_handed_out == 1
    with pytest.raises(ValidationError, match="already been used"):
        workshops.hand_out_code_at_workshop(staff, workshop, code, PERSON)


def test_the_voting_desks_eligibility_checks_apply_at_the_workshop(staff, workshop):
    budget_round = workshop.budget_round
    first, second, third = make_batch(budget_round, 3, "Workshop")
    with pytest.raises(NotEligible, match="not on the municipality's list"):
        workshops.hand_out_code_at_workshop(staff, workshop, first, PERSON)
    on_census("020304-12345", birth_year=child_birth_year())
    with pytest.raises(NotEligible, match="from the age of"):
        workshops.hand_out_code_at_workshop(staff, workshop, first, "020304-12345")
    with pytest.raises(ValidationError, match="11 digits"):
        workshops.hand_out_code_at_workshop(staff, workshop, first, "12345")
    # Nothing was recorded by the refusals: the code is still new and belongs to no workshop.
    refused_code = VotingCode.objects.get(code_hash=keys.code_hash(first))
    assert refused_code.state == VotingCode.State.NEW and refused_code.workshop_id is None
    # A staff exception lets a person off the list receive a code, as at the desk.
    EligibilityOverride.objects.create(
        round=budget_round, person_key=keys.person_key("030405-12345"), reason="Moved here", granted_by=staff
    )
    workshops.hand_out_code_at_workshop(staff, workshop, second, "030405-12345")
    assert VotingCode.objects.get(code_hash=keys.code_hash(second)).workshop_id == workshop.pk
    assert not CensusEntry.objects.filter(person_key=keys.person_key("030405-12345")).exists()
    budget_round.results_published = timezone.now() - datetime.timedelta(minutes=1)
    budget_round.save(update_fields=["results_published"])
    with pytest.raises(Refused, match="Voting in this round is over"):
        workshops.hand_out_code_at_workshop(staff, workshop, third, PERSON)


# Who may record -------------------------------------------------------------------------------------------


def _each_service(event, registration, code):
    return [
        lambda user: workshops.record_outcome(user, event, "Notes"),
        lambda user: workshops.set_attendance(user, event, [registration.pk]),
        lambda user: workshops.enter_idea_for_attendee(
            user, event, registration, consent=True, credited_to="Ilze", **idea_fields()
        ),
        lambda user: workshops.hand_out_code_at_workshop(user, event, code, PERSON),
    ]


@pytest.mark.parametrize("role", ["editor", "resident", "anonymous"])
def test_only_moderators_record_workshops(role, workshop, editor):
    users = {
        "editor": editor,
        "resident": verified_resident("plain-resident", email="plain@example.org"),
        "anonymous": AnonymousUser(),
    }
    attendee = register(workshop, "Ilze Auziņa", "ilze@example.org")
    [code] = make_batch(workshop.budget_round, 1, "Workshop")
    on_census(PERSON)
    expected = LoginRequired if role == "anonymous" else Refused
    for service in _each_service(workshop, attendee, code):
        with pytest.raises(expected):
            service(users[role])
    assert not WorkshopOutcome.objects.filter(event=workshop).exists()
    assert not Idea.objects.filter(workshop=workshop).exists()
    assert VotingCode.objects.get(code_hash=keys.code_hash(code)).state == VotingCode.State.NEW


def test_moderators_record_every_outcome(staff, workshop):
    attendee = register(workshop, "Ilze Auziņa", "ilze@example.org", attended=False)
    [code] = make_batch(workshop.budget_round, 1, "Workshop")
    on_census(PERSON)
    assert staff.has_perm(workshops.PERMISSION)
    for service in _each_service(workshop, attendee, code):
        service(staff)
    outcome = workshops.outcome_of(workshop, public_only=False)
    assert (outcome.notes, outcome.attended, len(outcome.ideas), outcome.codes_handed_out) == (
        "Notes",
        1,
        1,
        1,
    )
    # The submitted idea is not public yet: the public outcome leaves it out.
    assert workshops.outcome_of(workshop).ideas == []


# Admin ----------------------------------------------------------------------------------------------------


def admin_url(name, *args):
    return reverse(f"workshops:{name}", args=args)


def test_moderators_see_the_workshops_and_editors_get_403(client, staff, editor):
    event = demo_workshop()
    client.force_login(staff)
    index = client.get(admin_url("index"))
    assert index.status_code == 200
    page = index.content.decode()
    assert event.title in page and admin_url("detail", event.pk) in page and demo_round().name in page
    assert not EventPage.objects.filter(locale__language_code="en", title__in=[event.title]).exists()
    detail = client.get(admin_url("detail", event.pk))
    assert detail.status_code == 200
    content = detail.content.decode()
    assert "Ilze Auziņa" in content and "Enter an idea for an attendee" in content
    assert admin_url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(editor)
    assert client.get(admin_url("index")).status_code == 403
    assert client.get(admin_url("detail", event.pk)).status_code == 403
    assert client.post(admin_url("detail", event.pk), {"action": "outcome"}).status_code == 403
    assert admin_url("index") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_admin_records_attendance_notes_an_idea_and_a_code(client, staff, workshop):
    came = register(workshop, "Ilze Auziņa", "ilze@example.org", attended=False)
    register(workshop, "Oskars Grava", "oskars@example.org", attended=False)
    client.force_login(staff)
    url = admin_url("detail", workshop.pk)

    response = client.post(url, {"action": "attendance", "attended": [came.pk]}, follow=True)
    assert "Attendance is saved: 1 attended." in response.content.decode()
    came.refresh_from_db()
    assert came.attended

    response = client.post(url, {"action": "outcome", "outcome-notes": "Shade for playgrounds."})
    assert response.status_code == 302 and workshops.outcome_of(workshop).notes == "Shade for playgrounds."

    fields = {
        "action": "idea",
        "idea-registration": came.pk,
        "idea-credited_to": "Ilze Auziņa",
        "idea-title": "Shade sails over the sandpit",
        "idea-summary": "Sails give the little ones shade.",
        "idea-description": "The sandpit is in full sun all afternoon.",
        "idea-category": Category.objects.filter(locale__language_code="lv").first().pk,
        "idea-area": Area.objects.filter(locale__language_code="lv").first().pk,
        "idea-estimated_cost": "3000",
    }
    refused = client.post(url, fields)
    assert refused.status_code == 400
    assert "Ask the attendee for their consent first" in refused.content.decode()
    assert "Shade sails over the sandpit" in refused.content.decode()  # nothing typed is lost
    response = client.post(url, {**fields, "idea-consent": "on"})
    assert response.status_code == 302
    idea = Idea.objects.get(workshop=workshop)
    assert (idea.credited_to, idea.entered_by, idea.status) == ("Ilze Auziņa", staff, "submitted")

    [code] = make_batch(workshop.budget_round, 1, "Workshop")
    not_listed = client.post(url, {"action": "code", "code-code": code, "code-personal_code": PERSON})
    assert not_listed.status_code == 400 and "not on the municipality" in not_listed.content.decode()
    on_census(PERSON)
    response = client.post(
        url, {"action": "code", "code-code": code, "code-personal_code": PERSON}, follow=True
    )
    page = response.content.decode()
    assert "The voting code is handed out at this workshop" in page
    assert PERSON not in page and PERSON.replace("-", "") not in page
    assert VotingCode.objects.get(code_hash=keys.code_hash(code)).workshop_id == workshop.pk


def test_the_admin_answers_bad_input_with_400_not_500(client, staff, workshop):
    client.force_login(staff)
    url = admin_url("detail", workshop.pk)
    assert client.post(url, {"action": "attendance", "attended": ["x"]}).status_code == 400
    assert client.post(url, {"action": "outcome", "outcome-notes": "a\x00b"}).status_code == 400
    long = client.post(url, {"action": "code", "code-code": "A" * 500, "code-personal_code": "1"})
    assert long.status_code == 400
    assert client.get(admin_url("detail", 999999)).status_code == 404
    assert client.post(url, {"action": "unknown"}).status_code == 302


# Public pages ---------------------------------------------------------------------------------------------


def test_registering_while_logged_in_keeps_the_account(client, event_index_lv, workshop_round):
    upcoming = _workshop(event_index_lv, workshop_round, days_ahead=5, slug="next-think-tank")
    resident = verified_resident("registrant", email="registrant@example.org")
    client.force_login(resident)
    form = {"name": "Reģistrants", "email": "registrant@example.org", "consent": "on"}
    client.post(upcoming.url + "register/", form)
    client.logout()
    client.post(upcoming.url + "register/", {**form, "email": "guest@example.org"})
    accounts = dict(EventRegistration.objects.filter(event=upcoming).values_list("email", "user"))
    assert accounts == {"registrant@example.org": resident.pk, "guest@example.org": None}


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("lv", None),
        ("en", ("Agenda", "Facilitator", "What the workshop produced", "Voting codes handed out")),
    ],
)
def test_the_event_page_shows_the_agenda_round_and_outcomes(client, language, labels):
    original = demo_workshop()
    page = original if language == "lv" else original.get_translation(_locale("en"))
    html = client.get(page.url).content.decode()
    texts = DEMO_PAGE[language]
    for item in texts["agenda"].splitlines():
        assert f"<li>{escape(item)}</li>" in html
    assert texts["facilitator"] in html
    round_page = workshops.round_page_for(page)
    assert round_page.locale == page.locale and f'href="{round_page.url}"' in html
    outcome = workshops.outcome_of(original)
    assert outcome.attended >= 4 and outcome.codes_handed_out == 1 and len(outcome.ideas) == 1
    idea = outcome.ideas[0]
    with translation.override(language):
        assert f'href="{idea.get_absolute_url()}"' in html
    assert "Daugavu" in html  # the notes, written once
    if labels:
        for label in labels:
            assert label in html
        assert f"{outcome.attended} residents" in html
        assert 'lang="lv"' in html.split("workshop-outcome__notes")[1][:40]
    # Who received a code is never shown: neither the holder's name nor their e-mail.
    assert "resident2@kekava.example" not in html


def _locale(code):
    from wagtail.models import Locale

    return Locale.objects.get(language_code=code)


def test_before_a_workshop_its_page_shows_no_outcomes(client, event_index_lv, workshop_round):
    upcoming = _workshop(event_index_lv, workshop_round, days_ahead=5, slug="soon-think-tank")
    html = client.get(upcoming.url).content.decode()
    assert "<li>18:30 Group work</li>" in html and "Dace Priede" in html
    assert "What the workshop produced" not in html and "Darbnīcas rezultāti" not in html


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_round_page_lists_its_workshops_with_their_outcomes(client, language):
    original = demo_workshop()
    event = original if language == "lv" else original.get_translation(_locale("en"))
    round_page = workshops.round_page_for(event)
    html = client.get(round_page.url).content.decode()
    section = html.split('class="round-workshops"')[1]
    assert event.title in section and f'href="{event.url}"' in section
    assert event.venue_name in section
    other_language = DEMO_PAGE["en" if language == "lv" else "lv"]["title"]
    assert other_language not in section
    if language == "en":
        outcome = workshops.outcome_of(original)
        assert f"{outcome.attended} attended · 1 idea proposed · 1 voting code handed out" in section


def test_a_round_without_workshops_shows_no_workshop_section(client, home_lv):
    from ideas.models import BudgetRoundPage

    budget_round = round_in_phase(Phase.SUPPORT, name="No workshops")
    page = BudgetRoundPage(
        title="Bez darbnīcām", slug="bez-darbnicam", intro="<p>x</p>", budget_round=budget_round
    )
    home_lv.add_child(instance=page)
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "round-workshops" not in html


def test_the_idea_credit_names_the_attendee_and_links_the_workshop_in_the_language():
    original = demo_workshop()
    idea = Idea.objects.get(workshop=original)
    template = Template("{% load workshop_tags %}{% workshop_credit idea %}")
    with translation.override("en"):
        english = template.render(Context({"idea": idea}))
    with translation.override("lv"):
        latvian = template.render(Context({"idea": idea}))
    english_page = original.get_translation(_locale("en"))
    assert english.startswith("Ilze Auziņa at the workshop")
    assert f'<a href="{english_page.url}">{english_page.title}</a>' in english
    assert f'href="{original.url}"' in latvian
    ordinary = Idea.objects.filter(workshop__isnull=True).first()
    assert template.render(Context({"idea": ordinary})) == ""


# Demo -----------------------------------------------------------------------------------------------------


def test_the_demo_workshop_is_complete_and_loads_again_without_duplicates():
    original = demo_workshop()
    assert original.budget_round == demo_round() and original.end < timezone.now()
    assert original.start < demo_round().review_starts
    assert original.get_translation(_locale("en")).live
    assert (
        EventIndexPage.objects.get(locale__language_code="en")
        .get_children()
        .filter(slug=DEMO_PAGE["en"]["slug"])
        .exists()
    )
    idea = Idea.objects.get(workshop=original)
    assert idea.consent_recorded_at and idea.credited_to and idea.is_public
    emails = list(original.registrations.values_list("email", flat=True))
    assert all(re.search(r"@(example\.org|kekava\.example)$", email) for email in emails)

    def counts():
        return (
            original.registrations.count(),
            Idea.objects.filter(workshop=original).count(),
            VotingCode.objects.filter(round=demo_round()).count(),
            WorkshopOutcome.objects.count(),
            EventPage.objects.count(),
        )

    before = counts()
    load_workshops_demo(demo_round())
    assert counts() == before


def test_a_new_staff_member_without_the_group_is_refused(workshop):
    plain_staff = UserFactory(username="plain-staff", is_staff=True)
    with pytest.raises(Refused):
        workshops.record_outcome(plain_staff, workshop, "Notes")
