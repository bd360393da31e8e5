"""Limits that stop attackers, not neighbours: the one client address the whole site uses, and small budgets of
attempts per address and per account for pages that take guesses.

The client address is REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies of our own, the address the
outermost of them saw (config/settings/base.py). allauth (ideas/accounts/adapter.py `get_client_ip`) and the
API's throttles (ideas/api/views.py `LoginRateThrottle`, DRF's NUM_PROXIES) use the same address.

`check` and `record` guard the residency, eID and voting-code pages with the budgets of KOPA_RATE_LIMITS; a page
calls `check` before an attempt, `record` after a failed one, and answers RateLimited with `too_many_response`.
Logins have their own lockout, allauth's `login_failed` limit, shared by the web login and the token endpoint.

`take` guards residents' actions that write something (comments, new ideas, supports, follows, reports, ballot
changes) with the budgets of ACTION_LIMITS below, each overridable per action by the setting KOPA_ACTION_LIMITS.
It counts every accepted action and raises `Limited` (a PermissionDenied carrying the message for the person and
the seconds to wait) once a budget is used up. The checks sit in the service functions, ideas/participation.py
and ideas/voting/casting.py, so the website and the API share them: the website answers Limited with HTTP 429
and the message (ideas/views.py, ideas/voting/views.py), the API with HTTP 429 and Retry-After (LanguageMixin in
ideas/api/views.py).
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, ngettext

LOCK_TIMEOUT = 5  # seconds a crashed writer can hold a budget's lock
LOCK_WAIT = 1.0  # seconds a writer waits for the lock before counting without it


class RateLimited(Exception):
    """An action's budget is used up; `retry_after` says in how many seconds an attempt is possible again."""

    def __init__(self, retry_after: int):
        super().__init__(f"Rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


# Residents' actions: (amount, seconds) per account, and per client address where the action has an address.
# Per account strict: one person never needs more. Per address generous (ten people's worth): a library, a
# school class or a block of flats behind one router shares one address, and a neighbour must never be locked
# out by another resident; the address budget only stops one machine driving many accounts. A ballot change is
# counted per person (the register's voter key), whatever the channel or address, and a first ballot never.
MINUTE, HOUR, DAY = 60, 3600, 86400
ACTION_LIMITS = {
    "comment": {"account": (10, 10 * MINUTE), "address": (100, 10 * MINUTE)},  # comments and replies
    "idea": {"account": (20, DAY), "address": (200, DAY)},  # new ideas (drafts), not edits of one's own
    "support": {"account": (60, 10 * MINUTE), "address": (600, 10 * MINUTE)},  # giving support
    "follow": {"account": (60, 10 * MINUTE), "address": (600, 10 * MINUTE)},  # following; stopping is free
    "report": {"account": (10, HOUR), "address": (100, HOUR)},  # reports of ideas and comments
    "ballot_change": {"account": (10, HOUR)},  # replacing one's cast ballot
    "registration": {"account": (3, DAY), "address": (30, DAY)},  # events; account = e-mail address
}


class Limited(RateLimited, PermissionDenied):
    """A resident's action (ACTION_LIMITS) is over its budget: `message` says so and how long to wait, in the
    active language; `retry_after` is in seconds. Unhandled it is still a refusal (PermissionDenied, 403)."""

    def __init__(self, action: str, retry_after: int):
        super().__init__(retry_after)
        self.action = action
        self.message = wait_message(action, retry_after)


def wait_message(action: str, retry_after: int) -> str:
    """What a person over the budget of `action` reads: what happened, and to wait about so many minutes."""
    minutes = max(1, math.ceil(retry_after / 60))
    what = {
        "comment": gettext("You have written many comments in a short time."),
        "idea": gettext("You have started many ideas today."),
        "support": gettext("You have supported many ideas in a short time."),
        "follow": gettext("You have followed many ideas in a short time."),
        "report": gettext("You have sent many reports in a short time."),
        "ballot_change": gettext("You have changed your ballot many times in a short time."),
        "registration": gettext("Many registrations came from your network or with this e-mail address."),
    }.get(action, gettext("You have done this many times in a short time."))
    if minutes > 90:
        hours = math.ceil(minutes / 60)
        wait = ngettext(
            "Please wait about %(hours)d hour, then try again.",
            "Please wait about %(hours)d hours, then try again.",
            hours,
        ) % {"hours": hours}
    else:
        wait = ngettext(
            "Please wait about %(minutes)d minute, then try again.",
            "Please wait about %(minutes)d minutes, then try again.",
            minutes,
        ) % {"minutes": minutes}
    return f"{what} {wait}"


def action_limits() -> dict:
    """ACTION_LIMITS with the setting KOPA_ACTION_LIMITS's entries (whole actions) in place of the defaults."""
    return {**ACTION_LIMITS, **getattr(settings, "KOPA_ACTION_LIMITS", {})}


def take(action: str, *, account=None, address: str | None = None) -> None:
    """Count one `action` against the account's budget and the address's (each only if given and budgeted),
    or raise Limited, counting nothing, when either is used up. Check and count happen under the budgets'
    locks, so a burst of simultaneous requests cannot slip past the limit together."""
    try:
        limits = action_limits()[action]
    except KeyError:
        raise ImproperlyConfigured(f"KOPA_ACTION_LIMITS has no limits for “{action}”") from None
    budgets = [
        (_key("act", action, scope, value), *limits[scope])
        for scope, value in (("account", account), ("address", address))
        if value not in (None, "") and scope in limits
    ]
    with _locks([key for key, _amount, _seconds in budgets]):
        now = time.time()
        histories, waits = [], []
        for key, amount, seconds in budgets:
            recent = _recent(cache.get(key, []), now, seconds)
            if len(recent) >= amount:
                waits.append(recent[amount - 1] + seconds - now)
            histories.append((key, amount, seconds, recent))
        if waits:
            raise Limited(action, max(1, math.ceil(max(waits))))
        for key, amount, seconds, recent in histories:
            cache.set(key, [now, *recent][:amount], timeout=math.ceil(seconds))


def _key(kind, action, scope, value):
    # Keyed hash: accounts may be personal codes, and the cache (Redis) need not learn them.
    digest = salted_hmac("ideas.limits", f"{scope}:{value}").hexdigest()
    return f"kopa:{kind}:{action}:{scope}:{digest}"


class _locks:
    """The locks of several budgets, always taken in the same order (no two requests wait on each other)."""

    def __init__(self, keys):
        self.locks = [_lock(key) for key in sorted(keys)]

    def __enter__(self):
        for lock in self.locks:
            lock.__enter__()
        return self

    def __exit__(self, *exc_info):
        for lock in reversed(self.locks):
            lock.__exit__(*exc_info)


def client_address(request) -> str:
    """The address of the client: REMOTE_ADDR, or the TRUSTED_PROXY_COUNT-th entry from the right of
    X-Forwarded-For when that many proxies of our own stand in front of the site.

    Each trusted proxy appends the address it received the request from, so entries further left were written
    by the client and are never used. A header shorter than the count did not pass all our proxies; then the
    connection's own address (REMOTE_ADDR) is the one thing the client cannot choose.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [entry for entry in entries if entry]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote


def _budgets(request, action, account):
    """(cache key, amount, seconds) of each budget that applies: the address's, and the account's if given."""
    try:
        limits = settings.KOPA_RATE_LIMITS[action]
    except KeyError:
        raise ImproperlyConfigured(f"KOPA_RATE_LIMITS has no limits for “{action}”") from None
    sources = [("address", client_address(request))]
    if account is not None and "account" in limits:
        sources.append(("account", str(account)))
    for scope, value in sources:
        amount, seconds = limits[scope]
        yield _key("rl", action, scope, value), amount, seconds


def _recent(history, now, seconds):
    return sorted((stamp for stamp in history if stamp > now - seconds), reverse=True)


def check(request, action: str, *, account: str | None = None) -> None:
    """Raises RateLimited when the per-address budget of `action`, or the per-account one if `account` is
    given, is used up; otherwise does nothing (and counts nothing)."""
    now = time.time()
    waits = []
    for key, amount, seconds in _budgets(request, action, account):
        recent = _recent(cache.get(key, []), now, seconds)
        if len(recent) >= amount:
            # Room again once the amount-th newest attempt leaves the window.
            waits.append(recent[amount - 1] + seconds - now)
    if waits:
        raise RateLimited(max(1, math.ceil(max(waits))))


def record(request, action: str, *, account: str | None = None) -> None:
    """Counts one attempt at `action` against the address (and the account if given); called after a failed
    or refused attempt."""
    for key, amount, seconds in _budgets(request, action, account):
        with _lock(key):
            now = time.time()
            recent = _recent(cache.get(key, []), now, seconds)
            cache.set(key, [now, *recent][:amount], timeout=math.ceil(seconds))


class _lock:
    """A short cache lock, so that two requests counting at once do not lose an attempt."""

    def __init__(self, key):
        self.key = f"{key}:lock"
        self.held = False

    def __enter__(self):
        deadline = time.monotonic() + LOCK_WAIT
        while not (held := cache.add(self.key, 1, timeout=LOCK_TIMEOUT)) and time.monotonic() < deadline:
            time.sleep(0.01)
        # Without the lock the attempt is counted anyway: at worst a concurrent count is lost, never this one.
        self.held = held
        return self

    def __exit__(self, *exc_info):
        if self.held:
            cache.delete(self.key)


def login_lock_seconds() -> int:
    """The longest window of allauth's `login_failed` limit (ACCOUNT_RATE_LIMITS): a locked login is possible
    again within this many seconds at most. The token endpoint sends it as Retry-After."""
    from allauth.account import app_settings

    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    longest = 0
    for rate in (app_settings.RATE_LIMITS.get("login_failed") or "").split(","):
        parts = rate.strip().split("/")
        if len(parts) >= 2 and parts[1]:
            duration = parts[1]
            longest = max(longest, float(duration[:-1] or 1) * units[duration[-1]])
    return max(1, math.ceil(longest))


def too_many_response(request, error: RateLimited) -> HttpResponse:
    """The page that says to try again later: HTTP 429 with Retry-After (templates/limits/too_many.html)."""
    minutes = max(1, math.ceil(error.retry_after / 60))
    response = TemplateResponse(request, "limits/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response.render()
