"""The Wagtail admin works for editors: every page type's editor, the snippets, settings and registrations."""

import pytest
from django.urls import reverse

from home.models import Department, HomePage, SiteText, StandardPage
from tests.factories import PAGE_TYPES, add_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", PAGE_TYPES, ids=lambda model: model.__name__)
def test_edit_view_of_every_page_type_renders(client, editor, model):
    client.force_login(editor)
    page = model.objects.filter(locale__language_code="en").first()
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model", [m for m in PAGE_TYPES if m is not HomePage], ids=lambda model: model.__name__
)
def test_editors_can_open_the_add_form_under_an_allowed_parent(client, editor, model):
    client.force_login(editor)
    parent_model = next(parent for parent in model.allowed_parent_page_models() if parent is not StandardPage)
    parent = parent_model.objects.filter(locale__language_code="lv").first()
    url = reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])
    assert client.get(url).status_code == 200


def test_editor_submitting_an_event_through_the_admin_starts_moderation(client, editor, event_index_lv):
    event = add_event(event_index_lv, slug="admin-event")
    client.force_login(editor)
    edit_url = reverse("wagtailadmin_pages:edit", args=[event.pk])
    form = client.get(edit_url).context["form"]
    data = {name: field.value() for name, field in ((f.name, f) for f in form) if field.value() is not None}
    data.update(
        {
            "title": "Renamed event",
            "start": event.start.strftime("%Y-%m-%d %H:%M"),
            "end": event.end.strftime("%Y-%m-%d %H:%M"),
            "action-submit": "1",
        }
    )
    data.update({"comments-TOTAL_FORMS": 0, "comments-INITIAL_FORMS": 0, "body-count": 0})
    response = client.post(edit_url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    event.refresh_from_db()
    assert event.title == "Test event", "still the published title: the change waits for a moderator"
    assert event.current_workflow_state is not None
    assert event.get_latest_revision_as_object().title == "Renamed event"


@pytest.mark.parametrize("model", [Department, SiteText], ids=lambda model: model.__name__)
def test_snippet_listings_render_for_moderators(client, moderator, model):
    client.force_login(moderator)
    response = client.get(reverse(f"wagtailsnippets_home_{model._meta.model_name}:list"))
    assert response.status_code == 200


def test_site_settings_are_editable_by_moderators_only(client, editor, moderator):
    url = reverse("wagtailsettings:edit", args=["home", "sitesettings"])
    client.force_login(editor)
    assert client.get(url).status_code in (302, 403)
    client.force_login(moderator)
    assert client.get(url).status_code in (200, 302)


def test_registrations_export_as_xlsx(client, editor, event_index_lv):
    from home.registrations import confirm, register

    event = add_event(event_index_lv, slug="xlsx-event")
    confirm(register(event, "Marta", "marta@example.test", "lv"))
    client.force_login(editor)
    response = client.get(reverse("eventregistration:index") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
