"""Demo budget think-tank workshop with its outcomes, loaded by ideas/demo.py. Idempotent.

One workshop page (Latvian original, English translation) under each language's event index, linked to the open
demo round and held while the round took ideas, so that it has outcomes: registrations (made-up people, and the
"resident2" login when the demo has logins), attendance, notes, an idea entered for an attendee with her consent
(then published as a moderator would), and a voting code handed out to a person on the census list. Everything
after the page itself goes through the services in ideas/workshops.py, as the system (user=None).
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from home.models import EventIndexPage, EventPage, EventRegistration
from ideas import workshops
from ideas.models import Area, Category, CensusEntry, Idea, StatusChange, VotingCode
from ideas.services import change_status
from ideas.statuses import Status
from ideas.voting import codes, keys

PAGE = {
    "lv": {
        "title": "Budžeta domnīca: Zaļāka apkaime 2026",
        "slug": "budzeta-domnica-zalaka-apkaime-2026",
        "lead": "Iedzīvotāji kopā ar pašvaldības speciālistiem apsprieda līdzdalības budžetu un izstrādāja "
        "idejas zaļākai apkaimei.",
        "venue_name": "Ķekavas novada pašvaldība, sēžu zāle",
        "venue_address": "Gaismas iela 19, Ķekava, LV-2123",
        "facilitator": "Dace Priede, attīstības plānotāja",
        "agenda": "18:00 Ievads: kā darbojas līdzdalības budžets\n"
        "18:20 Darbs grupās: zaļā mobilitāte, apstādījumi, atpūta\n"
        "19:15 Grupu idejas un to aptuvenās izmaksas\n"
        "19:45 Balsošanas kodi un nākamie soļi",
    },
    "en": {
        "title": "Budget think-tank: Greener neighbourhood 2026",
        "slug": "budget-think-tank-greener-neighbourhood-2026",
        "lead": "Residents and the municipality's specialists discussed the participatory budget and worked out "
        "ideas for a greener neighbourhood.",
        "venue_name": "Ķekava Municipality, council hall",
        "venue_address": "Gaismas iela 19, Ķekava, LV-2123",
        "facilitator": "Dace Priede, development planner",
        "agenda": "18:00 Welcome: how the participatory budget works\n"
        "18:20 Group work: green mobility, greenery, recreation\n"
        "19:15 The groups' ideas and their rough costs\n"
        "19:45 Voting codes and next steps",
    },
}

# (name, e-mail, language, attended?) of made-up registrants; the "resident2" login is added when it exists.
REGISTRANTS = [
    ("Ilze Auziņa", "ilze.auzina@example.org", "lv", True),
    ("Roberts Dreimanis", "roberts.dreimanis@example.org", "lv", True),
    ("Marta Siliņa", "marta.silina@example.org", "lv", True),
    ("Oskars Grava", "oskars.grava@example.org", "lv", False),
    ("Sarah Miller", "sarah.miller@example.org", "en", True),
]
CODE_HOLDER = "resident2"  # a demo login on the census list (ideas/demo.py DEMO_PERSONAL_CODES)
CODE_BATCH = "Budžeta domnīca 2026"

NOTES = (
    "Piedalījās iedzīvotāji no Ķekavas un Baložiem. Grupas visvairāk runāja par drošu ceļu uz skolu ar "
    "velosipēdu, par ēnu rotaļu laukumos un par soliņiem gar Daugavu.\n\n"
    "Vienu ideju pašvaldība iesniedza uzreiz dalībnieces vārdā (ar viņas piekrišanu); pārējās dalībnieki "
    "iesniegs paši līdz pieteikšanās beigām."
)

IDEA = {
    "registrant": "ilze.auzina@example.org",
    "credited_to": "Ilze Auziņa",
    "title": "Segta velonovietne pie Ķekavas sākumskolas",
    "summary": "Jumts un 40 vietas velosipēdiem, lai bērni var droši atstāt riteņus arī lietū.",
    "description": "Pie sākumskolas velosipēdi tagad stāv zālē un lietū samirkst. Segta novietne ar rāmjiem, "
    "pie kuriem var piesiet riteni, mudinātu vairāk bērnu braukt uz skolu ar velosipēdu.",
    "category": "green-mobility",
    "area": "kekava",
    "estimated_cost": Decimal("6500"),
}


def load_workshops_demo(budget_round):
    """A workshop on the open round: registrations, attendance, notes, an idea entered there, a code handed
    out. Returns the Latvian original."""
    event = _workshop_page(budget_round)
    if event is None:
        return None
    registrations = _registrations(event)
    if not workshops.outcome_of(event).notes:
        workshops.record_outcome(None, event, NOTES)
    attended = [registration.pk for registration in registrations if registration.attended]
    if not any(registration.attended for registration in event.registrations.all()):
        workshops.set_attendance(None, event, attended)
    _idea(event, registrations)
    _code(event)
    return event


def _workshop_page(budget_round):
    index_lv = EventIndexPage.objects.filter(locale__language_code="lv").first()
    index_en = EventIndexPage.objects.filter(locale__language_code="en").first()
    if index_lv is None:
        return None
    event = EventPage.objects.child_of(index_lv).filter(slug=PAGE["lv"]["slug"]).first()
    if event is None:
        # Held while the round took ideas, ten days before submission closed, at 18:00 local time.
        day = timezone.localtime(budget_round.review_starts - datetime.timedelta(days=10)).date()
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(18)))
        event = EventPage(
            locale=index_lv.locale,
            kind=EventPage.Kind.WORKSHOP,
            audience=EventPage.Audience.EVERYONE,
            start=start,
            end=start + datetime.timedelta(hours=2),
            capacity=30,
            budget_round=budget_round,
            **PAGE["lv"],
        )
        index_lv.add_child(instance=event)
        event.save_revision().publish()
    if index_en is not None and event.get_translation_or_none(index_en.locale) is None:
        english = event.copy_for_translation(index_en.locale)
        for name, value in PAGE["en"].items():
            setattr(english, name, value)
        english.budget_round = budget_round
        english.save()
        english.save_revision().publish()
    return event


def _registrations(event):
    """The registrations, created once; the moment they were made is set a week before the workshop."""
    people = [(name, email, language, attended, None) for name, email, language, attended in REGISTRANTS]
    holder = get_user_model().objects.filter(username=CODE_HOLDER).first()
    if holder is not None:
        profile = getattr(holder, "resident_profile", None)
        name = profile.display_name if profile else holder.get_username()
        people.append((name, holder.email, "lv", True, holder))
    registrations = []
    for name, email, language, attended, user in people:
        registration, created = EventRegistration.objects.get_or_create(
            event=event,
            email=email,
            defaults={"name": name, "language": language, "user": user},
        )
        if created:
            EventRegistration.objects.filter(pk=registration.pk).update(
                created_at=event.start - datetime.timedelta(days=7)
            )
        registration.attended = attended  # what set_attendance is told, on the first load
        registrations.append(registration)
    return registrations


def _idea(event, registrations):
    """The idea entered for an attendee with her consent, then published as a moderator would."""
    if Idea.objects.filter(workshop=event).exists():
        return
    registration = next(r for r in registrations if r.email == IDEA["registrant"])
    fields = {key: value for key, value in IDEA.items() if key not in ("registrant", "credited_to")}
    fields["category"] = Category.objects.get(locale__language_code="lv", code=fields["category"])
    fields["area"] = Area.objects.get(locale__language_code="lv", code=fields["area"])
    registration.refresh_from_db()
    idea = workshops.enter_idea_for_attendee(
        None, event, registration, consent=True, credited_to=IDEA["credited_to"], **fields
    )
    change_status(idea, Status.PUBLISHED, role=StatusChange.Role.MODERATOR)


def _code(event):
    """A voting code handed out at the workshop to the demo's census person (a new one-code batch: printed
    codes exist nowhere but on paper, so the demo makes its own)."""
    if VotingCode.objects.filter(workshop=event).exists():
        return
    from ideas.demo import DEMO_PERSONAL_CODES  # here: ideas/demo.py imports this module

    personal_code, birth_year = DEMO_PERSONAL_CODES[CODE_HOLDER]
    balozi = Area.objects.filter(locale__language_code="lv", code="balozi").first()
    # The same census row ideas/demo.py puts on the list for the login (also without demo logins).
    CensusEntry.objects.get_or_create(
        person_key=keys.person_key(personal_code), defaults={"area": balozi, "birth_year": birth_year}
    )
    (code,) = codes.make_batch(event.budget_round, 1, CODE_BATCH)
    workshops.hand_out_code_at_workshop(None, event, code, personal_code)
