"""Correct Latvian everywhere (issue 9): dates after "līdz", money, one glossary of terms, and a Latvian staff admin
and sign-in pages even where Django's, Wagtail's, wagtail-localize's and allauth's own Latvian is missing or wrong
(site/locale_overrides, README "Translations")."""

import csv
import datetime
import glob
import re
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import trans_real
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from ideas.models import BudgetRound
from ideas.models.rounds import BudgetRoundPage
from ideas.text import formats

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "site" / "locale" / "glossary.csv"
CATALOGUES = [
    ROOT / "site" / "locale" / "lv" / "LC_MESSAGES" / "django.po",
    ROOT / "site" / "locale_overrides" / "lv" / "LC_MESSAGES" / "django.po",
]
NB = "\u00a0"


# --- The glossary -------------------------------------------------------------------------------------------------


def glossary():
    with GLOSSARY.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def term_pattern(english):
    return re.compile(r"\b" + re.escape(english) + r"(s|es|ed|ers?|ing)?\b", re.IGNORECASE)


def glossary_violations(entries):
    """(English term, msgid, Latvian) for every translation of a msgid with a glossary term whose Latvian lacks the
    term's Latvian stem (any inflection of it). Placeholders are not words; `except` lists other senses."""
    problems = []
    for row in glossary():
        pattern = term_pattern(row["english"])
        stems = [stem.lower() for stem in row["stems"].split("|")]
        other_senses = re.compile(row["except"], re.IGNORECASE) if row["except"] else None
        for entry in entries:
            texts = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
            texts = [re.sub(r"%\(\w+\)[sd]|\{\w+\}", " ", text) for text in texts]
            if other_senses:
                texts = [other_senses.sub(" ", text) for text in texts]
            if not any(pattern.search(text) for text in texts):
                continue
            forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
            for form in forms:
                if form and not any(stem in form.lower() for stem in stems):
                    problems.append((row["english"], entry.msgid, form))
    return problems


def test_glossary_has_the_participatory_budget_terms():
    terms = {row["english"].lower() for row in glossary()}
    for term in ["budget round", "idea", "support", "ballot", "voting code", "equal shares", "greedy", "feasible",
                 "on the ballot", "census list", "polling place", "counting key", "receipt"]:  # fmt: skip
        assert term in terms
    assert all(row["latvian"] and row["stems"] for row in glossary())


@pytest.mark.parametrize("path", CATALOGUES, ids=["site", "overrides"])
def test_catalogue_uses_the_glossary_terms(path):
    entries = [entry for entry in polib.pofile(str(path)) if not entry.obsolete]
    assert glossary_violations(entries) == []


def test_glossary_check_catches_a_second_word_for_a_term():
    greedy = polib.POEntry(msgid="Greedy", msgstr="Mantkārīgā metode")
    assert glossary_violations([greedy]) == [("greedy", "Greedy", "Mantkārīgā metode")]
    assert glossary_violations([polib.POEntry(msgid="Greedy", msgstr="Alkatīgā metode")]) == []


# --- Dates and money on the site ----------------------------------------------------------------------------------


def test_round_page_says_until_with_the_dative(client, db):
    page = BudgetRoundPage.objects.live().filter(locale__language_code="lv").first()
    budget_round = page.budget_round
    phase_end = budget_round.phase_end(budget_round.current_phase())
    if phase_end is None:
        pytest.skip("the demo round's phase has no end")
    html = client.get(page.url).content.decode()
    assert (
        formats.until_date(
            timezone.localtime(phase_end) if isinstance(phase_end, datetime.datetime) else phase_end, "lv"
        )
        in html
    )
    # The nominative after "līdz" was the bug: "līdz 2026. gada 20. decembris".
    assert not re.search(r"līdz \d{4}\. gada \d{1,2}\. \w+(is|s)\b", html)
    html_en = client.get(page.get_translation(Locale.objects.get(language_code="en")).url).content.decode()
    assert "(until " in html_en


def test_round_page_writes_money_one_way(client, db):
    page = BudgetRoundPage.objects.live().filter(locale__language_code="lv").first()
    html = client.get(page.url).content.decode()
    assert formats.money(page.budget_round.total_budget, "lv") in html
    assert not re.search(r"\d(\s|&nbsp;)?EUR\b", html)
    assert not re.search(r"\d\.\d\d EUR", html)


def test_admin_round_listing_formats_the_budget(client, django_user_model):
    client.force_login(django_user_model.objects.get(username="admin"))
    budget_round = BudgetRound.objects.order_by("pk").first()
    with translation.override("lv"):
        html = client.get("/admin/snippets/ideas/budgetround/", HTTP_ACCEPT_LANGUAGE="lv").content.decode()
    assert formats.money(budget_round.total_budget, "lv").replace(NB, "&nbsp;") in html.replace(NB, "&nbsp;")
    assert f"{budget_round.total_budget:.2f}" not in html  # the raw "18000.00"


# --- The staff admin in Latvian -----------------------------------------------------------------------------------

# Phrases that showed through the Latvian admin before the overrides.
BROKEN = ["ago", "New: ", "Iesniegt uz", "mēnesis ", "Submit to", "Save draft", "Publish", "Locale", "Workflows",
          "Actions (footer)", "Sort menu order", "Page type", "Last published", "Toggle"]  # fmt: skip


@pytest.fixture(scope="module")
def third_party_msgids():
    """Every msgid of the installed apps' English catalogues (Django, Wagtail, wagtail-localize, allauth)."""
    import django

    site_packages = Path(django.__file__).resolve().parent.parent
    msgids = set()
    for path in glob.glob(
        str(site_packages / "**" / "locale" / "en" / "LC_MESSAGES" / "django.po"), recursive=True
    ):
        for entry in polib.pofile(path):
            msgids.add((entry.msgctxt + "\x04" if entry.msgctxt else "") + entry.msgid)
    return msgids


@pytest.fixture
def untranslated(monkeypatch):
    """The msgids looked up while Latvian is active that no Latvian catalogue translates."""
    misses = set()
    gettext, ngettext = trans_real.DjangoTranslation.gettext, trans_real.DjangoTranslation.ngettext

    def recording_gettext(self, message):
        if self.language() == "lv" and message not in self._catalog:
            misses.add(message)
        return gettext(self, message)

    def recording_ngettext(self, singular, plural, number):
        if self.language() == "lv" and (singular, 0) not in self._catalog:
            misses.add(singular)
        return ngettext(self, singular, plural, number)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", recording_gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", recording_ngettext)
    return misses


def latvian_staff(django_user_model, username):
    user = django_user_model.objects.get(username=username)
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "lv"})
    return user


def key_admin_urls():
    en = Locale.objects.get(language_code="en")
    lv = Locale.objects.get(language_code="lv")
    home_lv = Page.objects.get(depth=2, locale=lv)
    news_lv = Page.objects.filter(locale=lv, depth__gt=3).first()
    translated = Page.objects.filter(locale=en, depth__gt=2).first()
    budget_round = BudgetRound.objects.order_by("pk").first()
    return [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{home_lv.pk}/",
        f"/admin/pages/{news_lv.pk}/edit/",
        f"/admin/pages/{news_lv.pk}/history/",
        f"/admin/pages/{translated.pk}/edit/",  # wagtail-localize's translation editor
        "/admin/snippets/ideas/budgetround/",
        "/admin/snippets/ideas/budgetround/add/",
        f"/admin/snippets/ideas/budgetround/edit/{budget_round.pk}/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/reports/workflow/",
        "/admin/locales/",
        "/admin/account/",
    ]


def visible_text(html):
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_key_admin_pages_are_latvian(client, django_user_model, untranslated, third_party_msgids):
    client.force_login(latvian_staff(django_user_model, "admin"))
    # Two months without an edit, so that relative times ("pirms 2 mēnešiem") show up in the listing.
    lv = Locale.objects.get(language_code="lv")
    long_ago = timezone.now() - datetime.timedelta(days=65)
    from wagtail.models import Revision

    Revision.objects.filter(
        object_id__in=[str(pk) for pk in Page.objects.filter(locale=lv, depth=3).values_list("pk", flat=True)]
    ).update(created_at=long_ago)
    Page.objects.filter(locale=lv, depth=3).update(
        latest_revision_created_at=long_ago, last_published_at=long_ago
    )
    texts = {}
    for url in key_admin_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        texts[url] = visible_text(response.content.decode())
    assert sorted(untranslated & third_party_msgids) == []
    for url, text in texts.items():
        for phrase in BROKEN:
            assert not re.search(r"\b" + re.escape(phrase), text), (url, phrase)
    explorer = texts[f"/admin/pages/{Page.objects.get(depth=2, locale=lv).pk}/"]
    assert "pirms 2 mēnešiem" in explorer.lower().replace(NB, " ")


def test_admin_login_page_is_latvian(client, db, untranslated, third_party_msgids):
    text = visible_text(client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="lv").content.decode())
    errors = visible_text(
        client.post(
            "/admin/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="lv"
        ).content.decode()
    )
    assert sorted(untranslated & third_party_msgids) == []
    for phrase in ["Password", "Remember me", "Forgotten", "Ievadiet jūsu lietotājvārds", "Ieet"]:
        assert phrase not in text + errors
    assert "Parole" in text and "Nepareizs lietotājvārds vai parole" in errors


def test_moderator_sees_the_admin_in_latvian(client, django_user_model, untranslated, third_party_msgids):
    client.force_login(latvian_staff(django_user_model, "moderator"))
    for url in ["/admin/", "/admin/snippets/ideas/idea/", "/admin/pages/"]:
        assert client.get(url).status_code == 200, url
    assert sorted(untranslated & third_party_msgids) == []


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "pirms 1 dienas"),
        (3, "pirms 3 dienām"),
        (21, "pirms 3 nedēļām"),
        (40, "pirms 1 mēneša"),
        (65, "pirms 2 mēnešiem"),
        (400, "pirms 1 gada"),
        (800, "pirms 2 gadiem"),
    ],
)
def test_relative_times_in_latvian_cases(days, expected):
    moment = timezone.now() - datetime.timedelta(days=days, minutes=1)
    with translation.override("lv"):
        html = Template(
            "{% load wagtailadmin_tags %}{{ d|timesince_simple }}|{% timesince_last_update d %}"
        ).render(Context({"d": moment}))
    assert html.replace(NB, " ") == f"{expected}|{expected}"
    with translation.override("en"):
        assert "ago" in Template("{% load wagtailadmin_tags %}{{ d|timesince_simple }}").render(
            Context({"d": moment})
        )


def test_djangos_own_time_words_have_the_right_plural():
    from django.utils.timesince import timesince

    with translation.override("lv"):
        assert timesince(timezone.now() - datetime.timedelta(days=65)).replace(NB, " ") == "2 mēneši"
        assert timesince(timezone.now() - datetime.timedelta(days=21)).replace(NB, " ") == "3 nedēļas"


def test_translation_editor_buttons_are_latvian():
    from django.views.i18n import JavaScriptCatalog

    catalogue = JavaScriptCatalog(domain="djangojs", packages=["wagtail_localize"])
    catalogue.translation = trans_real.DjangoTranslation("lv", domain="djangojs", localedirs=[])
    strings = catalogue.get_catalog()
    assert strings["Translate"] == "Tulkot"
    assert strings["Publish in "] == "Publicēt valodā: "
    assert strings["Not translated"] == "Nav iztulkots"


# --- Sign-in pages (allauth) --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_pages_are_correct_latvian(client):
    texts = {}
    for url in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="lv")
        assert response.status_code == 200
        texts[url] = visible_text(response.content.decode())
    errors = visible_text(
        client.post(
            "/accounts/signup/", {"email": "a@example.com", "password1": "abc", "password2": "abc"}
        ).content.decode()
    )
    everything = " ".join(texts.values()) + errors
    for broken in ["spiedied", "rakstzīmei", "piereģistrējaties", "ja jums ir kādas problēmas atjaunojot"]:
        assert broken not in everything
    assert "piesakieties" in texts["/accounts/signup/"]
    assert "reģistrējieties" in texts["/accounts/login/"]
    assert "vismaz 10 rakstzīmes" in texts["/accounts/signup/"]
    assert "vismaz 10 rakstzīmes" in errors


def test_password_length_plurals():
    from django.contrib.auth.password_validation import MinimumLengthValidator

    with translation.override("lv"):
        assert "vismaz 1 rakstzīme." in MinimumLengthValidator(1).get_help_text()
        assert "vismaz 21 rakstzīme." in MinimumLengthValidator(21).get_help_text()
        assert "vismaz 10 rakstzīmes." in MinimumLengthValidator(10).get_help_text()


@pytest.mark.parametrize("name", ["django", "djangojs"])
def test_compiled_overrides_are_up_to_date(name):
    catalogue = polib.pofile(str(ROOT / "site" / "locale_overrides" / "lv" / "LC_MESSAGES" / f"{name}.po"))
    compiled = polib.mofile(str(ROOT / "site" / "locale_overrides" / "lv" / "LC_MESSAGES" / f"{name}.mo"))

    def key(entry):
        return (entry.msgctxt, entry.msgid)

    assert {key(e): e.msgstr or e.msgstr_plural.get(0) for e in compiled if e.msgid} == {
        key(e): e.msgstr or e.msgstr_plural.get(0) for e in catalogue if e.msgid and not e.obsolete
    }


# --- A resident's own words keep their language -------------------------------------------------------------------


def test_ideas_written_in_the_other_language_carry_lang(client, db):
    from ideas.models import Idea
    from ideas.statuses import LISTED as PUBLIC

    english = Idea.objects.filter(language="en", status__in=PUBLIC).first()
    page = BudgetRoundPage.objects.get(budget_round=english.round, locale__language_code="lv")
    detail = client.get(f"{page.url}{english.pk}/").content.decode()
    assert f'<h1 lang="en">{english.title}</h1>' in detail
    assert re.search(r'<p class="lead" lang="en">', detail)
    latvian = Idea.objects.filter(language="lv", round=english.round, status__in=PUBLIC).first()
    assert f"<h1>{latvian.title}</h1>" in client.get(f"{page.url}{latvian.pk}/").content.decode()
    # On the English page it is the other way round.
    page_en = BudgetRoundPage.objects.get(budget_round=english.round, locale__language_code="en")
    assert f'<h1 lang="lv">{latvian.title}</h1>' in client.get(f"{page_en.url}{latvian.pk}/").content.decode()
