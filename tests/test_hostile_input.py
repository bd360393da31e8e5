"""Hostile input answers a clear 400 (or 404), never a 500: NUL bytes in the address, query string, cookies,
form and JSON bodies (config/middleware.py and ideas/api/parsers.py), JSON nested too deeply
(ideas/api/parsers.py), ballot points beyond what a ballot can hold (ideas/voting/ballot_rules.py) and truncated
photos (ideas/images.py).

The NUL tests are marked `postgres`: only there does a NUL reach the database and fail ("A string literal cannot
contain NUL (0x00) characters"); they run on SQLite too, where they prove the same 400."""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.middleware import nul_message
from ideas.api.parsers import MAX_JSON_DEPTH
from ideas.images import clean_image
from ideas.models import Area, BallotChoice, BallotRules, BudgetRoundPage, Idea, PollingPlace
from ideas.phases import Phase
from ideas.voting import paper
from ideas.voting.ballot_rules import MAX_POINTS
from ideas.voting.casting import VoteRefused, cast, check_choices
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas import voters

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "NUL character"
DEEP_MESSAGE = "The JSON is nested too deeply."
UNREADABLE = "is not a picture we can read"


def nested(depth):
    """A JSON document of `depth` nested arrays around an object."""
    return "[" * depth + '{"title": "x"}' + "]" * depth


def token_client(user):
    """An API client authenticated the way scripts are: with the user's token in the header."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def round_page(budget_round, home, slug):
    page = BudgetRoundPage(title="Hostile round", slug=slug, intro="<p>x</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def jpeg_bytes(size=(800, 600)):
    buffer = io.BytesIO()
    # Noise, not a flat colour: the cut-off half must hold image data, not just the end-of-image marker.
    Image.effect_noise(size, 80).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


# NUL bytes ------------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/areas/%00/",
        "/api/v1/areas/kekava%00/",
        "/api/v1/categories/%00/",
        "/api/v1/ideas/?search=%00",
        "/api/v1/ideas/?lang=en&search=bench%00",
    ],
)
def test_nul_in_an_api_address_is_a_400_with_a_json_message(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert NUL_MESSAGE in response.json()["detail"]


def test_the_same_api_addresses_without_nul_still_answer(client):
    code = Area.objects.filter(locale__language_code="lv").values_list("code", flat=True).first()
    assert client.get(f"/api/v1/areas/{code}/").status_code == 200
    assert client.get("/api/v1/areas/no-such-area/").status_code == 404
    assert client.get("/api/v1/ideas/?search=bench").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("url", "language"),
    [
        ("/search/?q=%00", "lv"),
        ("/en/search/?q=%00", "en"),
        ("/en/search/?q=park%00bench", "en"),
        ("/en/search/?q=park&page=%00", "en"),
        ("/en/search/?q%00=park", "en"),
        ("/en/%00/", "en"),
        ("/%00/", "lv"),
    ],
)
def test_nul_in_a_page_address_or_search_is_a_400_in_the_pages_language(client, url, language):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    with translation.override(language):
        assert response.content.decode() == nul_message()


def test_search_without_nul_still_works(client):
    assert client.get("/en/search/?q=park").status_code == 200
    assert client.get("/search/?q=parks").status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("query", ['"', "'", "\\", ":*", "!", "&|", "(", "a & !b", "-", "<->", "%", "_"])
def test_search_syntax_characters_are_plain_text(client, query):
    """Characters of PostgreSQL's tsquery syntax are searched for, not parsed: a page, never an error."""
    assert client.get("/en/search/", {"q": query}).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_nul_in_a_posted_form_field_is_a_400(client, content_type):
    data = {"login": "anna\x00@example.test", "password": "whatever"}
    if content_type == "urlencoded":
        from urllib.parse import urlencode

        response = client.post(
            "/en/accounts/login/", urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post("/en/accounts/login/", data)
    assert response.status_code == 400
    assert NUL_MESSAGE in response.content.decode()


def test_a_form_without_nul_still_reaches_its_view(client):
    response = client.post("/en/accounts/login/", {"login": "anna@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert NUL_MESSAGE not in response.content.decode()


def test_an_uploaded_file_may_hold_nul_bytes(client, home_en):
    """Only form fields are checked: a photo is binary and full of NUL bytes."""
    from tests.ideas.test_web import idea_form_data

    page = round_page(round_in_phase(Phase.SUBMISSION), home_en, "photo-nul")
    client.force_login(verified_resident("photo-nul"))
    whole = jpeg_bytes()
    assert b"\x00" in whole
    photo = SimpleUploadedFile("bench.jpg", whole, content_type="image/jpeg")
    response = client.post(
        page.url + "new/",
        {**idea_form_data(), "images-0-file": photo, "images-0-alt_text": "A bench", "save": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Idea.objects.get(title=idea_form_data()["title"]).images.count() == 1


@pytest.mark.postgres
def test_a_cookie_with_nul_is_ignored_not_looked_up(client):
    client.cookies["sessionid"] = "\x00abcdefghijklmnop"
    client.cookies["django_language"] = "en\x00"
    response = client.get("/en/search/?q=park")
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize(
    "body",
    [
        {"email": "anna\u0000@example.test", "password": "x"},
        {"email": "anna@example.test", "password": ["x", {"deep": "\u0000"}]},
        {"email\u0000": "anna@example.test", "password": "x"},
    ],
)
def test_nul_in_a_json_body_is_a_400(body):
    response = APIClient().post(
        "/api/v1/auth/token/?lang=en", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]


@pytest.mark.postgres
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_nul_in_an_api_form_body_is_a_400(encoding):
    """PUT and PATCH bodies are parsed by the API, not by Django's request.POST: its form parsers refuse NUL
    too. A voter's ballot PUT reaches the body once the voter is known to be entitled."""
    budget_round = voters.voting_round()
    client = token_client(voters.confirmed_resident("form-nul", "010180-55555"))
    url = f"/api/v1/rounds/{budget_round.pk}/ballot/?lang=en"
    if encoding == "urlencoded":
        response = client.put(url, "choices=1%00", content_type="application/x-www-form-urlencoded")
    else:
        response = client.put(url, {"choices": "1\x00"}, format="multipart")
    assert response.status_code == 400
    assert NUL_MESSAGE in response.json()["detail"]


# JSON nested too deeply ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 100_000])
def test_json_nested_too_deeply_is_a_400(depth):
    response = APIClient().post("/api/v1/auth/token/?lang=en", nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": DEEP_MESSAGE}


def test_deep_json_posted_with_a_token_to_the_ideas_is_a_400():
    client = token_client(verified_resident("deep-json"))
    body = '{"title": ' + nested(5000) + "}"
    response = client.post("/api/v1/ideas/?lang=en", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": DEEP_MESSAGE}


def test_json_within_the_depth_limit_reaches_the_view():
    response = APIClient().post(
        "/api/v1/auth/token/?lang=en", nested(MAX_JSON_DEPTH - 2), content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" not in response.json() or response.json()["detail"] != DEEP_MESSAGE


def test_broken_json_is_still_a_400():
    response = APIClient().post("/api/v1/auth/token/?lang=en", '{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


# Ballot points beyond a ballot's range -------------------------------------------------------------------------


@pytest.fixture
def cumulative_round(home_en):
    """A round voting by points with no limit per idea and none in total: only the ballot's own range holds."""
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    BallotRules.objects.create(round=budget_round, method=BallotRules.Method.CUMULATIVE)
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Points idea {n}", estimated_cost=Decimal(1000))
        for n in range(3)
    ]
    return budget_round, ideas, round_page(budget_round, home_en, "points-round")


def vote_url(page):
    return page.url + page.reverse_subpage("vote")


TOO_MANY = f"One idea can get at most {MAX_POINTS} points."


@pytest.mark.parametrize("points", [MAX_POINTS + 1, 10**30])
def test_the_web_ballot_refuses_points_beyond_the_range(client, cumulative_round, points):
    budget_round, ideas, page = cumulative_round
    client.force_login(voters.confirmed_resident("points-web", "010180-11111"))
    response = client.post(vote_url(page), {f"idea_{ideas[0].pk}": str(points)})
    assert response.status_code == 400
    assert TOO_MANY in response.content.decode()
    response = client.post(vote_url(page), {f"idea_{ideas[0].pk}": str(points), "cast": "1"})
    assert response.status_code == 400
    assert voters.sealed_choices(budget_round) == []


@pytest.mark.parametrize("points", [MAX_POINTS + 1, 40_000])
def test_the_api_refuses_points_beyond_the_range(cumulative_round, points):
    budget_round, ideas, _page = cumulative_round
    client = APIClient()
    client.force_authenticate(voters.confirmed_resident("points-api", "010180-22222"))
    response = client.put(
        f"/api/v1/rounds/{budget_round.pk}/ballot/?lang=en",
        {"choices": [{"idea": ideas[0].pk, "points": points}]},
        format="json",
    )
    assert response.status_code == 400
    assert str(MAX_POINTS) in json.dumps(response.json())
    assert voters.sealed_choices(budget_round) == []


def test_code_and_paper_ballots_refuse_points_beyond_the_range(cumulative_round):
    """Code ballots and paper entry go through the same check (casting.check_choices) as the web and the API."""
    budget_round, ideas, _page = cumulative_round
    with translation.override("en"):
        with pytest.raises(VoteRefused, match=TOO_MANY):
            check_choices(budget_round, {ideas[0].pk: MAX_POINTS + 1})
        with pytest.raises(VoteRefused, match=TOO_MANY):
            cast(
                budget_round, voters.on_census("010180-33333"), channel="code", choices={ideas[0].pk: 10**30}
            )
        place = PollingPlace.objects.create(round=budget_round, name="School")
        with pytest.raises(VoteRefused, match=TOO_MANY):
            paper.enter(budget_round, {ideas[0].pk: MAX_POINTS + 1}, UserFactory(username="clerk"), place)
    assert voters.sealed_choices(budget_round) == []


def test_the_most_points_a_ballot_holds_are_accepted_and_counted(cumulative_round):
    """The boundary: MAX_POINTS is refused nowhere and stored by the count (a smallint on PostgreSQL)."""
    budget_round, ideas, _page = cumulative_round
    cast(budget_round, voters.on_census("010180-44444"), channel="online", choices={ideas[0].pk: MAX_POINTS})
    assert voters.close_and_open(budget_round) == 1
    assert list(BallotChoice.objects.filter(ballot__round=budget_round).values_list("points", flat=True)) == [
        MAX_POINTS
    ]


# Truncated photos ----------------------------------------------------------------------------------------------


def test_a_truncated_jpeg_is_not_a_picture_we_can_read():
    whole = jpeg_bytes()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    with translation.override("en"), pytest.raises(ValidationError, match=UNREADABLE):
        clean_image(cut)
    assert clean_image(SimpleUploadedFile("whole.jpg", whole, content_type="image/jpeg")).size > 0


def test_a_truncated_jpeg_uploaded_with_an_idea_is_a_400_with_the_message(client, home_en):
    from tests.ideas.test_web import idea_form_data

    page = round_page(round_in_phase(Phase.SUBMISSION), home_en, "truncated-photo")
    client.force_login(verified_resident("truncated"))
    whole = jpeg_bytes()
    cut = SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2], content_type="image/jpeg")
    response = client.post(
        page.url + "new/", {**idea_form_data(), "images-0-file": cut, "images-0-alt_text": "x", "save": "1"}
    )
    assert response.status_code == 400
    assert UNREADABLE in response.content.decode()
