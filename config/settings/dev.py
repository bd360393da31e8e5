"""Local development: debug on, a fixed throwaway secret, e-mails printed to the console."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-secret-key-never-use-in-production-kopa-2026")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Page URLs in e-mails and the sitemap follow the port `make run` serves on.
WAGTAILADMIN_BASE_URL = env(
    "WAGTAILADMIN_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}"
)
VOTING_KEY = env("VOTING_KEY", default="dev-only-voting-key-not-secret")

# `make run` is one process, so the page cache works without Redis and shows the site as visitors get it.
KOPA_PAGE_CACHE = env.bool("KOPA_PAGE_CACHE", default=True)
KOPA_FRAGMENT_CACHE = env.bool("KOPA_FRAGMENT_CACHE", default=True)
