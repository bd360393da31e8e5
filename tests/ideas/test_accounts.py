"""Residents' accounts: signup with a profile and e-mail verification, login and logout, the profile page,
"download my data", "delete my account", and the brute-force limit on logins."""

import datetime
import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token

from home.models import EventRegistration
from ideas.models import Area, Comment, Follow, Idea, Report, ResidentProfile, StatusChange, Support
from ideas.phases import Phase
from tests.factories import add_event, make_idea, round_in_phase

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password
NEW_PASSWORD = "Lindens-on-School-Street-42"
# allauth's Latvian catalogue (allauth/locale/lv).
LV_CONFIRM_SUBJECT = "Lūdzu apstipriniet savu e-pasta adresi"
LV_TOO_MANY_ATTEMPTS = "Pārāk daudz neveiksmīgi pieslēgšanās mēģinājumi. Mēģiniet vēlreiz vēlāk."
CONFIRM_LINK = re.compile(r"http://testserver(/(?:en/)?accounts/confirm-email/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps rate-limit counters (signups per IP, failed logins, verification e-mails per address)
    # in the cache, which outlives a test's database transaction.
    cache.clear()


@pytest.fixture
def latvian_area(lv):
    return Area.objects.filter(locale=lv).order_by("pk").first()


def signup_data(**changes):
    data = {
        "email": "liga@example.test",
        "display_name": "Līga no Baložiem",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "preferred_language": "lv",
        "area": "",
        "birth_year": "",
        "privacy_consent": "on",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def confirm_link(message):
    return CONFIRM_LINK.search(message.body).group(1)


def make_profile(user, **fields):
    values = {"display_name": "Anna B.", "preferred_language": "lv", "privacy_consent_at": timezone.now()}
    values.update(fields)
    return ResidentProfile.objects.create(user=user, **values)


# Signup -------------------------------------------------------------------------------------------------


def test_signup_creates_account_profile_and_unverified_address_and_sends_verification(client, latvian_area):
    before = timezone.now()

    response = client.post(
        "/accounts/signup/", signup_data(area=latvian_area.pk, birth_year="1984", preferred_language="en")
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    user = get_user_model().objects.get(email="liga@example.test")
    assert user.check_password(NEW_PASSWORD)
    profile = user.resident_profile
    assert profile.display_name == "Līga no Baložiem"
    assert profile.area == latvian_area
    assert profile.birth_year == 1984
    assert profile.preferred_language == "en"
    assert before <= profile.privacy_consent_at <= timezone.now()
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("liga@example.test", False, True)
    [message] = mail.outbox
    assert message.to == ["liga@example.test"]
    # The page was Latvian, so the e-mail and its link are too.
    assert message.subject == LV_CONFIRM_SUBJECT
    assert confirm_link(message).startswith("/accounts/confirm-email/")


def test_following_the_confirmation_link_verifies_the_address(client):
    client.post("/accounts/signup/", signup_data())
    [message] = mail.outbox
    link = confirm_link(message)
    address = EmailAddress.objects.get(email="liga@example.test")

    # Opening the link only shows a button (mail scanners open links too); the POST verifies.
    assert client.get(link).status_code == 200
    address.refresh_from_db()
    assert not address.verified

    response = client.post(link)

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified


def test_signup_with_a_registered_address_creates_nothing(client, resident):
    profiles = ResidentProfile.objects.count()

    response = client.post("/en/accounts/signup/", signup_data(email="ANNA@example.test"))

    # With "optional" verification allauth says so on the form (its enumeration protection needs
    # "mandatory"), instead of e-mailing the owner.
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A user is already registered with this email address."
    ]
    assert get_user_model().objects.filter(email__iexact="anna@example.test").count() == 1
    assert ResidentProfile.objects.count() == profiles
    assert mail.outbox == []


def test_signup_without_privacy_consent_is_refused(client):
    response = client.post("/en/accounts/signup/", signup_data(privacy_consent=None))

    assert response.status_code == 200
    assert response.context["form"].errors["privacy_consent"] == [
        "Please accept the privacy notice to register."
    ]
    assert not get_user_model().objects.filter(email="liga@example.test").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("year", ["1899", str(datetime.date.today().year + 1)])
def test_signup_with_an_impossible_birth_year_is_refused(client, year):
    response = client.post("/en/accounts/signup/", signup_data(birth_year=year))

    assert response.status_code == 200
    last = timezone.localdate().year
    assert response.context["form"].errors["birth_year"] == [f"Enter a birth year between 1900 and {last}."]
    assert not get_user_model().objects.filter(email="liga@example.test").exists()
    html = response.content.decode()
    # The error is announced with the field: the input points at it, the summary links to the input.
    [birth_year_input] = re.findall(r'<input[^>]*name="birth_year"[^>]*>', html)
    assert 'aria-describedby="id_birth_year_helptext id_birth_year_error"' in birth_year_input
    assert 'aria-invalid="true"' in birth_year_input
    assert 'id="id_birth_year_error"' in html
    assert 'href="#id_birth_year"' in html


def test_signup_needs_a_display_name(client):
    response = client.post("/en/accounts/signup/", signup_data(display_name="   "))

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="liga@example.test").exists()


def test_english_signup_page_is_english_in_the_site_chrome(client, en):
    response = client.get("/en/accounts/signup/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert '<label for="id_display_name">Display name' in html
    assert 'for="id_privacy_consent">I have read the privacy notice' in html
    # Preferred language starts as the page's language; areas are the Latvian rows, labelled in English.
    form = response.context["form"]
    assert form["preferred_language"].value() == "en"
    english_area = Area.objects.filter(locale=en).order_by("pk").first()
    latvian_area = Area.objects.get(translation_key=english_area.translation_key, locale__language_code="lv")
    assert f'<option value="{latvian_area.pk}">{english_area.name}</option>' in html


def test_latvian_signup_page_is_latvian(client):
    response = client.get("/accounts/signup/")

    html = response.content.decode()
    assert '<html lang="lv">' in html
    assert re.search(r"<h1>\s*Reģistrēties\s*</h1>", html)  # allauth's "Sign Up"
    assert response.context["form"]["preferred_language"].value() == "lv"


def test_english_signup_sends_the_verification_in_english_with_an_english_link(client):
    client.post("/en/accounts/signup/", signup_data(preferred_language="en"))

    [message] = mail.outbox
    assert message.subject == "Please Confirm Your Email Address"
    assert confirm_link(message).startswith("/en/accounts/confirm-email/")

    client.post(confirm_link(message))
    assert EmailAddress.objects.get(email="liga@example.test").verified


# Login and logout -----------------------------------------------------------------------------------------


def test_login_is_by_email_and_logout_needs_a_post(client, resident):
    response = client.post("/en/accounts/login/", {"login": "anna@example.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    assert client.session["_auth_user_id"] == str(resident.pk)

    client.get("/en/accounts/logout/")
    assert client.session.get("_auth_user_id") == str(resident.pk)

    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert "_auth_user_id" not in client.session


def test_login_by_username_or_email(client, resident):
    response = client.post("/en/accounts/login/", {"login": resident.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(resident.pk)
    client.post("/en/accounts/logout/")
    client.post("/en/accounts/login/", {"login": "ANNA@example.test", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(resident.pk)


def readme_demo_logins():
    """The (user, password) rows of the README's "Demo logins" table."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", section, re.M)


def test_the_readmes_demo_logins_work_where_residents_sign_in(client):
    from home.demo_content import DEMO_USERS

    rows = readme_demo_logins()
    assert {"resident", "resident2", "admin"} <= {user for user, _password in rows}
    # The session's database has the demo loaded (tests/conftest.py), its users made by `load_demo` itself.
    demo_users = {username for username, *_rest in DEMO_USERS}
    assert set(
        get_user_model().objects.filter(username__in=demo_users).values_list("username", flat=True)
    ) == (demo_users)
    for username, password in rows:
        client.logout()
        response = client.post("/accounts/login/", {"login": username, "password": password})
        assert response.status_code == 302, username
        assert get_user_model().objects.get(pk=client.session["_auth_user_id"]).username == username


def test_failed_logins_by_username_and_by_email_share_one_lock(client, resident):
    for guess in range(3):
        client.post("/en/accounts/login/", {"login": "anna", "password": f"wrong guess {guess}"})
    for guess in range(2):
        client.post("/en/accounts/login/", {"login": "anna@example.test", "password": f"wrong {guess}"})
    response = client.post("/en/accounts/login/", {"login": "anna", "password": PASSWORD})
    assert "_auth_user_id" not in client.session, "five failures by either name lock the one account"
    assert response.status_code == 200


def test_five_failed_logins_lock_the_account_even_against_the_right_password(
    client, resident, other_resident
):
    cache.clear()
    for _attempt in range(5):
        response = client.post(
            "/en/accounts/login/", {"login": "anna@example.test", "password": "wrong guess 1"}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["__all__"] == [
            "The email address and/or password you specified are not correct."
        ]

    response = client.post("/en/accounts/login/", {"login": "anna@example.test", "password": PASSWORD})

    # allauth 65 answers the locked login with the form again and a non-field error, not a 429.
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == ["Too many failed login attempts. Try again later."]
    assert "_auth_user_id" not in client.session
    # The lock is per account: another resident from the same address still gets in.
    response = client.post("/en/accounts/login/", {"login": "juris@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_resident.pk)


def test_the_login_lock_is_said_in_latvian_on_latvian_pages(client, resident):
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "anna@example.test", "password": "wrong guess 1"})

    response = client.post("/accounts/login/", {"login": "anna@example.test", "password": PASSWORD})

    assert LV_TOO_MANY_ATTEMPTS in response.content.decode()


# Brute force: one lockout per account behind both doors, generous limits per address ----------------------
# The web login (allauth) and the API's token endpoint count failed passwords together, per account and per
# client address; the address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT trusts proxies (ideas/limits.py).

TOKEN_URL = "/api/v1/auth/token/?lang=en"
WEB_LOGIN = "/en/accounts/login/"
TOO_MANY = "Too many failed login attempts. Try again later."


def web_login(client, email, password, **extra):
    return client.post(WEB_LOGIN, {"login": email, "password": password}, **extra)


def token_login(client, email, password, **extra):
    return client.post(
        TOKEN_URL, {"email": email, "password": password}, content_type="application/json", **extra
    )


def test_a_forged_forwarded_for_header_gives_no_fresh_guesses_at_the_token_endpoint(client, resident):
    # The reported attack: a new X-Forwarded-For on every request, 55 wrong passwords, then the right one.
    responses = [
        token_login(client, "anna@example.test", f"guess {attempt}", HTTP_X_FORWARDED_FOR=f"10.9.{attempt}.1")
        for attempt in range(55)
    ]

    assert [response.status_code for response in responses[:6]] == [400] * 5 + [429]
    assert responses[5].json()["detail"] == TOO_MANY  # the account's lock, not only the address's throttle
    assert {response.status_code for response in responses[6:]} == {429}
    response = token_login(client, "anna@example.test", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.99.1")
    assert response.status_code == 429
    assert not Token.objects.filter(user=resident).exists()


def test_the_account_locks_after_five_failures_from_different_addresses(client, resident):
    for attempt in range(5):
        response = token_login(client, "anna@example.test", "guess", REMOTE_ADDR=f"198.51.100.{attempt}")
        assert response.status_code == 400

    response = token_login(client, "anna@example.test", PASSWORD, REMOTE_ADDR="198.51.100.200")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not Token.objects.filter(user=resident).exists()
    # The same lock holds at the web login, from yet another address.
    response = web_login(client, "anna@example.test", PASSWORD, REMOTE_ADDR="198.51.100.201")
    assert response.context["form"].errors["__all__"] == [TOO_MANY]
    assert "_auth_user_id" not in client.session


def test_failed_web_logins_lock_the_token_endpoint(client, resident):
    for _attempt in range(5):
        web_login(client, "anna@example.test", "wrong guess 1")

    response = token_login(client, "anna@example.test", PASSWORD)

    assert response.status_code == 429
    assert response.json()["detail"] == TOO_MANY
    assert not Token.objects.filter(user=resident).exists()


def test_failed_token_requests_lock_the_web_login(client, resident):
    for _attempt in range(5):
        assert token_login(client, "Anna@Example.test", "guess").status_code == 400

    response = web_login(client, "anna@example.test", PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"] == [TOO_MANY]
    assert "_auth_user_id" not in client.session


def test_the_lock_does_not_depend_on_the_host_name_asked_for(client, resident):
    # Every allowed host name once had a lock of its own (allauth keys the lock by the site's domain).
    for host in ("testserver", "localhost", "127.0.0.1"):
        for _attempt in range(2):
            web_login(client, "anna@example.test", "wrong guess 1", HTTP_HOST=host)

    response = web_login(client, "anna@example.test", PASSWORD, HTTP_HOST="localhost")

    assert response.context["form"].errors["__all__"] == [TOO_MANY]


def test_an_attacker_on_a_shared_address_locks_the_attacked_account_not_the_neighbours(
    client, resident, other_resident
):
    # A library's public computers share one address: someone there guesses Anna's password at both doors.
    library = {"REMOTE_ADDR": "203.0.113.7"}
    for _attempt in range(15):
        web_login(client, "anna@example.test", "wrong guess 1", **library)
    for _attempt in range(15):
        token_login(client, "anna@example.test", "guess", **library)

    # Anna's account is locked at both doors ...
    assert web_login(client, "anna@example.test", PASSWORD, **library).context["form"].errors["__all__"] == [
        TOO_MANY
    ]
    assert token_login(client, "anna@example.test", PASSWORD, **library).status_code == 429
    # ... while Juris, at the next computer, signs in at both.
    response = web_login(client, "juris@example.test", PASSWORD, **library)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_resident.pk)
    response = token_login(client, "juris@example.test", PASSWORD, **library)
    assert response.status_code == 200, response.content
    assert Token.objects.get(user=other_resident).key == response.json()["token"]


def test_guesses_at_many_accounts_from_one_address_are_stopped(client, resident, settings):
    # Credential stuffing: one wrong guess at each of many accounts. The per-address budget of failures
    # stops it (lowered here to keep the test short), at both doors.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/5m/key,8/10m/ip"}
    for number in range(8):
        web_login(client, f"someone{number}@example.test", "guess")

    assert web_login(client, "anna@example.test", PASSWORD).context["form"].errors["__all__"] == [TOO_MANY]
    assert token_login(client, "anna@example.test", PASSWORD).status_code == 429
    # Another address is not affected.
    assert token_login(client, "anna@example.test", PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 200


def test_refused_attempts_on_a_locked_account_do_not_use_up_the_shared_address(
    client, resident, other_resident, settings
):
    # Only passwords actually checked count: hammering a locked account costs the address nothing, whichever
    # order the rates are written in.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "8/10m/ip,5/5m/key"}
    for _attempt in range(20):
        web_login(client, "anna@example.test", "wrong guess 1")

    response = web_login(client, "juris@example.test", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_resident.pk)


def test_the_token_endpoint_keeps_an_overall_limit_per_address_whatever_the_forwarded_header(client):
    statuses = [
        token_login(
            client, f"someone{number}@example.test", "guess", HTTP_X_FORWARDED_FOR=f"10.8.{number}.1"
        ).status_code
        for number in range(31)
    ]

    assert statuses == [400] * 30 + [429]


# Header ------------------------------------------------------------------------------------------------


def test_header_offers_login_and_registration_to_visitors(client):
    html = client.get("/en/").content.decode()

    assert 'href="/en/accounts/login/?next=/en/"' in html
    assert 'href="/en/accounts/signup/"' in html
    assert "/en/accounts/logout/" not in html


def test_header_shows_the_residents_name_profile_and_a_logout_form(client, resident):
    make_profile(resident, display_name="Anna no Ķekavas")
    client.force_login(resident)

    html = client.get("/en/").content.decode()

    assert "Anna no Ķekavas" in html
    assert 'href="/en/accounts/profile/"' in html
    assert '<form method="post" action="/en/accounts/logout/">' in html
    assert "/en/accounts/login/" not in html


# Profile -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "login"),
    [
        ("/accounts/profile/", "/accounts/login/"),
        ("/accounts/profile/my-data/", "/accounts/login/"),
        ("/accounts/profile/delete/", "/accounts/login/"),
        ("/en/accounts/profile/delete/", "/en/accounts/login/"),
    ],
)
def test_account_pages_need_a_login(client, url, login):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{login}?next={url}"


def test_profile_shows_addresses_and_the_way_to_verify_export_and_delete(client, unverified):
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    client.force_login(unverified)

    response = client.get("/en/accounts/profile/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "unverified@example.test" in html
    assert "not verified" in html
    assert 'href="/en/accounts/email/"' in html
    assert 'href="/en/accounts/profile/my-data/"' in html
    assert 'href="/en/accounts/profile/delete/"' in html


def test_profile_edit_saves_the_profile(client, resident, latvian_area):
    make_profile(resident)
    client.force_login(resident)
    assert "verified" in client.get("/en/accounts/profile/").content.decode()

    response = client.post(
        "/en/accounts/profile/",
        {
            "display_name": "  Anna   Bērziņa ",
            "preferred_language": "en",
            "area": latvian_area.pk,
            "birth_year": "1990",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.display_name, profile.preferred_language, profile.area, profile.birth_year) == (
        "Anna Bērziņa",
        "en",
        latvian_area,
        1990,
    )


def test_profile_edit_refuses_an_impossible_birth_year(client, resident):
    profile = make_profile(resident, birth_year=1980)
    client.force_login(resident)

    response = client.post(
        "/en/accounts/profile/", {"display_name": "Anna", "preferred_language": "lv", "birth_year": "1850"}
    )

    assert response.status_code == 400
    assert "Enter a birth year between 1900" in response.content.decode()
    profile.refresh_from_db()
    assert profile.birth_year == 1980


def test_profile_page_creates_a_profile_for_an_account_without_one(client, resident):
    client.force_login(resident)

    response = client.post("/en/accounts/profile/", {"display_name": "Anna", "preferred_language": "en"})

    assert response.status_code == 302
    assert ResidentProfile.objects.get(user=resident).display_name == "Anna"


# Download my data -----------------------------------------------------------------------------------------


@pytest.fixture
def active_resident(resident, other_resident, event_index_lv, latvian_area):
    """A resident who has done one of everything, next to another resident who has too."""
    make_profile(resident, area=latvian_area, birth_year=1975)
    budget_round = round_in_phase(Phase.SUPPORT)
    own = make_idea(budget_round, author=resident, title="Lindens for the school street")
    StatusChange.objects.create(idea=own, from_status="submitted", to_status="published", role="moderator")
    draft = make_idea(budget_round, author=resident, status="draft", title="A half-written idea")
    theirs = make_idea(budget_round, author=other_resident, title="A bench by the pond")
    Comment.objects.create(idea=theirs, author=resident, text="Yes, and a bin next to it.")
    Comment.objects.create(idea=own, author=other_resident, text="Good idea!")
    Support.objects.create(idea=theirs, user=resident)
    Follow.objects.create(idea=theirs, user=resident)
    Report.objects.create(idea=theirs, reporter=resident, reason="Duplicate of another idea.")
    event = add_event(event_index_lv, slug="bench-workshop", title="Bench workshop")
    EventRegistration.objects.create(event=event, name="Anna B.", email="ANNA@example.test", language="lv")
    EventRegistration.objects.create(event=event, name="Juris", email="juris@example.test", language="lv")
    return {"user": resident, "own": own, "draft": draft, "theirs": theirs, "event": event}


def test_data_export_is_a_json_file_with_everything_about_the_resident(client, active_resident):
    resident = active_resident["user"]
    client.force_login(resident)

    response = client.get("/en/accounts/profile/my-data/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kopa-my-data.json"'
    data = json.loads(response.content.decode("utf-8"))
    assert data["account"]["username"] == "anna"
    assert datetime.datetime.fromisoformat(data["account"]["date_joined"]) == resident.date_joined
    assert data["email_addresses"] == [{"email": "anna@example.test", "verified": True, "primary": True}]
    assert data["profile"]["display_name"] == "Anna B."
    assert data["profile"]["birth_year"] == 1975
    assert data["profile"]["area"]["code"]
    ideas = {idea["id"]: idea for idea in data["ideas"]}
    assert set(ideas) == {active_resident["own"].pk, active_resident["draft"].pk}
    assert ideas[active_resident["draft"].pk]["status"] == "draft"
    own = ideas[active_resident["own"].pk]
    assert own["title"] == "Lindens for the school street"
    assert own["estimated_cost_eur"] == "12000.00"
    assert [(step["from"], step["to"], step["by"]) for step in own["status_history"]] == [
        ("submitted", "published", "moderator")
    ]
    assert [comment["text"] for comment in data["comments"]] == ["Yes, and a bin next to it."]
    assert [support["idea_id"] for support in data["supports"]] == [active_resident["theirs"].pk]
    assert [follow["idea_id"] for follow in data["follows"]] == [active_resident["theirs"].pk]
    [report] = data["reports"]
    assert report["reason"] == "Duplicate of another idea."
    datetime.datetime.fromisoformat(report["reported_at"])
    # Matched case-insensitively by address; the other person's registration is not in the file.
    [registration] = data["event_registrations"]
    assert (registration["event"], registration["name"]) == ("Bench workshop", "Anna B.")
    assert datetime.datetime.fromisoformat(registration["event_start"]) == active_resident["event"].start


def test_data_export_is_only_a_get(client, resident):
    client.force_login(resident)

    assert client.post("/en/accounts/profile/my-data/").status_code == 405


# Delete my account ----------------------------------------------------------------------------------------


def test_delete_page_explains_what_happens(client, active_resident):
    client.force_login(active_resident["user"])

    html = client.get("/en/accounts/profile/delete/").content.decode()

    assert "Your 2 ideas stay in the budget round" in html
    assert "Your 1 comment stays" in html
    assert "1 registration for an upcoming event is cancelled." in html
    assert 'type="password"' in html


def test_delete_with_a_wrong_password_is_refused(client, resident):
    client.force_login(resident)

    response = client.post("/en/accounts/profile/delete/", {"password": "not my password"})

    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    assert get_user_model().objects.filter(pk=resident.pk).exists()
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_delete_with_the_password_removes_the_account_and_keeps_the_ideas(
    client, active_resident, event_index_lv, run_on_commit
):
    resident, event = active_resident["user"], active_resident["event"]
    past_event = add_event(event_index_lv, slug="past-walk", title="Past walk", days_ahead=-10)
    past = EventRegistration.objects.create(
        event=past_event, name="Anna", email="anna@example.test", language="en"
    )
    client.force_login(resident)

    with run_on_commit():
        response = client.post("/en/accounts/profile/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert not get_user_model().objects.filter(pk=resident.pk).exists()
    assert not ResidentProfile.objects.filter(user_id=resident.pk).exists()
    assert not EmailAddress.objects.filter(email="anna@example.test").exists()
    assert not Support.objects.filter(user_id=resident.pk).exists()
    assert not Follow.objects.filter(user_id=resident.pk).exists()
    own = Idea.objects.get(pk=active_resident["own"].pk)
    assert own.author is None
    assert Comment.objects.get(text="Yes, and a bin next to it.").author is None
    assert Report.objects.get(reason="Duplicate of another idea.").reporter is None
    upcoming = EventRegistration.objects.get(event=event, name="—")
    assert upcoming.email == f"deleted-{upcoming.pk}@invalid"
    assert upcoming.status == EventRegistration.Status.CANCELLED
    assert upcoming.cancelled_at is not None
    past.refresh_from_db()
    assert (past.name, past.email, past.status) == ("—", f"deleted-{past.pk}@invalid", "confirmed")
    assert EventRegistration.objects.get(email="juris@example.test").name == "Juris"
    # No e-mail goes to the erased address or to its placeholder.
    assert all(
        "anna@example.test" not in message.to and "@invalid" not in str(message.to) for message in mail.outbox
    )
    assert "_auth_user_id" not in client.session
    home = client.get(response["Location"]).content.decode()
    assert "Your account has been deleted." in home


def test_deleting_an_account_gives_its_event_place_to_the_waiting_list(
    client, resident, event_index_lv, run_on_commit
):
    event = add_event(event_index_lv, slug="full-workshop", capacity=1)
    EventRegistration.objects.create(event=event, name="Anna", email="anna@example.test", language="lv")
    waiting = EventRegistration.objects.create(
        event=event, name="Pēteris", email="peteris@example.test", language="lv", status="waiting"
    )
    client.force_login(resident)

    with run_on_commit():
        client.post("/accounts/profile/delete/", {"password": PASSWORD})

    waiting.refresh_from_db()
    assert waiting.status == EventRegistration.Status.CONFIRMED
    assert [message.to for message in mail.outbox] == [["peteris@example.test"]]


def test_wrong_passwords_on_the_delete_page_count_as_failed_logins(client, resident):
    client.force_login(resident)
    for _attempt in range(5):
        client.post("/en/accounts/profile/delete/", {"password": "guess"})

    response = client.post("/en/accounts/profile/delete/", {"password": PASSWORD})

    assert response.status_code == 400
    assert response.context["form"].errors["password"] == ["Too many failed login attempts. Try again later."]
    assert get_user_model().objects.filter(pk=resident.pk).exists()
