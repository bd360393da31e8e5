"""Residents' own account pages: the profile, "download my data" and "delete my account".

allauth serves signup, login, logout, e-mail and password pages; ideas/accounts/urls.py routes these three.
"""

import json

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from home.models import EventRegistration
from ideas.accounts.adapter import localized_home_url
from ideas.accounts.deletion import delete_account
from ideas.accounts.export import email_addresses, personal_data, registrations_of
from ideas.accounts.forms import DeleteAccountForm, ProfileForm, current_language
from ideas.models import Comment, Follow, Idea, ResidentProfile, Support

EXPORT_FILENAME = "kopa-my-data.json"


def _profile_of(user):
    """The resident's profile; accounts made outside the signup form (staff, imports) get a blank one."""
    profile = ResidentProfile.objects.filter(user=user).select_related("area").first()
    return profile or ResidentProfile(user=user, preferred_language=current_language())


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request):
    profile = _profile_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, profile=profile)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your profile has been saved."))
            return redirect("account_profile")
    else:
        form = ProfileForm(profile=profile)
    addresses = list(EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"))
    context = {
        "form": form,
        "profile": profile,
        "email_addresses": addresses,
        "is_verified": any(address.verified for address in addresses),
    }
    return TemplateResponse(
        request, "ideas/accounts/profile.html", context, status=400 if form.errors else 200
    )


@login_required
@never_cache
@require_GET
def export_data(request):
    data = personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=EXPORT_FILENAME)
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete(request):
    user = request.user
    if request.method == "POST":
        form = DeleteAccountForm(request.POST, user=user, request=request)
        if form.is_valid():
            delete_account(user)
            get_adapter(request).logout(request)
            messages.success(
                request,
                _(
                    "Your account has been deleted. Your ideas and comments remain on the site without your name."
                ),
            )
            return redirect(localized_home_url())
    else:
        form = DeleteAccountForm(user=user, request=request)
    registrations = registrations_of(email_addresses(user)).exclude(status=EventRegistration.Status.CANCELLED)
    context = {
        "form": form,
        "idea_count": Idea.objects.filter(author=user).count(),
        "comment_count": Comment.objects.filter(author=user).count(),
        "support_count": Support.objects.filter(user=user).count(),
        "follow_count": Follow.objects.filter(user=user).count(),
        "upcoming_registration_count": registrations.filter(event__start__gt=timezone.now()).count(),
    }
    return TemplateResponse(
        request, "ideas/accounts/delete.html", context, status=400 if form.errors else 200
    )
