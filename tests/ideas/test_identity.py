"""Identity for voting (ideas/voting/identity.py): residents prove who they are with eID against a real OpenID
Connect provider on loopback (tests/ideas/eid.py), or staff confirm them in person in the admin
(ideas/moderation/identity.py); a typed personal code confirms nothing. A confirmed person belongs to one account.
"""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from ideas.models import BudgetRoundPage, ResidentProfile
from ideas.voting import identity, keys
from ideas.voting.eligibility import why_not_eligible
from tests.factories import UserFactory, verified_resident
from tests.ideas import voters
from tests.ideas.eid import claims_for, default_sub, eid_callback, sign_in_with_eid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit budgets live in the cache, keyed by address and account id; ids repeat after each rollback.
    cache.clear()


@pytest.fixture(autouse=True)
def _interface_in_its_source_language(settings):
    # These tests read our messages as written in the code (English); without our catalogue the Latvian pages
    # show them so. Django's setting_changed handler drops the cached catalogues, then restores them.
    settings.LOCALE_PATHS = []


CODE_A = "150385-71234"
CODE_B = "020290-75678"
IN_PERSON = ResidentProfile.Residency.IN_PERSON
EID = ResidentProfile.Residency.EID


def profile(user):
    return ResidentProfile.objects.get(user=user)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def identity_log(user):
    return list(
        ModelLogEntry.objects.for_instance(profile(user)).filter(action__startswith="ideas.identity.")
    )


def assert_no_personal_code(entries, *codes):
    """Neither form of the personal codes (with or without the dash) is anywhere in the entries."""
    for entry in entries:
        text = json.dumps(entry.data) + entry.label
        for code in codes:
            assert code not in text
            assert code.replace("-", "") not in text


def messages_in(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def round_page(home, budget_round, slug="identity-round"):
    page = BudgetRoundPage(title="Identity round", slug=slug, intro="<p>Vote.</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def page(home_lv):
    return round_page(home_lv, voters.voting_round())


def residency_url(page):
    return page.url + page.reverse_subpage("confirm_residency")


def vote_url(page):
    return page.url + page.reverse_subpage("vote")


# eID sign-in ---------------------------------------------------------------------------------------------


def test_eid_sign_up_links_the_person_with_the_census_area_and_may_vote(client, oidc_provider, page):
    area = voters.home_area()
    voters.on_census(CODE_A, area, birth_year=1985)
    user = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_A, birthdate="1985-03-15", email="a@example.test"
    )
    linked = profile(user)
    assert linked.person_key == keys.person_key(CODE_A)
    assert (linked.residency, linked.residency_area, linked.confirmed_birth_year) == (EID, area, 1985)
    assert why_not_eligible(user, page.budget_round) is None
    # The personal code and the birth date never reach the database: not with the connection, not in the log.
    stored = json.dumps(SocialAccount.objects.get(user=user).extra_data)
    assert CODE_A.replace("-", "") not in stored and CODE_A not in stored and "1985-03-15" not in stored
    (entry,) = identity_log(user)
    assert entry.action == identity.LINK_ACTION and entry.user == user and entry.data["method"] == EID
    assert_no_personal_code([entry], CODE_A)


def test_eid_sign_up_off_the_census_list_links_the_person_without_an_area(client, oidc_provider):
    user = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_B, birthdate="1990-02-02", email="b@example.test"
    )
    linked = profile(user)
    assert linked.person_key == keys.person_key(CODE_B)
    assert linked.residency_area is None
    assert linked.confirmed_birth_year == 1990


@pytest.mark.parametrize("claimed", ["15038571234", "150385-71234", "PNOLV-150385-71234", " 150385-71234 "])
def test_personal_code_claim_with_or_without_the_dash(client, oidc_provider, claimed):
    user = sign_in_with_eid(
        client,
        oidc_provider,
        personal_code=claimed,
        birthdate="1985-03-15",
        email="c@example.test",
        sub="sub-c",
    )
    assert profile(user).person_key == keys.person_key(CODE_A)


def test_signing_in_again_keeps_the_same_account_and_person(client, oidc_provider):
    first = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_A, birthdate="1985", email="d@example.test"
    )
    client.logout()
    again = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_A, birthdate="1985", email="d@example.test"
    )
    assert again == first
    assert profile(again).person_key == keys.person_key(CODE_A)
    assert len(identity_log(first)) == 1  # linking the same person again changes nothing, so logs nothing


def test_eid_sign_up_keeps_the_code_out_of_the_session_and_verifies_no_email(client, oidc_provider):
    """The provider says email_verified: true; only the site's own link verifies an address."""
    response = eid_callback(
        client,
        oidc_provider,
        sub="sub-e",
        claims=claims_for(CODE_A, "1985-03-15", "e@example.test", email_verified=True),
    )
    assert response["Location"].endswith(reverse("socialaccount_signup"))
    # The sign-up waits in the session with the person key, never the personal code or the birth date.
    pending = json.dumps(dict(client.session), default=str)
    assert keys.person_key(CODE_A) in pending
    assert CODE_A.replace("-", "") not in pending and CODE_A not in pending and "1985-03-15" not in pending
    client.post(
        reverse("socialaccount_signup"),
        {"email": "e@example.test", "display_name": "E", "preferred_language": "lv", "privacy_consent": "on"},
    )
    user = get_user_model().objects.get(email="e@example.test")
    assert not EmailAddress.objects.filter(user=user, verified=True).exists()
    assert profile(user).person_key == keys.person_key(CODE_A)


def test_a_second_account_with_the_same_person_is_refused(client, oidc_provider):
    first = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_A, birthdate="1985", email="f1@example.test"
    )
    # A new account through another eID identity (another broker's `sub`) of the same person.
    stranger = Client()
    response = eid_callback(
        stranger,
        oidc_provider,
        sub="sub-other-broker",
        claims=claims_for(CODE_A, "1985", "f2@example.test"),
        follow=True,
    )
    assert any("already confirmed for another account" in message for message in messages_in(response))
    assert not get_user_model().objects.filter(email="f2@example.test").exists()
    assert "_auth_user_id" not in stranger.session
    # An existing account connecting eID of that person.
    second = verified_resident("second", email="f3@example.test")
    response = eid_callback(
        logged_in(second),
        oidc_provider,
        sub="sub-other-broker",
        claims=claims_for(CODE_A, "1985", "f3@example.test"),
        connect=True,
        follow=True,
    )
    assert any("already confirmed for another account" in message for message in messages_in(response))
    assert not ResidentProfile.objects.filter(user=second, person_key__isnull=False).exists()
    assert not SocialAccount.objects.filter(user=second).exists()
    assert profile(first).person_key == keys.person_key(CODE_A)


def test_an_account_linked_to_one_person_cannot_sign_in_as_another(oidc_provider):
    user = voters.confirmed_resident("anita", CODE_A, email="anita@example.test")
    response = eid_callback(
        logged_in(user),
        oidc_provider,
        sub=default_sub(CODE_B),
        claims=claims_for(CODE_B, "1990-02-02", "anita@example.test"),
        connect=True,
        follow=True,
    )
    assert any("already confirmed for another person" in message for message in messages_in(response))
    assert profile(user).person_key == keys.person_key(CODE_A)
    assert not ResidentProfile.objects.filter(person_key=keys.person_key(CODE_B)).exists()


@pytest.mark.parametrize(
    "claims",
    [
        {"birthdate": "1985-03-15"},  # no personal code
        {"personal_code": CODE_A},  # no birth date
        {"personal_code": "15038", "birthdate": "1985-03-15"},  # not a personal code
        {"personal_code": CODE_A, "birthdate": "0000-03-15"},  # year withheld (OIDC allows it)
        {"personal_code": ["150385-71234"], "birthdate": "1985-03-15"},  # not a string
    ],
)
def test_claims_missing_or_malformed_link_nothing(oidc_provider, claims):
    user = verified_resident("ilona", email="ilona@example.test")
    ResidentProfile.objects.create(user=user, display_name="Ilona")
    sent = {"email": "ilona@example.test", **claims}
    response = eid_callback(
        logged_in(user), oidc_provider, sub="sub-g", claims=sent, connect=True, follow=True
    )
    assert any("did not say who you are" in message for message in messages_in(response))
    assert profile(user).person_key is None
    assert not ResidentProfile.objects.filter(person_key=keys.person_key(CODE_A)).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    # Nor does a new account get made from such a sign-in.
    anonymous = Client()
    eid_callback(anonymous, oidc_provider, sub="sub-h", claims={**sent, "email": "h@example.test"})
    assert not get_user_model().objects.filter(email="h@example.test").exists()


def test_eid_refusals_are_rate_limited_per_account(oidc_provider, settings):
    settings.KOPA_RATE_LIMITS = {
        **settings.KOPA_RATE_LIMITS,
        "eid": {"address": (100, 3600), "account": (2, 3600)},
    }
    user = voters.confirmed_resident("rita", CODE_A, email="rita@example.test")
    client = logged_in(user)
    answers = [
        eid_callback(
            client,
            oidc_provider,
            sub="sub-r",
            claims=claims_for(CODE_B, "1990", "rita@example.test"),
            connect=True,
        ).status_code
        for _attempt in range(3)
    ]
    assert answers == [302, 302, 429]


# The residency page --------------------------------------------------------------------------------------


def test_typing_a_personal_code_on_the_residency_page_confirms_nothing(page):
    """The old page confirmed whoever's census code was typed in (a finding of issue 8)."""
    voters.on_census(CODE_A)
    user = verified_resident("typist", email="typist@example.test")
    ResidentProfile.objects.create(user=user, display_name="Typist")
    response = logged_in(user).post(residency_url(page), {"personal_code": CODE_A})
    assert response.status_code == 405
    assert profile(user).person_key is None
    assert why_not_eligible(user, page.budget_round) is not None


def test_residency_page_answers_alike_whether_a_code_is_on_the_census_list(page):
    voters.on_census(CODE_A)
    user = verified_resident("prober", email="prober@example.test")
    client = logged_in(user)
    on_list = client.post(residency_url(page), {"personal_code": CODE_A})
    off_list = client.post(residency_url(page), {"personal_code": CODE_B})
    assert (on_list.status_code, on_list.content) == (off_list.status_code, off_list.content)
    assert not ResidentProfile.objects.filter(user=user, person_key__isnull=False).exists()


def test_residency_page_is_rate_limited(page, settings):
    settings.KOPA_RATE_LIMITS = {
        **settings.KOPA_RATE_LIMITS,
        "residency": {"address": (100, 3600), "account": (3, 3600)},
    }
    client = logged_in(verified_resident("guesser", email="guesser@example.test"))
    answers = [
        client.post(residency_url(page), {"personal_code": CODE_A}).status_code for _attempt in range(4)
    ]
    assert answers == [405, 405, 405, 429]
    assert client.get(residency_url(page)).status_code == 429


def test_residency_page_without_eid_says_how_to_be_confirmed_in_person(page):
    client = logged_in(verified_resident("olga", email="olga@example.test"))
    response = client.get(residency_url(page))
    html = response.content.decode()
    assert response.status_code == 200
    assert "customer service centre" in html and "olga@example.test" in html
    assert "/accounts/oidc/" not in html and 'name="personal_code"' not in html
    # Nor does the login page offer eID, and it still works.
    login = Client().get(reverse("account_login"))
    assert login.status_code == 200 and "/accounts/oidc/" not in login.content.decode()


def test_confirm_with_eid_from_the_residency_page_comes_back_to_the_ballot(page, oidc_provider):
    voters.on_census(CODE_A, birth_year=1985)
    user = verified_resident("marta", email="marta@example.test")
    ResidentProfile.objects.create(user=user, display_name="Marta")
    client = logged_in(user)
    html = client.get(residency_url(page)).content.decode()
    action = re.search(r'<form method="post" action="(/accounts/oidc/[^"]+)"', html).group(1)
    next_url = re.search(r'name="next" value="([^"]+)"', html).group(1)
    assert action == reverse("openid_connect_login", kwargs={"provider_id": "eid"})
    assert 'name="process" value="connect"' in html and next_url == vote_url(page)
    assert "Confirm with Test eID" in html
    response = eid_callback(
        client,
        oidc_provider,
        sub=default_sub(CODE_A),
        claims=claims_for(CODE_A, "1985-03-15", "marta@example.test"),
        connect=True,
        next_url=next_url,
    )
    assert response.status_code == 302 and response["Location"] == vote_url(page)
    assert profile(user).person_key == keys.person_key(CODE_A) and profile(user).residency == EID
    assert why_not_eligible(get_user_model().objects.get(pk=user.pk), page.budget_round) is None
    assert "Your account is confirmed" in client.get(residency_url(page)).content.decode()
    assert "Test eID" in Client().get(reverse("account_login")).content.decode()


def test_residency_page_needs_a_login(client, page):
    response = client.get(residency_url(page))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# Staff confirm in person ---------------------------------------------------------------------------------


def admin_url(name, *args):
    return reverse(f"identity_desk:{name}", args=args)


def staff(username="desk", groups=("Moderators",)):
    user = verified_resident(username, email=f"{username}@kekava.example", groups=list(groups))
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    return user, logged_in(user)


def test_staff_find_an_account_and_confirm_the_person_in_person():
    voters.on_census(CODE_A, voters.home_area(), birth_year=1985)
    moderator, client = staff()
    resident = verified_resident("valdis", email="Valdis@Example.test")
    found = client.get(admin_url("index"), {"email": "valdis@example.test"})
    assert found.status_code == 200 and admin_url("account", resident.pk) in found.content.decode()
    response = client.post(
        admin_url("account", resident.pk),
        {
            "action": "confirm",
            "confirm-personal_code": "15038571234",
            "confirm-birth_year": "1985",
            "confirm-document_checked": "on",
        },
    )
    assert response.status_code == 302
    linked = profile(resident)  # made for an account that had none
    assert (linked.person_key, linked.residency, linked.residency_area) == (
        keys.person_key(CODE_A),
        IN_PERSON,
        voters.home_area(),
    )
    (entry,) = identity_log(resident)
    assert entry.user == moderator and entry.data["method"] == IN_PERSON
    assert entry.data["person"] == keys.person_key(CODE_A)[:8]
    assert_no_personal_code([entry], CODE_A)
    page = client.get(admin_url("account", resident.pk)).content.decode()
    assert CODE_A not in page and CODE_A.replace("-", "") not in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"confirm-personal_code": "1503-85"}, "A personal code has 11 digits"),
        ({"confirm-birth_year": "1850"}, "Enter a birth year between 1900"),
        ({"confirm-document_checked": ""}, "Check the identity document"),
    ],
)
def test_in_person_form_checks_what_staff_type(fields, message):
    _moderator, client = staff()
    resident = verified_resident("zane", email="zane@example.test")
    data = {
        "action": "confirm",
        "confirm-personal_code": CODE_A,
        "confirm-birth_year": "1985",
        "confirm-document_checked": "on",
        **fields,
    }
    response = client.post(admin_url("account", resident.pk), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ResidentProfile.objects.filter(user=resident, person_key__isnull=False).exists()


def test_in_person_confirm_refuses_a_person_of_another_account():
    voters.confirmed_resident("owner", CODE_A, email="owner@example.test")
    _moderator, client = staff()
    resident = verified_resident("late", email="late@example.test")
    response = client.post(
        admin_url("account", resident.pk),
        {
            "action": "confirm",
            "confirm-personal_code": CODE_A,
            "confirm-birth_year": "1980",
            "confirm-document_checked": "on",
        },
    )
    assert response.status_code == 400
    assert "already confirmed for another account" in response.content.decode()
    assert not ResidentProfile.objects.filter(user=resident, person_key__isnull=False).exists()


def test_staff_move_a_confirmed_person_to_another_account_with_a_reason(client, oidc_provider):
    old = sign_in_with_eid(
        client, oidc_provider, personal_code=CODE_A, birthdate="1985", email="old@example.test"
    )
    new = verified_resident("new-account", email="new@example.test")
    moderator, desk = staff()
    refused = desk.post(admin_url("account", new.pk), {"action": "move", "move-personal_code": CODE_A})
    assert refused.status_code == 400 and profile(old).person_key == keys.person_key(CODE_A)
    response = desk.post(
        admin_url("account", new.pk),
        {
            "action": "move",
            "move-personal_code": CODE_A,
            "move-reason": "Lost the old e-mail address; ID card seen.",
        },
    )
    assert response.status_code == 302
    assert profile(new).person_key == keys.person_key(CODE_A) and profile(new).residency == EID
    assert profile(old).person_key is None and profile(old).residency == ""
    moved = identity_log(new)[0]
    assert moved.action == identity.MOVE_ACTION and moved.user == moderator
    assert moved.data["reason"] == "Lost the old e-mail address; ID card seen."
    assert (moved.data["from_account"], moved.data["to_account"]) == (old.pk, new.pk)
    assert [entry.action for entry in identity_log(old)] == [identity.MOVE_ACTION, identity.LINK_ACTION]
    assert_no_personal_code(identity_log(old) + identity_log(new), CODE_A)
    # The old account can no longer take the person back through eID: it is on the new account now.
    client.logout()
    eid_callback(
        client, oidc_provider, sub=default_sub(CODE_A), claims=claims_for(CODE_A, "1985", "old@example.test")
    )
    assert profile(old).person_key is None and profile(new).person_key == keys.person_key(CODE_A)


@pytest.mark.parametrize("method", ["get", "post"])
def test_identity_checks_are_closed_to_non_moderators(method):
    editor, client = staff("editor-x", groups=("Editors",))
    resident = verified_resident("kept", email="kept@example.test")
    index = getattr(client, method)(admin_url("index"))
    response = getattr(client, method)(
        admin_url("account", resident.pk),
        {
            "action": "confirm",
            "confirm-personal_code": CODE_A,
            "confirm-birth_year": "1985",
            "confirm-document_checked": "on",
        },
    )
    assert (index.status_code, response.status_code) == (403, 403)
    assert not ResidentProfile.objects.filter(person_key=keys.person_key(CODE_A)).exists()
    assert not editor.has_perm("ideas.confirm_identity")


def test_identity_checks_in_the_participation_menu_for_moderators_only():
    _moderator, client = staff()
    _editor, other = staff("editor-y", groups=("Editors",))
    assert admin_url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    assert admin_url("index") not in other.get(reverse("wagtailadmin_home")).content.decode()


# The service itself ------------------------------------------------------------------------------------


def test_link_person_in_person_needs_the_permission():
    resident = verified_resident("perm", email="perm@example.test")
    target = identity.profile_of(resident)
    with pytest.raises(PermissionDenied):
        identity.link_person(target, CODE_A, birth_year=1985, method=IN_PERSON, actor=resident)
    with pytest.raises(PermissionDenied):
        identity.link_person(target, CODE_A, birth_year=1985, method=IN_PERSON)
    with pytest.raises(PermissionDenied):
        identity.move_person(CODE_A, target, actor=resident, reason="because")
    assert profile(resident).person_key is None


def test_link_person_is_idempotent_and_keeps_one_person_per_account():
    moderator, _client = staff()
    first = identity.profile_of(verified_resident("one", email="one@example.test"))
    identity.link_person(first, CODE_A, birth_year=1985, method=IN_PERSON, actor=moderator)
    identity.link_person(first, CODE_A, birth_year=1985, method=IN_PERSON, actor=moderator)
    assert len(identity_log(first.user)) == 1
    with pytest.raises(ValidationError, match="already confirmed for another person"):
        identity.link_person(first, CODE_B, birth_year=1990, method=IN_PERSON, actor=moderator)
    second = identity.profile_of(UserFactory(username="two"))
    with pytest.raises(ValidationError, match="contact the municipality"):
        identity.link_person(second, CODE_A, birth_year=1985, method=IN_PERSON, actor=moderator)
    with pytest.raises(ValidationError, match="reason"):
        identity.move_person(CODE_A, second, actor=moderator, reason="  ")
    assert profile(first.user).person_key == keys.person_key(CODE_A)
    assert profile(second.user).person_key is None


def test_the_refusal_never_tells_whether_a_person_is_on_the_census_list():
    moderator, _client = staff()
    voters.on_census(CODE_A)
    for code, username in ((CODE_A, "census-owner"), (CODE_B, "other-owner")):
        owner = identity.profile_of(verified_resident(username, email=f"{username}@example.test"))
        identity.link_person(owner, code, birth_year=1985, method=IN_PERSON, actor=moderator)
    late = identity.profile_of(verified_resident("late-comer", email="late-comer@example.test"))
    refusals = []
    for code in (CODE_A, CODE_B):
        with pytest.raises(ValidationError) as refused:
            identity.link_person(late, code, birth_year=1985, method=IN_PERSON, actor=moderator)
        refusals.append(refused.value.messages)
    assert refusals[0] == refusals[1]
