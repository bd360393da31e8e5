"""The site chrome's rows from the fragment store (home/chrome.py Chrome._stored_rows with home/page_cache.fragment):
pages read from it are exactly the pages rendered without it, a visit from it skips the chrome query, and every
change the rows reflect (a view restriction, a page published, unpublished or moved, the site's texts) shows on
the very next visit, restrictions above all."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from home.models import SiteText, StandardPage

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/en/",
    "/zalaka-apkaime-2025/",
    "/zalaka-apkaime-2025/results/",
    "/en/greener-neighbourhood-2025/results/",
]


@pytest.fixture(autouse=True)
def _store_on(settings):
    settings.KOPA_PAGE_CACHE = False  # every request rendered; only the chrome's rows may come from the store
    settings.KOPA_FRAGMENT_CACHE = True
    cache.clear()


def standard_url(language="lv"):
    return StandardPage.objects.live().filter(locale__language_code=language).order_by("path").first().url


def comparable(response):
    html = response.content.decode()
    return response.status_code, re.sub(r'nonce="[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_pages_from_the_store_are_the_pages_rendered_without_it(client, settings):
    urls = [*PAGES, standard_url("lv"), standard_url("en")]
    stored = {}
    for url in urls:
        client.get(url)
        stored[url] = comparable(client.get(url))
    settings.KOPA_FRAGMENT_CACHE = False
    for url in urls:
        assert comparable(client.get(url)) == stored[url], url
        assert stored[url][0] == 200


def test_a_visit_from_the_store_skips_the_chrome_query(client):
    url = standard_url()
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) < len(first)
    assert not [q for q in second.captured_queries if "kopa_text" in q["sql"]], "the chrome query ran again"


def test_a_login_restriction_added_after_a_visit_holds_on_the_next_one(client, home_lv):
    section = home_lv.add_child(instance=StandardPage(title="Members", slug="members"))
    section.add_child(instance=StandardPage(title="Minutes", slug="minutes"))
    for path in ("/members/", "/members/minutes/"):
        assert client.get(path).status_code == 200
        assert client.get(path).status_code == 200  # now from the store
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    for path in ("/members/", "/members/minutes/"):
        response = client.get(path)
        assert response.status_code == 302 and "login" in response["Location"], path


def test_a_password_restriction_added_after_a_visit_hides_the_page(client, home_lv):
    home_lv.add_child(instance=StandardPage(title="Board minutes", slug="board"))
    client.get("/board/")
    PageViewRestriction.objects.create(
        page=StandardPage.objects.get(slug="board"),
        restriction_type=PageViewRestriction.PASSWORD,
        password="kopā-2026",
    )
    html = client.get("/board/").content.decode()
    assert 'name="password"' in html


def test_a_page_published_after_a_visit_is_in_the_menu_and_an_unpublished_one_is_gone(client, home_lv):
    assert "Jauna sadaļa" not in client.get("/").content.decode()
    client.get("/")
    new = home_lv.add_child(
        instance=StandardPage(title="Jauna sadaļa", slug="jauna-sadala", show_in_menus=True)
    )
    new.save_revision().publish()
    assert "Jauna sadaļa" in client.get("/").content.decode()
    assert client.get("/jauna-sadala/").status_code == 200
    new.unpublish()
    assert client.get("/jauna-sadala/").status_code == 404
    assert "Jauna sadaļa" not in client.get("/").content.decode()


def test_a_moved_page_is_found_at_its_new_address(client, home_lv):
    section = home_lv.add_child(instance=StandardPage(title="Sadaļa", slug="sadala"))
    page = home_lv.add_child(instance=StandardPage(title="Pārvietojamā", slug="parvietojama"))
    assert client.get("/parvietojama/").status_code == 200
    client.get("/parvietojama/")
    page.move(section, pos="last-child")
    old_address = client.get("/parvietojama/")
    # Not the stored page: Wagtail's redirect from the old address (wagtail.contrib.redirects).
    assert (old_address.status_code, old_address["Location"]) == (301, "/sadala/parvietojama/")
    assert client.get("/sadala/parvietojama/").status_code == 200


def test_the_sites_texts_changed_after_a_visit_show_on_the_next_one(client):
    client.get("/")
    text = SiteText.objects.get(locale__language_code="lv")
    field = next(name for name in ("tagline", "site_name", "footer_text") if hasattr(text, name))
    setattr(text, field, "Jauns teksts visai vietnei 2026")
    text.save()
    assert "Jauns teksts visai vietnei 2026" in client.get("/").content.decode()


def test_addresses_leading_nowhere_keep_nothing(client):
    assert client.get("/no-such-page/").status_code == 404  # the error page's own chrome is kept once
    kept = len(cache._cache)
    for number in range(20):
        assert client.get(f"/no-such-page-{number}/below/").status_code == 404
    assert len(cache._cache) == kept
