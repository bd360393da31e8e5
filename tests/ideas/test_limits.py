"""ideas/limits.py: the one client address of Django, allauth and the API, and the budgets of attempts per
address and per account (check, record, their windows, the 429 page). The login lockout behind both doors is
tested in test_accounts.py."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.internal import httpkit
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import translation
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from ideas import limits
from ideas.api.views import LoginRateThrottle
from ideas.limits import RateLimited, check, client_address, record, too_many_response

ROOT = Path(__file__).resolve().parent.parent.parent

TEST_LIMITS = {"guess": {"address": (3, 60), "account": (2, 600)}, "open": {"address": (2, 60)}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def budgets(settings):
    settings.KOPA_RATE_LIMITS = TEST_LIMITS


@pytest.fixture
def clock(monkeypatch):
    """The limits' clock, moved by hand; the cache keeps its own (real) time."""
    now = SimpleNamespace(value=time.time())
    fake = SimpleNamespace(time=lambda: now.value, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(limits, "time", fake)
    return now


def from_address(address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/somewhere/", **extra)


def retry_after(request, action, **kwargs):
    with pytest.raises(RateLimited) as caught:
        check(request, action, **kwargs)
    return caught.value.retry_after


# One client address ---------------------------------------------------------------------------------------


def test_without_trusted_proxies_the_address_is_the_connections_and_x_forwarded_for_is_ignored():
    request = from_address("192.0.2.10", forwarded="6.6.6.6")

    assert client_address(request) == "192.0.2.10"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.20", "198.51.100.20"),
        (1, "6.6.6.6, 198.51.100.20", "198.51.100.20"),  # the client's own entries are to the left
        (2, "6.6.6.6, 198.51.100.20, 10.0.0.2", "198.51.100.20"),
        (2, "198.51.100.20", "10.0.0.1"),  # shorter than the proxies: it did not pass them all
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_address_is_the_one_the_outermost_proxy_saw(
    settings, count, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_address(from_address("10.0.0.1", forwarded=forwarded)) == expected


def test_django_allauth_and_the_api_read_the_same_address_and_ignore_a_forged_header(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT == api_settings.NUM_PROXIES
    request = from_address("192.0.2.10", forwarded="6.6.6.6")

    seen = {
        "ideas.limits": client_address(request),
        "allauth adapter": get_adapter(request).get_client_ip(request),
        "allauth httpkit": httpkit.get_client_ip(request),
        "API throttles": AnonRateThrottle().get_ident(Request(request)),
        "API token throttle": LoginRateThrottle().get_ident(Request(request)),
    }

    assert seen == dict.fromkeys(seen, "192.0.2.10")


AGREEMENT_SCRIPT = """
import json
import django
django.setup()
from allauth.account.adapter import get_adapter
from allauth.core.internal import httpkit
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from ideas.api.views import LoginRateThrottle
from ideas.limits import client_address
request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20, 10.0.0.2")
print(json.dumps([
    client_address(request),
    get_adapter(request).get_client_ip(request),
    httpkit.get_client_ip(request),
    AnonRateThrottle().get_ident(Request(request)),
    LoginRateThrottle().get_ident(Request(request)),
]))
"""


@pytest.mark.parametrize(("count", "expected"), [("1", "10.0.0.2"), ("2", "198.51.100.20")])
def test_one_environment_variable_sets_the_proxies_for_all_three(count, expected):
    # The settings are read once at start-up, so a fresh process shows what a deployment gets.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "TRUSTED_PROXY_COUNT": count,
    }
    result = subprocess.run(
        [sys.executable, "-c", AGREEMENT_SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [expected] * 5


# Budgets: check and record --------------------------------------------------------------------------------


def test_the_address_budget_runs_out_after_its_attempts_and_check_counts_nothing(budgets, clock):
    library = from_address("203.0.113.7")
    for _attempt in range(10):
        check(library, "guess")  # looking is free
    for _attempt in range(3):
        check(library, "guess")
        record(library, "guess")

    assert retry_after(library, "guess") == 60
    check(from_address("203.0.113.8"), "guess")  # another address has its own budget
    check(library, "open")  # and another action


def test_a_forged_forwarded_header_gives_no_fresh_budget(budgets):
    for number in range(3):
        record(from_address("203.0.113.7", forwarded=f"10.1.{number}.1"), "guess")

    with pytest.raises(RateLimited):
        check(from_address("203.0.113.7", forwarded="10.1.99.1"), "guess")


def test_the_account_budget_counts_from_every_address(budgets):
    record(from_address("198.51.100.1"), "guess", account="010190-12345")
    record(from_address("198.51.100.2"), "guess", account="010190-12345")

    stranger = from_address("198.51.100.3")
    assert retry_after(stranger, "guess", account="010190-12345") == 600
    check(stranger, "guess", account="020290-54321")  # another account
    check(stranger, "guess")  # the address itself has used nothing


def test_a_neighbour_is_not_stopped_by_an_attacked_account(budgets):
    library = from_address("203.0.113.7")
    record(library, "guess", account="attacked")
    record(library, "guess", account="attacked")

    with pytest.raises(RateLimited):
        check(library, "guess", account="attacked")
    check(library, "guess", account="neighbour")


def test_an_action_without_an_account_budget_limits_only_the_address(budgets):
    library = from_address("203.0.113.7")
    record(library, "open", account="someone")
    check(from_address("203.0.113.8"), "open", account="someone")
    record(library, "open", account="someone")

    with pytest.raises(RateLimited):
        check(library, "open", account="someone else")


def test_attempts_leave_the_window_one_by_one(budgets, clock):
    library = from_address("203.0.113.7")
    record(library, "guess")
    clock.value += 20
    record(library, "guess")
    clock.value += 20
    record(library, "guess")

    # The first attempt, 40 seconds old, leaves the 60-second window in 20 seconds.
    assert retry_after(library, "guess") == 20
    clock.value += 19
    assert retry_after(library, "guess") == 1
    clock.value += 1.5
    check(library, "guess")
    record(library, "guess")
    # Full again until the second attempt (at 20 s; now is 60.5 s) leaves at 80 s: 19.5 s, rounded up.
    assert retry_after(library, "guess") == 20
    clock.value += 60
    check(library, "guess")


def test_an_unknown_action_is_a_configuration_error(budgets):
    with pytest.raises(ImproperlyConfigured, match="nothing"):
        check(from_address("192.0.2.1"), "nothing")


def test_the_cache_never_holds_the_account_itself(budgets):
    record(from_address("192.0.2.1"), "guess", account="010190-12345")

    stored = repr(list(cache._cache.items()))  # LocMemCache's own dict, as the test settings use it
    assert "kopa:rl:guess:account:" in stored
    assert "010190-12345" not in stored
    assert "192.0.2.1" not in stored


def test_the_default_budgets_are_strict_per_account_and_generous_per_address(settings):
    assert settings.KOPA_RATE_LIMITS == {
        "residency": {"address": (100, 3600), "account": (10, 3600)},
        "eid": {"address": (100, 3600), "account": (10, 3600)},
        "voting_code": {"address": (50, 3600), "account": (10, 3600)},
    }


# The 429 page ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_too_many_response_is_a_429_page_with_retry_after():
    request = from_address("192.0.2.1")
    request.user = AnonymousUser()

    with translation.override("en"):
        response = too_many_response(request, RateLimited(90))

    assert response.status_code == 429
    assert response["Retry-After"] == "90"
    html = response.content.decode()
    assert "<h1>Too many attempts</h1>" in html
    assert "Please try again later." in html
    assert "You can try again in about 2 minutes." in html
    assert '<header class="site-header">' in html  # the site's own page, from base.html


@pytest.mark.django_db
def test_too_many_response_says_one_minute_in_the_singular():
    request = from_address("192.0.2.1")
    request.user = AnonymousUser()

    with translation.override("en"):
        response = too_many_response(request, RateLimited(30))

    assert "You can try again in about 1 minute." in response.content.decode()
