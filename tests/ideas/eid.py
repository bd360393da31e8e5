"""Test support for eID sign-in: a real OpenID Connect provider on loopback, and a Django test client walked
through the whole flow against it.

The provider is oidc-provider-mock (a Flask app with authlib, dev extra in pyproject.toml) served by werkzeug in
a thread on 127.0.0.1 with a random port. allauth talks to it server-side exactly as to a real broker: discovery
(/.well-known/openid-configuration), the token exchange with PKCE, the ID token and the userinfo endpoint, all
over HTTP on loopback. Nothing is patched.

Usage (the fixture `oidc_provider` is in tests/ideas/conftest.py; it starts the provider once per test session
and, for the test, points settings.SOCIALACCOUNT_PROVIDERS at it, so the site shows "Confirm with eID")::

    from tests.ideas.eid import sign_in_with_eid

    def test_something(client, oidc_provider):
        user = sign_in_with_eid(
            client, oidc_provider, personal_code="010180-12345", birthdate="1980-01-01", email="a@example.test"
        )
        # `client` is now logged in as `user`, whose e-mail address is verified and whose person (the key of
        # 010180-12345) is linked with method EID; the census area when the person is on the census list.

For each call with a new `sub` (by default derived from the personal code: one eID identity per person) a new
account is made through the eID sign-up form; calling again with the same personal code and the same client
signs in to that account again. Pass `client` of a logged-in account and `connect=True` to connect eID to it
instead (the residency page's "Confirm with eID"). To see a refusal rather than assert success, use
`eid_callback`, which returns the site's answer to the provider's redirect (with `follow=True`, the page it
leads to).
"""

import hashlib
import json
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

import oidc_provider_mock
import werkzeug.serving
from django.conf import settings
from django.core import mail
from django.urls import reverse

from ideas.models import ResidentProfile

CLIENT_ID = "kopa-test"
CLIENT_SECRET = "kopa-test-secret"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/(?:[a-z]{2}/)?accounts/confirm-email/[-:\w]+/)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass
class OidcProvider:
    """A running oidc-provider-mock: its issuer URL, and the users it can authorize (with their claims)."""

    url: str

    def providers_setting(self, **app_settings):
        """The value of settings.SOCIALACCOUNT_PROVIDERS that uses this provider as the site's eID."""
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": settings.EID_PROVIDER_ID,
                        "name": "Test eID",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {
                            "server_url": self.url,
                            "scope": ["openid", "profile", "email"],
                            **app_settings,
                        },
                    }
                ],
            }
        }

    def set_user(self, sub, claims):
        """Give the provider's user `sub` these claims (the mock's PUT /users/{sub})."""
        request = urllib.request.Request(
            f"{self.url}/users/{urllib.parse.quote(sub, safe='')}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with _opener.open(request) as response:
            assert response.status == 204, response.status

    def authorize(self, authorize_url, sub):
        """Authorize `sub` at the provider's authorization URL (as a person signing in would, with the mock's
        form) and return the URL it redirects the browser to: the site's callback with the code."""
        assert authorize_url.startswith(self.url), authorize_url
        request = urllib.request.Request(
            authorize_url, data=urllib.parse.urlencode({"sub": sub}).encode(), method="POST"
        )
        try:
            _opener.open(request)
        except urllib.error.HTTPError as redirect:
            assert redirect.code in (302, 303), (redirect.code, redirect.read()[:500])
            return redirect.headers["Location"]
        raise AssertionError("the provider did not redirect back to the site")


@contextmanager
def running_provider():
    """Serve oidc-provider-mock on 127.0.0.1 with a random port in a thread, for the block."""
    # werkzeug logs every request at INFO; its warnings and errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield OidcProvider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def claims_for(personal_code, birthdate, email, **more):
    """Claims as a Latvian eID broker sends them (claim names from settings OIDC_*_CLAIM)."""
    claims = {
        settings.OIDC_PERSONAL_CODE_CLAIM: personal_code,
        settings.OIDC_BIRTHDATE_CLAIM: birthdate,
        "email": email,
        "email_verified": True,
        "given_name": "Test",
        "family_name": "Person",
    }
    claims.update(more)
    return {name: value for name, value in claims.items() if value is not None}


def default_sub(personal_code):
    """One eID identity per person unless a test says otherwise; opaque and stable, as a broker's `sub` is."""
    digits = re.sub(r"\D", "", personal_code or "")
    return "sub-" + hashlib.sha256(digits.encode()).hexdigest()[:16]


def eid_callback(client, provider, *, sub, claims, connect=False, next_url=None, follow=False):
    """Start the eID sign-in on the site (or the connection, `connect=True`, for a logged-in `client`), let the
    provider authorize `sub` with `claims`, and hand the provider's redirect to the site, which exchanges the
    code with the provider over loopback. Returns the site's response to the callback."""
    provider.set_user(sub, claims)
    data = {"process": "connect" if connect else "login"}
    if next_url:
        data["next"] = next_url
    start = client.post(
        reverse("openid_connect_login", kwargs={"provider_id": settings.EID_PROVIDER_ID}), data
    )
    assert start.status_code == 302, (start.status_code, start.content[:500])
    callback = urllib.parse.urlsplit(provider.authorize(start["Location"], sub))
    return client.get(f"{callback.path}?{callback.query}", follow=follow)


def sign_in_with_eid(
    client,
    provider,
    *,
    personal_code,
    birthdate,
    email,
    sub=None,
    display_name="Eid Resident",
    connect=False,
    next_url=None,
):
    """Walk `client` through eID sign-in (sign-up form and e-mail verification included for a new account) and
    return the signed-in user, asserting that their e-mail address is verified and their person linked by eID.

    `birthdate` is the claim as sent ("1980-01-01"); `personal_code` may have its dash or not; `sub` defaults
    to one per personal code; `connect=True` connects eID to the account `client` is logged in to."""
    response = eid_callback(
        client,
        provider,
        sub=sub or default_sub(personal_code),
        claims=claims_for(personal_code, birthdate, email),
        connect=connect,
        next_url=next_url,
    )
    assert response.status_code == 302, (response.status_code, response.content[:1000])
    if response["Location"].split("?")[0].endswith(reverse("socialaccount_signup")):
        signup = client.post(
            reverse("socialaccount_signup"),
            {
                "email": email,
                "display_name": display_name,
                "preferred_language": "lv",
                "privacy_consent": "on",
            },
        )
        assert signup.status_code == 302, signup.context["form"].errors if signup.context else signup
    user = client.session.get("_auth_user_id")
    assert user, "the client is not logged in after the eID sign-in"
    user = ResidentProfile.objects.select_related("user").get(user_id=user).user
    _verify_email(client, user, email)
    profile = user.resident_profile
    assert profile.person_key, "no person was linked"
    assert profile.residency == ResidentProfile.Residency.EID
    return user


def _verify_email(client, user, email):
    """Follow the verification link that the site e-mailed to `email` (unless it is verified already)."""
    if user.emailaddress_set.filter(verified=True).exists():
        return
    links = [
        match.group(1)
        for message in mail.outbox
        if email in message.to
        for match in [CONFIRM_LINK.search(message.body)]
        if match
    ]
    assert links, f"no verification e-mail to {email}"
    confirmed = client.post(links[-1])
    assert confirmed.status_code == 302, confirmed.status_code
    assert user.emailaddress_set.filter(email__iexact=email, verified=True).exists()
