"""Businesses and the legal minimum in the Wagtail admin: Participation → Organisations, Pledges, Declared
interests and Tax revenue (four ViewSets added to the Participation menu in ideas/wagtail_hooks.py).

Staff verify, refuse or suspend organisations (ideas/partners/organisations.py), confirm, decline or mark
pledges fulfilled (ideas/partners/pledges.py), review the interests organisations declared in ideas
(pledges.review_interest) and enter the yearly tax revenue the legal minimum is computed from
(ideas/legal_minimum.py). Every screen asks its rule in ideas/rules.py (moderators; editors get a plain 403 and
no menu item); every change goes through its service, which also writes the audit log that the object pages
show. A refusal from a service comes back as an admin message, a missing or wrong value as a field error.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import ModelLogEntry

from ideas.legal_minimum import enter_tax_revenue, round_minimum
from ideas.models import BudgetRound, DeclaredInterest, Organisation, Pledge, TaxRevenue
from ideas.participation import Invalid, Refused
from ideas.partners import organisations as organisation_services
from ideas.partners import pledges as pledge_services

ORGANISATIONS = "partner_organisations"
PLEDGES = "partner_pledges"
INTERESTS = "partner_interests"
TAX_REVENUE = "tax_revenue"

# Who may open each screen. Every moderator may decline a pledge, so that rule opens the pledge screens; the
# confirm and fulfil buttons ask their own rules (which also depend on the round's phase).
VERIFY_PERMISSION = "ideas.verify_organisation"
PLEDGE_DESK_PERMISSION = "ideas.decline_pledge"
REVIEW_PERMISSION = "ideas.review_interest"
TAX_PERMISSION = "ideas.enter_tax_revenue"

PER_PAGE = 50
HISTORY_LENGTH = 50
IDEA_PAGE = "wagtailsnippets_ideas_idea:edit"


def url(namespace, name, *args):
    return reverse(f"{namespace}:{name}", args=args)


# Forms -----------------------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A reason or note for a step on an organisation or a pledge; required where the service needs one (the
    organisation and, for a declined pledge, the public see it)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason; the organisation will see it.")},
    )

    def __init__(self, *args, required=True, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.required = required
        if label is not None:
            field.label = label
        if help_text is not None:
            field.help_text = help_text

    def text(self):
        return self.cleaned_data.get("reason", "")


def _add_service_errors(form, error):
    """An Invalid / ValidationError from a service as errors on the form's fields (else on the form)."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class OrganisationFilterForm(forms.Form):
    """The organisation list's search and state filter (GET)."""

    q = forms.CharField(label=_("Name or registration number"), required=False, max_length=150)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Organisation.State.choices]
    )


class PledgeFilterForm(forms.Form):
    """The pledge list's filters (GET): state, round, organisation, kind."""

    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *Pledge.State.choices]
    )
    round = forms.ModelChoiceField(
        label=_("Budget round"),
        required=False,
        queryset=BudgetRound.objects.order_by("-voting_starts", "-pk"),
        empty_label=_("All rounds"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name", "pk"),
        empty_label=_("All organisations"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Pledge.Kind.choices]
    )


class InterestFilterForm(forms.Form):
    """The declared-interest list's filter (GET): the decision."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", _("All decisions")), *DeclaredInterest.Decision.choices],
    )


class InterestReviewForm(forms.Form):
    """Staff's decision on a declared interest and why (pledges.review_interest)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (DeclaredInterest.Decision.CONFLICT.value, _("Conflict: the organisation may not pledge on it")),
            (DeclaredInterest.Decision.CLEARED.value, _("No conflict: the organisation may pledge on it")),
        ],
        error_messages={"required": _("Choose whether it is a conflict.")},
    )
    reason = forms.CharField(
        label=_("Reason for the decision"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the interest and in the audit log."),
        error_messages={"required": _("Please record why.")},
    )


class EuroField(forms.DecimalField):
    """An amount in euros as staff type it: "1234567.89", "1 234 567,89" (Latvian) or "1,234,567.89"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace("€", "").strip()
            if "," in value and "." not in value and value.count(",") == 1:
                value = value.replace(",", ".")  # a decimal comma
            else:
                value = value.replace(",", "")  # thousands separators
        return super().to_python(value)


class TaxRevenueForm(forms.Form):
    """One year's revenue of the two taxes the legal minimum is computed from (legal_minimum.enter_tax_revenue)."""

    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    personal_income_tax = EuroField(
        label=_("Personal income tax revenue (EUR)"), min_value=0, max_digits=14, decimal_places=2
    )
    real_estate_tax = EuroField(
        label=_("Real estate tax revenue (EUR)"), min_value=0, max_digits=14, decimal_places=2
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        max_length=250,
        help_text=_("For example the annual report."),
    )

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is not None:
            # The year of an entered row is its key: correcting it means entering the other year.
            self.fields["year"].disabled = True
            self.fields["year"].initial = editing.year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.editing is None and TaxRevenue.objects.filter(year=year).exists():
            raise ValidationError(
                _("The revenue of %(year)s is entered already; change it from the list instead.")
                % {"year": year}
            )
        return year


# Views -----------------------------------------------------------------------------------------------------


class PartnersView(WagtailAdminTemplateMixin, TemplateView):
    """Base of these screens: the rule each asks for every request (a plain 403 otherwise) and breadcrumbs."""

    permission = None
    namespace = None
    section_label = None
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        # The rule first, so that those without it learn nothing (not even which objects exist).
        if not request.user.has_perm(self.permission):
            # A plain 403: Wagtail would turn a PermissionDenied into a redirect to the dashboard.
            return permission_denied(request, PermissionDenied())
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        """Read the object in the URL (404 when there is none)."""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": url(self.namespace, "index"), "label": self.section_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def paginate(self, queryset):
        return Paginator(queryset, PER_PAGE).get_page(self.request.GET.get("p"))


class IndexMixin:
    """A list screen: its breadcrumbs end with itself."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


def _history(instance):
    return ModelLogEntry.objects.for_instance(instance).select_related("user")[:HISTORY_LENGTH]


def _pending_first(field, value):
    return Case(When(**{field: value}, then=Value(0)), default=Value(1), output_field=IntegerField())


# Organisations ---------------------------------------------------------------------------------------------


class OrganisationSection:
    permission = VERIFY_PERMISSION
    namespace = ORGANISATIONS
    section_label = _("Organisations")
    header_icon = "site"


class OrganisationIndexView(OrganisationSection, IndexMixin, PartnersView):
    """Every organisation, those waiting for verification first; search by name or registration number."""

    template_name = "ideas/admin/partners/organisation_index.html"
    page_title = _("Organisations")

    def get_context_data(self, **kwargs):
        form = OrganisationFilterForm(self.request.GET or None)
        queryset = Organisation.objects.annotate(
            waiting=_pending_first("state", Organisation.State.PENDING),
            representative_count=Count("memberships", distinct=True),
            pledge_count=Count("pledges", distinct=True),
        ).order_by("waiting", "name", "pk")
        if form.is_valid():
            if query := form.cleaned_data["q"].strip():
                queryset = queryset.filter(Q(name__icontains=query) | Q(registration_number__icontains=query))
            if state := form.cleaned_data["state"]:
                queryset = queryset.filter(state=state)
        page = self.paginate(queryset)
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=[(organisation, url(ORGANISATIONS, "detail", organisation.pk)) for organisation in page],
            **kwargs,
        )


@dataclass(frozen=True)
class OrganisationStep:
    """One staff step on an organisation: the service, the states it starts from and its wording."""

    service: object
    from_states: frozenset
    reason_required: bool
    title: Promise
    button: Promise
    explanation: Promise
    done: Promise
    danger: bool = False


State = Organisation.State

ORGANISATION_STEPS = {
    "verify": OrganisationStep(
        service=organisation_services.verify_organisation,
        from_states=frozenset({State.PENDING, State.REJECTED, State.SUSPENDED}),
        reason_required=False,
        title=_("Verify the organisation"),
        button=_("Verify"),
        explanation=_(
            "Check the registration number in the Register of Enterprises and that the representatives act "
            "for the organisation. Once verified, it may pledge on ideas."
        ),
        done=_("%(organisation)s is verified: it may pledge on ideas now."),
    ),
    "refuse": OrganisationStep(
        service=organisation_services.reject_organisation,
        from_states=frozenset({State.PENDING}),
        reason_required=True,
        title=_("Refuse to verify the organisation"),
        button=_("Refuse"),
        explanation=_(
            "The organisation will not be able to pledge. Its representatives see the reason and can correct "
            "the details."
        ),
        done=_("%(organisation)s is not verified. Its representatives see the reason."),
        danger=True,
    ),
    "suspend": OrganisationStep(
        service=organisation_services.suspend_organisation,
        from_states=frozenset({State.VERIFIED}),
        reason_required=True,
        title=_("Suspend the organisation"),
        button=_("Suspend"),
        explanation=_(
            "The organisation can make no new pledges until it is verified again; its confirmed pledges stand."
        ),
        done=_("%(organisation)s is suspended: it can make no new pledges."),
        danger=True,
    ),
}


def organisation_steps(organisation):
    """[(name, step, url)] of the steps open to the organisation in its state."""
    return [
        (name, step, url(ORGANISATIONS, name, organisation.pk))
        for name, step in ORGANISATION_STEPS.items()
        if organisation.state in step.from_states
    ]


class OrganisationView(OrganisationSection, PartnersView):
    """One organisation: its details, contact, declared interests and conflicts, representatives, pledges,
    interests declared in ideas, its audit history, and the steps open to it."""

    template_name = "ideas/admin/partners/organisation.html"
    page_title = _("Organisation")

    def load(self, **kwargs):
        self.organisation = get_object_or_404(Organisation, pk=kwargs["pk"])

    def get_page_subtitle(self):
        return self.organisation.name

    def get_context_data(self, **kwargs):
        organisation = self.organisation
        return super().get_context_data(
            organisation=organisation,
            representatives=organisation.memberships.select_related(
                "user", "user__resident_profile"
            ).order_by("created_at", "pk"),
            pledges=[
                (pledge, url(PLEDGES, "detail", pledge.pk), reverse(IDEA_PAGE, args=[pledge.idea_id]))
                for pledge in organisation.pledges.select_related("idea", "idea__round")
            ],
            interests=[
                (interest, url(INTERESTS, "review", interest.pk), reverse(IDEA_PAGE, args=[interest.idea_id]))
                for interest in organisation.declared_interests.select_related("idea").order_by(
                    "-created_at", "-pk"
                )
            ],
            history=_history(organisation),
            steps=organisation_steps(organisation),
            **kwargs,
        )


class OrganisationStepView(OrganisationSection, PartnersView):
    """The confirmation page of one step (verify, refuse, suspend): GET shows what it does and asks for the
    reason, POST takes the step through the organisation service."""

    template_name = "ideas/admin/partners/organisation_step.html"
    step_name = None

    @property
    def step(self):
        return ORGANISATION_STEPS[self.step_name]

    def get_page_title(self):
        return self.step.title

    def get_page_subtitle(self):
        return self.organisation.name

    def load(self, **kwargs):
        self.organisation = get_object_or_404(Organisation, pk=kwargs["pk"])

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        detail = {"url": url(ORGANISATIONS, "detail", self.organisation.pk), "label": self.organisation.name}
        return [*items[:-1], detail, items[-1]]

    def form(self, data=None):
        step = self.step
        return ReasonForm(
            data,
            required=step.reason_required,
            label=_("Reason") if step.reason_required else _("Note (optional)"),
            help_text=_("The organisation's representatives see it; it is kept in the audit log."),
        )

    def available(self):
        return self.organisation.state in self.step.from_states

    def post(self, request, *args, **kwargs):
        detail = redirect(url(ORGANISATIONS, "detail", self.organisation.pk))
        if not self.available():
            messages.error(
                request,
                gettext("Nothing changed: this step is not open to an organisation that is “%(state)s”.")
                % {"state": self.organisation.get_state_display()},
            )
            return detail
        form = self.form(request.POST)
        if form.is_valid():
            try:
                self.step.service(request.user, self.organisation, form.text())
            except Invalid as error:
                _add_service_errors(form, error)
            except Refused as refused:
                messages.error(request, refused.message)
                return detail
            else:
                messages.success(request, self.step.done % {"organisation": self.organisation.name})
                return detail
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            organisation=self.organisation,
            step=self.step,
            available=self.available(),
            form=form or self.form(),
            detail_url=url(ORGANISATIONS, "detail", self.organisation.pk),
            **kwargs,
        )


# Pledges ---------------------------------------------------------------------------------------------------


class PledgeSection:
    permission = PLEDGE_DESK_PERMISSION
    namespace = PLEDGES
    section_label = _("Pledges")
    header_icon = "clipboard-list"


class PledgeIndexView(PledgeSection, IndexMixin, PartnersView):
    """Every pledge, offered ones (waiting for confirmation) first, with filters and the conflict check of each
    offered pledge."""

    template_name = "ideas/admin/partners/pledge_index.html"
    page_title = _("Pledges")

    def get_context_data(self, **kwargs):
        form = PledgeFilterForm(self.request.GET or None)
        queryset = (
            Pledge.objects.select_related("organisation", "idea", "idea__round")
            .annotate(waiting=_pending_first("state", Pledge.State.OFFERED))
            .order_by("waiting", "-created_at", "-pk")
        )
        if form.is_valid():
            filters = {
                "state": form.cleaned_data["state"],
                "idea__round": form.cleaned_data["round"],
                "organisation": form.cleaned_data["organisation"],
                "kind": form.cleaned_data["kind"],
            }
            queryset = queryset.filter(**{name: value for name, value in filters.items() if value})
        page = self.paginate(queryset)
        rows = [
            {
                "pledge": pledge,
                "url": url(PLEDGES, "detail", pledge.pk),
                # Only an offered pledge waits for a decision the conflict check matters to.
                "conflict": pledge_services.pledge_conflict(pledge.organisation, pledge.idea)
                if pledge.state == Pledge.State.OFFERED
                else None,
            }
            for pledge in page
        ]
        return super().get_context_data(form=form, page_obj=page, rows=rows, **kwargs)


@dataclass(frozen=True)
class PledgeStep:
    """One staff step on a pledge: the service, the state it starts from, the rule and its wording."""

    service: object
    from_state: str
    permission: str
    reason_required: bool
    button: Promise
    label: Promise
    help_text: Promise
    not_now: Promise
    done: Promise
    danger: bool = False


PLEDGE_STEPS = {
    "confirm": PledgeStep(
        service=pledge_services.confirm_pledge,
        from_state=Pledge.State.OFFERED,
        permission="ideas.confirm_pledge",
        reason_required=False,
        button=_("Confirm the pledge"),
        label=_("Note (optional)"),
        help_text=_("For example the agreement's number. Shown in the idea's public history."),
        not_now=_(
            "Pledges are confirmed before voting opens, on ideas still in the running: this one cannot be "
            "confirmed now."
        ),
        done=_("The pledge is confirmed."),
    ),
    "decline": PledgeStep(
        service=pledge_services.decline_pledge,
        from_state=Pledge.State.OFFERED,
        permission="ideas.decline_pledge",
        reason_required=True,
        button=_("Decline the pledge"),
        label=_("Reason"),
        help_text=_("The organisation and the public see the reason."),
        not_now=_("This pledge cannot be declined."),
        done=_("The pledge is declined."),
        danger=True,
    ),
    "fulfil": PledgeStep(
        service=pledge_services.fulfil_pledge,
        from_state=Pledge.State.CONFIRMED,
        permission="ideas.fulfil_pledge",
        reason_required=False,
        button=_("Mark the pledge fulfilled"),
        label=_("Note (optional)"),
        help_text=_("For example when the money arrived or the work was done."),
        not_now=_("Pledges are marked fulfilled once the round's results are out."),
        done=_("The pledge is marked fulfilled."),
    ),
}


class PledgeView(PledgeSection, PartnersView):
    """One pledge: what is offered, the idea's cost, co-funding and net cost, the conflict check, its history,
    and the steps open to it (POST `action` = confirm / decline / fulfil, through ideas/partners/pledges.py)."""

    template_name = "ideas/admin/partners/pledge.html"
    page_title = _("Pledge")

    def load(self, **kwargs):
        self.pledge = get_object_or_404(
            Pledge.objects.select_related("organisation", "idea", "idea__round", "offered_by"),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self):
        return str(self.pledge)

    def step_form(self, name, data=None):
        step = PLEDGE_STEPS[name]
        form = ReasonForm(
            data, prefix=name, required=step.reason_required, label=step.label, help_text=step.help_text
        )
        if name == "decline":
            form.fields["reason"].error_messages["required"] = gettext(
                "Please give a reason; the organisation and the public will see it."
            )
        return form

    def post(self, request, *args, **kwargs):
        name = request.POST.get("action")
        page = redirect(url(PLEDGES, "detail", self.pledge.pk))
        if name not in PLEDGE_STEPS:
            messages.error(request, gettext("Choose what to do with the pledge."))
            return page
        step = PLEDGE_STEPS[name]
        form = self.step_form(name, request.POST)
        if form.is_valid():
            try:
                step.service(request.user, self.pledge, form.text())
            except Invalid as error:
                _add_service_errors(form, error)
            except Refused as refused:
                # The service says why (a conflict, the phase, a pledge already decided): nothing changed.
                messages.error(request, refused.message)
                return page
            else:
                messages.success(request, step.done)
                return page
        return self.render_to_response(self.get_context_data(forms={name: form}), status=400)

    def steps(self, bound):
        """[{name, step, form, may}] of the steps the pledge's state opens; `may` False says why not now."""
        steps = []
        for name, step in PLEDGE_STEPS.items():
            if self.pledge.state != step.from_state:
                continue
            steps.append(
                {
                    "name": name,
                    "step": step,
                    "form": bound.get(name) or self.step_form(name),
                    "may": self.request.user.has_perm(step.permission, self.pledge),
                }
            )
        return steps

    def get_context_data(self, forms=None, **kwargs):
        pledge, idea = self.pledge, self.pledge.idea
        cost = idea.cost
        conflict = (
            pledge_services.pledge_conflict(pledge.organisation, idea)
            if pledge.state == Pledge.State.OFFERED
            else None
        )
        # What the idea would cost the public budget once this money pledge is confirmed.
        net_if_confirmed = (
            max(cost - idea.cofunding - pledge.amount, Decimal(0))
            if cost is not None and pledge.is_money and pledge.state == Pledge.State.OFFERED
            else None
        )
        interest = DeclaredInterest.objects.filter(organisation=pledge.organisation, idea=idea).first()
        return super().get_context_data(
            pledge=pledge,
            idea=idea,
            idea_url=reverse(IDEA_PAGE, args=[idea.pk]),
            organisation_url=url(ORGANISATIONS, "detail", pledge.organisation_id),
            may_see_organisation=self.request.user.has_perm(VERIFY_PERMISSION),
            cost=cost,
            net_if_confirmed=net_if_confirmed,
            conflict=conflict,
            interest_url=url(INTERESTS, "review", interest.pk) if interest else "",
            changes=pledge.history.all(),
            history=_history(pledge),
            steps=self.steps(forms or {}),
            **kwargs,
        )


# Declared interests ----------------------------------------------------------------------------------------


class InterestSection:
    permission = REVIEW_PERMISSION
    namespace = INTERESTS
    section_label = _("Declared interests")
    header_icon = "glasses"


class InterestIndexView(InterestSection, IndexMixin, PartnersView):
    """Interests organisations declared in ideas, those waiting for review first."""

    template_name = "ideas/admin/partners/interest_index.html"
    page_title = _("Declared interests")

    def get_context_data(self, **kwargs):
        form = InterestFilterForm(self.request.GET or None)
        queryset = (
            DeclaredInterest.objects.select_related("organisation", "idea", "idea__round")
            .annotate(waiting=_pending_first("decision", DeclaredInterest.Decision.PENDING))
            .order_by("waiting", "-created_at", "-pk")
        )
        if form.is_valid() and form.cleaned_data["decision"]:
            queryset = queryset.filter(decision=form.cleaned_data["decision"])
        page = self.paginate(queryset)
        return super().get_context_data(
            form=form,
            page_obj=page,
            rows=[(interest, url(INTERESTS, "review", interest.pk)) for interest in page],
            **kwargs,
        )


class InterestReviewView(InterestSection, PartnersView):
    """One declared interest and staff's decision on it: a conflict (no pledges on the idea) or none, with the
    reason (pledges.review_interest)."""

    template_name = "ideas/admin/partners/interest.html"
    page_title = _("Review a declared interest")

    def load(self, **kwargs):
        self.interest = get_object_or_404(
            DeclaredInterest.objects.select_related("organisation", "idea", "idea__round", "reviewed_by"),
            pk=kwargs["pk"],
        )

    def get_page_subtitle(self):
        return str(self.interest)

    def form(self, data=None):
        initial = {}
        if self.interest.decision != DeclaredInterest.Decision.PENDING:
            initial = {"decision": self.interest.decision, "reason": self.interest.decision_reason}
        return InterestReviewForm(data, initial=initial)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                pledge_services.review_interest(
                    request.user,
                    self.interest,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except Invalid as error:
                _add_service_errors(form, error)
            except Refused as refused:
                messages.error(request, refused.message)
                return redirect(url(INTERESTS, "review", self.interest.pk))
            else:
                if self.interest.decision == DeclaredInterest.Decision.CLEARED:
                    done = gettext("Recorded: no conflict. %(organisation)s may pledge on this idea.")
                else:
                    done = gettext("Recorded: a conflict. %(organisation)s may not pledge on this idea.")
                messages.success(request, done % {"organisation": self.interest.organisation.name})
                return redirect(url(INTERESTS, "index"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, form=None, **kwargs):
        interest = self.interest
        return super().get_context_data(
            interest=interest,
            organisation=interest.organisation,
            organisation_url=url(ORGANISATIONS, "detail", interest.organisation_id),
            may_see_organisation=self.request.user.has_perm(VERIFY_PERMISSION),
            idea_url=reverse(IDEA_PAGE, args=[interest.idea_id]),
            pledges=[
                (pledge, url(PLEDGES, "detail", pledge.pk))
                for pledge in Pledge.objects.filter(organisation=interest.organisation, idea=interest.idea)
            ],
            history=_history(interest),
            form=form or self.form(),
            **kwargs,
        )


# Tax revenue and the legal minimum -------------------------------------------------------------------------


class TaxRevenueSection:
    permission = TAX_PERMISSION
    namespace = TAX_REVENUE
    section_label = _("Tax revenue")
    header_icon = "decimal"


def round_minimums():
    """[{round, legal, shortfall}] of every round, newest first: the legal minimum from the entered revenue
    and how much the round's budget falls short of it (None while revenue years are missing)."""
    rows = []
    for budget_round in BudgetRound.objects.order_by("-voting_starts", "-pk"):
        legal = round_minimum(budget_round)
        rows.append(
            {"round": budget_round, "legal": legal, "shortfall": legal.shortfall(budget_round.total_budget)}
        )
    return rows


class TaxRevenueIndexView(TaxRevenueSection, IndexMixin, PartnersView):
    """The revenue entered per year, and for each round the legal minimum and whether its budget meets it."""

    template_name = "ideas/admin/partners/tax_revenue_index.html"
    page_title = _("Tax revenue")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            revenue=[(row, url(TAX_REVENUE, "edit", row.year)) for row in TaxRevenue.objects.all()],
            rounds=round_minimums(),
            add_url=url(TAX_REVENUE, "add"),
            **kwargs,
        )


class TaxRevenueEditView(TaxRevenueSection, PartnersView):
    """Enter a year's revenue (add) or correct it (edit, the year in the URL) through enter_tax_revenue."""

    template_name = "ideas/admin/partners/tax_revenue_form.html"

    def load(self, year=None, **kwargs):
        self.row = get_object_or_404(TaxRevenue, year=year) if year is not None else None

    def get_page_title(self):
        if self.row is None:
            return gettext("Enter a year's tax revenue")
        return gettext("Tax revenue of %(year)s") % {"year": self.row.year}

    def form(self, data=None):
        initial = {}
        if self.row is not None:
            initial = {
                "year": self.row.year,
                "personal_income_tax": self.row.personal_income_tax,
                "real_estate_tax": self.row.real_estate_tax,
                "source": self.row.source,
            }
        return TaxRevenueForm(data, initial=initial, editing=self.row)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = enter_tax_revenue(
                    request.user,
                    year=data["year"],
                    personal_income_tax=data["personal_income_tax"],
                    real_estate_tax=data["real_estate_tax"],
                    source=data["source"].strip(),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, gettext("The tax revenue of %(year)s is saved.") % {"year": row.year}
                )
                return redirect(url(TAX_REVENUE, "index"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            form=form or self.form(), row=self.row, index_url=url(TAX_REVENUE, "index"), **kwargs
        )


# Menu items and viewsets -----------------------------------------------------------------------------------


class PermissionMenuItem(MenuItem):
    """A menu item shown only to those the rule `permission` lets open the screen."""

    permission = None

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class OrganisationMenuItem(PermissionMenuItem):
    permission = VERIFY_PERMISSION


class PledgeMenuItem(PermissionMenuItem):
    permission = PLEDGE_DESK_PERMISSION


class InterestMenuItem(PermissionMenuItem):
    permission = REVIEW_PERMISSION


class TaxRevenueMenuItem(PermissionMenuItem):
    permission = TAX_PERMISSION


class OrganisationViewSet(ViewSet):
    """Organisations: the list, a page per organisation, and the verify / refuse / suspend steps."""

    name = ORGANISATIONS
    url_prefix = "participation/organisations"
    icon = "site"
    menu_label = _("Organisations")
    menu_item_class = OrganisationMenuItem

    def get_urlpatterns(self):
        return [
            path("", OrganisationIndexView.as_view(), name="index"),
            path("<int:pk>/", OrganisationView.as_view(), name="detail"),
            *(
                path(f"<int:pk>/{name}/", OrganisationStepView.as_view(step_name=name), name=name)
                for name in ORGANISATION_STEPS
            ),
        ]


class PledgeViewSet(ViewSet):
    """Pledges: the list and a page per pledge with its confirm / decline / fulfil steps."""

    name = PLEDGES
    url_prefix = "participation/pledges"
    icon = "clipboard-list"
    menu_label = _("Pledges")
    menu_item_class = PledgeMenuItem

    def get_urlpatterns(self):
        return [
            path("", PledgeIndexView.as_view(), name="index"),
            path("<int:pk>/", PledgeView.as_view(), name="detail"),
        ]


class InterestViewSet(ViewSet):
    """Declared interests: the list and the review of each."""

    name = INTERESTS
    url_prefix = "participation/interests"
    icon = "glasses"
    menu_label = _("Declared interests")
    menu_item_class = InterestMenuItem

    def get_urlpatterns(self):
        return [
            path("", InterestIndexView.as_view(), name="index"),
            path("<int:pk>/", InterestReviewView.as_view(), name="review"),
        ]


class TaxRevenueViewSet(ViewSet):
    """Tax revenue per year and the legal minimum of each round."""

    name = TAX_REVENUE
    url_prefix = "participation/tax-revenue"
    icon = "decimal"
    menu_label = _("Tax revenue")
    menu_item_class = TaxRevenueMenuItem

    def get_urlpatterns(self):
        return [
            path("", TaxRevenueIndexView.as_view(), name="index"),
            path("add/", TaxRevenueEditView.as_view(), name="add"),
            path("<int:year>/", TaxRevenueEditView.as_view(), name="edit"),
        ]


PARTNER_VIEWSETS = (OrganisationViewSet, PledgeViewSet, InterestViewSet, TaxRevenueViewSet)
