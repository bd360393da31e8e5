"""Delivery of funded ideas in the Wagtail admin: Participation → Delivery (DeliveryViewSet, added to the
Participation menu in ideas/wagtail_hooks.py), and one delivery screen per funded idea, linked from the idea's
moderation page (templates/ideas/admin/idea_moderate.html).

The list and the screens are open to moderators (`ideas.view_moderation_queue`); every change asks
`ideas.manage_delivery` of the idea (moderators, while the round's phase allows implementation) and goes through
the services in ideas/delivery.py, which check the rule again, write the public history, the audit log and the
e-mails. When the rule refuses, a moderator sees the screen read-only; a POST gets a plain 403.
"""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ideas import delivery as services
from ideas.models import BudgetRound, Delivery, Idea, Milestone
from ideas.models.delivery import DELIVERED_PREFIX, IMPACT_FIELDS
from ideas.moderation.partners import EuroField
from ideas.partners.views import idea_history
from ideas.templatetags.kopa_format import number

NAME = "delivery"
# Who may open the list and the screens (read-only), and who may change a delivery (asked of each idea).
VIEW_PERMISSION = "ideas.view_moderation_queue"
MANAGE_PERMISSION = "ideas.manage_delivery"
PER_PAGE = 50
IDEA_PAGE = "wagtailsnippets_ideas_idea:edit"
IDEA_HISTORY = "wagtailsnippets_ideas_idea:history"


def delivery_url(name, *args):
    return reverse(f"{NAME}:{name}", args=args)


def delivery_of(idea):
    """The idea's delivery row, or None while it has none (a reverse one-to-one raises otherwise)."""
    return getattr(idea, "delivery", None)


# Forms -----------------------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    """The browser's own date picker: ISO values, usable by keyboard and at any width."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _model_field(name, **kwargs):
    """The form field of a Delivery field, with the model's label, help text and limits."""
    field = Delivery._meta.get_field(name)
    if isinstance(field, models.DateField):
        kwargs.setdefault("widget", DateInput)
    return field.formfield(**kwargs)


class DeliveryStateForm(forms.Form):
    """The delivery's own fields (services.update_delivery): status, progress, dates, final cost, reasons."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in services.EDITABLE_FIELDS:
            if name == "final_cost":
                model_field = Delivery._meta.get_field(name)
                self.fields[name] = EuroField(
                    label=model_field.verbose_name,
                    required=False,
                    min_value=0,
                    max_digits=12,
                    decimal_places=2,
                    help_text=_("What the work cost in the end. Leave empty until it is known."),
                )
            elif name == "progress":
                self.fields[name] = _model_field(name, min_value=0, max_value=100)
            else:
                self.fields[name] = _model_field(name)
            if name in ("overrun_reason", "cancel_reason"):
                self.fields[name].widget.attrs["rows"] = 3


class MilestoneForm(forms.Form):
    """A new milestone of the delivery (services.add_milestone)."""

    title = forms.CharField(label=_("Milestone"), max_length=200)
    planned_date = forms.DateField(label=_("Planned date"), widget=DateInput)


class ReachForm(forms.Form):
    """The day an open milestone was reached (services.reach_milestone)."""

    actual_date = forms.DateField(label=_("Reached on"), widget=DateInput)


class UpdateForm(forms.Form):
    """A public update with up to MAX_PHOTOS_PER_UPDATE photos, each with its description for people who
    cannot see it (services.post_update checks and re-encodes the photos)."""

    text = forms.CharField(
        label=_("Update"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Residents read it on the idea's page. Do not name staff members or contractors' staff."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number_ in range(1, services.MAX_PHOTOS_PER_UPDATE + 1):
            self.fields[f"photo_{number_}"] = forms.FileField(
                label=_("Photo %(number)s") % {"number": number_},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            )
            self.fields[f"alt_{number_}"] = forms.CharField(
                label=_("Description of photo %(number)s") % {"number": number_},
                required=False,
                max_length=250,
                help_text=_("What the photo shows, for people who cannot see it. Required with a photo."),
            )

    def photo_slots(self):
        """[(photo field, description field)] for the template, one pair per slot."""
        return [
            (self[f"photo_{number_}"], self[f"alt_{number_}"])
            for number_ in range(1, services.MAX_PHOTOS_PER_UPDATE + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        for number_ in range(1, services.MAX_PHOTOS_PER_UPDATE + 1):
            if cleaned.get(f"photo_{number_}") and not (cleaned.get(f"alt_{number_}") or "").strip():
                self.add_error(f"alt_{number_}", gettext("Describe the photo for people who cannot see it."))
        return cleaned

    def photos(self):
        """The (uploaded file, description) pairs the service takes."""
        return [
            (self.cleaned_data[f"photo_{number_}"], self.cleaned_data[f"alt_{number_}"])
            for number_ in range(1, services.MAX_PHOTOS_PER_UPDATE + 1)
            if self.cleaned_data.get(f"photo_{number_}")
        ]


class ImpactForm(forms.Form):
    """The green impact actually delivered (services.record_delivered_impact), each beside what the idea
    promised."""

    def __init__(self, *args, idea, **kwargs):
        super().__init__(*args, **kwargs)
        for name in IMPACT_FIELDS:
            field = _model_field(DELIVERED_PREFIX + name, required=False)
            promised = getattr(idea, name)
            field.help_text = (
                gettext("The idea promised: %(value)s") % {"value": number(promised)}
                if promised is not None
                else gettext("The idea promised nothing here.")
            )
            self.fields[name] = field


class DeliveryFilterForm(forms.Form):
    """The list's filters (GET): round and delivery status."""

    round = forms.ModelChoiceField(
        label=_("Budget round"),
        required=False,
        queryset=BudgetRound.objects.order_by("-voting_starts", "-pk"),
        empty_label=_("All rounds"),
    )
    state = forms.ChoiceField(
        label=_("Delivery status"),
        required=False,
        choices=[("", _("All statuses")), *Delivery.State.choices],
    )


def _add_errors(form, error):
    """A service's ValidationError on the form: on the field it names when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Views -----------------------------------------------------------------------------------------------------


class DeliveryAdminView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the delivery screens: moderators only (a plain 403 for anyone else), breadcrumbs."""

    header_icon = "tasks"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            # A plain 403, before looking anything up: Wagtail would turn PermissionDenied into a redirect.
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": delivery_url("index"), "label": _("Delivery")},
            {"url": "", "label": self.get_page_title()},
        ]


class DeliveryIndexView(DeliveryAdminView):
    """Every funded idea, newest round first, with its delivery status, progress, planned completion, how late
    it is and its allocated and final cost; filters by round and status."""

    template_name = "ideas/admin/delivery/index.html"
    page_title = _("Delivery")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        form = DeliveryFilterForm(self.request.GET or None)
        ideas = services.funded_ideas()
        if form.is_valid():
            if budget_round := form.cleaned_data["round"]:
                ideas = ideas.filter(round=budget_round)
            if state := form.cleaned_data["state"]:
                matches = Q(delivery__state=state)
                if state == Delivery.State.PLANNED:
                    # A funded idea without a delivery row yet is planned: its row starts in that state.
                    matches |= Q(delivery__isnull=True)
                ideas = ideas.filter(matches)
        ideas = ideas.order_by("-round__submission_starts", "round_id", "title", "pk")
        page = Paginator(ideas, PER_PAGE).get_page(self.request.GET.get("p"))
        today = datetime.date.today()
        rows = []
        for idea in page:
            delivery = delivery_of(idea)
            allocated = delivery.allocated if delivery else idea.net_cost
            rows.append(
                {
                    "idea": idea,
                    "delivery": delivery,
                    "state": delivery.get_state_display() if delivery else Delivery.State.PLANNED.label,
                    "progress": delivery.progress if delivery else 0,
                    "planned_completion": delivery.planned_completion if delivery else None,
                    "days_late": delivery.days_late(today) if delivery else 0,
                    "allocated": allocated,
                    "final_cost": delivery.final_cost if delivery else None,
                    "overrun": delivery.overrun if delivery else None,
                    "url": delivery_url("detail", idea.pk),
                }
            )
        return super().get_context_data(form=form, page_obj=page, rows=rows, **kwargs)


class DeliveryDetailView(DeliveryAdminView):
    """One funded idea's delivery: its state, milestones, updates with photos and delivered impact, each with
    its form (POST `action` = delivery / milestone / reach / update / impact), and its public history."""

    template_name = "ideas/admin/delivery/detail.html"
    page_title = _("Delivery")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            return permission_denied(request, PermissionDenied())
        self.idea = get_object_or_404(services.funded_ideas(), pk=kwargs["pk"])
        self.may_manage = request.user.has_perm(MANAGE_PERMISSION, self.idea)
        if request.method == "POST" and not self.may_manage:
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.idea.title

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        return [*items[:-1], {"url": "", "label": self.get_page_title(), "sublabel": self.idea.title}]

    def delivery(self):
        """The idea's delivery. Those who may manage it get the row made on first visit (with the allocated
        money, as publishing the results does); others see an unsaved one with the same values."""
        delivery = Delivery.objects.filter(idea=self.idea).first()
        if delivery is not None:
            return delivery
        if self.may_manage:
            return services.start_delivery(self.idea, self.request.user)
        return Delivery(idea=self.idea, allocated=self.idea.net_cost or 0)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def back(self, anchor=""):
        return redirect(delivery_url("detail", self.idea.pk) + anchor)

    def invalid(self, **bound):
        messages.error(self.request, gettext("Nothing was saved: please correct the errors below."))
        return self.render_to_response(self.get_context_data(**bound), status=400)

    def post(self, request, *args, **kwargs):
        handler = {
            "delivery": self.save_delivery,
            "milestone": self.add_milestone,
            "reach": self.reach_milestone,
            "update": self.post_update,
            "impact": self.record_impact,
        }.get(request.POST.get("action"))
        if handler is None:
            messages.error(request, gettext("Choose what to save."))
            return self.back()
        return handler()

    def save_delivery(self):
        form = DeliveryStateForm(self.request.POST, prefix="delivery")
        if form.is_valid():
            try:
                services.update_delivery(self.idea, self.request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(self.request, gettext("The delivery is saved."))
                return self.back()
        return self.invalid(delivery_form=form)

    def add_milestone(self):
        form = MilestoneForm(self.request.POST, prefix="milestone")
        if form.is_valid():
            try:
                milestone = services.add_milestone(self.idea, self.request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    self.request,
                    gettext("The milestone “%(title)s” is planned.") % {"title": milestone.title},
                )
                return self.back("#milestones-heading")
        return self.invalid(milestone_form=form)

    def reach_milestone(self):
        milestone_id = self.request.POST.get("milestone", "")
        milestone = get_object_or_404(
            Milestone, pk=int(milestone_id) if milestone_id.isdigit() else 0, delivery__idea=self.idea
        )
        form = ReachForm(self.request.POST, prefix=f"reach-{milestone.pk}")
        if form.is_valid():
            try:
                services.reach_milestone(
                    milestone, self.request.user, actual_date=form.cleaned_data["actual_date"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    self.request,
                    gettext("The milestone “%(title)s” is marked reached.") % {"title": milestone.title},
                )
                return self.back("#milestones-heading")
        return self.invalid(reach_forms={milestone.pk: form})

    def post_update(self):
        form = UpdateForm(self.request.POST, self.request.FILES, prefix="update")
        if form.is_valid():
            try:
                services.post_update(
                    self.idea, self.request.user, text=form.cleaned_data["text"], photos=form.photos()
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(self.request, gettext("The update is posted."))
                return self.back("#updates-heading")
        if self.request.FILES:
            # Browsers never refill a file input: say so, rather than let staff think the photos are kept.
            form.add_error(
                None, gettext("Choose the photos again: files are not kept when a form is refused.")
            )
        return self.invalid(update_form=form)

    def record_impact(self):
        form = ImpactForm(self.request.POST, prefix="impact", idea=self.idea)
        if form.is_valid():
            try:
                services.record_delivered_impact(self.idea, self.request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(self.request, gettext("The delivered impact is saved."))
                return self.back("#impact-heading")
        return self.invalid(impact_form=form)

    def get_context_data(
        self,
        delivery_form=None,
        milestone_form=None,
        reach_forms=None,
        update_form=None,
        impact_form=None,
        **kwargs,
    ):
        idea = self.idea
        delivery = self.delivery()
        saved = delivery.pk is not None
        milestones = list(delivery.milestones.order_by("planned_date", "pk")) if saved else []
        reach_forms = reach_forms or {}
        today = datetime.date.today()
        milestone_rows = [
            {
                "milestone": milestone,
                "form": reach_forms.get(milestone.pk)
                or ReachForm(prefix=f"reach-{milestone.pk}", initial={"actual_date": today}),
            }
            for milestone in milestones
        ]
        updates = (
            list(delivery.updates.prefetch_related("photos").order_by("-created_at", "-pk")) if saved else []
        )
        impact_rows = [
            {
                "name": name,
                "label": Idea._meta.get_field(name).verbose_name,
                "promised": getattr(idea, name),
                "delivered": delivery.delivered(name),
            }
            for name in IMPACT_FIELDS
        ]
        return super().get_context_data(
            idea=idea,
            delivery=delivery,
            may_manage=self.may_manage,
            days_late=delivery.days_late(today),
            milestone_rows=milestone_rows,
            updates=updates,
            impact_rows=impact_rows,
            history=idea_history(idea),
            delivery_form=delivery_form
            or DeliveryStateForm(
                prefix="delivery",
                initial={name: getattr(delivery, name) for name in services.EDITABLE_FIELDS},
            ),
            milestone_form=milestone_form or MilestoneForm(prefix="milestone"),
            update_form=update_form or UpdateForm(prefix="update"),
            impact_form=impact_form
            or ImpactForm(
                prefix="impact",
                idea=idea,
                initial={name: delivery.delivered(name) for name in IMPACT_FIELDS},
            ),
            max_photos=services.MAX_PHOTOS_PER_UPDATE,
            idea_url=reverse(IDEA_PAGE, args=[idea.pk]),
            audit_url=reverse(IDEA_HISTORY, args=[idea.pk]),
            public_url=idea.get_absolute_url(),
            **kwargs,
        )


# Menu item and viewset -------------------------------------------------------------------------------------


class DeliveryMenuItem(MenuItem):
    """Shown to those who may open the delivery screens (moderators)."""

    def is_shown(self, request):
        return request.user.has_perm(VIEW_PERMISSION)


class DeliveryViewSet(ViewSet):
    """Delivery of funded ideas: the list and one screen per idea."""

    name = NAME
    url_prefix = "participation/delivery"
    icon = "tasks"
    menu_label = _("Delivery")
    menu_item_class = DeliveryMenuItem

    def get_urlpatterns(self):
        return [
            path("", DeliveryIndexView.as_view(), name="index"),
            path("<int:pk>/", DeliveryDetailView.as_view(), name="detail"),
        ]
