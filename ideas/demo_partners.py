"""Demo businesses backing ideas (corporate social responsibility): the partners page in both languages, two
verified organisations and one waiting for verification, their declared interests and pledges in every state on
the open round's ideas; loaded by ideas/demo.py through the services (ideas/partners/). Idempotent. The names,
registration numbers and texts are made up."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from ideas.demo_ideas import IDEAS
from ideas.models import (
    DeclaredInterest,
    Idea,
    Organisation,
    PartnersPage,
    Pledge,
    Representative,
    ResidentProfile,
)
from ideas.partners.organisations import register_organisation, verify_organisation
from ideas.partners.pledges import (
    confirm_pledge,
    declare_interest,
    decline_pledge,
    fulfil_pledge,
    offer_pledge,
    review_interest,
    withdraw_pledge,
)

# key, name, registration number, representative's username (None: a made-up person without login),
# verified?, public fields
ORGANISATIONS = [
    (
        "velo",
        "SIA Zaļais Ritenis",
        "40103900011",
        "business",
        True,
        {
            "website": "https://zalais-ritenis.example",
            "description": "Velosipēdu darbnīca un noma Ķekavā. Atbalstām drošus veloceliņus un velonovietnes.",
            "contact_name": "Laura Ozoliņa",
            "contact_email": "laura@zalais-ritenis.example",
            "contact_phone": "+371 20000001",
            "interests": "Velosipēdu noma un remonts Ķekavas centrā.",
        },
    ),
    (
        "koki",
        "AS Daugavas Kokaudzētava",
        "40003900022",
        "kokaudzetava",
        True,
        {
            "website": "https://kokaudzetava.example",
            "description": "Koku un krūmu audzētava. Dāvinām stādus un stādām kopā ar iedzīvotājiem.",
            "contact_name": "Mārtiņš Kalniņš",
            "contact_email": "martins@kokaudzetava.example",
            "interests": "Stādu tirdzniecība pašvaldībai un iedzīvotājiem.",
        },
    ),
    (
        "buve",
        "SIA Baložu Būve",
        "40203900033",
        "balozu-buve",
        False,
        {
            "website": "https://balozu-buve.example",
            "description": "Ceļu un laukumu būvniecība Pierīgā.",
            "contact_name": "Andris Bērziņš",
            "contact_email": "andris@balozu-buve.example",
            "interests": "Būvdarbi pašvaldības iepirkumos.",
            "conflicts": "Uzņēmums piedalās pašvaldības ceļu remonta iepirkumos.",
        },
    ),
]


def _representative(username, display_name):
    """The account that acts for a demo organisation: the "business" login, or a made-up person."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        if username == "business":
            return None  # demo logins are off with these settings
        user = user_model.objects.create(username=username, email=f"{username}@kekava.example")
        user.set_unusable_password()
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    ResidentProfile.objects.get_or_create(
        user=user,
        defaults={
            "display_name": display_name,
            "privacy_consent_at": timezone.now(),
            "preferred_language": "lv",
        },
    )
    return user


def demo_organisations():
    """The demo organisations by key (created and verified through the services when missing)."""
    organisations = {}
    for key, name, number, username, verified, fields in ORGANISATIONS:
        organisation = Organisation.objects.filter(registration_number=number).first()
        representative = _representative(username, fields["contact_name"])
        if organisation is None:
            organisation = register_organisation(
                representative, name=name, registration_number=number, **fields
            )
            if verified:
                verify_organisation(None, organisation)
        if representative is not None:
            Representative.objects.get_or_create(organisation=organisation, user=representative)
        organisations[key] = organisation
    return organisations


PARTNERS_PAGE = {
    "lv": {
        "title": "Partneri",
        "slug": "partneri",
        "intro": "<p>Uzņēmumi un organizācijas atbalsta iedzīvotāju idejas ar naudu, materiāliem vai brīvprātīgo "
        "darba stundām. Katru solījumu pašvaldība apstiprina, un apstiprinātā nauda samazina idejas izmaksas "
        "pašvaldības budžetam. Uzņēmumi nebalso un neatbalsta ideju sarakstā; to pārstāvji kā iedzīvotāji "
        "saglabā savas tiesības.</p>",
    },
    "en": {
        "title": "Partners",
        "slug": "partners",
        "intro": "<p>Businesses and organisations back residents' ideas with money, materials or volunteer hours. "
        "The municipality confirms each pledge, and confirmed money lowers what an idea costs the public "
        "budget. Businesses never vote or support ideas; their representatives keep their own rights as "
        "residents.</p>",
    },
}

# Interests the demo organisations declared: (organisation, idea code, kind, description, review) where review
# is None (waiting for staff) or (decision, reason).
INTERESTS = [
    (
        "koki",
        "lindens-school",
        "supplier",
        "Audzētava pārdod liepu stādus, un pašvaldība tos var iepirkt arī šai alejai.",
        (
            "cleared",
            "Stādus pašvaldība iepirks atklātā konkursā; uzņēmuma dāvinātie stādi ar iepirkumu nav saistīti.",
        ),
    ),
    (
        "velo",
        "repair-cafe",
        "supplier",
        "Varētu par samaksu piegādāt velosipēdu remonta darbarīkus labošanas kafejnīcai.",
        None,
    ),
]

# Pledges on the open round's ideas, one in every state: (organisation, idea code, kind, amount, hours,
# description, steps), each step (state, reason) taken by the system after the offer.
PLEDGES = [
    ("velo", "bike-parking-station", "money", "3000", 0, "", [("confirmed", "Ziedojuma līgums parakstīts.")]),
    ("velo", "cycle-path-balozi-riga", "money", "5000", 0, "", []),
    (
        "velo",
        "school-street",
        "volunteering",
        "0",
        30,
        "Velomeistari rīta stundās palīdz bērniem salabot velosipēdus un māca drošu braukšanu.",
        [("confirmed", "")],
    ),
    (
        "velo",
        "dog-park-baldone",
        "money",
        "1500",
        0,
        "",
        [("withdrawn", "Uzņēmums šogad atbalstu novirza veloceliņiem.")],
    ),
    (
        "koki",
        "lindens-school",
        "in_kind",
        "2400",
        0,
        "20 liepu stādi (3 m augsti) ar piegādi un stādīšanu.",
        [("confirmed", "")],
    ),
    (
        "koki",
        "tree-nursery-kids",
        "in_kind",
        "600",
        0,
        "200 kociņu stādi un augsne skolēnu audzētavai.",
        [("confirmed", ""), ("fulfilled", "Stādi nodoti skolai.")],
    ),
    (
        "koki",
        "flower-meadow-baldone",
        "money",
        "2000",
        0,
        "",
        [("declined", "Pļavas sēklas pašvaldība jau iepirkusi; lūdzam piedāvāt talkas stundas.")],
    ),
    (
        "koki",
        "flower-meadow-baldone",
        "volunteering",
        "0",
        40,
        "Darbinieku talka pļavas sēšanai un pirmajai pļaušanai.",
        [],
    ),
]


def _load_partners_page(home_lv, en):
    """The partners page under the Latvian home page, and its English translation; both in the menus."""
    page = PartnersPage.objects.child_of(home_lv).filter(slug=PARTNERS_PAGE["lv"]["slug"]).first()
    if page is None:
        page = PartnersPage(show_in_menus=True, locale=home_lv.locale, **PARTNERS_PAGE["lv"])
        home_lv.add_child(instance=page)
        page.save_revision().publish()
    if page.get_translation_or_none(en) is None:
        english = page.copy_for_translation(en)
        english.title, english.slug, english.intro = (
            PARTNERS_PAGE["en"][key] for key in ("title", "slug", "intro")
        )
        english.show_in_menus = True
        english.save_revision().publish()
    return page


def _demo_ideas(budget_round):
    """The open round's demo ideas by their code in ideas/demo_ideas.py (matched by title)."""
    titles = {row[0]: row[7] for row in IDEAS}
    by_title = {idea.title: idea for idea in Idea.objects.filter(round=budget_round)}
    return {code: by_title[title] for code, title in titles.items() if title in by_title}


STEPS = {"confirmed": confirm_pledge, "fulfilled": fulfil_pledge, "withdrawn": withdraw_pledge}


def load_partners_demo(home_lv, en, budget_round):
    """The partners page in both languages and the demo organisations with pledges on the open round's ideas,
    in every state, and declared interests (one waiting, one cleared); all through the services as the system
    (user=None). The organisation waiting for verification has none: it cannot pledge. Idempotent."""
    _load_partners_page(home_lv, en)
    organisations = demo_organisations()
    ideas = _demo_ideas(budget_round)
    for key, code, kind, description, review in INTERESTS:
        idea = ideas.get(code)
        if (
            idea is None
            or DeclaredInterest.objects.filter(organisation=organisations[key], idea=idea).exists()
        ):
            continue
        interest = declare_interest(None, organisations[key], idea, kind=kind, description=description)
        if review is not None:
            decision, reason = review
            review_interest(None, interest, decision=decision, reason=reason)
    for key, code, kind, amount, hours, description, steps in PLEDGES:
        idea = ideas.get(code)
        organisation = organisations[key]
        if idea is None or Pledge.objects.filter(organisation=organisation, idea=idea, kind=kind).exists():
            continue
        pledge = offer_pledge(
            None, organisation, idea, kind=kind, amount=amount, hours=hours, description=description
        )
        for state, reason in steps:
            if state == "declined":
                decline_pledge(None, pledge, reason)
            else:
                STEPS[state](None, pledge, reason)
