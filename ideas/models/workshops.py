"""Outcomes of a budget think-tank workshop (an event of kind "workshop" linked to a round): the notes staff
record. Attendance is on the event's registrations; ideas entered there and codes handed out point to the
event. Written only through ideas/workshops.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkshopOutcome(models.Model):
    """What a workshop produced, in staff's words, shown on the round page beside the workshop."""

    event = models.OneToOneField(
        "home.EventPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="outcome"
    )
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    def __str__(self):
        return str(self.event)

    class Meta:
        verbose_name = _("workshop outcome")
        verbose_name_plural = _("workshop outcomes")
