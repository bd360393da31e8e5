"""The anonymous page cache (home/page_cache.py): who gets cached pages, which pages are never stored, and that
publishing a page or changing an idea makes both languages fresh, while ballots leave the cache alone."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path

from home import page_cache
from home.models import StandardPage
from ideas.models import Idea
from ideas.participation import add_comment, give_support
from ideas.phases import Phase
from ideas.voting.casting import cast
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.ideas.voters import on_census, voting_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.KOPA_PAGE_CACHE = True


def state(response):
    return response.get("X-Kopa-Cache")


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(client):
    first = client.get("/")
    assert (first.status_code, state(first)) == (200, "miss")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/")
    assert (second.status_code, state(second)) == (200, "hit")
    assert len(queries) == 0
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Language"] == "lv"


def test_each_language_and_query_string_is_its_own_entry(client):
    assert state(client.get("/")) == "miss"
    english = client.get("/en/")
    assert (state(english), english["Content-Language"]) == ("miss", "en")
    assert state(client.get("/?page=2")) == "miss"
    assert b'lang="en"' in client.get("/en/").content
    assert b'lang="lv"' in client.get("/").content


def test_head_is_answered_from_the_cache_without_a_body(client):
    client.get("/")
    head = client.head("/")
    assert (head.status_code, state(head), head.content) == (200, "hit", b"")


def test_a_signed_in_person_never_gets_or_fills_the_cache(client):
    client.get("/")  # stored for visitors
    client.force_login(verified_resident("cache-anna"))
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200 and state(response) is None
    assert b"cache-anna" in response.content or b"logout" in response.content.lower()


def test_a_messages_cookie_bypasses_the_cache(client):
    client.get("/")
    client.cookies["messages"] = "anything"
    assert state(client.get("/")) is None


def test_pages_with_a_form_token_errors_and_other_paths_are_never_stored(client):
    for url in ("/accounts/login/", "/en/accounts/login/"):
        assert client.get(url).status_code == 200
        assert state(client.get(url)) is None
    assert state(client.get("/no-such-page/")) is None
    assert state(client.get("/no-such-page/")) is None
    assert state(client.get("/api/v1/ideas/")) is None
    assert state(client.post("/")) is None


def test_publishing_a_page_purges_it_in_both_languages(client):
    page = StandardPage.objects.live().filter(locale__language_code="lv").first()
    assert page is not None, "the demo has a standard page"
    url = page.url
    assert state(client.get(url)) == "miss"
    assert state(client.get("/en/")) == "miss"
    assert state(client.get(url)) == "hit"

    page.title = "Jauns virsraksts kešatmiņas pārbaudei"
    page.save_revision().publish()

    response = client.get(url)
    assert state(response) == "miss"
    assert "Jauns virsraksts kešatmiņas pārbaudei" in response.content.decode()
    assert state(client.get("/en/")) == "miss"


def test_a_change_to_what_public_pages_show_purges_them(client):
    idea = Idea.objects.filter(status__in=["published", "feasible", "on_ballot", "selected"]).first()
    url = idea.get_absolute_url()
    assert url, "a demo idea has a public page"
    assert state(client.get(url)) == "miss"
    assert state(client.get(url)) == "hit"

    before = page_cache.generation()
    Idea.objects.get(pk=idea.pk).save()
    assert page_cache.generation() > before
    assert state(client.get(url)) == "miss"


def test_support_and_comment_services_purge(client):
    budget_round = round_in_phase(Phase.SUPPORT, name="Cache support round")
    idea = make_idea(budget_round, title="Shade for the bus stop")
    resident = verified_resident("cache-supporter")
    before = page_cache.generation()
    give_support(resident, idea)
    after_support = page_cache.generation()
    assert after_support > before
    add_comment(resident, idea, "Ļoti vajadzīgs.")
    assert page_cache.generation() > after_support


def test_a_ballot_does_not_purge():
    budget_round = voting_round()
    idea = make_idea(budget_round, status="on_ballot")
    voter = on_census("010203-12345")
    before = page_cache.generation()
    cast(budget_round, voter, channel="online", choices={idea.pk: 1})
    assert page_cache.generation() == before


def test_switching_the_cache_off_serves_every_page_fresh(client, settings):
    settings.KOPA_PAGE_CACHE = False
    client.get("/")
    assert state(client.get("/")) is None


def test_unpublishing_purges_the_page(client):
    page = StandardPage.objects.live().filter(locale__language_code="lv").first()
    url = page.url
    client.get(url)
    assert state(client.get(url)) == "hit"
    page.unpublish()
    assert client.get(url).status_code == 404


def test_a_page_made_private_is_never_served_from_the_cache(client):
    from wagtail.models import PageViewRestriction

    page = StandardPage.objects.live().filter(locale__language_code="lv").first()
    url = page.url
    client.get(url)
    assert state(client.get(url)) == "hit"
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="slepens"
    )
    for _ in range(2):  # the password form carries a form token: never stored
        response = client.get(url)
        assert (response.status_code, state(response)) == (200, None)
        assert "slepens" not in response.content.decode()
    restriction.restriction_type = PageViewRestriction.LOGIN
    restriction.save()
    assert client.get(url).status_code == 302


# A page whose body carries the CSP nonce (public templates use it only for inline scripts): tests/home/ urls.
def nonce_page(request):
    from django.http import HttpResponse

    return HttpResponse(
        f'<script nonce="{request.csp_nonce}">window.ok = 1</script>', content_type="text/html"
    )


urlpatterns = [path("nonce/", nonce_page)]


def _header_nonce(response):
    import re

    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.urls("tests.home.test_page_cache")
def test_a_cached_page_gets_a_fresh_nonce_in_its_body_and_header(client):
    first = client.get("/nonce/")
    stored_nonce = _header_nonce(first)
    assert state(first) == "miss" and f'nonce="{stored_nonce}"'.encode() in first.content
    seen = {stored_nonce}
    for _ in range(2):
        hit = client.get("/nonce/")
        fresh = _header_nonce(hit)
        assert state(hit) == "hit"
        assert f'nonce="{fresh}"'.encode() in hit.content, "the body's nonce is the header's"
        assert fresh not in seen, "a hit never reuses a nonce"
        seen.add(fresh)
