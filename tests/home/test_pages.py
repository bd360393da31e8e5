"""Every page type renders in Latvian and English, with the right language, content and page-tree rules."""

import re

import pytest
from wagtail.models import Page

from home.models import (
    ContactPage,
    EventIndexPage,
    EventPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ProjectPage,
    StandardPage,
)
from tests.factories import PAGE_TYPES

pytestmark = pytest.mark.django_db


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
@pytest.mark.parametrize("language", ["lv", "en"])
def test_every_page_type_renders_in_both_languages(client, model, language):
    page = model.objects.live().filter(locale__language_code=language).first()
    assert page is not None, f"the demo has no {model.__name__} in {language}"

    response = client.get(page.url)

    assert response.status_code == 200
    assert html_lang(response) == language
    assert page.title in response.content.decode()


def test_latvian_lives_at_the_root_and_english_under_en(client, home_lv, home_en):
    assert home_lv.url == "/"
    assert home_en.url == "/en/"
    assert html_lang(client.get("/")) == "lv"
    assert html_lang(client.get("/en/")) == "en"


def test_home_page_shows_latest_news_and_upcoming_events(client, home_en):
    html = client.get("/en/").content.decode()

    latest = NewsPage.objects.live().filter(locale=home_en.locale).order_by("-date").first()
    assert latest.title in html
    upcoming = EventPage.objects.live().filter(locale=home_en.locale).order_by("start").last()
    assert upcoming.title in html
    past = EventPage.objects.get(slug="budget-think-tank-kekava")
    assert past.title not in html, "a past event is not 'upcoming'"


def test_standard_page_renders_its_stream_blocks(client):
    page = StandardPage.objects.get(slug="about")
    html = client.get(page.url).content.decode()
    assert '<h2 class="block-heading">Towns and parishes</h2>' in html
    assert "<blockquote>" in html


def test_project_page_lists_partners_in_order_and_phases(client):
    page = ProjectPage.objects.get(locale__language_code="en")
    html = client.get(page.url).content.decode()

    cities = [
        "Milan",
        "Sofia",
        "Vratsa",
        "Ķekava",
        "Rijeka",
        "Molina de Segura",
        "Guimarães",
        "Budaörs",
        "Bratislava",
        "Nantes",
    ]
    positions = [html.index(f"<td>{city}</td>") for city in cities]
    assert positions == sorted(positions)
    assert "Lead partner" in html
    assert "Phase two: exchange, learning and an action plan" in html
    assert "International project takes on green mobility" in html, "related news is linked"


def test_project_partners_are_translated_not_shared(client):
    latvian = ProjectPage.objects.get(locale__language_code="lv")
    html = client.get(latvian.url).content.decode()
    assert "<td>Itālija</td>" in html
    assert "<td>Italy</td>" not in html


def test_breadcrumbs_lead_from_home_to_the_page(client):
    page = NewsPage.objects.get(slug="new-bicycle-shelters-schools")
    html = client.get(page.url).content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert 'href="/en/"' in crumbs
    assert 'href="/en/news/"' in crumbs
    assert 'aria-current="page">New bicycle shelters for schools<' in crumbs


def test_main_menu_shows_pages_marked_for_menus_and_marks_the_current_section(client):
    page = NewsPage.objects.get(slug="new-bicycle-shelters-schools")
    html = client.get(page.url).content.decode()
    menu = re.search(r'<nav class="main-menu".*?</nav>', html, re.S).group(0)
    assert '<a href="/en/news/" aria-current="true">News</a>' in menu
    assert "Accessibility statement" not in menu, "not marked show_in_menus"


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (NewsPage, NewsIndexPage, True),
        (NewsPage, HomePage, False),
        (EventPage, EventIndexPage, True),
        (EventPage, StandardPage, False),
        (HomePage, Page, True),
        (StandardPage, HomePage, True),
        (ContactPage, HomePage, True),
        (ProjectPage, StandardPage, False),
    ],
)
def test_page_tree_rules(child, parent, allowed):
    assert (child in parent.allowed_subpage_models()) is allowed


def test_an_event_cannot_end_before_it_starts(event_index_lv):
    from django.core.exceptions import ValidationError

    event = EventPage.objects.filter(locale=event_index_lv.locale).first()
    event.end = event.start.replace(year=event.start.year - 1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "end" in error.value.message_dict


def test_accessibility_statement_is_linked_from_every_footer(client):
    for url, expected in [("/", "/pieklustamibas-pazinojums/"), ("/en/", "/en/accessibility-statement/")]:
        footer = re.search(r"<footer.*?</footer>", client.get(url).content.decode(), re.S).group(0)
        assert f'href="{expected}"' in footer
