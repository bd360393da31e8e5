"""Published results: an immutable snapshot of one count of a round (or of one area of it).

Made by ideas/voting/results.py (`count_round`, wired to `manage.py count_round`). The snapshot keeps the exact
`.pb` file that was counted and its SHA-256, so anyone can download it and recount it with any Pabulib tool.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultImmutable(Exception):
    """Raised on an attempt to change a stored result; a recount makes a new snapshot instead."""


class RoundResult(models.Model):
    """One count of a round: the rule and engine used, the counted file, the outcome and its explanations.
    Never updated: `save()` refuses an existing row."""

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.PROTECT, related_name="results"
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the whole round was counted at once."),
    )
    rule = models.CharField(_("rule"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    engine_version = models.CharField(_("counting engine version"), max_length=40)
    pb_sha256 = models.CharField(_("SHA-256 of the counted file"), max_length=64)
    pb_file = models.TextField(_("counted file (.pb)"))
    outcome = models.JSONField(_("outcome"), default=dict)
    explanations = models.JSONField(_("explanations"), default=dict)
    created_at = models.DateTimeField(_("counted at"), auto_now_add=True)

    def save(self, *args, **kwargs):
        """Insert only: results are published as they were counted."""
        if not self._state.adding:
            raise ResultImmutable("A stored result cannot be changed; count the round again instead.")
        super().save(*args, **kwargs)

    def __str__(self):
        return (
            f"{self.round} ({self.rule}, {self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.rule
        )

    class Meta:
        verbose_name = _("round result")
        verbose_name_plural = _("round results")
        ordering = ["-created_at", "-pk"]
