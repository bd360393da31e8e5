"""Limits that stop attackers, not neighbours: the one client address the whole site uses, and small budgets of
attempts per address and per account for pages that take guesses.

The client address is REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT reverse proxies of our own, the address the
outermost of them saw (config/settings/base.py). allauth (ideas/accounts/adapter.py `get_client_ip`) and the
API's throttles (ideas/api/views.py `LoginRateThrottle`, DRF's NUM_PROXIES) use the same address.

`check` and `record` guard the residency, eID and voting-code pages with the budgets of KOPA_RATE_LIMITS; a page
calls `check` before an attempt, `record` after a failed one, and answers RateLimited with `too_many_response`.
Logins have their own lockout, allauth's `login_failed` limit, shared by the web login and the token endpoint.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.crypto import salted_hmac

LOCK_TIMEOUT = 5  # seconds a crashed writer can hold a budget's lock
LOCK_WAIT = 1.0  # seconds a writer waits for the lock before counting without it


class RateLimited(Exception):
    """An action's budget is used up; `retry_after` says in how many seconds an attempt is possible again."""

    def __init__(self, retry_after: int):
        super().__init__(f"Rate limited; retry after {retry_after} s")
        self.retry_after = retry_after


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
        # Keyed hash: accounts may be personal codes, and the cache (Redis) need not learn them.
        digest = salted_hmac("ideas.limits", f"{scope}:{value}").hexdigest()
        yield f"kopa:rl:{action}:{scope}:{digest}", amount, seconds


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
