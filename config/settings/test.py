"""Test runs (pytest): fast hashing, in-memory e-mail, no manifest for static files."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment-kopa-2026"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
MAP_TILES_URL = ""  # no tile requests leave the machine in tests
VOTING_KEY = "test-only-voting-key"
# Tests measure real renders; tests/home/test_page_cache.py and tests/ideas/test_results_fragment.py switch these on.
KOPA_PAGE_CACHE = False
KOPA_FRAGMENT_CACHE = False
