"""The ideas queue and each idea's moderation page (IdeaViewSet in viewsets.py), and the bulk actions on
the queue (registered in ideas/wagtail_hooks.py).

Which buttons a page shows follows ideas/statuses.TRANSITIONS and the rules in ideas/rules.py; every change
goes through ideas/services.change_status.
"""

import datetime
from dataclasses import dataclass

import django_filters
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import (
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    NumberColumn,
    StatusTagColumn,
)
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.models import Locale
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from ideas import lifecycle
from ideas.models import Area, BudgetRound, Category, Idea, Report, StatusChange
from ideas.models.rounds import localized_names
from ideas.moderation.comments import display_name
from ideas.moderation.forms import AssessmentForm, MergeForm, OnBallotForm, ReasonForm
from ideas.services import change_status
from ideas.statuses import AWAITING_MODERATION, Status, can_follow

MODERATE = "ideas.moderate_idea"
ASSESS = "ideas.assess_idea"
BUILD_BALLOT = "ideas.build_ballot"
IMPLEMENT = "ideas.implement_idea"


@dataclass(frozen=True)
class Action:
    """One thing a moderator or staff member can do on an idea (ACTIONS, IdeaModerationView)."""

    name: str
    label: str
    permission: str
    role: str
    target: Status | None = None  # None: the assessment, whose target the form decides

    def available(self, user, idea):
        if not user.has_perm(self.permission, idea):
            return False
        if self.target is None:
            return any(assessment_steps(idea.status, result) is not None for result in ASSESSMENT_RESULTS)
        return can_follow(idea.status, self.target)


ASSESSMENT_RESULTS = (Status.FEASIBLE, Status.NOT_FEASIBLE)
ACTIONS = {
    action.name: action
    for action in (
        Action("publish", _("Publish"), MODERATE, StatusChange.Role.MODERATOR, Status.PUBLISHED),
        Action(
            "request_changes",
            _("Request changes"),
            MODERATE,
            StatusChange.Role.MODERATOR,
            Status.NEEDS_CHANGES,
        ),
        Action("reject", _("Reject"), MODERATE, StatusChange.Role.MODERATOR, Status.REJECTED),
        Action("merge", _("Merge into another idea"), MODERATE, StatusChange.Role.MODERATOR, Status.MERGED),
        Action(
            "start_assessment",
            _("Start assessment"),
            ASSESS,
            StatusChange.Role.STAFF,
            Status.UNDER_ASSESSMENT,
        ),
        Action("assess", _("Save the assessment"), ASSESS, StatusChange.Role.STAFF),
        # The round's lifecycle (ideas/lifecycle.py): the ballot, then implementation of funded ideas.
        Action(
            "put_on_ballot", _("Put on the ballot"), BUILD_BALLOT, StatusChange.Role.STAFF, Status.ON_BALLOT
        ),
        Action(
            "start_implementation",
            _("Start implementation"),
            IMPLEMENT,
            StatusChange.Role.STAFF,
            Status.IN_IMPLEMENTATION,
        ),
        Action("complete", _("Mark completed"), IMPLEMENT, StatusChange.Role.STAFF, Status.COMPLETED),
    )
}


def assessment_steps(current, result):
    """The statuses an idea passes through to reach an assessment result, [] when it already has it, or None
    when the lifecycle does not lead there (e.g. an idea still waiting for moderation)."""
    current, result = Status(current), Status(result)
    if current == result:
        return []
    if can_follow(current, result):
        return [result]
    if can_follow(current, Status.UNDER_ASSESSMENT) and can_follow(Status.UNDER_ASSESSMENT, result):
        return [Status.UNDER_ASSESSMENT, result]
    return None


def moderation_queryset():
    """Ideas as the queue and the exports show them; drafts are the author's own business."""
    return (
        Idea.objects.exclude(status=Status.DRAFT)
        .select_related("round", "area", "category", "author__resident_profile")
        .annotate(
            support_total=Count("supports", distinct=True),
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True), distinct=True),
            author_name=F("author__resident_profile__display_name"),
        )
    )


def status_counts():
    """Ideas per status (drafts left out), in the order of the lifecycle."""
    counts = dict(
        Idea.objects.exclude(status=Status.DRAFT)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [(status, counts[status.value]) for status in Status if counts.get(status.value)]


# Queue -----------------------------------------------------------------------------------------------------


class LocalizedNameChoiceField(django_filters.fields.ModelChoiceField):
    """A choice of area or category named in the admin's language (IdeaFilterSet)."""

    def label_from_instance(self, obj):
        return obj.localized_name()


class LocalizedNameFilter(django_filters.ModelChoiceFilter):
    """Filters ideas by an area or category; ideas point at the default-language rows (IdeaFilterSet)."""

    field_class = LocalizedNameChoiceField


def _default_language_rows(model):
    def queryset(request):
        return model.objects.filter(locale=Locale.get_default())

    return queryset


class IdeaFilterSet(WagtailFilterSet):
    """The queue's filters: status, round, area, category (IdeaIndexView)."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[c for c in Status.choices if c[0] != Status.DRAFT], empty_label=_("All")
    )
    round = django_filters.ModelChoiceFilter(
        label=_("Round"), queryset=BudgetRound.objects.all(), empty_label=_("All")
    )
    area = LocalizedNameFilter(label=_("Area"), queryset=_default_language_rows(Area), empty_label=_("All"))
    category = LocalizedNameFilter(
        label=_("Category"), queryset=_default_language_rows(Category), empty_label=_("All")
    )

    class Meta:
        model = Idea
        fields = ["status", "round", "area", "category"]


class IdeaIndexView(SnippetIndexView):
    """The moderation queue: waiting and oldest first, with counts per status (IdeaViewSet's index)."""

    default_ordering = "submitted_at"
    filterset_class = IdeaFilterSet
    history_url_name = None
    # Formula-like titles and names are neutralised in every export by home/exports.py (CSV and XLSX).
    custom_value_preprocess = {
        **SnippetIndexView.custom_value_preprocess,
        datetime.datetime: {
            **SnippetIndexView.custom_value_preprocess[datetime.datetime],
            "csv": lambda value: timezone.localtime(value).strftime("%Y-%m-%d %H:%M"),
        },
    }

    def stream_csv(self, queryset):
        # The CSV streams after the view has returned, when the admin's language is no longer active; each row
        # is written in it all the same, headings and status labels included.
        language = translation.get_language()
        rows = super().stream_csv(queryset)

        def in_language():
            while True:
                with translation.override(language):
                    row = next(rows, None)
                if row is None:
                    return
                yield row

        return in_language()

    def get_base_queryset(self):
        return moderation_queryset()

    def order_queryset(self, queryset):
        if self.ordering in ("submitted_at", "-submitted_at"):
            # Ideas created before moderation existed have no submission date; they go last either way.
            submitted = F("submitted_at").asc(nulls_last=True)
            if self.ordering.startswith("-"):
                submitted = F("submitted_at").desc(nulls_last=True)
            waiting_first = Case(
                When(status__in=AWAITING_MODERATION, then=Value(0)),
                default=Value(1),
                output_field=models.IntegerField(),
            )
            return queryset.order_by(waiting_first, submitted, "pk")
        return super().order_queryset(queryset)

    @cached_property
    def names(self):
        return {Area: localized_names(Area), Category: localized_names(Category)}

    def _localized(self, model, field):
        def accessor(idea):
            related = getattr(idea, field)
            return self.names[model].get(related.translation_key, related.name)

        return accessor

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="snippet"),
            self._get_title_column("title"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor="get_status_display",
                primary=lambda idea: idea.status in AWAITING_MODERATION,
                sort_key="status",
            ),
            Column("round", label=_("Round"), accessor="round.name", sort_key="round__name"),
            Column("area", label=_("Area"), accessor=self._localized(Area, "area")),
            Column("category", label=_("Category"), accessor=self._localized(Category, "category")),
            NumberColumn("support_total", label=_("Supports"), sort_key="support_total"),
            NumberColumn("open_reports", label=_("Open reports"), sort_key="open_reports"),
            DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
        ]

    def round_page(self, round_id):
        # One page lookup per round rather than per listed idea.
        pages = self.__dict__.setdefault("_round_pages", {})
        if round_id not in pages:
            pages[round_id] = Idea(round_id=round_id).round_page()
        return pages[round_id]

    def get_edit_url(self, instance):
        # The "edit" view of ideas is their moderation page (IdeaViewSet.edit_view).
        if self.user_has_permission("change"):
            return reverse(self.edit_url_name, args=[quote(instance.pk)])
        return None

    def get_list_more_buttons(self, instance):
        buttons = []
        if url := self.get_edit_url(instance):
            buttons.append(Button(_("Moderate"), url=url, icon_name="tasks", priority=10))
        if instance.is_public and (page := self.round_page(instance.round_id)):
            buttons.append(
                Button(_("View on the site"), url=page.idea_url(instance), icon_name="view", priority=20)
            )
        if self.history_url_name and self.user_has_permission("change"):
            history_url = reverse(self.history_url_name, args=[quote(instance.pk)])
            buttons.append(Button(_("History"), url=history_url, icon_name="history", priority=30))
        return buttons

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["status_counts"] = [
            {
                "status": status,
                "label": _("Waiting") if status in AWAITING_MODERATION else status.label,
                "count": count,
                "url": f"{self.index_url}?status={status.value}",
            }
            for status, count in status_counts()
        ]
        context["waiting_count"] = sum(
            item["count"] for item in context["status_counts"] if item["status"] in AWAITING_MODERATION
        )
        context["open_report_count"] = Report.objects.filter(resolved_at__isnull=True).count()
        context["reports_url"] = reverse("ideas_report:index")
        return context


# An idea's moderation page --------------------------------------------------------------------------------


class IdeaModerationView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """An idea's moderation page: details, history, reports, allowed actions; IdeaViewSet's "edit" view."""

    model = Idea
    permission_required = "change"
    template_name = "ideas/admin/idea_moderate.html"
    header_icon = "tasks"
    index_url_name = None
    edit_url_name = None
    history_url_name = None
    breadcrumbs_items = WagtailAdminTemplateMixin.breadcrumbs_items

    def get_base_object_queryset(self):
        return Idea.objects.select_related(
            "round", "area", "category", "author__resident_profile", "merged_into", "responsible_department"
        )

    def get_page_title(self):
        return _("Moderate idea")

    def get_page_subtitle(self):
        return self.object.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": capfirst(Idea._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def available_actions(self):
        return [action for action in ACTIONS.values() if action.available(self.request.user, self.object)]

    def make_form(self, action_name, data=None):
        idea = self.object
        if action_name == "request_changes":
            return ReasonForm(data, kind=Status.NEEDS_CHANGES, prefix=action_name)
        if action_name == "reject":
            return ReasonForm(data, kind=Status.REJECTED, prefix=action_name)
        if action_name == "merge":
            return MergeForm(data, idea=idea, prefix=action_name)
        if action_name == "assess":
            return AssessmentForm(data, idea=idea, prefix=action_name)
        if action_name == "put_on_ballot" and idea.supports.count() < idea.round.minimum_supports:
            return OnBallotForm(data, prefix=action_name)
        return None

    def get_context_data(self, bound_action=None, bound_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        idea = self.object
        actions = []
        for action in self.available_actions():
            form = bound_form if action.name == bound_action else self.make_form(action.name)
            actions.append({"action": action, "form": form})
        edit_url = reverse(self.edit_url_name, args=[quote(idea.pk)])
        context.update(
            {
                "idea": idea,
                "actions": actions,
                "action_url": edit_url,
                "history": StatusChange.objects.filter(idea=idea),
                "images": idea.images.all(),
                "open_reports": idea.reports.filter(resolved_at__isnull=True).select_related(
                    "reporter__resident_profile"
                ),
                "support_count": idea.supports.count(),
                "comment_count": idea.comments.count(),
                "follower_count": idea.follows.count(),
                "area_name": idea.area.localized_name(),
                "category_name": idea.category.localized_name(),
                "author_name": display_name(idea.author),
                "public_url": idea.get_absolute_url(),
                "merged_into_url": reverse(self.edit_url_name, args=[idea.merged_into_id])
                if idea.merged_into_id
                else None,
                "history_url": reverse(self.history_url_name, args=[quote(idea.pk)]),
                "resolve_url_name": "ideas_report:resolve",
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, _("Unknown action."))
            return redirect(request.path)
        if not request.user.has_perm(action.permission, self.object):
            raise PermissionDenied
        if not action.available(request.user, self.object):
            messages.error(
                request,
                _("An idea that is “%(status)s” cannot be changed this way.")
                % {"status": self.object.get_status_display()},
            )
            return redirect(request.path)

        form = self.make_form(action.name, request.POST)
        if form is not None and not form.is_valid():
            messages.error(request, _("Please correct the errors below."))
            return self.render_to_response(self.get_context_data(bound_action=action.name, bound_form=form))
        try:
            self.perform(action, form)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self.render_to_response(self.get_context_data(bound_action=action.name, bound_form=form))

        idea = Idea.objects.get(pk=self.object.pk)
        messages.success(
            request,
            _("“%(title)s” is now “%(status)s”.")
            % {"title": idea.title, "status": idea.get_status_display()},
        )
        return redirect(request.path)

    def perform(self, action, form):
        idea, user = self.object, self.request.user
        if action.name == "assess":
            self.assess(form)
        elif action.name in LIFECYCLE_STEPS:
            reason = form.reason() if form is not None else ""
            LIFECYCLE_STEPS[action.name](idea, user, reason)
        elif action.name == "merge":
            change_status(
                idea,
                action.target,
                user=user,
                role=action.role,
                reason=form.cleaned_data["text"],
                merged_into=form.cleaned_data["target"],
            )
        else:
            reason = form.reason() if form is not None else ""
            change_status(idea, action.target, user=user, role=action.role, reason=reason)

    def assess(self, form):
        """Save the official cost, the explanation and the department, and move the idea to the result
        (through "under assessment" when it is not there yet); all or nothing."""
        idea, user, data = self.object, self.request.user, form.cleaned_data
        result = Status(data["result"])
        steps = assessment_steps(idea.status, result)
        if steps is None:
            raise ValidationError(
                _("An idea that is “%(current)s” cannot become “%(new)s”.")
                % {"current": idea.get_status_display(), "new": result.label}
            )
        with transaction.atomic():
            # Saved first: change_status re-reads the idea and saves it whole.
            Idea.objects.filter(pk=idea.pk).update(
                official_cost=data["official_cost"],
                assessment=data["explanation"],
                responsible_department=data["responsible_department"],
            )
            for status in steps:
                reason = data["explanation"] if status in ASSESSMENT_RESULTS else ""
                idea = change_status(idea, status, user=user, role=StatusChange.Role.STAFF, reason=reason)
            log(
                instance=idea,
                action="ideas.idea.assess",
                user=user,
                data={
                    "result": result.value,
                    "official_cost": str(data["official_cost"])
                    if data["official_cost"] is not None
                    else None,
                    "responsible_department": data["responsible_department"].pk
                    if data["responsible_department"]
                    else None,
                },
            )


# The lifecycle steps of ACTIONS and of the bulk actions below, through the services of ideas/lifecycle.py.
LIFECYCLE_STEPS = {
    "put_on_ballot": lambda idea, user, reason: lifecycle.build_ballot(
        idea.round, [idea], user, reason=reason
    ),
    "start_implementation": lambda idea, user, reason: lifecycle.start_implementation(
        idea.round, user, ideas=[idea]
    ),
    "complete": lambda idea, user, reason: lifecycle.complete(idea.round, [idea], user),
}


# Bulk actions ---------------------------------------------------------------------------------------------


class IdeaStatusBulkAction(SnippetBulkAction):
    """Base of the bulk status changes on the ideas queue (subclasses registered in wagtail_hooks)."""

    models = [Idea]
    target_status = None
    template_name = "ideas/admin/bulk_change_status.html"
    action_priority = 10

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("ideas.view_moderation_queue"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, obj):
        return self.request.user.has_perm(MODERATE, obj)

    def get_reason(self):
        return ""

    def get_execution_context(self):
        return {**super().get_execution_context(), "user": self.request.user, "reason": self.get_reason()}

    @classmethod
    def perform(cls, idea, user, reason):
        change_status(idea, cls.target_status, user=user, role=StatusChange.Role.MODERATOR, reason=reason)

    @classmethod
    def execute_action(cls, objects, user=None, reason="", **kwargs):
        view = kwargs["self"]
        view.failures = []
        done = 0
        for idea in objects:
            try:
                cls.perform(idea, user, reason)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    error = ValidationError(_("You may not take this step in the round's current phase."))
                view.failures.append((idea, error))
            else:
                done += 1
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        # The framework only reports success; the refusals are reported here, one message per idea.
        for idea, error in getattr(self, "failures", []):
            messages.error(self.request, f"“{idea.title}”: {' '.join(error.messages)}")
        if not num_parent_objects:
            return None
        return self.success_message(num_parent_objects)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "action_label": self.display_name,
            "action_button_class": " ".join(self.classes),
        }


class PublishBulkAction(IdeaStatusBulkAction):
    """Bulk "Publish" on the ideas queue (registered in ideas/wagtail_hooks.py)."""

    display_name = _("Publish")
    action_type = "publish"
    aria_label = _("Publish the selected ideas")
    target_status = Status.PUBLISHED

    def success_message(self, count):
        return ngettext("%(count)d idea published.", "%(count)d ideas published.", count) % {"count": count}


class RejectBulkAction(IdeaStatusBulkAction):
    """Bulk "Reject" with one public reason on the ideas queue (registered in ideas/wagtail_hooks.py)."""

    display_name = _("Reject")
    action_type = "reject"
    aria_label = _("Reject the selected ideas")
    target_status = Status.REJECTED
    classes = {"serious"}
    action_priority = 20
    form_class = ReasonForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": Status.REJECTED}

    def form_valid(self, form):
        if not form.reason():
            form.add_error("text", _("Please give a reason; the authors and the public will see it."))
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_reason(self):
        return self.cleaned_form.reason()

    def success_message(self, count):
        return ngettext("%(count)d idea rejected.", "%(count)d ideas rejected.", count) % {"count": count}


class LifecycleBulkAction(IdeaStatusBulkAction):
    """Base of the bulk steps of a round's lifecycle on the ideas queue: each idea through ideas/lifecycle.py,
    asking the step's own rule (registered in ideas/wagtail_hooks.py)."""

    step = ""
    permission = ""

    def check_perm(self, obj):
        return self.request.user.has_perm(self.permission, obj)

    @classmethod
    def perform(cls, idea, user, reason):
        LIFECYCLE_STEPS[cls.step](idea, user, reason)


class OnBallotBulkAction(LifecycleBulkAction):
    """Bulk "Put on the ballot": feasible ideas with enough supports (those below the round's minimum need a
    reason: use the ballot builder at the voting desk for them)."""

    display_name = _("Put on the ballot")
    action_type = "put_on_ballot"
    aria_label = _("Put the selected ideas on the ballot")
    target_status = Status.ON_BALLOT
    step = "put_on_ballot"
    permission = BUILD_BALLOT
    action_priority = 30

    def success_message(self, count):
        return ngettext("%(count)d idea put on the ballot.", "%(count)d ideas put on the ballot.", count) % {
            "count": count
        }


class StartImplementationBulkAction(LifecycleBulkAction):
    """Bulk "Start implementation" of selected (funded) ideas."""

    display_name = _("Start implementation")
    action_type = "start_implementation"
    aria_label = _("Start implementation of the selected ideas")
    target_status = Status.IN_IMPLEMENTATION
    step = "start_implementation"
    permission = IMPLEMENT
    action_priority = 40

    def success_message(self, count):
        return ngettext(
            "%(count)d idea is now in implementation.", "%(count)d ideas are now in implementation.", count
        ) % {"count": count}


class CompleteBulkAction(LifecycleBulkAction):
    """Bulk "Mark completed" of ideas in implementation."""

    display_name = _("Mark completed")
    action_type = "complete"
    aria_label = _("Mark the selected ideas completed")
    target_status = Status.COMPLETED
    step = "complete"
    permission = IMPLEMENT
    action_priority = 50

    def success_message(self, count):
        return ngettext("%(count)d idea marked completed.", "%(count)d ideas marked completed.", count) % {
            "count": count
        }
