"""OpenAPI schema hooks (drf-spectacular), the schema class of our API views (ideas/api/views.py) and the error
responses operations document (`errors(400, 403, 404)`)."""

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

LANG_PARAMETER = OpenApiParameter(
    name="lang",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.QUERY,
    enum=[code for code, _name in settings.LANGUAGES],
    description="Language of names, labels and messages; without it the Accept-Language header decides.",
)


def only_public_api(endpoints, **kwargs):
    """Describe our /api/v1/ only; Wagtail's admin API is internal and not part of the public contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class ApiSchema(AutoSchema):
    """Every operation of the public API takes the `lang` parameter."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), LANG_PARAMETER]


class ErrorSerializer(serializers.Serializer):
    """The body of a refusal (403) or of something not found (404)."""

    detail = serializers.CharField(help_text="Why, in the request's language.")


# What "field: [messages]" looks like: the body of a 400.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"lang": ["Unknown language “xx”; use lv or en."]},
}

ERROR_RESPONSES = {
    400: OpenApiResponse(
        FIELD_ERRORS,
        description="What was sent cannot be accepted: each field with its messages (`non_field_errors` for "
        "the request as a whole; `lang` for an unknown language).",
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not logged in (log in, or send `Authorization: Token …`), or not allowed now: `detail` "
        "says why.",
    ),
    404: OpenApiResponse(ErrorSerializer, description="Nothing here, or nothing this account may see."),
}


def errors(*codes):
    """The documented error responses of an operation, e.g. `responses={200: X, **errors(403, 404)}`."""
    return {code: ERROR_RESPONSES[code] for code in codes}
