"""HomePage.route (home/chrome.py `route`): every URL below a home page finds the page and sub-route Wagtail's own
walk finds, and every view restriction still holds, now that the route reads the pages on its way, and whether a
restriction applies, with the site chrome in one query."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Page, PageViewRestriction, Site

from home.models import HomePage, NewsPage, StandardPage
from ideas.models import BudgetRoundPage, Idea
from tests.factories import verified_resident

pytestmark = pytest.mark.django_db


def _outcome(route, home, path, language):
    """(page id, page class, view name, args, kwargs) of routing `path` below `home`, or "404"."""
    request = RequestFactory().get(path)
    components = [part for part in path.split("/") if part]
    with translation.override(language):
        try:
            page, args, kwargs = route(home, request, components)
        except Http404:
            return "404"
    view = None
    if args and callable(args[0]):  # a RoutablePageMixin route: (view, args, kwargs)
        view, args, kwargs = args[0].__name__, tuple(args[1]), args[2]
    return (page.pk, type(page), view, tuple(args), kwargs)


def _wagtail_walk(home, request, components):
    """Wagtail's own walk: Page.route, as if HomePage did not have its own."""
    return Page.route(home, request, components)


def _lean_route(home, request, components):
    return home.route(request, components)


def _paths_below(home):
    """Every page below `home` as a path relative to it, with sub-routes and paths that lead nowhere."""
    paths = [""]
    for page in home.get_descendants().order_by("path"):
        relative = page.url_path[len(home.url_path) :]
        paths += [relative, relative + "no-such-page/"]
    for round_page in BudgetRoundPage.objects.descendant_of(home):
        base = round_page.url_path[len(home.url_path) :]
        idea = Idea.objects.filter(round=round_page.budget_round).public().order_by("pk").first()
        paths += [
            f"{base}{idea.pk}/",
            f"{base}results/",
            f"{base}new/",
            f"{base}vote/code/",
            f"{base}nope/x/",
        ]
    for news in NewsPage.objects.descendant_of(home)[:2]:
        paths.append(news.url_path[len(home.url_path) :] + "print/")
    paths += ["no-such-page/", "/".join(["deep"] * 20) + "/"]
    return paths


@pytest.mark.parametrize("language", ["lv", "en"])
def test_every_path_finds_what_wagtails_own_walk_finds(language):
    home = HomePage.objects.get(locale__language_code=language)
    paths = _paths_below(home)
    assert len(paths) > 40
    for path in paths:
        expected = _outcome(_wagtail_walk, home, path, language)
        assert _outcome(_lean_route, home, path, language) == expected, path


def _unpublished_section(home):
    """A draft section with a live page inside it: Wagtail serves the page (a draft parent is no barrier)."""
    section = home.add_child(instance=StandardPage(title="Draft section", slug="draft-section", live=False))
    child = section.add_child(instance=StandardPage(title="Live inside", slug="live-inside"))
    return section, child


def test_a_draft_page_is_not_found_but_a_live_page_below_it_is(client, home_lv):
    _unpublished_section(home_lv)
    for path in ("draft-section/", "draft-section/live-inside/"):
        assert _outcome(_lean_route, home_lv, path, "lv") == _outcome(_wagtail_walk, home_lv, path, "lv")
    assert client.get("/draft-section/").status_code == 404
    assert client.get("/draft-section/live-inside/").status_code == 200


def _restricted_section(home, restriction_type, **fields):
    section = home.add_child(instance=StandardPage(title="Members", slug="members"))
    child = section.add_child(instance=StandardPage(title="Minutes", slug="minutes"))
    restriction = PageViewRestriction.objects.create(
        page=section, restriction_type=restriction_type, **fields
    )
    return section, child, restriction


def test_a_login_restriction_holds_on_the_section_and_below_it(client, home_lv):
    _restricted_section(home_lv, PageViewRestriction.LOGIN)
    for path in ("/members/", "/members/minutes/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "login" in response["Location"], response["Location"]
    client.force_login(verified_resident("routing-anna", email="routing-anna@example.test"))
    assert client.get("/members/minutes/").status_code == 200


def test_a_password_restriction_asks_for_the_password(client, home_lv):
    _restricted_section(home_lv, PageViewRestriction.PASSWORD, password="kopā-2026")
    response = client.get("/members/minutes/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="password"' in html
    assert "Minutes" not in html.split("<main", 1)[-1]


def test_a_group_restriction_keeps_other_residents_out(client, home_lv):
    _, _, restriction = _restricted_section(home_lv, PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.get(name="Moderators")])
    client.force_login(verified_resident("routing-janis", email="routing-janis@example.test"))
    assert client.get("/members/minutes/").status_code == 302


def test_an_alias_keeps_the_restriction_of_its_original(client, home_lv):
    """Wagtail reads an alias's restrictions from its original (Page.get_view_restrictions); the route must not
    decide from the alias's own place in the tree."""
    original = home_lv.add_child(instance=StandardPage(title="Internal note", slug="internal-note"))
    original.create_alias(parent=home_lv, update_slug="note-alias")
    # Restricted after the alias was made, so the alias has no restriction of its own (create_alias copies them).
    PageViewRestriction.objects.create(page=original, restriction_type=PageViewRestriction.LOGIN)
    assert not PageViewRestriction.objects.filter(page__slug="note-alias").exists()
    response = client.get("/note-alias/")
    assert response.status_code == 302


def test_a_public_page_is_served_without_asking_for_view_restrictions(client):
    """The route answers Wagtail's view-restriction check from its rows: the restrictions table is read only
    inside the route's own query."""
    url = StandardPage.objects.live().filter(locale__language_code="lv").order_by("path").first().url
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    standalone = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "wagtailcore_pageviewrestriction"')
    ]
    assert not standalone, standalone


def test_pages_link_right_with_a_second_site(client, home_lv):
    """With more than one site the route leaves Wagtail's site root paths to Wagtail (home/chrome.py)."""
    other_root = Page.get_first_root_node().add_child(
        instance=StandardPage(title="Other site", slug="other-site")
    )
    Site.objects.create(hostname="other.example", port=80, root_page=other_root)
    html = client.get("/").content.decode()
    assert 'href="/par-novadu/"' in html
    assert 'hreflang="en" href="http://testserver/en/"' in html
    assert client.get("/par-novadu/").status_code == 200
