"""Reusable texts moderators pick when they reject an idea or send it back for changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import TranslatableMixin


class ReasonTemplate(TranslatableMixin, models.Model):
    """A standard reason in one language, edited by staff as a snippet (ideas/wagtail_hooks.py)."""

    class Kind(models.TextChoices):
        REJECT = "rejected", _("Rejection")
        NEEDS_CHANGES = "needs_changes", _("Request for changes")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    kind = models.CharField(_("used for"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=1000)

    panels = [FieldPanel("kind"), FieldPanel("title"), FieldPanel("text")]

    def __str__(self):
        return self.title

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("reason template")
        verbose_name_plural = _("reason templates")
        ordering = ["kind", "title"]
