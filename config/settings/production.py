"""Production: refuses to start without its secrets; HTTPS-only cookies, HSTS, hashed static files.

Required: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, EMAIL_URL, WAGTAILADMIN_BASE_URL, VOTING_KEY (see README).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env


def _required(name):
    value = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"Production settings need the environment variable {name}; see README.")
    return value


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in _required("ALLOWED_HOSTS").split(",") if host.strip()]
for _name in ("DATABASE_URL", "EMAIL_URL", "WAGTAILADMIN_BASE_URL"):
    _required(_name)
VOTING_KEY = _required("VOTING_KEY")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The app runs behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DEMO_USERS_ALLOWED = False

# A worker keeps its database connection between requests (checked before reuse): opening one costs more than a
# ballot's queries (bench/ballots_load.py). `?conn_max_age=` in DATABASE_URL still decides when given.
if "conn_max_age" not in env("DATABASE_URL", default=""):
    DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
