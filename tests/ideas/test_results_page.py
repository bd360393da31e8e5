"""The public results page: funded ideas with explanations, budget used, both methods, participation, and the
counted file with its hash."""

from decimal import Decimal

import pytest

from ideas.models import BudgetRoundPage, Channel
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.casting import cast
from ideas.voting.results import count_round
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_page(home_en):
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("10000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=title, estimated_cost=Decimal(cost))
        for title, cost in (("Benches", 3000), ("Trees", 6000), ("Fountain", 5000))
    ]
    ballots = [[0, 1], [0, 1], [0, 2], [2]]
    for number, chosen in enumerate(ballots):
        cast(
            budget_round,
            keys.person_key(f"01020{number}-12345"),
            channel=Channel.ONLINE,
            choices={ideas[i].pk: 1 for i in chosen},
            birth_year=1980 + number,
        )
    page = BudgetRoundPage(
        title="Counted round", slug="counted-round", intro="<p>x</p>", budget_round=budget_round
    )
    home_en.add_child(instance=page)
    page.save_revision().publish()
    return page, count_round(budget_round), ideas


def test_results_page_explains_every_idea(client, counted_page):
    page, result, _ideas = counted_page
    html = client.get(page.url + "results/").content.decode()
    assert '<html lang="en">' in html
    assert "4 ballots were counted." in html
    assert "Funded in step 1" in html
    assert "Not funded: " in html and "EUR was left when its turn came" in html
    assert result.pb_sha256 in html
    assert f"/api/v1/results/{result.pk}/pb/" in html
    assert "Method of Equal Shares" in html and "Greedy" in html
    assert "spent with the add1 completion" in html, (
        "the comparison completes Equal Shares as municipalities do"
    )
    assert "Online: 4" in html
    assert "40-64: 4" in html, "participation by age comes from the register"


def test_results_page_before_any_count_is_not_found(client, home_en):
    budget_round = round_in_phase(Phase.VOTING)
    page = BudgetRoundPage(title="Open round", slug="open-round", intro="<p>x</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    assert client.get(page.url + "results/").status_code == 404


def test_a_round_counted_per_area_shows_each_area(client, home_en):
    from django.conf import settings

    from ideas.models import Area, AreaBudget, BudgetRound

    budget_round = round_in_phase(
        Phase.VOTING, total_budget=Decimal("20000"), ballot_scope=BudgetRound.BallotScope.AREA
    )
    north, south = Area.objects.filter(locale__language_code=settings.LANGUAGE_CODE).order_by("code")[:2]
    for area in (north, south):
        AreaBudget.objects.create(round=budget_round, area=area, amount=Decimal("10000"))
    north_idea = make_idea(
        budget_round, status="on_ballot", title="North pond", area=north, estimated_cost=4000
    )
    south_ideas = [
        make_idea(budget_round, status="on_ballot", title=title, area=south, estimated_cost=6000)
        for title in ("South trees", "South benches")
    ]
    voters = [
        (north, {north_idea.pk: 1}),
        (south, {south_ideas[0].pk: 1}),
        (south, {south_ideas[1].pk: 1}),
        (south, {south_ideas[0].pk: 1}),
    ]
    for number, (area, choices) in enumerate(voters):
        cast(
            budget_round,
            keys.person_key(f"03030{number}-12345"),
            channel=Channel.ONLINE,
            choices=choices,
            area=area,
        )
    page = BudgetRoundPage(title="Area round", slug="area-round", intro="<p>x</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    north_result, south_result = count_round(budget_round, area=north), count_round(budget_round, area=south)

    html = client.get(page.url + "results/").content.decode()
    assert "Results by area" in html
    assert f"?area={north.code}" in html and f"?area={south.code}" in html
    south_html = client.get(page.url + f"results/?area={south.code}").content.decode()
    assert "3 ballots were counted." in south_html and "South trees" in south_html
    assert "North pond" not in south_html.split("Every idea and why")[1]
    assert south_result.pb_sha256 in south_html and north_result.pb_sha256 not in south_html
    assert client.get(page.url + "results/?area=nowhere").status_code == 404


def test_the_demo_has_a_counted_round_to_show(client):
    """load_demo (ideas/demo_results.py) adds a finished vote with ballots from the three channels, counted with
    Equal Shares; the home page still features the newest round."""
    html = client.get("/en/greener-neighbourhood-2025/results/").content.decode()
    assert "150 ballots were counted." in html and "equalshares/add1" in html
    assert "Online: 90" in html and "Voting code: 45" in html and "Paper ballot: 15" in html
    featured = client.get("/en/").content.decode().split('class="round-card"')[1].split("</section>")[0]
    assert "/en/greener-neighbourhood-2026/" in featured and "2025" not in featured
