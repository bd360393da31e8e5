"""Languages: the switcher, hreflang alternates, and an English translation made through wagtail-localize."""

import re

import polib
import pytest
from django.test import TestCase
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import Translation

from home.models import NewsPage, StandardPage
from tests.factories import add_news

pytestmark = pytest.mark.django_db


def switcher_links(html):
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return {language: url for url, language in re.findall(r'<a href="([^"]+)" lang="(\w+)"', nav)}


def hreflangs(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)"', html))


def test_switcher_goes_to_the_translation_of_the_current_page(client):
    latvian = NewsPage.objects.get(slug="pie-skolam-jaunas-velonovietnes")
    html = client.get(latvian.url).content.decode()

    links = switcher_links(html)
    assert links["en"] == "/en/news/new-bicycle-shelters-schools/"
    assert links["lv"] == latvian.url
    assert 'lang="lv" hreflang="lv" aria-current="true"' in html


def test_switcher_falls_back_to_the_other_home_page_without_a_translation(client, news_index_lv):
    [untranslated] = add_news(news_index_lv, 1)
    html = client.get(untranslated.url).content.decode()

    assert switcher_links(html)["en"] == "/en/"
    alternates = hreflangs(html)
    assert "en" not in alternates, "no hreflang to a page that is not a translation"
    assert alternates["lv"].endswith(untranslated.url)


def test_hreflang_alternates_list_both_languages_and_x_default(client):
    page = StandardPage.objects.get(slug="about")
    alternates = hreflangs(client.get(page.url).content.decode())
    assert alternates["en"] == "http://testserver/en/about/"
    assert alternates["lv"] == "http://testserver/par-novadu/"
    assert alternates["x-default"] == "http://testserver/par-novadu/"


def test_switcher_on_a_view_outside_the_page_tree_keeps_the_path(client):
    html = client.get("/search/?q=parks").content.decode()
    assert switcher_links(html)["en"] == "/en/search/?q=parks"


def test_interface_strings_follow_the_language(client):
    assert "Pāriet uz saturu" in client.get("/").content.decode()
    assert "Skip to content" in client.get("/en/").content.decode()


def test_english_translation_through_wagtail_localize(client, superuser, news_index_lv, en):
    [page] = add_news(news_index_lv, 1, title="Jauns soliņš parkā")
    page.lead = "Parkā uzstādīts jauns soliņš."
    page.save_revision().publish()
    client.force_login(superuser)

    # An editor submits the page for translation in the admin, as the "Translate" button does.
    response = client.post(
        reverse("wagtail_localize:submit_page_translation", args=[page.id]), {"locales": [en.id]}
    )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)

    # The translator fills in every string (here through the PO export/import the UI offers).
    english = {
        "Jauns soliņš parkā": "A new bench in the park",
        "Parkā uzstādīts jauns soliņš.": "A new bench has been put up in the park.",
    }
    po = polib.pofile(str(translation.export_po()))
    for entry in po:
        entry.msgstr = english.get(entry.msgid, entry.msgid)
    translation.import_po(po)
    with TestCase.captureOnCommitCallbacks(execute=True):  # wagtail-localize publishes on commit
        translation.save_target(publish=True)

    translated = page.get_translation(en)
    assert translated.live
    response = client.get(translated.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "A new bench in the park" in html
    assert "A new bench has been put up in the park." in html
    assert switcher_links(client.get(page.url).content.decode())["en"] == translated.url


def test_every_english_page_is_a_translation_of_a_latvian_one(lv, en):
    for page in Page.objects.filter(locale=en, depth__gte=2):
        assert page.get_translation_or_none(lv) is not None, page
