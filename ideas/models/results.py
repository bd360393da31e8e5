"""Published results: an immutable snapshot of one count of a round (or of one area of it).

Made by ideas/voting/results.py (`count_round`, wired to `manage.py count_round`). The snapshot keeps the exact
`.pb` file that was counted and its SHA-256, so anyone can download it and recount it with any Pabulib tool, and
what the public results page shows from it (`comparison`), so that the page never recounts.
"""

from django.conf import settings
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
    # What the results page shows beside the outcome, computed once at the count (ideas/voting/comparison.py):
    # Equal Shares and greedy side by side, each idea's counted costs, participation. Empty: the page computes it
    # for each view without storing it (ideas/voting/results_page.page_data).
    comparison = models.JSONField(_("comparison"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("counted at"), auto_now_add=True)
    # Empty: a private preview that staff check at the voting desk; residents see only published results.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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


class CountJob(models.Model):
    """Staff asked for a round to be counted from the voting desk (ideas/moderation/voting.py); the work runs as
    a background task (ideas/voting/count_jobs.py) and this row shows its progress and, at the end, its results."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Counting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="count_jobs"
    )
    rule = models.CharField(_("rule"), max_length=40)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    parts_total = models.PositiveSmallIntegerField(_("parts to count"), default=1)
    parts_done = models.PositiveSmallIntegerField(_("parts counted"), default=0)
    current_part = models.CharField(_("counting now"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    result_ids = models.JSONField(_("results"), default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self):
        return round(100 * self.parts_done / self.parts_total) if self.parts_total else 100

    def __str__(self):
        return f"{self.round} ({self.get_state_display()})"

    class Meta:
        verbose_name = _("count job")
        verbose_name_plural = _("count jobs")
        ordering = ["-created_at", "-pk"]
