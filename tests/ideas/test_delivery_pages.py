"""The public side of delivery (ideas/delivery_views.py): the delivery page of all rounds and of one round, the
"Delivery" section of a funded idea's page, the round page's summary and impact filter, and the links from the
results and home pages. Query counts stay the same however many ideas, milestones, updates and photos there are."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from ideas import delivery as services
from ideas.delivery import FUNDED
from ideas.models import BudgetRoundPage, Delivery, DeliveryPage, Idea, Milestone
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase, translate_page

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def delivery_pages(home_lv, home_en, en):
    """The delivery page of each language under its home page (the demo's, when it has one)."""
    pages = {}
    lv_page = DeliveryPage.objects.live().filter(locale=home_lv.locale).first()
    if lv_page is None:
        lv_page = DeliveryPage(title="Kas notika ar atbalstītajām idejām", slug="test-istenosana")
        home_lv.add_child(instance=lv_page)
        lv_page.save_revision().publish()
    pages["lv"] = lv_page
    en_page = DeliveryPage.objects.live().filter(locale=en).first()
    if en_page is None:
        en_page = translate_page(lv_page, en, title="What became of the funded ideas", slug="test-delivery")
    pages["en"] = en_page
    return pages


@pytest.fixture
def funded_round(home_lv, en):
    """A round in its implementation phase with its page in both languages."""
    budget_round = round_in_phase(Phase.IMPLEMENTATION, name="Delivery test round")
    page = BudgetRoundPage(
        title="Piegādes kārta", slug="piegades-karta", intro="<p>x</p>", budget_round=budget_round
    )
    home_lv.add_child(instance=page)
    page.save_revision().publish()
    page_en = translate_page(page, en, title="Delivery round", slug="delivery-round")
    return budget_round, page, page_en


def funded(budget_round, title, *, state=Delivery.State.IN_PROGRESS, **delivery_fields):
    """A selected idea with a delivery written directly (the services are tested in test_delivery.py)."""
    idea_fields = {
        name: delivery_fields.pop(name)
        for name in list(delivery_fields)
        if name in ("trees_planted", "area_greened_m2", "path_length_m", "co2_tonnes_per_year")
        or name in ("latitude", "longitude", "estimated_cost", "status")
    }
    idea_fields.setdefault("status", "selected")
    idea = make_idea(budget_round, title=title, **idea_fields)
    delivery_fields.setdefault("allocated", Decimal("10000"))
    delivery = Delivery.objects.create(idea=idea, state=state, **delivery_fields)
    return idea, delivery


def make_many(budget_round, count, start=0):
    """`count` funded ideas with a delivery and two milestones each, in a handful of bulk queries."""
    template = make_idea(budget_round, status="selected", title="template")
    ideas = Idea.objects.bulk_create(
        [
            Idea(
                round=budget_round,
                status="selected",
                title=f"Bulk idea {start + number}",
                summary="s",
                category=template.category,
                area=template.area,
                estimated_cost=Decimal("1000"),
                trees_planted=2,
                latitude=Decimal("56.8") if number % 2 else None,
                longitude=Decimal("24.2") if number % 2 else None,
            )
            for number in range(count)
        ]
    )
    template.delete()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                idea=idea,
                state=Delivery.State.IN_PROGRESS,
                progress=number % 100,
                planned_completion=days_ago(3),
                allocated=Decimal("1000"),
                final_cost=Decimal("900") if number % 3 == 0 else None,
                delivered_trees_planted=1,
            )
            for number, idea in enumerate(ideas)
        ]
    )
    Milestone.objects.bulk_create(
        [
            Milestone(delivery=delivery, title=f"Step {n}", planned_date=days_ago(5 - n))
            for delivery in deliveries
            for n in range(2)
        ]
    )
    return ideas


def delivery_url(round_page):
    return round_page.url + round_page.reverse_subpage("delivery")


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


# The delivery pages ---------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_ideas(client, funded_round, delivery_pages):
    budget_round, page, _page_en = funded_round
    make_many(budget_round, 10)
    client.get(delivery_url(page))  # warm the site-root cache as later requests find it
    few_round, response = count_queries(client, delivery_url(page))
    assert len(response.context["rows"]) == 10
    few_overview, response = count_queries(client, delivery_pages["lv"].url, round=budget_round.pk)
    assert len(response.context["rows"]) == 10
    few_all, _response = count_queries(client, delivery_pages["lv"].url)

    make_many(budget_round, 990, start=10)
    many_round, response = count_queries(client, delivery_url(page))
    assert response.context["funded_count"] == 1000
    assert response.context["money"]["allocated"] == Decimal("1000") * 1000
    assert len(response.context["map_points"]) == 500
    many_overview, response = count_queries(client, delivery_pages["lv"].url, round=budget_round.pk)
    assert len(response.context["rows"]) == 1000
    many_all, _response = count_queries(client, delivery_pages["lv"].url)

    assert many_round == few_round
    assert many_overview == few_overview
    assert many_all == few_all


def test_both_languages_render_with_their_numbers(client, funded_round, delivery_pages):
    budget_round, page, page_en = funded_round
    idea, _delivery = funded(budget_round, "Liepu aleja", allocated=Decimal("12500"))
    for url, language, amount in (
        (delivery_pages["lv"].url, "lv", "12\u00a0500\u00a0€"),
        (delivery_pages["en"].url, "en", "€12,500"),
        (delivery_url(page), "lv", "12\u00a0500\u00a0€"),
        (delivery_url(page_en), "en", "€12,500"),
    ):
        assert url.startswith("/en/") == (language == "en")
        html = client.get(url).content.decode()
        assert f'<html lang="{language}">' in html, url
        assert "Liepu aleja" in html and amount in html, url
        # The idea links to its page in the same language.
        round_page = page_en if language == "en" else page
        assert f'href="{round_page.idea_url(idea)}"' in html, url


def test_late_ideas_and_milestones_are_flagged_with_their_days(client, funded_round):
    # The English page: the assertions below read its words.
    budget_round, _page_lv, page = funded_round
    late, late_delivery = funded(budget_round, "Late bridge", planned_completion=days_ago(12))
    on_time, _ = funded(
        budget_round, "On time square", planned_completion=TODAY + datetime.timedelta(days=30)
    )
    done, _ = funded(
        budget_round,
        "Finished park",
        state=Delivery.State.COMPLETED,
        planned_completion=days_ago(40),
        completed_on=days_ago(35),
        progress=100,
    )
    overdue = Milestone.objects.create(delivery=late_delivery, title="Design", planned_date=days_ago(7))
    reached = Milestone.objects.create(
        delivery=late_delivery, title="Permit", planned_date=days_ago(20), actual_date=days_ago(18)
    )
    response = client.get(delivery_url(page))
    assert [row.idea for row in response.context["late"]] == [late]
    assert [(milestone, days) for _row, milestone, days in response.context["late_milestones"]] == [
        (overdue, 7)
    ]
    html = response.content.decode()
    late_section = html.split("data-delivery-late")[1].split("</section>")[0]
    assert f'data-late-idea="{late.pk}"' in late_section and "12 days late" in late_section
    assert f'data-late-milestone="{overdue.pk}"' in late_section and "7 days late" in late_section
    assert f'data-late-milestone="{reached.pk}"' not in late_section
    assert "On time square" not in late_section and "Finished park" not in late_section
    item = re.search(rf'data-delivery-idea="{late.pk}".*?</li>', html, re.S).group(0)
    assert "data-late" in item
    for idea in (on_time, done):
        item = re.search(rf'data-delivery-idea="{idea.pk}".*?</li>', html, re.S).group(0)
        assert "data-late" not in item and "days late" not in item


def test_money_and_impact_totals(client, funded_round):
    budget_round, page, _page_en = funded_round
    funded(
        budget_round,
        "Trees",
        allocated=Decimal("10000"),
        final_cost=Decimal("9000"),
        trees_planted=40,
        delivered_trees_planted=35,
        co2_tonnes_per_year=Decimal("1.5"),
    )
    funded(
        budget_round,
        "Path",
        allocated=Decimal("20000"),
        final_cost=Decimal("23000"),
        overrun_reason="Steel cost more.",
        path_length_m=300,
        delivered_path_length_m=320,
        trees_planted=10,
    )
    funded(budget_round, "Garden", allocated=Decimal("5000"), area_greened_m2=200)
    # Funded before deliveries were followed: no delivery row, its cost to the budget counts as allocated.
    make_idea(
        budget_round, status="selected", title="Old idea", estimated_cost=Decimal("3000"), trees_planted=5
    )
    # Not funded: never counted.
    make_idea(budget_round, status="not_selected", title="Lost idea", trees_planted=1000)

    response = client.get(delivery_url(page))
    money = response.context["money"]
    assert money["allocated"] == Decimal("38000")
    assert money["spent"] == Decimal("32000")
    assert money["allocated_of_spent"] == Decimal("30000")
    assert money["with_final_cost"] == 2 and money["overrun_count"] == 1
    impact = {row.name: row for row in response.context["impact"]}
    assert (impact["trees_planted"].promised, impact["trees_planted"].delivered) == (55, 35)
    assert impact["trees_planted"].recorded == 1
    assert (impact["path_length_m"].promised, impact["path_length_m"].delivered) == (300, 320)
    assert (impact["area_greened_m2"].promised, impact["area_greened_m2"].delivered) == (200, None)
    assert impact["co2_tonnes_per_year"].promised == Decimal("1.5")
    html = response.content.decode()
    assert "Lost idea" not in html and "Old idea" in html
    assert re.search(r"data-total-allocated>38\u00a0000\u00a0€<", html)
    assert re.search(r"data-total-spent>32\u00a0000\u00a0€<", html)
    trees = re.search(r'data-impact="trees_planted".*?</tr>', html, re.S).group(0)
    assert ">55<" in trees and ">35<" in trees
    area = re.search(r'data-impact="area_greened_m2".*?</tr>', html, re.S).group(0)
    assert "200 m²" in area.replace("\u00a0", " ")

    # The status filter narrows the list and its totals.
    response = client.get(delivery_url(page), {"state": "planned"})
    assert [row.idea.title for row in response.context["rows"]] == ["Old idea"]
    assert response.context["money"]["allocated"] == Decimal("3000")


def test_filters_by_round_and_status_and_refuses_unknown_values(client, funded_round, delivery_pages):
    budget_round, _page, _page_en = funded_round
    mine, _ = funded(budget_round, "Mine", state=Delivery.State.COMPLETED, completed_on=TODAY, progress=100)
    other_round = round_in_phase(Phase.IMPLEMENTATION, name="Other round")
    other_page = BudgetRoundPage(
        title="Cita kārta", slug="cita-karta", intro="<p>x</p>", budget_round=other_round
    )
    delivery_pages["lv"].get_parent().add_child(instance=other_page)
    other_page.save_revision().publish()
    theirs, _ = funded(other_round, "Theirs", state=Delivery.State.CANCELLED, cancel_reason="No permit.")

    url = delivery_pages["lv"].url
    response = client.get(url, {"round": budget_round.pk})
    assert [row.idea for row in response.context["rows"]] == [mine]
    html = response.content.decode()
    assert f'<option value="{budget_round.pk}" selected>Piegādes kārta</option>' in html
    response = client.get(url, {"state": "cancelled"})
    titles = {row.idea.title for row in response.context["rows"]}
    assert "Theirs" in titles and "Mine" not in titles
    assert "No permit." in response.content.decode()

    response = client.get(url, {"round": "abc", "state": "lost"})
    titles = {row.idea.title for row in response.context["rows"]}
    assert {"Mine", "Theirs"} <= titles, "unknown values show everything"
    warnings = [str(message) for message in response.context["messages"]]
    assert len(warnings) == 2
    assert theirs.pk in {row.idea.pk for row in response.context["rows"]}


def test_empty_state_when_nothing_is_funded(client, funded_round, delivery_pages):
    _budget_round, page, _page_en = funded_round
    html = client.get(delivery_url(page)).content.decode()
    assert "data-delivery-empty" in html and "data-delivery-money" not in html
    Idea.objects.filter(status__in=FUNDED).update(status="not_selected")
    html = client.get(delivery_pages["en"].url).content.decode()
    assert "data-delivery-empty" in html and "data-delivery-money" not in html


# The idea page -------------------------------------------------------------------------------------------


def photo_upload(name="work.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 130, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_funded_idea_shows_its_delivery(client, funded_round, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The English page: the assertions below read its words.
    budget_round, _page_lv, page = funded_round
    idea = make_idea(budget_round, status="selected", title="Benches", trees_planted=12, path_length_m=150)
    services.update_delivery(
        idea, None, state=Delivery.State.IN_PROGRESS, progress=40, planned_completion=days_ago(4)
    )
    Delivery.objects.filter(idea=idea).update(allocated=Decimal("8000"))
    services.update_delivery(idea, None, final_cost=Decimal("9500"), overrun_reason="Oak instead of pine.")
    late = services.add_milestone(idea, None, title="Order benches", planned_date=days_ago(10))
    reached = services.add_milestone(idea, None, title="Survey", planned_date=days_ago(30))
    services.reach_milestone(reached, None, actual_date=days_ago(27))
    first = services.post_update(idea, None, text="Work started.", photos=[(photo_upload(), "Dug ground")])
    second = services.post_update(idea, None, text="Benches ordered.")
    # Created in the same second: order by when they were posted.
    first.created_at = timezone.now() - datetime.timedelta(days=2)
    first.save(update_fields=["created_at"])
    services.record_delivered_impact(idea, None, trees_planted=10)

    html = client.get(page.idea_url(idea)).content.decode()
    section = html.split("data-delivery>")[1].split("</section>")[0]
    assert 'data-delivery-state="in_progress"' in section
    assert re.search(r'<progress id="delivery-progress" max="100" value="40">', section)
    assert '<label for="delivery-progress">' in section
    assert "4 days late" in section
    assert "€8,000" in section and "€9,500" in section and "Oak instead of pine." in section
    milestone = re.search(rf'data-milestone="{late.pk}".*?</li>', section, re.S).group(0)
    assert "data-late" in milestone and "10 days late" in milestone
    milestone = re.search(rf'data-milestone="{reached.pk}".*?</li>', section, re.S).group(0)
    assert "data-late" not in milestone and "reached 3 days late" in milestone
    assert section.index(f'data-update="{second.pk}"') < section.index(f'data-update="{first.pk}"')
    photo = first.photos.get()
    assert f'src="{photo.file.url}" alt="Dug ground"' in section
    trees = re.search(r'data-impact="trees_planted".*?</tr>', section, re.S).group(0)
    assert ">12<" in trees and ">10<" in trees
    path = re.search(r'data-impact="path_length_m".*?</tr>', section, re.S).group(0)
    assert "not recorded yet" in path


def test_the_idea_page_query_count_does_not_grow_with_milestones_updates_and_photos(
    client, funded_round, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    budget_round, page, _page_en = funded_round
    idea = make_idea(budget_round, status="selected", title="Growing")
    services.add_milestone(idea, None, title="One", planned_date=days_ago(1))
    services.post_update(idea, None, text="First.", photos=[(photo_upload(), "One photo")])
    client.get(page.idea_url(idea))
    few, _response = count_queries(client, page.idea_url(idea))
    for number in range(4):
        services.add_milestone(idea, None, title=f"Step {number}", planned_date=days_ago(number))
        services.post_update(
            idea, None, text=f"Update {number}.", photos=[(photo_upload(), f"Photo {n}") for n in range(3)]
        )
    many, response = count_queries(client, page.idea_url(idea))
    assert len(response.context["delivery"]["updates"]) == 5
    assert many == few


def test_a_cancelled_idea_says_why_and_old_funded_ideas_render(client, funded_round):
    budget_round, page, _page_en = funded_round
    cancelled, _ = funded(
        budget_round, "Fountain", state=Delivery.State.CANCELLED, cancel_reason="The ground is unstable."
    )
    html = client.get(page.idea_url(cancelled)).content.decode()
    assert "data-cancel-reason" in html and "The ground is unstable." in html
    # Funded before deliveries were followed: no delivery row, still a section.
    old = make_idea(budget_round, status="completed", title="Old bench")
    html = client.get(page.idea_url(old)).content.decode()
    assert 'data-delivery-state="planned"' in html and "<progress" not in html
    not_funded = make_idea(budget_round, status="not_selected", title="Lost")
    html = client.get(page.idea_url(not_funded)).content.decode()
    assert "data-delivery" not in html


# Round, results and home pages ---------------------------------------------------------------------------


def test_the_round_page_links_to_delivery_with_its_impact(client, funded_round):
    budget_round, page, page_en = funded_round
    html = client.get(page.url).content.decode()
    assert "data-delivery-summary" not in html, "nothing funded yet"
    funded(budget_round, "Trees", trees_planted=30, delivered_trees_planted=25)
    funded(budget_round, "More trees", trees_planted=20)
    make_idea(budget_round, status="not_selected", trees_planted=500)
    for round_page in (page, page_en):
        html = client.get(round_page.url).content.decode()
        assert f'href="{delivery_url(round_page)}"' in html
        trees = re.search(r'data-impact="trees_planted".*?</tr>', html, re.S).group(0)
        assert ">50<" in trees and ">25<" in trees
    html = client.get(page_en.url).content.decode()
    assert "2 funded ideas" in html


def test_the_round_page_has_the_green_impact_filter(client, funded_round):
    _budget_round, page, _page_en = funded_round
    html = client.get(page.url, {"impact": "path"}).content.decode()
    select = re.search(r'<select id="ideas-impact" name="impact">.*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w*)"', select) == ["", "trees", "area", "path", "co2"]
    assert '<option value="path" selected>' in select
    assert '<label for="ideas-impact">' in html


def test_the_results_page_links_to_delivery(client, en):
    from ideas.journey import published_results_page

    page = published_results_page(en)
    assert page is not None, "the demo has published results"
    html = client.get(page.url + "results/").content.decode()
    assert f'href="{delivery_url(page)}"' in html


def test_the_home_page_links_to_a_live_delivery_page(client, home_lv, home_en, delivery_pages):
    html = client.get(home_lv.url).content.decode()
    assert f'href="{delivery_pages["lv"].url}"' in html
    delivery_pages["en"].unpublish()
    html = client.get(home_en.url).content.decode()
    assert "home-delivery" not in html
