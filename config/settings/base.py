"""Settings shared by every environment; each value that differs per deployment comes from the environment.

dev.py, test.py and production.py import this module and override what they must.
Every variable read here is listed in README.md and .env.example.
"""

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is a convenience for development; real deployments set the variables themselves.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "home",
    "ideas",
    "django_tasks_db",  # the database task backend and its worker (manage.py db_worker)
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales, adds sync options
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",  # eID sign-in (OpenID Connect), configured below from OIDC_* variables
    "allauth.socialaccount.providers.openid_connect",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a fresh nonce per response; outside the page cache, which swaps in the fresh
    # nonce on a hit (config/csp.py, the CSP block below).
    "config.csp.KopaCSPMiddleware",
    # Before sessions and every lookup: a NUL in a request is a 400, not a database error (config/middleware.py).
    "config.middleware.RefuseNulMiddleware",
    # Whole pages for visitors without a session, before any session or database work (home/page_cache.py).
    "home.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user@host:5432/name); without it a SQLite file under var/.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by several app servers), otherwise per-process memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Django's Redis backend with one client per pool instead of one per call (config/cache.py).
    CACHES = {"default": {"BACKEND": "config.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis, written through to the database: every app server sees every login.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous pages are kept this many seconds at most (home/page_cache.py); changes purge them sooner.
# Off by default without Redis: a purge in one process (a web worker, the task worker, the publish_scheduled cron)
# cannot reach another process's memory.
KOPA_PAGE_CACHE = env.bool("KOPA_PAGE_CACHE", default=bool(REDIS_URL))
KOPA_PAGE_CACHE_SECONDS = env.int("KOPA_PAGE_CACHE_SECONDS", default=120)
# Parts of pages rendered once per change and shared by every visitor, signed in or not (home/page_cache.fragment);
# like the page cache, only with a cache every app server shares.
KOPA_FRAGMENT_CACHE = env.bool("KOPA_FRAGMENT_CACHE", default=bool(REDIS_URL))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # Object permissions (ideas.support_idea on an idea) are django-rules predicates: ideas/rules.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Residents' accounts (django-allauth): login by e-mail address or username (residents sign up with their
# address; staff and the README's demo logins have usernames); taking part needs a verified address
# (ideas/rules.py).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_profile"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_SIGNUP_FORM_CLASS = "ideas.accounts.forms.SignupProfileForm"
ACCOUNT_ADAPTER = "ideas.accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "ideas.accounts.adapter.user_display"
# The client's address (ideas/limits.py client_address): how many reverse proxies of our own stand in front of
# the site. 0: REMOTE_ADDR, X-Forwarded-For is ignored; N: the N-th address from the right of X-Forwarded-For.
# allauth and the API's throttles are told the same number, so all three agree.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Brute-force protection: one lockout per account (the key is the e-mail address) shared by the web login and
# the API's token endpoint, strict; per address generous, since a library or school shares one address.
# The account comes first: a refused guess at a locked account costs the shared address nothing.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,100/10m/ip",
    "login": "60/m/ip",  # every login attempt; a class logging in together stays under it
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# eID (Latvija.lv, eParaksts, Smart-ID, banks, usually through a broker) over OpenID Connect: residents sign in
# and prove who they are for voting (ideas/voting/identity.py, ideas/accounts/adapter.py). Off without an issuer.
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
OIDC_PERSONAL_CODE_CLAIM = env("OIDC_PERSONAL_CODE_CLAIM", default="personal_code")
OIDC_BIRTHDATE_CLAIM = env("OIDC_BIRTHDATE_CLAIM", default="birthdate")
EID_PROVIDER_ID = "eid"  # part of the redirect URI: /accounts/oidc/eid/login/callback/
SOCIALACCOUNT_ADAPTER = "ideas.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": EID_PROVIDER_ID,
                "name": env("OIDC_PROVIDER_NAME", default="eID"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET", default=""),
                "settings": {
                    "server_url": OIDC_SERVER_URL,
                    "scope": env.list("OIDC_SCOPES", default=["openid", "profile", "email"]),
                },
            }
        ],
    }
# A new account made with eID still fills in the signup form (display name, privacy notice) and verifies its
# e-mail address with our own link, whatever the provider says (SocialAccountAdapter); an e-mail address never
# logs anyone in to an existing account.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False

# The public API: session login for the site's own pages, tokens for other programs.
REST_FRAMEWORK = {
    # DRF's parsers, refusing JSON nested too deeply and NUL characters with a 400 (ideas/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "ideas.api.parsers.JSONParser",
        "ideas.api.parsers.FormParser",
        "ideas.api.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,  # the throttles' client address, as in ideas/limits.py
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kopā API",
    "DESCRIPTION": "Budget rounds, areas, categories, ideas, comments and supports of the participatory budget; organisations backing ideas, their pledges, budget think-tank workshops, and the delivery of funded ideas.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["ideas.api.schema.only_public_api"],
}

# Maps: Leaflet 1.9.4 ships in site/static/vendor/leaflet (no CDN); the tile server is configurable
# (empty: a map without background tiles, the address and coordinates still work).
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# A Unicode TrueType font for PDF files (voting code sheets); Debian's fonts-dejavu-core provides this one.
PDF_FONT = env("PDF_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default="© OpenStreetMap contributors")
MAP_CENTER = (56.83, 24.23)  # Ķekavas novads
MAP_ZOOM = 11

# Budgets of attempts per client address and per account, (attempts, seconds), for the pages that take guesses
# (ideas/limits.py check/record). Per address generous: libraries and kiosks share one address.
KOPA_RATE_LIMITS = {
    "residency": {"address": (100, 3600), "account": (10, 3600)},
    "eid": {"address": (100, 3600), "account": (10, 3600)},
    "voting_code": {"address": (50, 3600), "account": (10, 3600)},
}

# Secret ballot: the key of the keyed hashes that link a person to the register and to their ballot. It lives
# only in the environment, so the database alone cannot tell who voted for what (ideas/voting/keys.py).
VOTING_KEY = env("VOTING_KEY", default="")

# Residents' photos of ideas: what an upload may be.
IDEA_IMAGE_MAX_COUNT = 5
IDEA_IMAGE_MAX_BYTES = 8 * 1024 * 1024
IDEA_IMAGE_MAX_PIXELS = 40_000_000
IDEA_IMAGE_MAX_SIDE = 2400  # larger images are scaled down when re-encoded

# Languages: Latvian is the default and lives at /, English at /en/.
LANGUAGE_CODE = "lv"
LANGUAGES = [
    ("lv", "Latviešu"),
    ("en", "English"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# No avatars from gravatar.com: they would send hashed staff e-mail addresses to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# "Translate this page" makes a draft, never a live copy in the source language: wagtail-localize would otherwise
# publish it at once when the source is live, whoever asks. Translations go live through the moderators'
# workflow (home/translation_review.py).
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# site/locale: our own strings, collected by `make messages`. site/locale_overrides: hand-written Latvian for
# strings of Django, Wagtail, wagtail-localize and allauth whose own Latvian catalogues are missing or wrong
# (README "Translations"). It must stay second: makemessages writes every collected string into the first path,
# and the first path wins when both translate a msgid; both beat the installed apps' catalogues.
LOCALE_PATHS = [BASE_DIR / "site" / "locale", BASE_DIR / "site" / "locale_overrides"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

# Static files: site-wide assets live in site/static; whitenoise serves the collected, hashed copies.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Optional S3-compatible media storage (AWS, MinIO, Hetzner, DigitalOcean Spaces ...).
MEDIA_S3_BUCKET = env("MEDIA_S3_BUCKET", default="")
if MEDIA_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env("MEDIA_S3_ENDPOINT_URL", default=None),
            "region_name": env("MEDIA_S3_REGION", default=None),
            "access_key": env("MEDIA_S3_ACCESS_KEY", default=None),
            "secret_key": env("MEDIA_S3_SECRET_KEY", default=None),
            "custom_domain": env("MEDIA_S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }

# Content-Security-Policy (django-csp; config/csp.py, tests/test_csp.py) -----------------------------------------
# Public pages run only the site's own files: no 'unsafe-inline', an inline <script> or <style> needs
# nonce="{{ request.csp_nonce }}" (the one way to the nonce, so the page cache can replace it). Style attributes
# are refused, so bars take a width class (kopa.css .pct-N); scripts may still set element.style (CSSOM), which
# Leaflet does. config/csp.py adds the map tile server and the media storage to img-src and the eID provider to
# form-action, from MAP_TILES_URL, STORAGES and SOCIALACCOUNT_PROVIDERS.
# The admins carry inline scripts and styles of their own: there the same policy is only reported.
CSP_ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# templates/500.html is rendered without a request, hence without a nonce; its one <style> is allowed by hash
# (tests/test_csp.py recomputes it).
CSP_500_STYLE_HASH = "'sha256-t/0ZRD0qa6SJXgf1wzpMBrqMVaS21nikCGTo1bVP1bk='"
_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE, CSP_500_STYLE_HASH],
    "img-src": [SELF, "data:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}
CONTENT_SECURITY_POLICY = {"EXCLUDE_URL_PREFIXES": CSP_ADMIN_PREFIXES, "DIRECTIVES": _CSP_DIRECTIVES}
# frame-ancestors means nothing in a report-only policy (browsers warn); X-Frame-Options guards the admin.
CONTENT_SECURITY_POLICY_REPORT_ONLY = {
    "DIRECTIVES": {name: value for name, value in _CSP_DIRECTIVES.items() if name != "frame-ancestors"}
}

# E-mail: EMAIL_URL such as smtp+tls://user:password@mail.example.lv:587; console output by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Kopā <no-reply@kekava.example>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where contact form submissions go when a contact page names no address of its own.
STAFF_NOTIFICATION_EMAIL = env("STAFF_NOTIFICATION_EMAIL", default="info@kekava.example")

# Background work (Wagtail's reference index, our e-mails) goes through django-tasks.
# The immediate backend runs a task in the request; a worker backend can replace it in production.
TASKS = {
    "default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")}
}

# Wagtail
WAGTAIL_SITE_NAME = "Kopā"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# Wagtail's login form with a translatable password label (ideas/admin_login.py).
WAGTAILADMIN_USER_LOGIN_FORM = "ideas.admin_login.AdminLoginForm"
WAGTAILSEARCH_BACKENDS = {
    # On PostgreSQL this backend uses its full-text search; on SQLite, FTS5.
    "default": {"BACKEND": "wagtail.search.backends.database"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip", "edoc", "asice"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Demo users (make run) may only be created where this is true; production.py turns it off.
DEMO_USERS_ALLOWED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
