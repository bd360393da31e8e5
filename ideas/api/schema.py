"""OpenAPI schema hooks (drf-spectacular) and the schema class of our API views (ideas/api/views.py)."""

from django.conf import settings
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

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
