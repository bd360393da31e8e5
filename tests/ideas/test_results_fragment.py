"""The results body is rendered once per page, area, language and public change and shared by every visitor
(ideas/voting/results_page.py with home/page_cache.fragment): what it saves, that it shows exactly what a fresh
render shows, that a change anyone can see renews it, and that nothing of one visitor reaches another."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home import page_cache
from home.models import StandardPage
from ideas.demo_results import ROUND_NAME
from ideas.models import BudgetRoundPage, Idea, RoundResult
from ideas.voting.results import count_round, publish_results
from ideas.voting.results_page import body_version
from tests.factories import verified_resident

pytestmark = pytest.mark.django_db

URLS = {"lv": "/zalaka-apkaime-2025/results/", "en": "/en/greener-neighbourhood-2025/results/"}


@pytest.fixture(autouse=True)
def _fragments_on(settings):
    settings.KOPA_PAGE_CACHE = False  # every request is rendered; only the body may come from the store
    settings.KOPA_FRAGMENT_CACHE = True
    cache.clear()


def without_nonces(html):
    return re.sub(r'nonce="[^"]*"', "", html)


def body_of(html):
    """The page's main content, where the results body sits."""
    return html[html.index('<div class="content content--wide results">') :]


def funded_idea():
    result = RoundResult.objects.get(round__name=ROUND_NAME, published_at__isnull=False)
    pid = next(pid for pid, explanation in result.explanations.items() if explanation.get("funded"))
    return Idea.objects.get(pk=int(pid))


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_stored_body_is_exactly_what_a_fresh_render_shows(client, settings, language):
    first = without_nonces(client.get(URLS[language]).content.decode())
    second = without_nonces(client.get(URLS[language]).content.decode())
    settings.KOPA_FRAGMENT_CACHE = False
    fresh = without_nonces(client.get(URLS[language]).content.decode())
    assert first == second == fresh
    assert "result-bar--funded" in fresh and 'id="receipt-input"' in fresh


def test_a_stored_body_costs_no_query_beyond_a_standard_page(client):
    standard = StandardPage.objects.live().filter(locale__language_code="lv").order_by("path").first()
    standard_queries = queries_of(client, standard.url)
    rendered = queries_of(client, URLS["lv"])
    stored = queries_of(client, URLS["lv"])
    # Not vacuous: rendering the body reads the results and today's titles.
    assert stored < rendered
    assert stored <= standard_queries


def test_an_idea_renamed_shows_at_once_in_both_languages(client):
    for url in URLS.values():
        client.get(url)
    idea = funded_idea()
    idea.title = "Pārdēvēta ideja ar jaunu nosaukumu"
    idea.save()
    for url in URLS.values():
        assert "Pārdēvēta ideja ar jaunu nosaukumu" in client.get(url).content.decode()


def test_a_new_count_published_shows_at_once(client):
    before = client.get(URLS["lv"]).content.decode()
    published = RoundResult.objects.get(round__name=ROUND_NAME, published_at__isnull=False)
    assert f"/api/v1/results/{published.pk}/pb/" in before
    recount = count_round(published.round, rule="greedy")
    assert f"/api/v1/results/{recount.pk}/pb/" not in client.get(URLS["lv"]).content.decode(), (
        "a count is private until it is published"
    )
    publish_results(published.round, [recount], None)
    after = client.get(URLS["lv"]).content.decode()
    assert f"/api/v1/results/{recount.pk}/pb/" in after and "“greedy”" in after


def test_the_receipt_check_stays_with_the_visitor_who_typed_it(client):
    typed = client.get(URLS["lv"], {"receipt": "3F2A-9C41-07BE-55D0-A1C3"}).content.decode()
    assert 'value="3F2A-9C41-07BE-55D0-A1C3"' in typed
    assert "receipt-answer" in typed and "<strong>" in body_of(typed)
    blank = client.get(URLS["lv"]).content.decode()
    assert "3F2A-9C41" not in blank
    answer = blank[blank.index('id="receipt-answer"') :]
    assert answer.split(">", 1)[1].startswith("</div>")


def stored_body(url, language):
    """The body the fragment store holds for the results page at `url` (a failure when nothing is stored)."""
    page = BudgetRoundPage.objects.get(
        url_path__endswith=url.removeprefix("/en").rstrip("/").removesuffix("results")
    )
    return page_cache.fragment(
        ("results", body_version(), page.pk, "", language), lambda: pytest.fail("no body was stored")
    )


def test_a_signed_in_visitor_is_served_the_body_and_leaves_nothing_of_theirs_in_it(client):
    resident = verified_resident("fragment-kristaps", first_name="Kristaps", last_name="Zvaigznājs")
    client.force_login(resident)
    signed_in = client.get(URLS["lv"]).content.decode()
    assert "result-bar--funded" in signed_in
    # Theirs: the form token of the sign-out form in the header, and their session.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', signed_in).group(1)
    session = client.cookies["sessionid"].value
    stored = stored_body(URLS["lv"], "lv")
    assert "result-bar--funded" in stored["head"], "the signed-in visit stored the body"
    for part in ("head", "receipt", "tail"):
        for theirs in (token, session, "fragment-kristaps", "Zvaigznājs", "csrfmiddlewaretoken"):
            assert theirs not in stored[part]
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        anonymous = client.get(URLS["lv"]).content.decode()
    assert token not in anonymous and "csrfmiddlewaretoken" not in anonymous
    assert not [
        query for query in queries.captured_queries if query["sql"].startswith('SELECT "ideas_roundresult"')
    ], "the anonymous visit was served the body the signed-in visit stored"


def test_an_unknown_area_is_not_found_before_and_after_the_body_is_stored(client):
    assert client.get(URLS["lv"], {"area": "no-such-area"}).status_code == 404
    client.get(URLS["lv"])
    assert client.get(URLS["lv"], {"area": "no-such-area"}).status_code == 404
    assert client.get(URLS["lv"], {"area": "no-such-area"}).status_code == 404


# home/page_cache.fragment itself --------------------------------------------------------------------------------
def test_a_fragment_is_rendered_once_per_generation():
    renders = []

    def render():
        renders.append(1)
        return f"render {len(renders)}"

    assert page_cache.fragment(("t", 1), render) == "render 1"
    assert page_cache.fragment(("t", 1), render) == "render 1"
    assert page_cache.fragment(("t", 2), render) == "render 2"
    page_cache.purge()
    assert page_cache.fragment(("t", 1), render) == "render 3"
    assert len(renders) == 3


def test_a_change_during_a_render_is_never_hidden_by_it():
    def render_while_someone_publishes():
        page_cache.purge()
        return "rendered before the change committed"

    assert page_cache.fragment(("t", "race"), render_while_someone_publishes)
    assert page_cache.fragment(("t", "race"), lambda: "after the change") == "after the change"


def test_fragments_are_off_without_the_setting(settings):
    settings.KOPA_FRAGMENT_CACHE = False
    values = iter(["first", "second"])
    assert page_cache.fragment(("t", "off"), lambda: next(values)) == "first"
    assert page_cache.fragment(("t", "off"), lambda: next(values)) == "second"


def test_migrate_renews_every_fragment():
    page_cache.fragment(("t", "deploy"), lambda: "old release")
    call_command("migrate", verbosity=0)
    assert page_cache.fragment(("t", "deploy"), lambda: "new release") == "new release"


def test_a_body_stored_by_other_templates_is_not_served(client, monkeypatch):
    client.get(URLS["lv"])
    assert "result-bar--funded" in stored_body(URLS["lv"], "lv")["head"]
    # A server of another release (its templates or translations differ) names its bodies differently.
    monkeypatch.setattr("ideas.voting.results_page.body_version", lambda: "another-release")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URLS["lv"]).status_code == 200
    assert [
        query for query in queries.captured_queries if query["sql"].startswith('SELECT "ideas_roundresult"')
    ]
