"""OpenAPI schema hooks (drf-spectacular)."""


def only_public_api(endpoints, **kwargs):
    """Describe our /api/v1/ only; Wagtail's admin API is internal and not part of the public contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
