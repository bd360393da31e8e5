"""`residency/` of a round page (route "confirm_residency" of BudgetRoundPage, ideas/models/rounds.py): how a
resident proves who they are before voting.

The page takes no personal code: a code is not a secret, so typing one proves nothing. It offers "Confirm with
eID" (allauth's OpenID Connect login, connecting eID to the account and coming back to the round's ballot; the
adapter in ideas/accounts/adapter.py links the person through ideas/voting/identity.py) when eID is configured,
and always says how staff confirm a person in person. The page is rate-limited per account and per address
(ideas/limits.py, action "residency"), like the eID sign-in itself (action "eid").
"""

from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ideas import limits
from ideas.models import ResidentProfile
from ideas.rules import is_verified_resident

SAFE_METHODS = ("GET", "HEAD")


def eid_app(request):
    """The eID provider's allauth app (settings OIDC_*), or None when eID sign-in is not configured."""
    apps = get_social_adapter().list_apps(request, provider="openid_connect")
    return next((app for app in apps if app.provider_id == settings.EID_PROVIDER_ID), None)


def eid_login_url():
    """Where a form starts the eID sign-in (POST, with `process` and `next`)."""
    return reverse("openid_connect_login", kwargs={"provider_id": settings.EID_PROVIDER_ID})


def residency(request, page):
    """`residency/`: the resident's confirmation, "Confirm with eID" and the way to be confirmed in person.
    Anything but GET (a typed personal code, as the page once took) is refused, and answered the same way
    whatever it contained."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        limits.check(request, "residency", account=request.user.pk)
    except limits.RateLimited as error:
        return limits.too_many_response(request, error)
    if request.method not in SAFE_METHODS:
        limits.record(request, "residency", account=request.user.pk)
        return HttpResponseNotAllowed(SAFE_METHODS)
    profile = ResidentProfile.objects.filter(user=request.user).first()
    app = eid_app(request)
    vote_url = page.url + page.reverse_subpage("vote")
    context = {
        "page": page,
        "breadcrumb_current": _("Confirm who you are"),
        "profile": profile,
        "confirmed": bool(profile and profile.person_key),
        "verified": is_verified_resident(request.user),
        "vote_url": vote_url,
        "eid_name": app.name if app else "",
        "eid_login_url": eid_login_url() if app else "",
    }
    return TemplateResponse(request, "ideas/voting/residency.html", context)
