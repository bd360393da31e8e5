"""Paper ballots typed in by staff: one staff member enters a ballot, a second one confirms it against the paper
before it is counted (ideas/voting/paper.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaperBallotEntry(models.Model):
    """A paper ballot as typed in. Paper ballots carry no name, so neither does this: the voter was entered in
    the register at the polling place, separately."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    polling_place = models.ForeignKey(
        "ideas.PollingPlace",
        verbose_name=_("polling place"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Emptied once confirmed: the ballot then lives sealed in the box, and the paper is the record.
    choices = models.JSONField(_("choices"), help_text=_("Idea id → points or place."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)

    def __str__(self):
        return f"{self.round_id}: {self.get_state_display()}"

    class Meta:
        verbose_name = _("paper ballot")
        verbose_name_plural = _("paper ballots")
