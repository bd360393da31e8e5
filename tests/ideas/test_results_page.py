"""The public results page: funded ideas with explanations, budget used, both methods, participation, and the
counted file with its hash."""

from decimal import Decimal

import pytest

from ideas.models import BudgetRoundPage, Channel
from ideas.phases import Phase
from ideas.voting.casting import cast
from ideas.voting.results import count_round, publish_results
from tests.factories import make_idea, round_in_phase
from tests.ideas import voters

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_page(home_en):
    """A round with four ballots, one of them changed once: closed, opened and counted; the receipts of the
    counted ballots and the receipt the changed ballot had first."""
    budget_round = voters.voting_round(total_budget=Decimal("10000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=title, estimated_cost=Decimal(cost))
        for title, cost in (("Benches", 3000), ("Trees", 6000), ("Fountain", 5000))
    ]
    ballots = [[0, 1], [0, 1], [0, 2], [2]]
    receipts = []
    for number, chosen in enumerate(ballots):
        person = voters.on_census(f"01020{number}-12345", birth_year=1980 + number)
        if number == 0:
            replaced = cast(budget_round, person, channel=Channel.ONLINE, choices={ideas[2].pk: 1})
        receipts.append(
            cast(budget_round, person, channel=Channel.ONLINE, choices={ideas[i].pk: 1 for i in chosen})
        )
    page = BudgetRoundPage(
        title="Counted round", slug="counted-round", intro="<p>x</p>", budget_round=budget_round
    )
    home_en.add_child(instance=page)
    page.save_revision().publish()
    voters.close_and_open(budget_round)
    result = count_round(budget_round)
    publish_results(budget_round, [result], None)  # residents see only published counts (issue 9)
    return page, result, ideas, receipts, replaced


def test_results_page_explains_every_idea(client, counted_page):
    page, result, _ideas, _receipts, _replaced = counted_page
    html = client.get(page.url + "results/").content.decode()
    assert '<html lang="en">' in html
    assert "4 ballots were counted." in html
    assert "Funded in step 1" in html
    assert "Not funded: " in html and " was left when its turn came, and it costs €" in html
    assert result.pb_sha256 in html
    assert f"/api/v1/results/{result.pk}/pb/" in html
    assert "Method of Equal Shares" in html and "Greedy" in html
    assert "spent with the add1 completion" in html, (
        "the comparison completes Equal Shares as municipalities do"
    )
    assert "Online: 4" in html
    assert "40-64: 4" in html, "participation by age comes from the register"
    assert f"/api/v1/results/{result.pk}/receipts/" in html


def test_the_results_page_finds_the_newest_receipt_and_not_the_replaced_one(client, counted_page):
    """Issue 8: a changed ballot: only the newest counts, and the receipt check says so."""
    page, _result, _ideas, receipts, replaced = counted_page
    results_url = page.url + "results/"
    for receipt in receipts:
        html = client.get(results_url, {"receipt": receipt.code}).content.decode()
        assert "Found: a ballot with this receipt was counted." in html, receipt.code
    # Typed in small letters and without dashes, the receipt is still found.
    typed = receipts[0].code.lower().replace("-", "")
    assert "Found:" in client.get(results_url, {"receipt": typed}).content.decode()
    html = client.get(results_url, {"receipt": replaced.code}).content.decode()
    assert "Not found among the counted ballots." in html and "Found:" not in html
    assert "20 letters and digits" in client.get(results_url, {"receipt": "3F2A-9C41"}).content.decode()
    assert "Found" not in client.get(results_url).content.decode().split('id="receipt-answer"')[1][:200]


def test_results_page_before_any_count_is_not_found(client, home_en):
    budget_round = round_in_phase(Phase.VOTING)
    page = BudgetRoundPage(title="Open round", slug="open-round", intro="<p>x</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    assert client.get(page.url + "results/").status_code == 404


def test_a_round_counted_per_area_shows_each_area(client, home_en):
    from django.conf import settings

    from ideas.models import Area, AreaBudget, BudgetRound

    budget_round = voters.voting_round(
        total_budget=Decimal("20000"), ballot_scope=BudgetRound.BallotScope.AREA
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
    by_area = [
        (north, {north_idea.pk: 1}),
        (south, {south_ideas[0].pk: 1}),
        (south, {south_ideas[1].pk: 1}),
        (south, {south_ideas[0].pk: 1}),
    ]
    for number, (area, choices) in enumerate(by_area):
        # The area of each ballot is the voter's census area.
        person = voters.on_census(f"03030{number}-12345", area=area)
        assert cast(budget_round, person, channel=Channel.ONLINE, choices=choices).area_id == area.pk
    page = BudgetRoundPage(title="Area round", slug="area-round", intro="<p>x</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    voters.close_and_open(budget_round)
    north_result, south_result = count_round(budget_round, area=north), count_round(budget_round, area=south)
    publish_results(budget_round, [north_result, south_result], None)

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
