"""Demo participation data (areas, categories, the round "Zaļāka apkaime 2026", its page, reason templates,
residents' ideas), loaded by the one demo command, home/management/commands/load_demo.py. Idempotent."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ideas.models import Area, AreaBudget, BudgetRound, BudgetRoundPage, Category, ReasonTemplate

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
    return budget_round


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
    budget_round.save()
    return budget_round


def _load_round_page(home_lv, budget_round, en):
    page = BudgetRoundPage.objects.child_of(home_lv).filter(slug=ROUND_PAGE["lv"]["slug"]).first()
    if page is None:
        page = BudgetRoundPage(
            title=ROUND_PAGE["lv"]["title"],
            slug=ROUND_PAGE["lv"]["slug"],
            intro=ROUND_PAGE["lv"]["intro"],
            budget_round=budget_round,
            show_in_menus=True,
            locale=home_lv.locale,
        )
        home_lv.add_child(instance=page)
        page.save_revision().publish()
    if page.get_translation_or_none(en) is None:
        english = page.copy_for_translation(en)
        english.title, english.slug, english.intro = (
            ROUND_PAGE["en"][key] for key in ("title", "slug", "intro")
        )
        english.save_revision().publish()
    return page
