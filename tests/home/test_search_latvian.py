"""Site search finds public ideas beside pages, and Latvian word forms (home/search.py, ideas/text/latvian.py)."""

import re

import pytest
from django.db import connection

from ideas.models import BudgetRoundPage
from ideas.statuses import Status
from tests.factories import make_idea, verified_resident

pytestmark = pytest.mark.django_db


def result_titles(html):
    return re.findall(r'<li[^>]*><h2[^>]*><a href="[^"]+"[^>]*>([^<]+)</a></h2>', html)


@pytest.fixture
def demo_round():
    return BudgetRoundPage.objects.get(slug="zalaka-apkaime-2026").budget_round


def test_a_word_finds_pages_with_its_other_latvian_forms(client):
    # "Mācības senioriem: …" (dative plural) for "seniori" (nominative plural).
    assert "Mācības senioriem: e-pakalpojumi un drošība internetā" in result_titles(
        client.get("/search/?q=seniori").content.decode()
    )
    # "Pie skolām …" (dative plural) for "skola" (nominative singular).
    assert "Pie skolām uzstādīs jaunas velonovietnes" in result_titles(
        client.get("/search/?q=skola").content.decode()
    )


def test_search_finds_public_ideas_by_title_summary_and_description(client, demo_round):
    make_idea(demo_round, title="Soliņi parkā", summary="Vairāk soliņu senioriem.", description="Pie dīķa.")
    make_idea(
        demo_round, title="Ābeļu dārzs", summary="Augļu koki.", description="Stādīsim ābeles pie skolas."
    )

    html = client.get("/search/?q=senioru+soliņš").content.decode()
    assert "Soliņi parkā" in result_titles(html)
    assert "Ābeļu dārzs" not in result_titles(html), "every word must match"
    assert "Ābeļu dārzs" in result_titles(client.get("/search/?q=ābele+skolā").content.decode())
    link = re.search(r'<a href="([^"]+)">Soliņi parkā</a>', html).group(1)
    assert link.startswith("/zalaka-apkaime-2026/")
    assert client.get(link).status_code == 200


def test_search_never_shows_private_ideas(client, demo_round):
    resident = verified_resident("anna", email="anna@example.test")
    for status in (Status.DRAFT, Status.SUBMITTED, Status.NEEDS_CHANGES):
        make_idea(demo_round, author=resident, status=status, title=f"Slepenais ozolu projekts {status}")
    make_idea(demo_round, status=Status.PUBLISHED, title="Atklātais ozolu projekts")

    titles = result_titles(client.get("/search/?q=ozoli").content.decode())
    assert titles == ["Atklātais ozolu projekts"]
    client.force_login(resident)
    assert result_titles(client.get("/search/?q=ozoli").content.decode()) == titles


def test_ideas_are_labelled_in_the_results(client, demo_round):
    make_idea(demo_round, title="Kastaņu aleja")
    html = client.get("/en/search/?q=kastanis").content.decode()
    assert "Kastaņu aleja" in result_titles(html)
    assert '<span class="tag">Idea</span>' in html


@pytest.mark.postgres
def test_latvian_forms_and_ideas_on_postgresql(client, demo_round):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's own full-text search; CI runs this on PostgreSQL")
    make_idea(demo_round, title="Soliņi parkā", summary="Vairāk soliņu senioriem.", description="Pie skolas.")
    for query in ("seniori", "skola", "soliņš", "senioru soliņi"):
        titles = result_titles(client.get(f"/search/?q={query}").content.decode())
        assert "Soliņi parkā" in titles, query
    assert "Mācības senioriem: e-pakalpojumi un drošība internetā" in result_titles(
        client.get("/search/?q=seniori").content.decode()
    )
    assert "Pie skolām uzstādīs jaunas velonovietnes" in result_titles(
        client.get("/search/?q=skola").content.decode()
    )
