"""The anonymous page cache: whole HTML pages for visitors who carry nothing personal, kept in the default cache
(Redis when REDIS_URL is set, so every app server shares it and a purge on one reaches all). Wired in
config/settings/base.py MIDDLEWARE (AnonymousPageCacheMiddleware) and purged by the signal receivers at the end
of this module, connected in home/apps.py.

What is never stored or served from it:
- any request carrying a session or a messages cookie (a logged-in person, a preview, a flash message), any
  method but GET and HEAD, the admin, the API, accounts and the open-data downloads (SKIPPED_PREFIXES);
- any response that is not a 200 HTML page, sets a cookie, says `Cache-Control: private/no-store`, or touched
  the session. A page with a POST form is among them: Django's get_token() always (re)sends the CSRF cookie.

Purging: one generation number is part of every key; publishing, unpublishing or moving a page, and any change
to what public pages show (ideas, their status, supports, comments, pledges, delivery, results, rounds,
organisations, events, images, site settings) bumps it, so both languages and every page that lists the item
are fresh at once. Ballots and the voting register never purge: they are secret until the count and change
nothing on a public page. Pages that change with the clock alone (a round's phase opening at midnight) are
bounded by KOPA_PAGE_CACHE_SECONDS. `migrate` (every deploy) bumps it too, for the new templates.

Fragments (`fragment()`): what parts of a page are made of, computed once per generation and shared by every
visitor, signed in or not (the site chrome's rows, home/chrome.py; a round's results body); the same purge
renews them.

A cached page keeps the Content-Security-Policy nonce of the render that produced it; serving it again under
that nonce would let an injected script reuse it. Each hit therefore gets a fresh nonce: the stored nonce is
replaced in the body, and django-csp (outside this middleware) puts the fresh one in the header.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.cache import patch_vary_headers

GENERATION_KEY = "kopa:page-cache:generation"
SKIPPED_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/api/",
    "/accounts/",
    "/en/accounts/",
    "/open-data/",
    "/static/",
    "/media/",
    "/documents/",
    "/__",
)
PERSONAL_COOKIES = ("sessionid", "messages")
# Headers a hit repeats; the rest (Set-Cookie above all) are never stored.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "Link")

# Models whose rows no public page shows, or shows only after a count that purges anyway; saving them (a ballot
# per second on voting morning, a session per login) must not empty the cache.
QUIET_MODELS = {
    "ideas.ballot",
    "ideas.ballotchoice",
    "ideas.sealedballot",
    "ideas.voterrecord",
    "ideas.votingcode",
    "ideas.paperballotentry",
    "ideas.countedreceipt",
    "ideas.censusentry",
    "ideas.censusupload",
    "ideas.eligibilityoverride",
    "ideas.countjob",
    "ideas.follow",
    "ideas.report",
    "wagtailcore.revision",
    "wagtailcore.pagelogentry",
    "wagtailcore.modellogentry",
    "wagtailcore.pagesubscription",
    "wagtailcore.workflowstate",
    "wagtailcore.taskstate",
    "wagtailcore.commentreply",
    "wagtailcore.pagelock",
    "wagtailimages.rendition",  # made on first render of an image size; derived, shows nothing new
    "wagtailcore.referenceindex",
    # Unconfirmed registrations and sent links show nothing; home/registrations.py purges when a place changes.
    "home.eventregistration",
}
PUBLIC_APPS = {"home", "ideas", "wagtailcore", "wagtailimages", "wagtaildocs", "taggit", "wagtailredirects"}


def _seconds():
    return getattr(settings, "KOPA_PAGE_CACHE_SECONDS", 120)


def generation():
    """The current generation (created on first use, so a fresh cache starts at 1)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A clock value, not 1: after an eviction the new generation must not meet keys stored under an old one.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def purge():
    """Make every stored page stale, in every language and on every app server sharing the cache: now, and again
    when the surrounding transaction commits (a visitor between the two could otherwise store the old page)."""
    _bump()
    transaction.on_commit(_bump)


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet, or evicted: a clock value differs from what keys were built with
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def fragment(parts, render):
    """What `render()` returns (HTML or any picklable value), kept in the cache with the generation it was rendered
    under and rendered again once the generation has moved on, so any change a purge reacts to renews it on the
    next call, on every app server sharing the cache. For what a page is made of that costs more than the rest
    and holds nothing about the visitor (the site chrome's rows, home/chrome.py; the results body,
    ideas/voting/results_page.py): it also serves the visitors the whole-page cache never serves (anyone with a
    session). `parts` names the fragment (language included, and a version of the templates that render it, so
    that servers of two releases side by side never serve each other's). `render()` runs on every call when
    KOPA_FRAGMENT_CACHE is off (the test settings; tests/ideas/test_results_fragment.py and
    tests/home/test_chrome_store.py switch it on)."""
    value, keep = stored_fragment(parts)
    if value is None:
        value = render()
        keep(value)
    return value


def stored_fragment(parts):
    """(the value kept for `parts` under the current generation, or None; a function keeping a new value for
    `parts`), for a caller that decides after computing whether to keep it (fragment() always keeps it)."""
    if not getattr(settings, "KOPA_FRAGMENT_CACHE", False):
        return None, _keep_nothing
    key = "kopa:fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    # One round trip for both: the fragment is current only when stored under the current generation.
    found = cache.get_many([GENERATION_KEY, key])
    gen = found.get(GENERATION_KEY)
    if gen is None:
        gen = generation()
    kept = found.get(key)
    if kept is not None and kept[0] == gen:
        return kept[1], _keep_nothing

    def keep(value):
        # Under the generation read before computing: a change committed meanwhile bumps it, so what is kept
        # here is stale at once and never served.
        cache.set(key, (gen, value), _seconds())

    return None, keep


def _keep_nothing(value):
    pass


def _key(request, gen):
    address = f"{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"kopa:page:{gen}:{digest}"


def _request_is_cacheable(request):
    if not getattr(settings, "KOPA_PAGE_CACHE", True):
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    if any(name in request.COOKIES for name in PERSONAL_COOKIES):
        return False
    path = request.path_info
    return not any(path.startswith(prefix) for prefix in SKIPPED_PREFIXES)


def _response_is_cacheable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or not session.is_empty()):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _nonce_of(request):
    """The CSP nonce this render used, if any (django-csp generates it lazily on first use)."""
    if getattr(request, "_csp_nonce", None):
        return str(request._csp_nonce)
    return None


class AnonymousPageCacheMiddleware:
    """Serves and stores whole pages for visitors without a session; see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        gen = generation()
        key = _key(request, gen)
        stored = cache.get(key)
        if stored is not None:
            return self._replay(request, stored)
        response = self.get_response(request)
        if _response_is_cacheable(request, response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(key, (response.content, headers, _nonce_of(request)), _seconds())
            response["X-Kopa-Cache"] = "miss"
        return response

    def _replay(self, request, stored):
        from django.http import HttpResponse

        content, headers, old_nonce = stored
        if old_nonce and hasattr(request, "csp_nonce"):
            fresh = str(request.csp_nonce)
            content = content.replace(old_nonce.encode(), fresh.encode())
        response = HttpResponse(content, status=200)
        for name, value in headers.items():
            response[name] = value
        patch_vary_headers(response, ("Cookie",))
        response["X-Kopa-Cache"] = "hit"
        if request.method == "HEAD":
            response.content = b""
        return response


# Purging --------------------------------------------------------------------------------------------------
def _changed(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in PUBLIC_APPS or meta.label_lower in QUIET_MODELS:
        return
    purge()


def _published(**kwargs):
    purge()


def _migrated(sender, **kwargs):
    # A deploy runs migrate: pages and fragments rendered by the previous release's templates and translations
    # are not served under the new one (a restart without migrate leaves them for KOPA_PAGE_CACHE_SECONDS).
    if sender.label == "home":
        purge()


def connect_purging():
    """Connect the receivers (home/apps.py ready()); dispatch_uid keeps them single on re-import. Connected per
    public model, never for all senders: a receiver on every model would stop Django's fast bulk deletes (of
    sessions, the census list, sealed ballots), which it only does for models without delete signals."""
    from django.apps import apps
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    for label in PUBLIC_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            name = model._meta.label_lower
            if name in QUIET_MODELS:
                continue
            post_save.connect(_changed, sender=model, dispatch_uid=f"kopa-page-cache-save-{name}")
            post_delete.connect(_changed, sender=model, dispatch_uid=f"kopa-page-cache-delete-{name}")
    # m2m_changed is sent by the through model, which may be auto-created; _changed filters it by its app.
    m2m_changed.connect(_changed, dispatch_uid="kopa-page-cache-m2m")
    post_migrate.connect(_migrated, dispatch_uid="kopa-page-cache-migrate")
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_published, dispatch_uid=f"kopa-page-cache-{id(signal)}")
