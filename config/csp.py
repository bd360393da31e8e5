"""The Content-Security-Policy middleware: django-csp's, with the site's few additions. Wired in
config/settings/base.py MIDDLEWARE (outside the anonymous page cache) and configured by its CSP block; tested in
tests/test_csp.py.

- Public pages get the enforced policy (CONTENT_SECURITY_POLICY); the admin paths (CSP_ADMIN_PREFIXES) get the
  same policy as Content-Security-Policy-Report-Only instead, and only they do: Wagtail's and Django's admins
  still carry inline scripts and styles of their own.
- Every response's policy carries a fresh nonce, whether or not a template asked for `request.csp_nonce`: the
  header always has the same shape, and a page served from the cache (home/page_cache.py) gets a nonce of its
  own.
- The origins the site really loads from elsewhere are added from the settings that name them, so they cannot
  drift apart: the map tile server (MAP_TILES_URL) and the media storage (S3) for images, and the eID provider
  (OIDC) for forms, whose sign-in POST is answered with a redirect to the provider and form-action covers it.
"""

import functools
import logging
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.files.storage import storages

logger = logging.getLogger(__name__)


def origin_of(url):
    """The scheme://host[:port] of an absolute URL, or None. Leaflet's `{s}` subdomain placeholder becomes `*`."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@functools.lru_cache(maxsize=4)
def _media_origin(storage):
    # The storage answers itself where its files live: a custom domain, an S3 endpoint or /media/ (None).
    try:
        return origin_of(storage.url("csp-origin-probe.png"))
    except Exception:  # a broken storage must not take every page down with it; its images fail anyway
        logger.warning(
            "Could not tell the media storage's origin for the Content-Security-Policy", exc_info=True
        )
        return None


def _eid_origins():
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [origin_of(app.get("settings", {}).get("server_url")) for app in apps]


def extra_sources():
    """Directive -> origins to add to the configured policy (see the module docstring)."""
    images = [origin_of(settings.MAP_TILES_URL), _media_origin(storages["default"])]
    return {"img-src": [o for o in images if o], "form-action": [o for o in _eid_origins() if o]}


class KopaCSPMiddleware(CSPMiddleware):
    """django-csp's middleware: enforced outside the admin, report-only inside it, always with a nonce."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is None and hasattr(request, "csp_nonce"):
            str(request.csp_nonce)  # django-csp makes the nonce on first use and puts it in the header
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        in_admin = request.path_info.startswith(settings.CSP_ADMIN_PREFIXES)
        if report_only and not in_admin:
            parts.config = {}  # an empty policy: no report-only header on public pages
            return parts
        update = dict(parts.update or {})
        for directive, origins in extra_sources().items():
            if origins:
                update[directive] = [*update.get(directive, ()), *origins]
        parts.update = update
        return parts
