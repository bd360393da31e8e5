"""The delivery API /api/v1/delivery/ (ideas/api/delivery.py): the fields of a funded idea's delivery, what is never
shown, the round/state/late filters and their errors, a fixed number of queries for the list; and the green-impact
filter `impact` of ideas/filters.py on /api/v1/ideas/ and on a round page, with the delivered impact on ideas."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from ideas import delivery as services
from ideas.delivery import FUNDED
from ideas.models import BudgetRoundPage, Delivery, DeliveryPhoto, DeliveryUpdate, Idea, Milestone
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db

DELIVERY = "/api/v1/delivery/"
IDEAS = "/api/v1/ideas/"
# The API's day is the municipality's (timezone.localdate()), as on the delivery pages.
TODAY = timezone.localdate()


def days(number):
    return TODAY + datetime.timedelta(days=number)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def funded_round(db):
    return round_in_phase(Phase.IMPLEMENTATION, name="Delivery test round")


@pytest.fixture
def round_page(home_lv, funded_round):
    page = BudgetRoundPage(
        title="Delivery round", slug="delivery-round", intro="<p>Ideas.</p>", budget_round=funded_round
    )
    home_lv.add_child(instance=page)
    page.save_revision().publish()
    return page


def photo(name="DSC_0001_jana_berzina.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (40, 120, 50)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["results"]]


def in_round(budget_round, **params):
    return {"round": budget_round.pk, "lang": "en", **params}


@pytest.fixture
def late_park(funded_round, resident, idea_moderator):
    """A funded idea whose delivery is under way and late, with milestones, an update with a photo (posted by a
    moderator), a final cost above its allocation and part of its green impact delivered."""
    idea = make_idea(
        funded_round,
        author=resident,
        status="selected",
        title="Linden park",
        estimated_cost=Decimal("20000"),
        trees_planted=40,
        area_greened_m2=1200,
        co2_tonnes_per_year=Decimal("3.50"),
    )
    services.start_delivery(idea)
    services.update_delivery(
        idea,
        None,
        state=Delivery.State.IN_PROGRESS,
        progress=60,
        planned_completion=days(-9),
        final_cost=Decimal("21500.00"),
        overrun_reason="Clay soil needed replacing.",
    )
    reached = services.add_milestone(idea, None, title="Soil ready", planned_date=days(-30))
    services.reach_milestone(reached, None, actual_date=days(-26))
    services.add_milestone(idea, None, title="Trees planted", planned_date=days(-5))
    services.add_milestone(idea, None, title="Benches", planned_date=days(20))
    services.post_update(
        idea,
        idea_moderator,
        text="The first 20 lindens are in.",
        photos=[(photo(), "Young lindens in a row")],
    )
    services.record_delivered_impact(idea, None, trees_planted=20)
    idea.refresh_from_db()
    return idea


# Fields ------------------------------------------------------------------------------------------------


def test_a_funded_idea_with_its_delivery(api, round_page, late_park):
    response = api.get(f"{DELIVERY}{late_park.pk}/", {"lang": "en"})
    assert response.status_code == 200, response.content
    data = response.json()

    assert data["id"] == late_park.pk
    assert data["title"] == "Linden park"
    assert data["round"] == late_park.round_id
    assert data["url"] == f"http://testserver/delivery-round/{late_park.pk}/"
    assert (data["status"], data["status_label"]) == ("in_implementation", "In implementation")
    assert (data["state"], data["state_label"]) == ("in_progress", "In progress")
    assert data["progress"] == 60
    assert data["planned_completion"] == days(-9).isoformat()
    assert data["completed_on"] is None
    assert data["days_late"] == 9
    assert data["allocated"] == "20000.00"
    assert data["final_cost"] == "21500.00"
    assert data["overrun_reason"] == "Clay soil needed replacing."
    assert data["cancel_reason"] == ""
    assert data["promised_impact"] == {
        "trees_planted": 40,
        "area_greened_m2": 1200,
        "path_length_m": None,
        "co2_tonnes_per_year": "3.50",
    }
    assert data["delivered_impact"] == {
        "trees_planted": 20,
        "area_greened_m2": None,
        "path_length_m": None,
        "co2_tonnes_per_year": None,
    }
    assert data["milestones"] == [
        {"title": "Soil ready", "planned_date": days(-30).isoformat(), "actual_date": days(-26).isoformat(),
         "days_late": 4},
        {"title": "Trees planted", "planned_date": days(-5).isoformat(), "actual_date": None, "days_late": 5},
        {"title": "Benches", "planned_date": days(20).isoformat(), "actual_date": None, "days_late": 0},
    ]  # fmt: skip
    [update] = data["updates"]
    assert update["text"] == "The first 20 lindens are in."
    assert update["created_at"]
    [picture] = update["photos"]
    assert picture["alt_text"] == "Young lindens in a row"
    assert re.fullmatch(r"http://testserver/.+/delivery/[0-9a-f]{32}\.jpg", picture["url"])
    assert (picture["width"], picture["height"]) == (400, 300)

    # The list shows the same idea the same way.
    listed = api.get(DELIVERY, in_round(late_park.round)).json()
    assert listed["count"] == 1
    assert listed["results"] == [data]


def test_no_personal_data(api, round_page, late_park, idea_moderator, resident):
    update = DeliveryUpdate.objects.get(delivery__idea=late_park)
    assert update.posted_by == idea_moderator  # the data is there, the API leaves it out
    text = api.get(f"{DELIVERY}{late_park.pk}/").content.decode()
    for private in (
        idea_moderator.email,
        idea_moderator.username,
        resident.email,
        resident.username,
        "posted_by",
        "author",
        "jana_berzina",  # the uploaded file's name
    ):
        assert private not in text, private


def test_labels_follow_the_request_language(api, late_park):
    lv = api.get(f"{DELIVERY}{late_park.pk}/", {"lang": "lv"})
    en = api.get(f"{DELIVERY}{late_park.pk}/", {"lang": "en"})
    assert (lv["Content-Language"], en["Content-Language"]) == ("lv", "en")
    assert (en.json()["state_label"], en.json()["status_label"]) == ("In progress", "In implementation")
    assert lv.json()["state_label"] != "In progress"
    assert lv.json()["status_label"] != "In implementation"


def test_a_funded_idea_without_a_delivery_record_counts_as_planned(api, funded_round):
    idea = make_idea(funded_round, status="selected", estimated_cost=Decimal("8000"), path_length_m=350)
    assert not Delivery.objects.filter(idea=idea).exists()

    data = api.get(f"{DELIVERY}{idea.pk}/", {"lang": "en"}).json()
    assert (data["state"], data["state_label"]) == ("planned", "Planned")
    assert (data["progress"], data["days_late"]) == (0, 0)
    assert data["allocated"] == "8000.00"  # its cost to the public budget
    assert data["final_cost"] is None and data["planned_completion"] is None
    assert data["milestones"] == [] and data["updates"] == []
    assert data["promised_impact"]["path_length_m"] == 350
    assert set(data["delivered_impact"].values()) == {None}


def test_only_funded_ideas(api, funded_round, late_park):
    completed = make_idea(funded_round, status="completed", title="Done")
    not_selected = make_idea(funded_round, status="not_selected", title="Lost the vote")
    on_ballot = make_idea(funded_round, status="on_ballot", title="Still voting")
    draft = make_idea(funded_round, status="draft", title="Draft")

    assert set(ids(api.get(DELIVERY, in_round(funded_round)))) == {late_park.pk, completed.pk}
    for idea in (not_selected, on_ballot, draft):
        assert api.get(f"{DELIVERY}{idea.pk}/").status_code == 404
    for missing in ("999999999", str(10**30), "abc"):
        assert api.get(f"{DELIVERY}{missing}/").status_code == 404, missing
    assert api.get(f"{DELIVERY}%00/").status_code == 400  # config/middleware.py RefuseNulMiddleware
    assert api.post(DELIVERY, {}, format="json").status_code in (401, 403, 405)


# Filters -----------------------------------------------------------------------------------------------


@pytest.fixture
def deliveries(funded_round, late_park):
    """One funded idea in every situation the filters tell apart."""
    ideas = {"late": late_park}
    ideas["unrecorded"] = make_idea(funded_round, status="selected", title="No record yet")
    ideas["on_time"] = make_idea(funded_round, status="selected", title="On time")
    services.update_delivery(
        ideas["on_time"], None, state=Delivery.State.IN_PROGRESS, planned_completion=days(30)
    )
    ideas["delayed"] = make_idea(funded_round, status="selected", title="Delayed but rescheduled")
    services.update_delivery(ideas["delayed"], None, state=Delivery.State.DELAYED, planned_completion=days(1))
    ideas["done_late"] = make_idea(funded_round, status="selected", title="Done, late")
    services.update_delivery(
        ideas["done_late"],
        None,
        state=Delivery.State.COMPLETED,
        planned_completion=days(-40),
        completed_on=days(-10),
    )
    ideas["cancelled"] = make_idea(funded_round, status="selected", title="Cancelled")
    services.update_delivery(
        ideas["cancelled"],
        None,
        state=Delivery.State.CANCELLED,
        planned_completion=days(-3),
        cancel_reason="The land was sold.",
    )
    ideas["planned"] = make_idea(funded_round, status="selected", title="Planned, not started")
    services.update_delivery(ideas["planned"], None, planned_completion=days(-1))
    return {name: idea.pk for name, idea in ideas.items()}


def test_filter_by_state(api, funded_round, deliveries):
    def states(state):
        return set(ids(api.get(DELIVERY, in_round(funded_round, state=state))))

    assert states("in_progress") == {deliveries["late"], deliveries["on_time"]}
    # Planned includes the funded idea without a delivery record.
    assert states("planned") == {deliveries["unrecorded"], deliveries["planned"]}
    assert states("delayed") == {deliveries["delayed"]}
    assert states("completed") == {deliveries["done_late"]}
    assert states("cancelled") == {deliveries["cancelled"]}
    cancelled = api.get(f"{DELIVERY}{deliveries['cancelled']}/").json()
    assert cancelled["cancel_reason"] == "The land was sold."
    assert cancelled["days_late"] == 0


def test_filter_late(api, funded_round, deliveries):
    late = set(ids(api.get(DELIVERY, in_round(funded_round, late="true"))))
    assert set(ids(api.get(DELIVERY, in_round(funded_round, late="TRUE")))) == late
    assert set(ids(api.get(DELIVERY, in_round(funded_round, late="1")))) == late
    assert late == {deliveries["late"], deliveries["planned"]}
    others = set(ids(api.get(DELIVERY, in_round(funded_round, late="false"))))
    assert others == set(deliveries.values()) - late
    # The filter and the days_late field agree.
    for item in api.get(DELIVERY, in_round(funded_round)).json()["results"]:
        assert (item["days_late"] > 0) == (item["id"] in late), item["title"]
    assert set(ids(api.get(DELIVERY, in_round(funded_round, late="true", state="planned")))) == {
        deliveries["planned"]
    }


def test_filter_by_round(api, funded_round, late_park):
    other_round = round_in_phase(Phase.IMPLEMENTATION, name="Another round")
    elsewhere = make_idea(other_round, status="selected", title="Elsewhere")
    assert ids(api.get(DELIVERY, in_round(funded_round))) == [late_park.pk]
    assert ids(api.get(DELIVERY, in_round(other_round))) == [elsewhere.pk]
    # Without it, every round's funded ideas (the demo's too).
    assert api.get(DELIVERY).json()["count"] == Idea.objects.filter(status__in=FUNDED).count()


def test_bad_filter_values_are_400_with_clear_messages(api, funded_round):
    response = api.get(DELIVERY, {"state": "finished", "lang": "en"})
    assert response.status_code == 400
    assert response.json() == {
        "state": [
            "“finished” is not a delivery state; use planned, in_progress, delayed, completed or cancelled."
        ]
    }
    response = api.get(DELIVERY, {"late": "maybe", "round": "abc", "lang": "en"})
    assert response.status_code == 400
    assert response.json() == {
        "late": ["“maybe” is neither true nor false."],
        "round": ["There is no budget round with the id “abc”."],
    }
    assert api.get(DELIVERY, {"round": str(10**30), "lang": "en"}).status_code == 400
    assert api.get(DELIVERY, {"page": "99999"}).status_code == 404
    assert api.get(DELIVERY, {"lang": "xx"}).status_code == 400


# Queries -----------------------------------------------------------------------------------------------


def test_list_runs_the_same_number_of_queries_for_10_and_1000_funded_ideas(api, round_page, funded_round):
    def add_ideas(start, count):
        ideas = Idea.objects.bulk_create(
            Idea(
                round=funded_round,
                title=f"Funded {number:04}",
                summary="Summary",
                description="Description",
                estimated_cost=Decimal(1000 + number),
                status="in_implementation" if number % 2 else "selected",
                trees_planted=number % 7,
            )
            for number in range(start, start + count)
        )
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                idea=idea,
                state=Delivery.State.IN_PROGRESS,
                progress=50,
                planned_completion=days(-2),
                allocated=idea.estimated_cost,
                delivered_trees_planted=1,
            )
            for idea in ideas
        )
        Milestone.objects.bulk_create(
            Milestone(delivery=delivery, title=title, planned_date=days(offset))
            for delivery in deliveries
            for title, offset in (("Design", -20), ("Build", 10))
        )
        updates = DeliveryUpdate.objects.bulk_create(
            DeliveryUpdate(delivery=delivery, text="Work started.") for delivery in deliveries
        )
        DeliveryPhoto.objects.bulk_create(
            DeliveryPhoto(
                update=update, file=f"delivery/{update.pk:032x}.jpg", width=4, height=3, alt_text="Site"
            )
            for update in updates
        )

    def queries_for_list():
        with CaptureQueriesContext(connection) as queries:
            response = api.get(DELIVERY, in_round(funded_round))
        assert response.status_code == 200, response.content
        return len(queries), response.json()

    add_ideas(0, 10)
    queries_for_list()  # warm up caches (site root paths, locales)
    with_10, data_10 = queries_for_list()
    add_ideas(10, 990)
    with_1000, data_1000 = queries_for_list()

    assert (data_10["count"], len(data_10["results"])) == (10, 10)
    assert (data_1000["count"], len(data_1000["results"])) == (1000, 20)
    for item in data_1000["results"]:
        assert item["url"].startswith("http://testserver/delivery-round/")
        assert [milestone["title"] for milestone in item["milestones"]] == ["Design", "Build"]
        assert item["updates"][0]["photos"][0]["alt_text"] == "Site"
        assert item["days_late"] == 2
        assert item["delivered_impact"]["trees_planted"] == 1
    assert with_10 == with_1000


# The green-impact filter and the delivered impact on ideas -------------------------------------------------


@pytest.fixture
def green_ideas(db):
    budget_round = round_in_phase(Phase.SUPPORT, name="Green round")
    ideas = {
        "trees": make_idea(budget_round, title="Oak alley", trees_planted=12),
        "area": make_idea(budget_round, title="Unsealed yard", area_greened_m2=300),
        "path": make_idea(budget_round, title="Cycle path", path_length_m=800, trees_planted=0),
        "co2": make_idea(budget_round, title="Solar roof", co2_tonnes_per_year=Decimal("0.25")),
        "none": make_idea(budget_round, title="Benches", area_greened_m2=0),
        "all": make_idea(
            budget_round,
            title="Green street",
            trees_planted=5,
            area_greened_m2=50,
            path_length_m=100,
            co2_tonnes_per_year=Decimal("1.00"),
        ),
    }
    return budget_round, ideas


def test_ideas_api_filters_by_promised_impact(api, green_ideas):
    budget_round, ideas = green_ideas
    for impact in ("trees", "area", "path", "co2"):
        found = set(ids(api.get(IDEAS, in_round(budget_round, impact=impact))))
        assert found == {ideas[impact].pk, ideas["all"].pk}, impact
    assert len(ids(api.get(IDEAS, in_round(budget_round)))) == 6
    # With the other filters.
    assert ids(api.get(IDEAS, in_round(budget_round, impact="trees", q="oak"))) == [ideas["trees"].pk]

    response = api.get(IDEAS, {"impact": "bees", "lang": "en"})
    assert response.status_code == 400
    assert response.json() == {"impact": ["“bees” is not a green impact; use trees, area, path or co2."]}


def test_ideas_api_shows_promised_and_delivered_impact(api, green_ideas, late_park):
    _budget_round, ideas = green_ideas
    item = api.get(f"{IDEAS}{ideas['all'].pk}/").json()
    assert (item["trees_planted"], item["area_greened_m2"], item["path_length_m"]) == (5, 50, 100)
    assert item["co2_tonnes_per_year"] == "1.00"
    # Not funded: nothing delivered.
    delivered = ["delivered_trees_planted", "delivered_area_greened_m2", "delivered_path_length_m",
                 "delivered_co2_tonnes_per_year"]  # fmt: skip
    assert [item[name] for name in delivered] == [None] * 4

    services.record_delivered_impact(late_park, None, co2_tonnes_per_year=Decimal("2.5"))
    funded = api.get(f"{IDEAS}{late_park.pk}/").json()
    assert funded["trees_planted"] == 40
    assert [funded[name] for name in delivered] == [20, None, None, "2.50"]
    listed = api.get(IDEAS, in_round(late_park.round, impact="trees")).json()["results"]
    assert [(entry["id"], entry["delivered_trees_planted"]) for entry in listed] == [(late_park.pk, 20)]


def test_ideas_list_queries_do_not_grow_with_funded_ideas(api, funded_round):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(IDEAS, in_round(funded_round))
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    def add(number):
        idea = make_idea(funded_round, status="selected", title=f"Funded {number}", trees_planted=3)
        services.record_delivered_impact(idea, None, trees_planted=number)

    add(0)
    queries()
    with_one = queries()
    for number in range(1, 6):
        add(number)
    with_six = queries()
    assert (with_one[1], with_six[1]) == (1, 6)
    assert with_one[0] == with_six[0]


def test_round_page_list_filters_by_impact(client, home_en):
    budget_round = round_in_phase(Phase.SUPPORT, name="Web green round")
    page = BudgetRoundPage(
        title="Green", slug="green-round", intro="<p>Ideas.</p>", budget_round=budget_round
    )
    home_en.add_child(instance=page)
    page.save_revision().publish()
    make_idea(budget_round, title="Oak alley", trees_planted=12)
    make_idea(budget_round, title="Green street", trees_planted=1, path_length_m=40)
    make_idea(budget_round, title="Cycle path", path_length_m=800, trees_planted=0)
    make_idea(budget_round, title="Benches")

    def titles(query=""):
        response = client.get(page.url + query)
        assert response.status_code == 200
        html = response.content.decode()
        return sorted(
            re.findall(r'<h3 class="card__title"(?: lang="\w+")?><a href="[^"]+">([^<]+)</a>', html)
        )

    assert titles() == ["Benches", "Cycle path", "Green street", "Oak alley"]
    assert titles("?impact=trees") == ["Green street", "Oak alley"]
    assert titles("?impact=path") == ["Cycle path", "Green street"]
    assert titles("?impact=co2") == []
    # A bad value is left out of the filtering, with a message saying why.
    response = client.get(page.url + "?impact=bees")
    assert sorted(
        re.findall(
            r'<h3 class="card__title"(?: lang="\w+")?><a href="[^"]+">([^<]+)</a>', response.content.decode()
        )
    ) == ["Benches", "Cycle path", "Green street", "Oak alley"]
    assert "is not a green impact" in response.content.decode()


# Schema ------------------------------------------------------------------------------------------------


def test_schema_documents_the_delivery_api_and_the_impact_filter(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    # 403: a token that is not valid; 429: the throttles (ideas/api/schema.py ApiSchema.error_codes).
    assert set(paths[DELIVERY]["get"]["responses"]) == {"200", "400", "403", "404", "429"}
    assert set(paths[f"{DELIVERY}{{id}}/"]["get"]["responses"]) == {"200", "400", "403", "404", "429"}
    assert set(paths[DELIVERY]) == {"get"} and set(paths[f"{DELIVERY}{{id}}/"]) == {"get"}
    parameters = {parameter["name"]: parameter for parameter in paths[DELIVERY]["get"]["parameters"]}
    assert {"round", "state", "late", "page", "lang"} <= set(parameters)
    assert parameters["late"]["schema"]["type"] == "boolean"
    assert set(parameters["state"]["schema"]["enum"]) == set(Delivery.State.values)

    impact = next(
        parameter for parameter in paths[IDEAS]["get"]["parameters"] if parameter["name"] == "impact"
    )
    assert set(impact["schema"]["enum"]) == {"trees", "area", "path", "co2"}
    assert "CO₂ saved" in impact["description"]

    components = schema["components"]["schemas"]
    funded = components["FundedIdea"]["properties"]
    assert {"state", "days_late", "milestones", "updates", "promised_impact", "delivered_impact"} <= set(
        funded
    )
    assert not {"author", "author_name", "posted_by"} & set(funded)
    assert set(components["DeliveryUpdate"]["properties"]) == {"text", "created_at", "photos"}
    idea = components["Idea"]["properties"]
    assert {"trees_planted", "delivered_trees_planted", "delivered_co2_tonnes_per_year"} <= set(idea)
    assert idea["delivered_trees_planted"]["readOnly"] is True


def test_schema_still_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=io.StringIO(),
    )
    assert "/api/v1/delivery/{id}/" in (tmp_path / "schema.yaml").read_text()
