"""Demo participation data (areas, categories, the round "Zaļāka apkaime 2026", its page, reason templates,
residents' ideas), loaded by the one demo command, home/management/commands/load_demo.py. Idempotent."""

import datetime
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from home.demo_content import DEMO_USERS
from home.models import Department
from ideas.demo_delivery import load_delivery_demo
from ideas.demo_ideas import ASSESSMENTS, COMMENTS, DEMO_RESIDENTS, IDEAS
from ideas.demo_partners import load_partners_demo
from ideas.demo_results import PAGE as PAST_ROUND_PAGE
from ideas.demo_results import load_past_round
from ideas.demo_workshops import load_workshops_demo
from ideas.legal_minimum import enter_tax_revenue
from ideas.models import (
    Area,
    AreaBudget,
    BudgetRound,
    BudgetRoundPage,
    Category,
    Comment,
    Idea,
    PollingPlace,
    ReasonTemplate,
    ResidentProfile,
    StatusChange,
    Support,
    TaxRevenue,
)
from ideas.statuses import Status
from ideas.voting import ballot_box

AREAS = [
    ("kekava", "Ķekava", "Ķekava"),
    ("balozi", "Baloži", "Baloži"),
    ("baldone", "Baldone", "Baldone"),
    ("kekavas-pagasts", "Ķekavas pagasts", "Ķekava parish"),
    ("baldones-pagasts", "Baldones pagasts", "Baldone parish"),
    ("daugmales-pagasts", "Daugmales pagasts", "Daugmale parish"),
]

CATEGORIES = [
    (
        "green-mobility",
        "Zaļā mobilitāte",
        "Green mobility",
        "Ietves, veloceliņi, velonovietnes, droša pārvietošanās.",
        "Footpaths, cycle paths, bicycle parking, safe ways to get around.",
    ),
    (
        "greenery",
        "Apstādījumi un daba",
        "Greenery and nature",
        "Koki, puķu pļavas, parki un upju krasti.",
        "Trees, flower meadows, parks and river banks.",
    ),
    (
        "recreation",
        "Atpūta un sports",
        "Recreation and sport",
        "Rotaļu laukumi, sporta vietas, soliņi, peldvietas.",
        "Playgrounds, sports grounds, benches, bathing spots.",
    ),
    (
        "environment",
        "Vide",
        "Environment",
        "Lietus ūdens, atkritumu šķirošana, klusums un tīrs gaiss.",
        "Rainwater, waste sorting, quiet and clean air.",
    ),
    (
        "community",
        "Kopiena",
        "Community",
        "Vietas, kur kaimiņi satiekas un darbojas kopā.",
        "Places where neighbours meet and do things together.",
    ),
]

AREA_BUDGETS = {
    "kekava": 40000,
    "balozi": 30000,
    "baldone": 25000,
    "kekavas-pagasts": 20000,
    "baldones-pagasts": 15000,
    "daugmales-pagasts": 20000,
}

ROUND_PAGE = {
    "lv": {
        "title": "Līdzdalības budžets: Zaļāka apkaime 2026",
        "slug": "zalaka-apkaime-2026",
        "intro": "<p>Iesakiet, kā padarīt savu apkaimi zaļāku, ērtāk pārvietoties bez auto vai labāk atpūsties. "
        "Pašvaldība idejas izvērtēs, un par īstenojamām balsos iedzīvotāji.</p>",
    },
    "en": {
        "title": "Participatory budget: Greener neighbourhood 2026",
        "slug": "greener-neighbourhood-2026",
        "intro": "<p>Suggest how to make your neighbourhood greener, easier to get around without a car, or "
        "better for recreation. The municipality assesses the ideas, and residents vote on those that can be "
        "carried out.</p>",
    },
}

REASONS = [
    (
        "rejected",
        "Nav pašvaldības kompetencē",
        "Not the municipality's responsibility",
        "Ideja attiecas uz zemi vai jautājumu, par ko pašvaldība nelemj.",
        "The idea concerns land or a matter the municipality does not decide on.",
    ),
    (
        "rejected",
        "Pārkāpj noteikumus",
        "Breaks the rules",
        "Idejā ir aizskarošs saturs vai reklāma.",
        "The idea contains offensive content or advertising.",
    ),
    (
        "needs_changes",
        "Trūkst vietas",
        "Location missing",
        "Lūdzu, norādiet precīzu vietu vai adresi.",
        "Please give the exact place or address.",
    ),
    (
        "needs_changes",
        "Pārsniedz izmaksu robežu",
        "Over the cost limit",
        "Aplēstās izmaksas pārsniedz vienas idejas maksimālo summu; lūdzu, samaziniet apjomu.",
        "The estimated cost is above the limit for one idea; please reduce the scope.",
    ),
    (
        "not_feasible",
        "Tehniski neiespējams",
        "Not technically possible",
        "Speciālisti secināja, ka ideju šajā vietā nevar īstenot.",
        "The specialists concluded that the idea cannot be carried out in this place.",
    ),
]


def load_participation(home_lv, lv, en):
    """Create what is missing; return the demo round."""
    areas = _translated_snippets(
        Area, [(code, lv_name, en_name, {}) for code, lv_name, en_name in AREAS], lv, en
    )
    _translated_snippets(
        Category,
        [
            (code, lv_name, en_name, {"description": (lv_text, en_text)})
            for code, lv_name, en_name, lv_text, en_text in CATEGORIES
        ],
        lv,
        en,
    )
    for kind, lv_title, en_title, lv_text, en_text in REASONS:
        reason = ReasonTemplate.objects.filter(locale=lv, title=lv_title).first()
        if reason is None:
            reason = ReasonTemplate.objects.create(locale=lv, kind=kind, title=lv_title, text=lv_text)
        if reason.get_translation_or_none(en) is None:
            english = reason.copy_for_translation(en)
            english.title, english.text = en_title, en_text
            english.save()
    budget_round = _load_round(areas)
    _load_round_page(home_lv, budget_round, en)
    residents = _load_residents(areas)
    _load_ideas(budget_round, residents)
    past_round = load_past_round()
    _load_round_page(home_lv, past_round, en, texts=PAST_ROUND_PAGE, show_in_menus=False)
    load_delivery_demo(home_lv, en, past_round)
    load_partners_demo(home_lv, en, budget_round)
    load_workshops_demo(budget_round)
    _load_tax_revenue()
    return budget_round


# Made-up yearly revenue (EUR) of personal income tax and real estate tax, of the order of a municipality of
# Ķekava's size, so that rounds show the legal minimum (ideas/legal_minimum.py).
DEMO_TAX_REVENUE = {
    0: ("41200000", "5100000"),
    1: ("39800000", "4900000"),
    2: ("37500000", "4700000"),
    3: ("35100000", "4600000"),
}


def _load_tax_revenue():
    """Four years of revenue up to this year: enough for rounds voting this year or next."""
    this_year = timezone.localdate().year
    for years_ago, (income_tax, property_tax) in DEMO_TAX_REVENUE.items():
        year = this_year - years_ago
        if not TaxRevenue.objects.filter(year=year).exists():
            enter_tax_revenue(
                None,
                year=year,
                personal_income_tax=Decimal(income_tax),
                real_estate_tax=Decimal(property_tax),
                source="Demo",
            )


def _translated_snippets(model, rows, lv, en):
    by_code = {}
    for code, lv_name, en_name, extra in rows:
        latvian = model.objects.filter(locale=lv, code=code).first()
        lv_extra = {field: values[0] for field, values in extra.items()}
        if latvian is None:
            latvian = model.objects.create(locale=lv, code=code, name=lv_name, **lv_extra)
        if latvian.get_translation_or_none(en) is None:
            english = latvian.copy_for_translation(en)
            english.name = en_name
            for field, values in extra.items():
                setattr(english, field, values[1])
            english.save()
        by_code[code] = latvian
    return by_code


def _load_round(areas):
    budget_round = BudgetRound.objects.filter(name="Zaļāka apkaime 2026").first()
    if budget_round is not None:
        return budget_round
    # Dates around the day the demo is loaded, so the round is in its support phase.
    today = timezone.localdate()

    def at(days):
        return timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(9))
        )

    budget_round = BudgetRound(
        name="Zaļāka apkaime 2026",
        total_budget=Decimal(sum(AREA_BUDGETS.values())),
        max_cost_per_idea=Decimal("40000"),
        submission_starts=at(-80),
        review_starts=at(-35),
        support_starts=at(-9),
        voting_starts=at(15),
        results_published=at(45),
        implementation_starts=at(100),
        minimum_supports=5,
    )
    budget_round.area_budgets = [
        AreaBudget(area=areas[code], amount=Decimal(amount)) for code, amount in AREA_BUDGETS.items()
    ]
    budget_round.polling_places = [PollingPlace(name="Ķekavas novada pašvaldība, Gaismas iela 19")]
    budget_round.save()
    _demo_counting_keys(budget_round)
    return budget_round


def _demo_counting_keys(budget_round):
    """The demo's key ceremony: the private key goes to var/ (never into the database), so that a developer can
    count the demo round after moving its dates (`manage.py count_round ID --key-file FILE`)."""
    private_key = ballot_box.make_counting_keys(budget_round, None)
    folder = Path(settings.BASE_DIR) / "var"
    folder.mkdir(exist_ok=True)
    (folder / f"demo-counting-key-round-{budget_round.pk}.txt").write_text(
        private_key + "\n", encoding="utf-8"
    )


def _load_round_page(home_lv, budget_round, en, texts=ROUND_PAGE, show_in_menus=True):
    page = BudgetRoundPage.objects.child_of(home_lv).filter(slug=texts["lv"]["slug"]).first()
    if page is None:
        page = BudgetRoundPage(
            title=texts["lv"]["title"],
            slug=texts["lv"]["slug"],
            intro=texts["lv"]["intro"],
            budget_round=budget_round,
            show_in_menus=show_in_menus,
            locale=home_lv.locale,
        )
        home_lv.add_child(instance=page)
        page.save_revision().publish()
    if page.get_translation_or_none(en) is None:
        english = page.copy_for_translation(en)
        english.title, english.slug, english.intro = (texts["en"][key] for key in ("title", "slug", "intro"))
        english.save_revision().publish()
    return page


# The way each demo status was reached, with who took each step (for the public history).
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: [(Status.SUBMITTED, "author")],
    Status.NEEDS_CHANGES: [(Status.SUBMITTED, "author"), (Status.NEEDS_CHANGES, "moderator")],
    Status.REJECTED: [(Status.SUBMITTED, "author"), (Status.REJECTED, "moderator")],
    Status.PUBLISHED: [(Status.SUBMITTED, "author"), (Status.PUBLISHED, "moderator")],
    Status.MERGED: [
        (Status.SUBMITTED, "author"),
        (Status.PUBLISHED, "moderator"),
        (Status.MERGED, "moderator"),
    ],
    Status.UNDER_ASSESSMENT: [
        (Status.SUBMITTED, "author"),
        (Status.PUBLISHED, "moderator"),
        (Status.UNDER_ASSESSMENT, "staff"),
    ],
    Status.FEASIBLE: [
        (Status.SUBMITTED, "author"),
        (Status.PUBLISHED, "moderator"),
        (Status.UNDER_ASSESSMENT, "staff"),
        (Status.FEASIBLE, "staff"),
    ],
    Status.NOT_FEASIBLE: [
        (Status.SUBMITTED, "author"),
        (Status.PUBLISHED, "moderator"),
        (Status.UNDER_ASSESSMENT, "staff"),
        (Status.NOT_FEASIBLE, "staff"),
    ],
}


# Made-up personal codes of the demo's residents with logins: on the demo census list and confirmed as staff
# would in person, so that they can vote once the 2026 round's voting opens.
DEMO_PERSONAL_CODES = {"resident": ("150385-10001", 1985), "resident2": ("020791-10002", 1991)}


def _confirm_demo_voters(residents, areas):
    """Put the demo residents with logins on the census list and link their made-up persons to them."""
    from ideas.models import CensusEntry
    from ideas.voting import keys
    from ideas.voting.identity import link_person

    home_areas = {username: area for username, _name, area in DEMO_RESIDENTS}
    staff = get_user_model().objects.filter(username="moderator").first()
    if staff is None:
        return
    for username, (personal_code, birth_year) in DEMO_PERSONAL_CODES.items():
        user = residents.get(username)
        if user is None:
            continue
        CensusEntry.objects.get_or_create(
            person_key=keys.person_key(personal_code),
            defaults={"area": areas[home_areas[username]], "birth_year": birth_year},
        )
        link_person(
            user.resident_profile,
            personal_code,
            birth_year=birth_year,
            method=ResidentProfile.Residency.IN_PERSON,
            actor=staff,
            reason="demo",
        )


def _load_residents(areas):
    """Verified demo residents with profiles; "resident" and "resident2" have logins (see README)."""
    user_model = get_user_model()
    login_users = {username for username, *_rest in DEMO_USERS}
    residents = {}
    for username, display_name, area_code in DEMO_RESIDENTS:
        if username in login_users:
            # Created with a password by the demo command only where settings allow demo logins.
            user = user_model.objects.filter(username=username).first()
            if user is None:
                continue
        else:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@kekava.example", "first_name": display_name},
            )
            if created:
                user.set_unusable_password()
                user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        ResidentProfile.objects.get_or_create(
            user=user,
            defaults={
                "display_name": display_name,
                "area": areas[area_code],
                "privacy_consent_at": timezone.now(),
                "preferred_language": "en" if username == "emily" else "lv",
            },
        )
        residents[username] = user
    _confirm_demo_voters(residents, areas)
    moderator = user_model.objects.filter(username="moderator").first()
    if moderator:
        EmailAddress.objects.get_or_create(
            user=moderator, email=moderator.email, defaults={"verified": True, "primary": True}
        )
        ResidentProfile.objects.get_or_create(
            user=moderator, defaults={"display_name": "Ķekavas novada pašvaldība", "preferred_language": "lv"}
        )
        residents["moderator"] = moderator
    return residents


def _load_ideas(budget_round, residents):
    if Idea.objects.filter(round=budget_round).exists():
        return
    authors = [user for name, user in residents.items() if name != "moderator"]
    categories = {c.code: c for c in Category.objects.filter(locale__language_code="lv")}
    areas = {a.code: a for a in Area.objects.filter(locale__language_code="lv")}
    department = Department.objects.filter(locale__language_code="lv").first()
    ideas = {}
    for number, row in enumerate(IDEAS):
        code, area, category, status, cost, place, language, title, summary, description, extra = row
        extra = dict(extra)
        merged_into = ideas.get(extra.pop("merged_into", None))
        idea = Idea.objects.create(
            round=budget_round,
            author=authors[number % len(authors)],
            title=title,
            summary=summary,
            description=description,
            category=categories[category],
            area=areas[area],
            estimated_cost=Decimal(cost),
            latitude=Decimal(str(place[0])) if place else None,
            longitude=Decimal(str(place[1])) if place else None,
            language=language,
            status=status,
            merged_into=merged_into,
            published_at=budget_round.review_starts
            if status not in {"draft", "submitted", "needs_changes"}
            else None,
            submitted_at=budget_round.submission_starts + datetime.timedelta(days=number)
            if status != "draft"
            else None,
            **extra,
        )
        if code in ASSESSMENTS:
            official_cost, explanation = ASSESSMENTS[code]
            idea.official_cost = Decimal(official_cost) if official_cost else None
            idea.assessment = explanation
            idea.responsible_department = department
            idea.save()
        for step, (to_status, role) in enumerate(PATHS[Status(status)]):
            previous = PATHS[Status(status)][step - 1][0] if step else Status.DRAFT
            StatusChange.objects.create(
                idea=idea,
                from_status=previous,
                to_status=to_status,
                role=role,
                reason=idea.status_reason if to_status == status else "",
            )
        ideas[code] = idea
        if idea.status in {"published", "under_assessment", "feasible"}:
            supporters = authors[: 1 + (len(title) % len(authors))]
            Support.objects.bulk_create([Support(idea=idea, user=user) for user in supporters])
    _load_comments(ideas, residents)


def _load_comments(ideas, residents):
    first_comment = {}
    for code, username, text, kind in COMMENTS:
        comment = Comment.objects.create(
            idea=ideas[code],
            author=residents.get(username),
            text=text,
            parent=first_comment.get(code) if kind == "reply" else None,
            is_official=kind == "official",
        )
        first_comment.setdefault(code, comment)
