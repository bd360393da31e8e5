"""Identity checks in the Wagtail admin (Participation → Identity checks; IdentityViewSet, added to the
Participation menu in ideas/wagtail_hooks.py): staff confirm a resident in person, without eID.

Staff find the resident's account by its e-mail address, check the person's passport or ID card, and type in the
personal code and birth year from it: identity.link_person with method IN_PERSON. When a confirmed person needs
another account (a lost e-mail address, say), staff move the person to the account with a reason:
identity.move_person. Both ask ideas.confirm_identity (ideas/rules.py) and leave an entry in the profile's audit
log (shown on the account's page) without the personal code.
"""

from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import ModelLogEntry

from ideas.models import ResidentProfile
from ideas.moderation.forms import PersonalCodeField
from ideas.voting import identity

DESK = "identity_desk"
PERMISSION = identity.CONFIRM_PERMISSION
MAX_RESULTS = 20


def desk_url(name, *args):
    return reverse(f"{DESK}:{name}", args=args)


class FindAccountForm(forms.Form):
    """The e-mail address a resident gives at the desk (any of their addresses, letter case ignored)."""

    email = forms.EmailField(label=_("E-mail address of the account"))


class ConfirmInPersonForm(forms.Form):
    """The person's personal code and birth year, typed from the identity document staff have in hand."""

    personal_code = PersonalCodeField(label=_("Personal code from the identity document"))
    birth_year = forms.IntegerField(label=_("Birth year from the identity document"))
    document_checked = forms.BooleanField(
        label=_("I checked the person's passport or ID card, and it is theirs."),
        error_messages={"required": _("Check the identity document before confirming a person.")},
    )

    def clean_birth_year(self):
        return identity.clean_birth_year(self.cleaned_data["birth_year"])


class MovePersonForm(forms.Form):
    """Moving a confirmed person to this account: whose (personal code, from the document) and why."""

    personal_code = PersonalCodeField(label=_("Personal code from the identity document"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: lost access to the old account's e-mail address; documents checked."),
    )


class IdentityView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the identity pages: ideas.confirm_identity for every request, breadcrumbs."""

    header_icon = "user"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            # A plain 403: Wagtail would turn a PermissionDenied into a redirect to the dashboard.
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": desk_url("index"), "label": _("Identity checks")},
            {"url": "", "label": self.get_page_title()},
        ]


class FindAccountView(IdentityView):
    """Find a resident's account by e-mail address (GET ?email=)."""

    template_name = "ideas/admin/identity/index.html"
    page_title = _("Identity checks")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        form = FindAccountForm(self.request.GET or None)
        accounts = None
        if form.is_valid():
            email = form.cleaned_data["email"]
            with_address = EmailAddress.objects.filter(email__iexact=email).values("user")
            accounts = [
                (user, desk_url("account", user.pk), getattr(user, "resident_profile", None))
                for user in get_user_model()
                .objects.filter(Q(email__iexact=email) | Q(pk__in=with_address))
                .select_related("resident_profile")
                .order_by("pk")[:MAX_RESULTS]
            ]
        return super().get_context_data(form=form, accounts=accounts, **kwargs)


class AccountView(IdentityView):
    """One account: who is confirmed for it and how, its identity history, and the two actions (POST)."""

    template_name = "ideas/admin/identity/account.html"
    page_title = _("Confirm a person")

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(get_user_model(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "confirm":
            form = ConfirmInPersonForm(request.POST, prefix="confirm")
            if form.is_valid():
                try:
                    identity.link_person(
                        identity.profile_of(self.account),
                        form.cleaned_data["personal_code"],
                        birth_year=form.cleaned_data["birth_year"],
                        method=ResidentProfile.Residency.IN_PERSON,
                        actor=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The person is confirmed for this account: they can vote."))
                    return redirect(desk_url("account", self.account.pk))
            return self.render_to_response(self.get_context_data(confirm_form=form), status=400)
        if action == "move":
            form = MovePersonForm(request.POST, prefix="move")
            if form.is_valid():
                try:
                    identity.move_person(
                        form.cleaned_data["personal_code"],
                        identity.profile_of(self.account),
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The person is moved to this account."))
                    return redirect(desk_url("account", self.account.pk))
            return self.render_to_response(self.get_context_data(move_form=form), status=400)
        return redirect(desk_url("account", self.account.pk))

    def get_context_data(self, confirm_form=None, move_form=None, **kwargs):
        profile = ResidentProfile.objects.filter(user=self.account).select_related("residency_area").first()
        history = (
            ModelLogEntry.objects.for_instance(profile)
            .filter(action__startswith="ideas.identity.")
            .select_related("user")[:20]
            if profile
            else []
        )
        return super().get_context_data(
            account=self.account,
            emails=EmailAddress.objects.filter(user=self.account).order_by("-primary", "email"),
            profile=profile,
            confirmed=bool(profile and profile.person_key),
            history=history,
            confirm_form=confirm_form or ConfirmInPersonForm(prefix="confirm"),
            move_form=move_form or MovePersonForm(prefix="move"),
            find_url=desk_url("index"),
            **kwargs,
        )


class IdentityMenuItem(MenuItem):
    """Shown to those the rules let confirm people."""

    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


class IdentityViewSet(ViewSet):
    """Identity checks: find an account, confirm its person in person, move a confirmed person to it."""

    name = DESK
    url_prefix = "participation/identity"
    icon = "user"
    menu_label = _("Identity checks")
    menu_item_class = IdentityMenuItem

    def get_urlpatterns(self):
        return [
            path("", FindAccountView.as_view(), name="index"),
            path("<int:pk>/", AccountView.as_view(), name="account"),
        ]
