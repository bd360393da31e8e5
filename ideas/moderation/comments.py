"""Comments and reports in the admin: listings, a page for each comment and report, and the hide, unhide and
resolve actions (CommentViewSet and ReportViewSet in viewsets.py). Each action is written to the audit log."""

import django_filters
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, NumberColumn
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import BaseObjectMixin, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from ideas.models import Comment, Report
from ideas.moderation.forms import HideCommentForm

IDEA_PAGE = "wagtailsnippets_ideas_idea:edit"


class ObjectPageView(PermissionCheckedMixin, BaseObjectMixin, WagtailAdminTemplateMixin, TemplateView):
    """Base of the admin page of one comment or report (the "edit" view of CommentViewSet/ReportViewSet)."""

    permission_required = "change"
    index_url_name = None
    edit_url_name = None
    history_url_name = None

    def get_page_subtitle(self):
        return Truncator(str(self.object)).chars(60)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": capfirst(self.model._meta.verbose_name_plural)},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history_url"] = reverse(self.history_url_name, args=[quote(self.object.pk)])
        return context


class ObjectActionView(PermissionCheckedMixin, BaseObjectMixin, View):
    """Base of a POST-only action on one comment or report; goes back to `next` or the object's page."""

    http_method_names = ["post"]
    permission_required = "change"
    edit_url_name = None
    rule = None  # the django-rules permission asked with the object

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(self.rule, self.object):
            raise PermissionDenied
        response = self.perform()
        if response is not None:
            return response
        return redirect(
            get_valid_next_url_from_request(request)
            or reverse(self.edit_url_name, args=[quote(self.object.pk)])
        )

    def perform(self):
        raise NotImplementedError


def resolve_reports(reports, user):
    """Mark reports resolved and log each; used by the resolve action and when a comment is hidden."""
    now = timezone.now()
    for report in reports:
        report.resolved_at = now
        report.save(update_fields=["resolved_at"])
        log(instance=report, action="ideas.report.resolve", user=user)


# Comments -------------------------------------------------------------------------------------------------


def _open_reports_of_comment():
    return Report.objects.filter(comment=OuterRef("pk"), resolved_at__isnull=True)


class CommentFilterSet(WagtailFilterSet):
    """The comment listing's filters: hidden, official, reported (CommentIndexView)."""

    is_hidden = django_filters.BooleanFilter(label=_("Hidden"), widget=BooleanRadioSelect)
    reported = django_filters.BooleanFilter(
        label=_("Has open reports"), method="filter_reported", widget=BooleanRadioSelect
    )
    is_official = django_filters.BooleanFilter(label=_("Official answer"), widget=BooleanRadioSelect)

    def filter_reported(self, queryset, name, value):
        if value is None:
            return queryset
        reported = Exists(_open_reports_of_comment())
        return queryset.filter(reported) if value else queryset.exclude(reported)

    class Meta:
        model = Comment
        fields = ["is_hidden", "reported", "is_official"]


class CommentIndexView(IndexView):
    """All comments, newest first, with their open reports; wired in CommentViewSet."""

    default_ordering = "-created_at"
    filterset_class = CommentFilterSet

    def get_base_queryset(self):
        return Comment.objects.select_related("idea", "author__resident_profile").annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
            author_name=F("author__resident_profile__display_name"),
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column("text"),
            Column("idea", label=_("Idea"), accessor="idea.title"),
            Column("author_name", label=_("Author"), sort_key="author_name"),
            BooleanColumn("is_official", label=_("Official"), sort_key="is_official"),
            BooleanColumn("is_hidden", label=_("Hidden"), sort_key="is_hidden"),
            NumberColumn("open_reports", label=_("Open reports"), sort_key="open_reports"),
            DateColumn("created_at", label=_("Written"), sort_key="created_at"),
        ]

    def get_list_more_buttons(self, instance):
        buttons = []
        if url := self.get_edit_url(instance):
            label = _("Unhide") if instance.is_hidden else _("Hide")
            buttons.append(Button(label, url=url, icon_name="no-view", priority=10))
            buttons.append(
                Button(
                    _("Idea"), url=reverse(IDEA_PAGE, args=[instance.idea_id]), icon_name="tasks", priority=20
                )
            )
        return buttons


class CommentPageView(ObjectPageView):
    """A comment with its idea, reports and hide/unhide form; CommentViewSet's "edit" view."""

    model = Comment
    template_name = "ideas/admin/comment_moderate.html"

    def get_page_title(self):
        return _("Comment")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        comment = self.object
        context.update(
            {
                "comment": comment,
                "author_name": display_name(comment.author),
                "idea_url": reverse(IDEA_PAGE, args=[comment.idea_id]),
                "open_reports": comment.reports.filter(resolved_at__isnull=True).select_related(
                    "reporter__resident_profile"
                ),
                "form": form or HideCommentForm(),
                "hide_url": reverse("ideas_comment:hide", args=[comment.pk]),
                "unhide_url": reverse("ideas_comment:unhide", args=[comment.pk]),
                "can_hide": self.request.user.has_perm("ideas.hide_comment", comment),
            }
        )
        return context


class HideCommentView(CommentPageView):
    """Hides a comment with a reason, resolves its reports, logs "ideas.comment.hide" (CommentViewSet)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        comment = self.object
        if not request.user.has_perm("ideas.hide_comment", comment):
            raise PermissionDenied
        form = HideCommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please say why the comment is hidden."))
            return self.render_to_response(self.get_context_data(form=form))
        with transaction.atomic():
            comment.is_hidden = True
            comment.hidden_reason = form.cleaned_data["reason"]
            comment.save(update_fields=["is_hidden", "hidden_reason"])
            log(
                instance=comment,
                action="ideas.comment.hide",
                user=request.user,
                data={"reason": comment.hidden_reason},
            )
            # Hiding is the answer to the reports about this comment.
            resolve_reports(comment.reports.filter(resolved_at__isnull=True), request.user)
        messages.success(request, _("The comment is hidden."))
        return redirect(
            get_valid_next_url_from_request(request) or reverse(self.edit_url_name, args=[comment.pk])
        )


class UnhideCommentView(ObjectActionView):
    """Shows a hidden comment again and logs "ideas.comment.unhide" (CommentViewSet)."""

    model = Comment
    rule = "ideas.hide_comment"

    def perform(self):
        comment = self.object
        if not comment.is_hidden:
            messages.error(self.request, _("The comment is not hidden."))
            return None
        comment.is_hidden = False
        comment.hidden_reason = ""
        comment.save(update_fields=["is_hidden", "hidden_reason"])
        log(instance=comment, action="ideas.comment.unhide", user=self.request.user)
        messages.success(self.request, _("The comment is visible again."))
        return None


# Reports --------------------------------------------------------------------------------------------------


class ReportFilterSet(WagtailFilterSet):
    """The report listing's filter: open (the default), resolved or all (ReportIndexView)."""

    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All"))],
        empty_label=None,
        method="filter_state",
    )

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(resolved_at__isnull=True)
        if value == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset

    class Meta:
        model = Report
        fields = ["state"]


class ReportIndexView(IndexView):
    """Reports about ideas and comments, open ones by default, oldest first; wired in ReportViewSet."""

    default_ordering = "created_at"
    filterset_class = ReportFilterSet

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"].copy()
        data.setdefault("state", "open")
        kwargs["data"] = data
        return kwargs

    def get_base_queryset(self):
        return Report.objects.select_related("idea", "comment__idea", "reporter__resident_profile").annotate(
            reporter_name=F("reporter__resident_profile__display_name")
        )

    @cached_property
    def columns(self):
        return [
            self._get_title_column("reason"),
            Column("target", label=_("About"), accessor=_target_label),
            Column("reporter_name", label=_("Reported by"), sort_key="reporter_name"),
            DateColumn("created_at", label=_("Reported"), sort_key="created_at"),
            DateColumn("resolved_at", label=_("Resolved"), sort_key="resolved_at"),
        ]

    def get_list_more_buttons(self, instance):
        buttons = []
        if url := self.get_edit_url(instance):
            label = _("Open") if instance.resolved_at else _("Resolve")
            buttons.append(Button(label, url=url, icon_name="tasks", priority=10))
            buttons.append(
                Button(_("Go to it"), url=_target_admin_url(instance), icon_name="view", priority=20)
            )
        return buttons


def _target_label(report):
    if report.comment_id:
        return _("Comment on “%(title)s”") % {"title": report.comment.idea.title}
    return _("Idea “%(title)s”") % {"title": report.idea.title}


def _target_admin_url(report):
    if report.comment_id:
        return reverse("ideas_comment:edit", args=[report.comment_id])
    return reverse(IDEA_PAGE, args=[report.idea_id])


class ReportPageView(ObjectPageView):
    """A report with what it is about and its resolve button; ReportViewSet's "edit" view."""

    model = Report
    template_name = "ideas/admin/report_detail.html"

    def get_page_title(self):
        return _("Report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        context.update(
            {
                "report": report,
                "reporter_name": display_name(report.reporter),
                "target_label": _target_label(report),
                "target_url": _target_admin_url(report),
                "resolve_url": reverse("ideas_report:resolve", args=[report.pk]),
            }
        )
        return context


class ResolveReportView(ObjectActionView):
    """Marks a report resolved and logs "ideas.report.resolve" (ReportViewSet)."""

    model = Report
    rule = "ideas.view_moderation_queue"

    def perform(self):
        if self.object.resolved_at is not None:
            messages.error(self.request, _("The report was already resolved."))
            return None
        resolve_reports([self.object], self.request.user)
        messages.success(self.request, _("The report is resolved."))
        return None


def display_name(user):
    """The name a resident chose for the site (never their e-mail address); also used by ideas.py."""
    if user is None:
        return _("(account deleted)")
    profile = getattr(user, "resident_profile", None)
    # Without a profile the username may be derived from the e-mail address, which stays private.
    return profile.display_name if profile else _("Resident #%(id)s") % {"id": user.pk}
