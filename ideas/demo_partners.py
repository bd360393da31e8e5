"""Demo businesses backing ideas (corporate social responsibility): two verified organisations and one waiting
for verification, loaded by ideas/demo.py through the services (ideas/partners/). Idempotent. The names and
registration numbers are made up."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from ideas.models import Organisation, Representative, ResidentProfile
from ideas.partners.organisations import register_organisation, verify_organisation

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


def load_partners_demo(home_lv, en, budget_round):
    """The partners page in both languages and the demo organisations with pledges on the open round's ideas,
    in every state."""
    demo_organisations()
