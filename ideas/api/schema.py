"""OpenAPI schema hooks (drf-spectacular) and the schema class of our API views (ideas/api/views.py LanguageMixin):
every operation takes `lang`, documents the errors every view can answer with (ApiSchema.error_codes) and says
that an empty query parameter is the same as leaving it out. tests/ideas/test_api_contract.py holds the API to
this schema with schemathesis."""

from decimal import Decimal

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from ideas.filters import MAX_ID

LANG_PARAMETER = OpenApiParameter(
    name="lang",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    enum=[code for code, _name in settings.LANGUAGES],
    description="Language of names, labels and messages; without it (or empty) the Accept-Language header "
    "decides.",
)

RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds to wait before asking again.",
)


def only_public_api(endpoints, **kwargs):
    """Describe our /api/v1/ only; Wagtail's admin API is internal and not part of the public contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class ErrorSerializer(serializers.Serializer):
    """The body of a refusal: a request that cannot be read (400), a refusal (403), something not found (404),
    too many requests (429)."""

    detail = serializers.CharField(help_text="Why, in the request's language.")


# What "field: [messages]" looks like (a 400): each field of the request (or query parameter) with its messages;
# an object instead of the messages names the fields of a nested object, or the wrong items of a list by their
# position ({"choices": {"1": {"idea": [...]}}}). `non_field_errors` is the request (or the list) as a whole.
FIELD_ERRORS = "FieldErrors"
_FIELD_ERRORS_REF = {"$ref": f"#/components/schemas/{FIELD_ERRORS}"}
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Each field or parameter with its messages; `non_field_errors` for the request as a whole. "
    "Instead of messages, the fields of a nested object, or the wrong items of a list by their position.",
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, _FIELD_ERRORS_REF]},
    "example": {"lang": ["Unknown language “xx”; use lv or en."]},
}

ERROR_DESCRIPTIONS = {
    400: "What was sent cannot be accepted: either each field or query parameter with its messages "
    "(`non_field_errors` for the request as a whole; `lang` for an unknown language), or a `detail` for a "
    "request that cannot be read at all (broken JSON, a NUL character).",
    403: "Not logged in (log in, or send `Authorization: Token …`), a token that is not valid, or not allowed "
    "now: `detail` says why.",
    404: "Nothing here, or nothing this account may see; for a list, a page number past its end.",
    429: "Too many requests from this address or account: `detail` says so, `Retry-After` how many seconds to "
    "wait.",
}


def _integers_up_to(bound):
    """A regular expression for the whole numbers 0 … bound, written without leading zeros."""
    text = str(bound)
    choices = [rf"\d{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for position, character in enumerate(text):
        lowest = 1 if position == 0 and len(text) > 1 else 0
        rest = len(text) - position - 1
        if int(character) > lowest:
            choices.append(
                text[:position] + f"[{lowest}-{int(character) - 1}]" + (rf"\d{{{rest}}}" if rest else "")
            )
    choices.append(text)
    return "(?:" + "|".join(choices) + ")"


def _decimals_up_to(bound, whole, places):
    """The decimals 0 … bound (a whole number, or None for any with `whole` digits before the point)."""
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    point_only = rf"|\.\d{{1,{places}}}" if places else ""
    if bound is None:
        return rf"0*\d{{1,{whole}}}{fraction}{point_only}"
    if bound == 0:
        zero_fraction = rf"(?:\.0{{0,{places}}})?|\.0{{1,{places}}}" if places else ""
        return rf"0+{zero_fraction}"
    exact = rf"(?:\.0{{0,{places}}})?" if places else ""
    below = f"0*{_integers_up_to(bound - 1)}{fraction}|" if bound > 0 else ""
    return rf"{below}0*{bound}{exact}{point_only}"


def _whole_bound(value, whole, places):
    """A bound as a whole number; None when it is no bound beyond the digits (e.g. 9,999,999,999.99 with ten
    whole digits and two places); False when a pattern cannot say it."""
    if value is None:
        return None
    value = abs(value)
    if value == 10**whole - Decimal(1).scaleb(-places):
        return None
    return int(value) if value == int(value) else False


def decimal_pattern(field):
    """The decimals a DecimalField takes, as a pattern: drf-spectacular's own lets through "", "-" and "." (no
    digit at all) and values beyond the field's minimum and maximum. Leading zeros are no digits (Python's
    Decimal drops them, and so does DRF's check); "-0" is zero; "" is null where the field allows null.
    tests/ideas/test_api_contract.py checks the patterns against DRF's own validation."""
    whole, places = field.max_whole_digits, field.decimal_places
    low, high = field.min_value, field.max_value
    if not whole or (low is not None and low > 0) or (high is not None and high < 0):
        return None
    low_bound, high_bound = _whole_bound(low, whole, places), _whole_bound(high, whole, places)
    if low_bound is False or high_bound is False:
        return None
    positive = _decimals_up_to(high_bound, whole, places)
    negative = _decimals_up_to(0 if low is not None and low >= 0 else low_bound, whole, places)
    # DRF reads an empty string as null where null is allowed.
    empty = "|" if field.allow_null else ""
    return rf"^(?:{positive}|-(?:{negative}){empty})$"


class ApiSchema(AutoSchema):
    """Every operation of the public API takes the `lang` parameter, accepts its optional query parameters empty
    (as if not given: django-filter's and DRF's pagination's own rule, kept for `lang` too), documents the errors
    it can answer with (error_codes) with their bodies, and its request body as JSON; decimals and ids are
    documented as exactly as the API checks them."""

    def map_parsers(self):
        # The documented request bodies are JSON: the only encoding in which the schema's types hold (a form
        # has no null and no numbers). DRF's form parsers still read what browsers and old clients send.
        return [media_type for media_type in super().map_parsers() if media_type == "application/json"]

    def get_override_parameters(self):
        return [*super().get_override_parameters(), LANG_PARAMETER, RETRY_AFTER]

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
            if parameter["in"] == "query" and parameter["name"] == "page":
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            pattern = decimal_pattern(field)
            if pattern:
                schema["pattern"] = pattern
        if isinstance(field, serializers.PrimaryKeyRelatedField) and schema.get("type") == "integer":
            # Ids are whole numbers from 1 (and 64-bit); any other number names nothing.
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", MAX_ID)
        return schema

    def error_codes(self):
        """400 (a parameter or body it cannot accept, `lang` on every operation), 403 (a token that is not
        valid, on every operation that reads tokens; refusals), 429 (the throttles of every view) and 404 for
        operations on one object and for paginated lists (a page past the end)."""
        codes = {400, 429}
        if self.view.authentication_classes or any(
            permission is not AllowAny for permission in self.view.permission_classes
        ):
            codes.add(403)
        if "{" in self.path or (self.method == "GET" and self._get_paginator() and self._is_list_view()):
            codes.add(404)
        return sorted(codes)

    def _error_response(self, code, direction):
        error = self.resolve_serializer(ErrorSerializer, direction).ref
        if code == 400:
            self.registry.register_on_missing(
                ResolvedComponent(
                    name=FIELD_ERRORS,
                    type=ResolvedComponent.SCHEMA,
                    object=FIELD_ERRORS,
                    schema=FIELD_ERRORS_SCHEMA,
                )
            )
            body = {"anyOf": [_FIELD_ERRORS_REF, error]}
        else:
            body = error
        response = OpenApiResponse(body, description=ERROR_DESCRIPTIONS[code])
        return self._get_response_for_code(response, str(code), direction=direction)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self.error_codes():
            responses.setdefault(str(code), self._error_response(code, direction))
        return responses
