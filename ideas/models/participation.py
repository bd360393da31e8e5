"""What residents do with a public idea: comment (one level of replies), support, follow, report."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """A comment on an idea, or a reply to one (one level: ideas/participation.py refuses replies to replies)."""

    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="idea_comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    text = models.TextField(_("comment"), max_length=3000)
    is_official = models.BooleanField(
        _("official answer"), default=False, help_text=_("An answer on behalf of the municipality.")
    )
    is_hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("why hidden"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    def __str__(self):
        return self.text[:60]

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]


class Support(models.Model):
    """A resident's support for an idea in the support phase; one per resident and idea, withdrawable."""

    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="idea_supports",
    )
    created_at = models.DateTimeField(_("given"), auto_now_add=True)

    def __str__(self):
        return f"{self.user_id} → {self.idea_id}"

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_resident")]


class Follow(models.Model):
    """A resident who wants e-mails when an idea's status changes or the municipality answers."""

    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="idea_follows",
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    def __str__(self):
        return f"{self.user_id} → {self.idea_id}"

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="one_follow_per_resident")]


class Report(models.Model):
    """Someone's report that an idea or a comment breaks the rules; moderators resolve it."""

    idea = models.ForeignKey(
        "ideas.Idea",
        verbose_name=_("idea"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("what is wrong"), max_length=1000)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    def __str__(self):
        return self.reason[:60]

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(idea__isnull=False, comment__isnull=True)
                | Q(idea__isnull=True, comment__isnull=False),
                name="report_names_an_idea_or_a_comment",
            )
        ]
