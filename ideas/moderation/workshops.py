"""Budget think-tank workshops in the admin (Participation → Workshops; WorkshopViewSet, added to the
Participation menu in ideas/wagtail_hooks.py): attendance, outcome notes, ideas entered for attendees, voting
codes handed out there.

Every page asks `ideas.record_workshop` (moderators; anyone else gets a plain 403) and every change goes through
the services in ideas/workshops.py, which check it again and write the audit log. Workshops are the
default-language originals of the event pages, so both language versions share what is recorded here.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from home.models import EventRegistration
from ideas import workshops
from ideas.forms import IdeaForm
from ideas.models import Idea, VotingCode
from ideas.moderation.forms import HandOutCodeForm
from ideas.participation import Refused

NAME = "workshops"
REQUIRED = workshops.PERMISSION


def workshop_url(name, *args):
    return reverse(f"{NAME}:{name}", args=args)


# Forms ----------------------------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    """The workshop's notes, shown on its public page in both languages."""

    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=workshops.NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "What was discussed and agreed, in Latvian: residents see the notes on the workshop's page in both "
            "languages. Never write who received a voting code."
        ),
    )


class AttendeeChoiceField(forms.ModelChoiceField):
    """One of the workshop's registrations marked as attending, by name."""

    def label_from_instance(self, obj):
        return obj.name


class WorkshopIdeaForm(IdeaForm):
    """An idea an attendee proposed at the workshop, entered by staff for them with their consent."""

    registration = AttendeeChoiceField(
        queryset=EventRegistration.objects.none(),
        label=_("Attendee"),
        help_text=_("Only people marked as attending can be chosen."),
    )
    credited_to = forms.CharField(
        label=_("Name to credit"),
        max_length=workshops.CREDIT_MAX_LENGTH,
        help_text=_("Shown on the idea as “Proposed by …”, exactly as the attendee agreed to be named."),
    )
    consent = forms.BooleanField(
        label=_(
            "The attendee agreed that this idea is published under the name above and that the municipality "
            "processes it like any other idea."
        ),
        error_messages={
            "required": _("Ask the attendee for their consent first: without it the idea cannot be entered.")
        },
    )

    class Meta(IdeaForm.Meta):
        fields = ["title", "summary", "description", "category", "area", "address", "estimated_cost"]

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, budget_round=event.budget_round, **kwargs)
        self.fields["registration"].queryset = (
            event.registrations.filter(attended=True)
            .filter(status__in=EventRegistration.HOLDING)
            .order_by("name", "pk")
        )
        # The attendee and what they agreed to come first, then the idea itself.
        self.order_fields(["registration", "credited_to", "consent"])


# Views ----------------------------------------------------------------------------------------------------


class WorkshopView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the workshop pages: ideas.record_workshop for every request, breadcrumbs."""

    header_icon = "group"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REQUIRED):
            # A plain 403: Wagtail would turn a PermissionDenied into a redirect to the dashboard.
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": workshop_url("index"), "label": _("Workshops")},
            {"url": "", "label": self.get_page_title()},
        ]


class WorkshopIndexView(WorkshopView):
    """Every workshop, newest first, with its round, date and what was recorded."""

    template_name = "ideas/admin/workshops/index.html"
    page_title = _("Workshops")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        active = Q(registrations__status__in=EventRegistration.HOLDING)
        rows = workshops.workshops().annotate(
            registered=Count("registrations", filter=active, distinct=True),
            attended_count=Count(
                "registrations", filter=active & Q(registrations__attended=True), distinct=True
            ),
            idea_count=Count("workshop_ideas", distinct=True),
        )
        codes = dict(
            VotingCode.objects.filter(workshop__isnull=False)
            .values_list("workshop")
            .annotate(total=Count("pk"))
            .values_list("workshop", "total")
        )
        return super().get_context_data(
            rows=[(event, codes.get(event.pk, 0), workshop_url("detail", event.pk)) for event in rows],
            **kwargs,
        )


class WorkshopDetailView(WorkshopView):
    """One workshop: attendance, notes, an idea for an attendee, a voting code handed out (four POST forms)."""

    template_name = "ideas/admin/workshops/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REQUIRED):
            # Before looking the workshop up: others learn nothing, not even whether it exists.
            return permission_denied(request, PermissionDenied())
        self.event = get_object_or_404(workshops.workshops(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.event.title

    def post(self, request, *args, **kwargs):
        handler = {
            "attendance": self.save_attendance,
            "outcome": self.save_outcome,
            "idea": self.enter_idea,
            "code": self.hand_out_code,
        }.get(request.POST.get("action"))
        if handler is None:
            return self.back()
        return handler()

    def back(self):
        return redirect(workshop_url("detail", self.event.pk))

    def refused(self, error, **forms_with_errors):
        """Show the page again (400) with a refusal the service gave, keeping what staff typed."""
        messages.error(self.request, error.message)
        return self.render_to_response(self.get_context_data(**forms_with_errors), status=400)

    def save_attendance(self):
        chosen = self.request.POST.getlist("attended")
        try:
            count = workshops.set_attendance(self.request.user, self.event, chosen)
        except Refused as error:
            return self.refused(error)
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(self.request, _("Attendance is saved: %(count)s attended.") % {"count": count})
        return self.back()

    def save_outcome(self):
        form = OutcomeForm(self.request.POST, prefix="outcome")
        if form.is_valid():
            try:
                workshops.record_outcome(self.request.user, self.event, form.cleaned_data["notes"])
            except Refused as error:
                return self.refused(error, outcome_form=form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(self.request, _("The notes are saved and shown on the workshop's page."))
                return self.back()
        return self.render_to_response(self.get_context_data(outcome_form=form), status=400)

    def enter_idea(self):
        form = WorkshopIdeaForm(
            self.request.POST, prefix="idea", event=self.event, instance=Idea(round=self.event.budget_round)
        )
        if form.is_valid():
            data = form.cleaned_data
            idea_fields = {name: data[name] for name in WorkshopIdeaForm.Meta.fields}
            try:
                idea = workshops.enter_idea_for_attendee(
                    self.request.user,
                    self.event,
                    data["registration"],
                    consent=data["consent"],
                    credited_to=data["credited_to"],
                    **idea_fields,
                )
            except Refused as error:
                return self.refused(error, idea_form=form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    self.request,
                    _("“%(title)s” is entered and waits for moderation like any other idea.")
                    % {"title": idea.title},
                )
                return self.back()
        return self.render_to_response(self.get_context_data(idea_form=form), status=400)

    def hand_out_code(self):
        form = HandOutCodeForm(self.request.POST, prefix="code")
        if form.is_valid():
            try:
                workshops.hand_out_code_at_workshop(
                    self.request.user,
                    self.event,
                    form.cleaned_data["code"],
                    form.cleaned_data["personal_code"],
                )
            except Refused as error:
                return self.refused(error, code_form=form)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                # Never the personal code (nor the code) in the message: it would stay on screen.
                messages.success(
                    self.request,
                    _("The voting code is handed out at this workshop. It can now vote once."),
                )
                return self.back()
        return self.render_to_response(self.get_context_data(code_form=form), status=400)

    def get_context_data(self, outcome_form=None, idea_form=None, code_form=None, **kwargs):
        event = self.event
        outcome = workshops.outcome_of(event, public_only=False)
        registrations = event.registrations.filter(status__in=EventRegistration.HOLDING).order_by(
            "name", "pk"
        )
        return super().get_context_data(
            event=event,
            started=timezone.now() >= event.start,
            takes_ideas=event.start < event.budget_round.review_starts,
            outcome=outcome,
            registrations=registrations,
            attended_names=[r.name for r in registrations if r.attended],
            outcome_form=outcome_form or OutcomeForm(prefix="outcome", initial={"notes": outcome.notes}),
            idea_form=idea_form
            or WorkshopIdeaForm(prefix="idea", event=event, instance=Idea(round=event.budget_round)),
            code_form=code_form or HandOutCodeForm(prefix="code"),
            edit_url=reverse("wagtailadmin_pages:edit", args=[event.pk]),
            live_url=event.url if event.live else "",
            **kwargs,
        )


def _add_errors(form, error):
    """A service's ValidationError on the form: on the field it names when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            target = name if name in form.fields else None
            for message in messages_:
                form.add_error(target if name != NON_FIELD_ERRORS else None, message)
    else:
        form.add_error(None, error)


class WorkshopMenuItem(MenuItem):
    """Shown to those the rules let record workshops."""

    def is_shown(self, request):
        return request.user.has_perm(REQUIRED)


class WorkshopViewSet(ViewSet):
    """Workshops linked to a round and what staff record about each."""

    name = NAME
    url_prefix = "participation/workshops"
    icon = "group"
    menu_label = _("Workshops")
    menu_item_class = WorkshopMenuItem

    def get_urlpatterns(self):
        return [
            path("", WorkshopIndexView.as_view(), name="index"),
            path("<int:pk>/", WorkshopDetailView.as_view(), name="detail"),
        ]
