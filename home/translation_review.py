"""Translations of pages go through the moderators' workflow like any other change (hooks in home/wagtail_hooks.py).

wagtail-localize 1.14 publishes a translation without asking whether the user may publish in two places:

1. "Translate this page" (TranslationCreator.create_translations, wagtail_localize/operations.py) publishes the new
   translated page at once when the source page is live, still in the source language: an editor's click put
   Latvian text live under /en/. WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False (config/settings/base.py,
   the documented switch, see wagtail-localize issue #655) makes it a draft instead.
2. "Update existing translations" has a "Publish immediately" box (UpdateTranslationsView.form_valid) that only
   checks the submit-translation permission, which Editors have. UpdateTranslationsView below keeps the box for
   people who may publish every translated page and disables it for everyone else.

The translation editor shows "Publish" only to people who may publish; it has no way for an editor to hand a
finished translation to the moderators. `submit_for_moderation` is that way: it writes the translated strings
into a new draft revision (Translation.save_target(publish=False)) and starts, restarts or resumes the page's
workflow, so a moderator approves the English page before it goes live.
"""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.models import Page, WorkflowState
from wagtail_localize.models import Translation
from wagtail_localize.views import update_translations

SUBMIT_ACTION = "kopa-submit-translation"


def synced_translation(page):
    """The enabled wagtail-localize Translation whose target is `page`, or None."""
    return (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
        )
        .select_related("source", "target_locale")
        .first()
    )


def submit_for_moderation(request, page, translation):
    """Save the translation as a draft of `page` and send it through the page's workflow; POST only."""
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    live_revision = page.live_revision if page.live else None
    try:
        translation.save_target(user=request.user, publish=False)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(request.get_full_path())
    page = Page.objects.get(pk=page.pk).specific
    if live_revision is not None:
        # save_target also saves the page row, which is what visitors see; a live page keeps its live content
        # until a moderator approves the new revision (as Wagtail's own "Save draft" does).
        restored = live_revision.as_object()
        restored.latest_revision = page.latest_revision
        restored.draft_title = page.draft_title
        restored.has_unpublished_changes = True
        restored.save(clean=False)
        page = restored
    workflow = page.get_workflow()
    if workflow is None:
        messages.success(request, _("The translation was saved as a draft; a moderator can publish it."))
        return redirect(request.get_full_path())
    state = page.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        state.resume(request.user)
    else:
        if state is not None:
            # A new translation replaces the one under review: the moderators see the latest.
            state.cancel(user=request.user)
        workflow.start(page, request.user)  # logs "wagtail.workflow.start" itself
    messages.success(
        request,
        _("The translation was submitted for moderation; it goes live when a moderator approves it."),
    )
    return redirect(request.get_full_path())


def may_publish_translations(user, source):
    """True when `user` may publish every existing translation of the translation source."""
    for translation in source.translations.filter(enabled=True).select_related("target_locale"):
        try:
            instance = translation.get_target_instance()
        except ObjectDoesNotExist:  # not created yet: publishing would create it live
            instance = None
        if isinstance(instance, Page):
            if not instance.permissions_for_user(user).can_publish():
                return False
        elif not user.is_superuser:
            return False
    return True


class UpdateTranslationsView(update_translations.UpdateTranslationsView):
    """wagtail-localize's "Update existing translations" without "Publish immediately" for people who may not
    publish the translated pages (served at its URL by a hook in home/wagtail_hooks.py)."""

    def get_form(self):
        form = super().get_form()
        if not may_publish_translations(self.request.user, self.object):
            field = form.fields["publish_translations"]
            # A disabled field ignores what is posted and keeps its initial value, False.
            field.disabled = True
            field.help_text = _(
                "Only moderators can publish translations. The updates are saved as drafts; open each "
                "translation and submit it for moderation."
            )
        return form
