"""The API's contract, checked by schemathesis against every operation of /api/v1/ as its OpenAPI schema
(drf-spectacular, /api/v1/schema/) describes it: valid and invalid requests generated from the schema, sent
in-process to the Django app (WSGI, no server, no network), anonymous and with a resident's token.

Every response must be no server error, have a status code and content type the schema documents for the
operation, and match the documented body and headers; requests the schema calls invalid must be refused (4xx),
valid ones accepted, and operations that need a login must refuse requests without one (schemathesis' default
checks). The one allowance: a schema-valid request may be refused (400) for a reason no schema can say, which
SEMANTIC_FIELDS lists per operation (an id or code of nothing, a rule between fields, a wrong password), and for
a NUL character anywhere in it (ideas/api/parsers.py, config/middleware.py), even in a field the API does not
know.

The demo municipality (tests/conftest.py) is the data: rounds in every phase, ideas in every status, results,
deliveries, organisations and workshops. Writes happen inside the test's transaction and are rolled back.
"""

import json
import re

import jsonschema
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation
from hypothesis import HealthCheck, given, settings, strategies
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.middleware import nul_message
from ideas.api.partners import PledgeCreateSerializer
from ideas.api.serializers import IdeaCreateSerializer
from ideas.api.views import LoginRateThrottle
from tests.ideas import voters

pytestmark = pytest.mark.django_db

# Loaded once, at collection, from the app itself: the schema the docs page serves.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())

# The demo's people (home/demo_content.py DEMO_USERS): a verified resident who acts for a verified business.
DEMO_LOGINS = {"business": ("business@kekava.example", "kopa-business-2026")}

# The token of the person the current test acts as (None: anonymous), set by the `identity` fixture.
_token = {"key": None}


@schema.auth(refresh_interval=None)
class TokenAuth:
    """The token as schemathesis' own authentication, so that its `ignored_auth` check can take it away and
    see the operations that need a login refuse."""

    def get(self, case, context):
        return _token["key"]

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}


# Fields (or query parameters) whose value a schema cannot judge: ids and codes of things that may not exist,
# rules between fields or against the round, text that is blank once trimmed, a wrong password. A schema-valid
# request may be refused with a 400 naming only these.
TEXT = {"title", "summary", "description"}
IDEA_FIELDS = {"category", "area", "estimated_cost", "latitude", "longitude", *TEXT}
SEMANTIC_FIELDS = {
    "GET /api/v1/ideas/": {"round", "category", "area"},
    "GET /api/v1/delivery/": {"round"},
    "GET /api/v1/results/": {"round"},
    "GET /api/v1/workshops/": {"round"},
    "POST /api/v1/auth/token/": {"non_field_errors"},
    "POST /api/v1/ideas/": {"round", *IDEA_FIELDS},
    "PUT /api/v1/ideas/{id}/": IDEA_FIELDS,
    "PATCH /api/v1/ideas/{id}/": IDEA_FIELDS,
    "POST /api/v1/ideas/{idea_id}/comments/": {"text", "parent"},
    "POST /api/v1/ideas/{id}/report/": {"reason"},
    "POST /api/v1/ideas/{idea_id}/comments/{id}/report/": {"reason"},
    "POST /api/v1/pledges/mine/": {"organisation", "idea", "amount", "hours", "description"},
    "PUT /api/v1/rounds/{round_id}/ballot/": {"choices"},
    "POST /api/v1/rounds/{round_id}/count/": {"detail"},
}


def _holds_nul(value):
    if isinstance(value, str | bytes):
        return "\x00" in (value.decode("utf-8", "replace") if isinstance(value, bytes) else value)
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    return False


def _nul_refusals():
    messages = set()
    for language in ("lv", "en"):
        with translation.override(language):
            messages.add(nul_message())
    return messages


def _refused_for_a_reason_the_schema_cannot_say(response, case):
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    if not isinstance(body, dict) or not body:
        return False
    if set(body) == {"detail"} and body["detail"] in _nul_refusals():
        return _holds_nul([case.path_parameters, case.query, case.body])
    return set(body) <= SEMANTIC_FIELDS.get(f"{case.method.upper()} {case.path}", set())


def positive_data_accepted(ctx, response, case):
    """schemathesis' positive_data_acceptance, but for a 400 whose reason no schema can say (see above)."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Failure:
        if response.status_code == 400 and _refused_for_a_reason_the_schema_cannot_say(response, case):
            return None
        raise


@pytest.fixture
def _generous_limits(monkeypatch):
    """Hundreds of requests a minute from one address: the throttles stay on (and a 429 must still be
    documented), but high enough not to hide every other answer."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"}
    )
    monkeypatch.setattr(LoginRateThrottle, "rate", "100000/minute")


@pytest.fixture(params=["anonymous", "business"])
def identity(request, db, _generous_limits):
    """Nobody, or the token the API hands out for the person's e-mail address and password."""
    _token["key"] = None
    if request.param != "anonymous":
        email, password = DEMO_LOGINS[request.param]
        response = APIClient().post(
            "/api/v1/auth/token/", {"email": email, "password": password}, format="json"
        )
        assert response.status_code == 200, response.content
        _token["key"] = response.json()["token"]
    # Django closes a connection it finds inside a transaction at the start and end of every request; here
    # the requests run inside the test's transaction, so it must stay open, as Django's test client keeps it
    # (which reconnects the handler after each of its own requests: hence only now).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield request.param
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    _token["key"] = None


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_contract(case, identity):
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance], additional_checks=[positive_data_accepted]
    )


# What the contract test found, each pinned down on its own ------------------------------------------------


@pytest.fixture
def api_schema(db):
    return APIClient().get("/api/v1/schema/?format=json").json()


def _operations(api_schema):
    for path, item in api_schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_the_errors_it_can_answer_with(api_schema):
    operations = dict(_operations(api_schema))
    assert len(operations) == 41
    for label, operation in operations.items():
        codes = set(operation["responses"])
        assert {"400", "429"} <= codes, label  # `lang` and a NUL anywhere; the throttles
        # A token that is not valid is refused everywhere but at the door that hands tokens out.
        assert ("403" in codes) is (label != "POST /api/v1/auth/token/"), label
        if "{" in label:
            assert "404" in codes, label
        assert "Retry-After" in operation["responses"]["429"]["headers"], label
    assert set(operations["GET /api/v1/areas/"]["responses"]) == {"200", "400", "403", "429"}  # no pages
    field_errors = api_schema["components"]["schemas"]["FieldErrors"]
    assert field_errors["type"] == "object" and "additionalProperties" in field_errors


def _documented(api_schema, path, method, code, body):
    """Whether `body` is what the schema documents for the response `code` of the operation."""
    content = api_schema["paths"][path][method]["responses"][str(code)]["content"]["application/json"]
    jsonschema.validate(body, {**content["schema"], "components": api_schema["components"]})
    return True


def test_error_bodies_are_the_documented_shapes(api_schema):
    client = APIClient()
    ideas, idea, token = "/api/v1/ideas/", "/api/v1/ideas/{id}/", "/api/v1/auth/token/"
    missing = client.get("/api/v1/ideas/999999999/?lang=en")
    assert missing.status_code == 404 and _documented(api_schema, idea, "get", 404, missing.json())
    unknown = client.get("/api/v1/ideas/?lang=xx", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.json() == {"lang": ["Unknown language “xx”; use lv or en."]}
    assert _documented(api_schema, ideas, "get", 400, unknown.json())
    nul = client.get("/api/v1/ideas/?q=a%00b")
    assert nul.status_code == 400 and _documented(api_schema, ideas, "get", 400, nul.json())
    anonymous = client.post(ideas, {}, format="json")
    assert anonymous.status_code == 403 and _documented(api_schema, ideas, "post", 403, anonymous.json())
    broken = client.post(token, '{"email": [', content_type="application/json")
    assert broken.status_code == 400 and _documented(api_schema, token, "post", 400, broken.json())
    with pytest.raises(jsonschema.ValidationError):
        _documented(api_schema, ideas, "get", 400, {"lang": "a message, not a list of them"})

    # A ballot's choices: an object naming each wrong choice by its position, or the list as a whole.
    budget_round = voters.voting_round()
    voter = APIClient()
    voter.force_authenticate(voters.confirmed_resident("anna", "010203-12345"))
    ballot = "/api/v1/rounds/{round_id}/ballot/"
    for choices, errors in (
        ([{"idea": 5}, {"idea": "x"}], {"1": {"idea": ["A valid integer is required."]}}),
        ("x", {"non_field_errors": ['Expected a list of items but got type "str".']}),
    ):
        response = voter.put(
            f"/api/v1/rounds/{budget_round.pk}/ballot/?lang=en", {"choices": choices}, format="json"
        )
        assert (response.status_code, response.json()) == (400, {"choices": errors})
        assert _documented(api_schema, ballot, "put", 400, response.json())


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/delivery/null,null/",
        "/api/v1/workshops/VOTES%0Avoter_id%3Bvote%0A/",
        "/api/v1/ideas/1.5/",
        "/api/v1/no-such-thing/",
    ],
)
def test_any_other_address_under_the_api_is_a_json_404(db, address):
    response = APIClient().get(f"{address}?lang=en")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "Not found."}


def test_an_address_without_its_slash_is_still_redirected(db):
    response = APIClient().get("/api/v1/ideas")
    assert (response.status_code, response["Location"]) == (301, "/api/v1/ideas/")


def test_an_empty_query_parameter_is_as_if_not_given(db, api_schema):
    client = APIClient()
    response = client.get("/api/v1/areas/?lang=", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response["Content-Language"]) == (200, "en")
    everything = client.get("/api/v1/ideas/").json()["count"]
    empty = "status=&category=&area=&impact=&q=&round=&ordering=&seed=&page=&lang="
    assert client.get(f"/api/v1/ideas/?{empty}").json()["count"] == everything
    # ... and the schema says so for every optional query parameter.
    for label, operation in _operations(api_schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert parameter.get("allowEmptyValue") is True, (label, parameter["name"])


@pytest.mark.parametrize(
    "path", ["/api/v1/ideas/", "/api/v1/delivery/", "/api/v1/results/", "/api/v1/workshops/"]
)
def test_round_ids_start_at_1_and_a_round_that_does_not_exist_is_named(db, api_schema, path):
    (round_parameter,) = (p for p in api_schema["paths"][path]["get"]["parameters"] if p["name"] == "round")
    assert round_parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    response = APIClient().get(path, {"round": 0, "lang": "en"})
    assert (response.status_code, response.json()) == (
        400,
        {"round": ["There is no budget round with the id “0”."]},
    )


def test_a_result_of_a_whole_round_has_no_area(db, api_schema):
    results = APIClient().get("/api/v1/results/").json()["results"]
    assert results and all(result["area"] is None for result in results)  # the demo counts whole rounds
    area = api_schema["components"]["schemas"]["RoundResult"]["properties"]["area"]
    assert area["type"] == "string" and area["nullable"] is True


def test_request_bodies_are_documented_as_json(api_schema):
    for label, operation in _operations(api_schema):
        if "requestBody" in operation:
            assert set(operation["requestBody"]["content"]) == {"application/json"}, label


DECIMALS = [
    ("IdeaCreateRequest", IdeaCreateSerializer, "estimated_cost"),
    ("IdeaCreateRequest", IdeaCreateSerializer, "latitude"),
    ("IdeaCreateRequest", IdeaCreateSerializer, "longitude"),
    ("IdeaCreateRequest", IdeaCreateSerializer, "co2_tonnes_per_year"),
    ("PledgeCreateRequest", PledgeCreateSerializer, "amount"),
]


@pytest.mark.parametrize(("component", "serializer", "name"), DECIMALS)
@settings(max_examples=3000, deadline=None, derandomize=True)
@given(value=strategies.text(alphabet="0123456789.-", max_size=16))
def test_documented_decimals_are_exactly_the_ones_the_api_takes(component, serializer, name, value):
    # drf-spectacular's own pattern took "", "-" and "." and any number whatever the field's minimum and maximum.
    pattern = schema.raw_schema["components"]["schemas"][component]["properties"][name]["pattern"]
    field = serializer().fields[name]
    try:
        field.run_validation(value)
        taken = True
    except serializers.ValidationError:
        taken = False
    assert bool(re.search(pattern, value)) is taken
