"""An editor's translation goes live only after a moderator approves it (home/translation_review.py):
"Translate this page" makes a draft, the editor submits it for moderation, nothing Latvian appears under /en/."""

import polib
import pytest
from django.test import Client, TestCase
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import Translation

from tests.factories import add_news

pytestmark = pytest.mark.django_db

LATVIAN = {"Jauns soliņš parkā": "A new bench in the park", "Parkā uzstādīts jauns soliņš.": "A new bench."}


def committed(function, *args, **kwargs):
    # wagtail-localize publishes on commit; run those callbacks as a real request's commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return function(*args, **kwargs)


@pytest.fixture
def live_latvian_page(news_index_lv):
    [page] = add_news(news_index_lv, 1, title="Jauns soliņš parkā")
    page.lead = "Parkā uzstādīts jauns soliņš."
    page.save_revision().publish()
    return page


@pytest.fixture
def translated_by_editor(client, editor, live_latvian_page, en):
    """The editor clicks "Translate this page" → English, as the admin's form posts it."""
    client.force_login(editor)
    response = committed(
        client.post,
        reverse("wagtail_localize:submit_page_translation", args=[live_latvian_page.id]),
        {"locales": [en.id]},
    )
    assert response.status_code == 302
    english = Page.objects.get(translation_key=live_latvian_page.translation_key, locale=en).specific
    return english


def fill_in_english(english):
    translation = Translation.objects.get(
        source__object_id=english.translation_key, target_locale=english.locale
    )
    po = polib.pofile(str(translation.export_po()))
    for entry in po:
        entry.msgstr = LATVIAN.get(entry.msgid, entry.msgid)
    translation.import_po(po)
    return translation


def anonymous_status(url):
    return Client().get(url).status_code


def test_translate_this_page_makes_a_draft_not_a_live_latvian_copy(translated_by_editor):
    english = translated_by_editor
    english.refresh_from_db()
    assert english.url.startswith("/en/")
    assert not english.live, "the translation must not go live in Latvian"
    assert anonymous_status(english.url) == 404


def test_the_editor_cannot_publish_the_translation_directly(client, translated_by_editor):
    english = translated_by_editor
    fill_in_english(english)
    edit_url = reverse("wagtailadmin_pages:edit", args=[english.id])

    page = client.get(edit_url)
    assert page.status_code == 200
    assert "kopa-submit-translation" in page.content.decode()

    response = committed(client.post, edit_url, {"action": "publish"})
    assert response.status_code in (302, 403)
    english.refresh_from_db()
    assert not english.live
    assert anonymous_status(english.url) == 404


def test_the_editor_submits_and_a_moderator_approves_the_translation(
    client, editor, moderator, translated_by_editor
):
    english = translated_by_editor
    fill_in_english(english)
    edit_url = reverse("wagtailadmin_pages:edit", args=[english.id])

    response = committed(client.post, edit_url, {"kopa-submit-translation": "1"})

    assert response.status_code == 302
    english.refresh_from_db()
    assert not english.live
    assert anonymous_status(english.url) == 404
    state = english.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert state.current_task_state.revision.as_object().title == "A new bench in the park"
    task_state = state.current_task_state
    assert not task_state.task.specific.get_actions(english, editor), "editors cannot approve their own work"

    committed(task_state.task.specific.on_action, task_state, moderator, "approve")

    english.refresh_from_db()
    assert english.live
    response = Client().get(english.url)
    assert response.status_code == 200
    assert "A new bench in the park" in response.content.decode()
    assert "Jauns soliņš parkā" not in response.content.decode().split("<main", 1)[-1]


def test_an_editors_update_of_a_live_translation_waits_for_approval(client, moderator, translated_by_editor):
    english = translated_by_editor
    translation = fill_in_english(english)
    committed(translation.save_target, user=moderator, publish=True)
    english.refresh_from_db()
    assert english.live and english.title == "A new bench in the park"

    po = polib.pofile(str(translation.export_po()))
    for entry in po:
        if entry.msgid == "Jauns soliņš parkā":
            entry.msgstr = "A brand-new bench"
    translation.import_po(po)
    committed(
        client.post, reverse("wagtailadmin_pages:edit", args=[english.id]), {"kopa-submit-translation": "1"}
    )

    english.refresh_from_db()
    assert english.title == "A new bench in the park", "the live page keeps its approved text until approval"
    assert english.has_unpublished_changes
    assert "A new bench in the park" in Client().get(english.url).content.decode()


def test_update_translations_does_not_let_an_editor_publish(client, translated_by_editor, live_latvian_page):
    english = translated_by_editor
    translation = fill_in_english(english)
    url = reverse("wagtail_localize:update_translations", args=[translation.source_id])

    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].fields["publish_translations"].disabled

    response = committed(client.post, url, {"publish_translations": "on"})

    assert response.status_code == 302
    english.refresh_from_db()
    assert not english.live
    assert anonymous_status(english.url) == 404
