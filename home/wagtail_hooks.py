"""Wagtail admin registration of the website app: snippets, site settings and event registrations."""

import django_filters
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from home import translation_review
from home.models import Department, EventRegistration, SiteSettings, SiteText

settings_registry.register(SiteSettings, icon="cog")


class DepartmentViewSet(SnippetViewSet):
    """Departments that author news, translated like pages."""

    model = Department
    icon = "group"
    list_display = ["name", "email", "locale"]
    search_fields = ["name"]


class SiteTextViewSet(SnippetViewSet):
    """The site name, tagline and footer text of each language."""

    model = SiteText
    icon = "doc-full"
    list_display = ["site_name", "locale"]


class WebsiteSnippetGroup(SnippetViewSetGroup):
    items = (DepartmentViewSet, SiteTextViewSet)
    menu_label = _("Website texts")
    menu_icon = "folder-open-inverse"
    menu_order = 300


class EventRegistrationFilterSet(WagtailFilterSet):
    """Filters of the registrations listing. Without a status chosen, unconfirmed registrations (whose
    registrant has not opened the e-mailed link, home/registrations.py) are left out: they are not attendees."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=EventRegistration.Status.choices,
        empty_label=_("All but unconfirmed"),
    )

    class Meta:
        model = EventRegistration
        fields = ["status", "event", "language"]


class EventRegistrationIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("event")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        valid = self.filters is not None and self.filters.is_valid()
        if not (valid and self.filters.form.cleaned_data.get("status")):
            queryset = queryset.exclude(status=EventRegistration.Status.PENDING)
        return queryset


class EventRegistrationViewSet(ModelViewSet):
    """Registrations for events: editors list, filter, search and export them (CSV or XLSX). The listing and
    its export leave unconfirmed registrations out unless the status filter asks for them."""

    model = EventRegistration
    icon = "user"
    menu_label = _("Event registrations")
    list_display = ["name", "email", "event", "status", "language", "created_at", "confirmed_at"]
    filterset_class = EventRegistrationFilterSet
    list_export = [
        "event",
        "name",
        "email",
        "status",
        "language",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]
    export_filename = "event-registrations"
    search_fields = ["name", "email"]
    ordering = ["-created_at"]
    inspect_view_enabled = True
    # Status changes go through cancel(), which promotes the waiting list; only contact data is editable.
    form_fields = ["name", "email"]

    index_view_class = EventRegistrationIndexView


class EventsAdminGroup(ModelViewSetGroup):
    items = (EventRegistrationViewSet,)
    menu_label = _("Events")
    menu_icon = "date"
    menu_order = 310


@hooks.register("register_admin_viewset")
def register_website_viewsets():
    return [WebsiteSnippetGroup(), EventsAdminGroup()]


# Translations go through the moderators' workflow (home/translation_review.py) --------------------------------


@hooks.register("before_edit_page", order=-1)
def submit_translation_for_moderation(request, page):
    """Runs before wagtail-localize's own hook, which shows the translation editor for a synced translation."""
    if request.method == "POST" and translation_review.SUBMIT_ACTION in request.POST:
        translation = translation_review.synced_translation(page)
        if translation is not None:
            return translation_review.submit_for_moderation(request, page, translation)
    return None


@hooks.register("register_admin_urls", order=-1)
def guard_update_translations():
    # Registered before wagtail-localize's URLs, so this view answers at its "update translations" address.
    return [
        path(
            "localize/update/<int:translation_source_id>/",
            translation_review.UpdateTranslationsView.as_view(),
            name="kopa_update_translations",
        )
    ]
