"""The results page reads what the count stored (issue 12, item 2): Equal Shares against greedy, the counted costs
and participation are computed once by ideas/voting/results.count_round into RoundResult.comparison
(ideas/voting/comparison.py); a view of the page (ideas/voting/results_page.py) neither parses the counted .pb
file nor runs the counting engine, costs a constant handful of queries, and shows what a fresh count of the
stored file shows."""

import importlib
import re
import sys
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas import counting
from ideas.counting.explain import cofunding
from ideas.demo_results import ROUND_NAME
from ideas.models import BudgetRoundPage, Channel, RoundResult, VoterRecord
from ideas.voting import comparison
from ideas.voting.casting import age_band, cast
from ideas.voting.results import count_round, publish_results
from tests.factories import make_idea
from tests.ideas import voters
from tests.test_query_budgets import STANDARD_BUDGET

pytestmark = pytest.mark.django_db

DEMO_URLS = {"lv": "/zalaka-apkaime-2025/results/", "en": "/en/greener-neighbourhood-2025/results/"}
# A standard page's budget (tests/test_query_budgets.py) and a few for the results themselves: the newest result
# of each part, the shown one in full and today's titles of the round's ideas.
RESULTS_BUDGET = STANDARD_BUDGET + 4

# Every entry point of the counting engine that turns a file into a count (by module: the package's names
# `greedy` and `equal_shares` are functions that hide their modules).
ENGINE = [
    getattr(importlib.import_module(f"ideas.counting.{module}"), name)
    for module, name in (
        ("pabulib", "parse_text"),
        ("pabulib", "read_file"),
        ("run", "count_election"),
        ("run", "count_file"),
        ("run", "apply_rule"),
        ("tally", "count_votes"),
        ("greedy", "greedy"),
        ("equal_shares", "equal_shares"),
        ("equal_shares", "equal_shares_add1"),
        ("equal_shares", "compare_with_greedy"),
        ("explain", "cofunding"),
    )
]


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    # Whole-page caching (home/page_cache.py) would hide what a render costs.
    settings.KOPA_PAGE_CACHE = False


def demo_result():
    return RoundResult.objects.get(round__name=ROUND_NAME, published_at__isnull=False)


def fresh(result):
    """What the results page showed before it read the stored comparison: the stored .pb counted again with the
    engine itself, and participation read from the register one voter at a time."""
    election = counting.parse_text(result.pb_file, source="fresh.pb")
    equal = result.rule if result.rule.startswith("equalshares") else "equalshares/add1"
    methods = [
        {
            "rule": rule,
            "completed": "add1" in rule,
            "selected": list(counting.count_election(election, rule).outcome.selected),
        }
        for rule in (equal, "greedy")
    ]
    cofunded = cofunding(election)
    costs = {}
    for pid, project in election.projects.items():
        official, pledged = cofunded.get(pid, (None, None))
        costs[pid] = {
            "cost": str(project.cost),
            "official_cost": None if official is None else str(official),
            "cofunding": None if pledged is None else str(pledged),
        }
    records = VoterRecord.objects.filter(round=result.round_id)
    year = result.round.voting_starts.year
    participation = {
        "channels": sorted(
            [channel, n] for channel, n in Counter(records.values_list("channel", flat=True)).items()
        ),
        "age_bands": sorted(
            [band, n]
            for band, n in Counter(
                age_band(birth_year, year)
                for birth_year in records.filter(birth_year__isnull=False).values_list(
                    "birth_year", flat=True
                )
            ).items()
        ),
        "areas": sorted(
            [name, n]
            for name, n in Counter(
                result.round.ballots.filter(area__isnull=False).values_list("area__name", flat=True)
            ).items()
        ),
    }
    return {"methods": methods, "costs": costs, "participation": participation}


def comparison_lists(html):
    """The titles each method funded, as the page's comparison section lists them."""
    section = html.split('id="comparison-heading"')[1].split("</section>")[0]
    return [re.findall(r"<li>(.*?)</li>", block) for block in section.split("<h3>")[1:]]


def without_nonce(html):
    return re.sub(r'nonce="[^"]*"|nonce-[^\' ;"]+', "", html)


@pytest.fixture
def engine_refuses(monkeypatch):
    """Every engine entry point raises, wherever a module imported it from."""

    def refuse(name):
        def refused(*args, **kwargs):
            raise AssertionError(f"the results page called the counting engine ({name})")

        return refused

    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith(("ideas", "home")):
            continue
        for attribute, value in list(vars(module).items()):
            if any(value is function for function in ENGINE):
                monkeypatch.setattr(module, attribute, refuse(value.__name__))


def test_the_demo_count_stored_what_a_fresh_count_of_its_file_gives():
    result = demo_result()
    stored = result.comparison
    assert stored["version"] == comparison.VERSION
    assert {key: stored[key] for key in ("methods", "costs", "participation")} == fresh(result)
    # Not vacuous: both methods fund something, the co-funded shelter has both costs, everyone is counted.
    assert [method["rule"] for method in stored["methods"]] == ["equalshares/add1", "greedy"]
    assert all(method["selected"] for method in stored["methods"])
    assert any(cost["cofunding"] for cost in stored["costs"].values())
    assert sum(n for _channel, n in stored["participation"]["channels"]) == result.outcome["voters"] == 150


@pytest.mark.parametrize("language", ["lv", "en"])
def test_a_view_neither_parses_the_counted_file_nor_counts(client, engine_refuses, language):
    with CaptureQueriesContext(connection) as queries:
        html = client.get(DEMO_URLS[language]).content.decode()
    assert len(comparison_lists(html)) == 2 and all(comparison_lists(html))
    assert "result-bar--funded" in html
    assert not [query for query in queries.captured_queries if '"pb_file"' in query["sql"]], (
        "the counted file is not even loaded"
    )


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_page_shows_what_a_fresh_count_shows(client, language):
    """The page from the stored comparison is the page a fresh count of the stored file gives (the view's
    fallback for a snapshot without one, which counts as the page did before), and its side-by-side lists are
    the titles the engine funds."""
    result = demo_result()
    stored_html = client.get(DEMO_URLS[language]).content.decode()
    titles = dict(result.round.ideas.values_list("pk", "title"))
    expected = [[titles[int(pid)] for pid in method["selected"]] for method in fresh(result)["methods"]]
    assert comparison_lists(stored_html) == expected
    # A snapshot cannot be saved again; an update stands in for a result counted before the field existed.
    RoundResult.objects.filter(pk=result.pk).update(comparison={})
    recounted_html = client.get(DEMO_URLS[language]).content.decode()
    assert without_nonce(recounted_html) == without_nonce(stored_html)


def counted_round_page(home_en, slug, ideas_count):
    """A counted and published round of `ideas_count` ideas (1000 € each, budget 10 000 €) with four ballots."""
    budget_round = voters.voting_round(total_budget=Decimal("10000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Idea {number}", estimated_cost=Decimal(1000))
        for number in range(ideas_count)
    ]
    for number in range(4):
        person = voters.on_census(f"1{ideas_count:02d}10{number}-12345", birth_year=1950 + 10 * number)
        chosen = {idea.pk: 1 for idea in ideas[number : number + 5]}
        cast(budget_round, person, channel=Channel.ONLINE, choices=chosen)
    page = BudgetRoundPage(title=slug, slug=slug, intro="<p>x</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    voters.close_and_open(budget_round)
    result = count_round(budget_round, rule="equalshares/add1")
    publish_results(budget_round, [result], None)
    return page.url + "results/"


def queries_of(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_results_page_costs_a_standard_page_and_a_few_queries(client, language):
    queries = queries_of(client, DEMO_URLS[language])
    listing = "\n".join(f"{number}. {sql[:300]}" for number, sql in enumerate(queries, 1))
    assert len(queries) <= RESULTS_BUDGET, f"{len(queries)} queries, budget {RESULTS_BUDGET}:\n{listing}"


def test_the_results_page_costs_the_same_with_more_ideas(client, home_en):
    few = counted_round_page(home_en, "few-ideas", 6)
    many = counted_round_page(home_en, "many-ideas", 60)
    assert "Idea 59" in client.get(many).content.decode()
    assert len(queries_of(client, few)) == len(queries_of(client, many))


def test_the_migration_fills_results_counted_before():
    """ideas/migrations/0017_result_comparison.py computes, for results counted before the field, what a count
    stores now; a file the engine cannot read stays empty (the page then counts it on each view)."""
    migration = importlib.import_module("ideas.migrations.0017_result_comparison")
    result = demo_result()
    stored = result.comparison
    RoundResult.objects.filter(pk=result.pk).update(comparison={})
    broken = RoundResult.objects.create(
        round=result.round, rule="greedy", engine_version="old", pb_sha256="0" * 64, pb_file="not a pb file"
    )
    migration.fill_comparisons(apps, None)
    assert RoundResult.objects.get(pk=result.pk).comparison == stored
    assert RoundResult.objects.get(pk=broken.pk).comparison == {}
