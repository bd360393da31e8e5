"""How allauth fits the site: e-mails carry the site's name, logging out returns to the home page of the
language the resident was using, the client address is the site's one (ideas/limits.py), and failed logins lock
an account whatever host name or door (web login, API token endpoint) they came through.

SocialAccountAdapter (SOCIALACCOUNT_ADAPTER) turns an eID sign-in (OpenID Connect, settings OIDC_*) into a
confirmed person through ideas/voting/identity.py, and keeps the personal code out of the database; the
receivers at the end link the person once a new account or connection exists (connected in ideas/apps.py)."""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import user_signed_up
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.signals import social_account_added
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from home.models import SiteText
from ideas import limits
from ideas.limits import client_address
from ideas.models import ResidentProfile
from ideas.voting import identity


def localized_home_url():
    """The home page of the active language ("/" for Latvian, "/en/" for English)."""
    return reverse("wagtail_serve", args=[""])


class AccountAdapter(DefaultAccountAdapter):
    """The site's allauth adapter, wired by ACCOUNT_ADAPTER in config/settings/base.py."""

    def send_mail(self, template_prefix, email, context):
        # allauth renders e-mails in the request's language, so links and text follow the page the resident
        # used. Without django.contrib.sites its "site" would be the bare host name; greet with the site's
        # name in that language instead.
        super().send_mail(template_prefix, email, {"current_site": self._site(), **context})

    def get_logout_redirect_url(self, request):
        return localized_home_url()

    def get_client_ip(self, request):
        # Every rate limit of allauth asks here: the site has one client address, never a forged header.
        return client_address(request)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's key starts with the requested host name, so each allowed host had a lock of its own; the
        # lock belongs to the account alone. The API's token endpoint authenticates through this adapter too.
        # Login by username or e-mail address: both name the same account, so both count against its one lock.
        if "email" in credentials:
            return credentials["email"].strip().lower()
        username = credentials.get("username", "").strip()
        user = get_user_model().objects.filter(username__iexact=username).only("email").first()
        return (user.email if user and user.email else username).strip().lower()

    def pre_authenticate(self, request, **credentials):
        # A refused attempt must cost nothing: allauth would count it against the budgets it passed before
        # the one that refused it (a locked account's guesses would use up a shared address, a blocked
        # address's logins would lock their accounts). Look first, then count.
        key = self._get_login_attempts_cache_key(request, **credentials)
        if not ratelimit.consume(request, action="login_failed", key=key, dry_run=True):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def _site(self):
        text = SiteText.for_active_locale()
        request = allauth_context.request
        domain = request.get_host() if request is not None else settings.WAGTAILADMIN_BASE_URL.split("//")[-1]
        return SimpleNamespace(name=text.site_name if text else settings.WAGTAIL_SITE_NAME, domain=domain)


# What of an eID sign-in's claims may be kept with the connection (SocialAccount.extra_data): never the personal
# code or the birth date, which only become a person key and a birth year on the profile.
KEPT_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "aud",
        "name",
        "given_name",
        "family_name",
        "email",
        "email_verified",
        "preferred_username",
    }
)
# In SocialLogin.state, which goes through the session: the person key and birth year, never the code.
EID_STATE = "eid_person"


def is_eid(sociallogin):
    return sociallogin.account.provider == settings.EID_PROVIDER_ID


def eid_claims(extra_data):
    """All claims of an OpenID Connect sign-in: the ID token's, overridden by the userinfo endpoint's."""
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


def _kept(claims):
    return {name: value for name, value in claims.items() if name in KEPT_CLAIMS}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """The site's allauth adapter for eID sign-in, wired by SOCIALACCOUNT_ADAPTER in config/settings/base.py.

    Signing in (or connecting eID to the account one is logged in to) links the person of the claims to the
    account with identity.link_person_key, method EID; a refusal (claims missing, the person on another
    account, the account holding another person) stops the sign-in with a message and links nothing."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if is_eid(sociallogin):
            claims = eid_claims(sociallogin.account.extra_data)
            try:
                sociallogin._eid_person = identity.person_from_claims(claims)
            except ValidationError as refusal:
                sociallogin._eid_person = refusal
            # Before allauth saves anything: lookup() stores extra_data of a known connection at once.
            extra = sociallogin.account.extra_data
            sociallogin.account.extra_data = {
                part: _kept(extra[part])
                for part in ("id_token", "userinfo")
                if isinstance(extra.get(part), dict)
            }
            # Only our own verification link verifies an address, whatever the provider says about it.
            for address in sociallogin.email_addresses:
                address.verified = False
        return user

    def pre_social_login(self, request, sociallogin):
        if not is_eid(sociallogin):
            return
        person = _found_person(sociallogin)
        # Not needed (SOCIALACCOUNT_STORE_TOKENS is off), and a broker's tokens may carry the personal code:
        # keep them out of the session that holds a pending sign-up.
        sociallogin.token = None
        connecting = sociallogin.state.get("process") == AuthProcess.CONNECT
        if connecting:
            if not request.user.is_authenticated:
                return  # allauth refuses to connect to nobody
            if sociallogin.is_existing and sociallogin.user != request.user:
                return  # allauth refuses: this eID already belongs to another account
            user = request.user
        else:
            user = sociallogin.user if sociallogin.is_existing else None
        account = user.pk if user is not None else getattr(person, "person", None)
        try:
            limits.check(request, "eid", account=account)
        except limits.RateLimited as error:
            raise ImmediateHttpResponse(limits.too_many_response(request, error)) from error
        try:
            if isinstance(person, ValidationError):
                raise person
            profile = ResidentProfile.objects.filter(user=user).first() if user is not None else None
            identity.check_link(profile, person.person)
            if user is not None and (sociallogin.is_existing or not connecting):
                # A known connection: the account exists, link now (a new connection links once it is saved).
                link_eid_person(user, person)
        except ValidationError as refusal:
            limits.record(request, "eid", account=account)
            messages.error(request, refusal.messages[0])
            raise ImmediateHttpResponse(redirect(self._way_back(request, sociallogin))) from refusal
        sociallogin.state[EID_STATE] = {"person": person.person, "birth_year": person.birth_year}

    def _way_back(self, request, sociallogin):
        if sociallogin.get_redirect_url(request):
            return sociallogin.get_redirect_url(request)
        return reverse("account_profile" if request.user.is_authenticated else "account_login")


def _found_person(sociallogin):
    """The EidPerson (or the ValidationError) that populate_user found in the claims of this sign-in."""
    found = getattr(sociallogin, "_eid_person", None)
    if found is not None:
        return found
    try:
        return identity.person_from_claims({})  # no claims kept: always the refusal that says so
    except ValidationError as refusal:
        return refusal


def link_eid_person(user, person):
    """Link an EidPerson to `user`'s account (its profile is made if it has none), as identity.link_person_key."""
    identity.link_person_key(
        identity.profile_of(user),
        person.person,
        birth_year=person.birth_year,
        method=ResidentProfile.Residency.EID,
        actor=user,
    )


def _link_after_save(request, user, sociallogin):
    # A new account (signup) or a new connection exists now; pre_social_login checked and kept the person.
    kept = sociallogin.state.get(EID_STATE) if sociallogin is not None and is_eid(sociallogin) else None
    if not kept:
        return
    try:
        link_eid_person(user, identity.EidPerson(kept["person"], kept["birth_year"]))
    except ValidationError as refusal:
        # Another account took the person in the meantime: the account stays, unconfirmed.
        messages.error(request, refusal.messages[0])


@receiver(user_signed_up, dispatch_uid="ideas.eid.signed_up")
def link_person_on_signup(sender, request, user, sociallogin=None, **kwargs):
    """A new account made with eID: its person, kept by pre_social_login, is linked now."""
    _link_after_save(request, user, sociallogin)


@receiver(social_account_added, dispatch_uid="ideas.eid.connected")
def link_person_on_connect(sender, request, sociallogin, **kwargs):
    """eID connected to the account one is logged in to: its person is linked now."""
    _link_after_save(request, sociallogin.user, sociallogin)


def user_display(user):
    """How allauth names a user in its pages and e-mails: the display name, never the generated username."""
    profile = getattr(user, "resident_profile", None)
    return profile.display_name if profile else user.email
