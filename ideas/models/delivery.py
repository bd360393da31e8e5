"""Delivery of funded ideas: what was promised, when, by whom, and what was built.

Staff edit it in the admin (ideas/moderation/delivery.py) through the services in ideas/delivery.py, which write a
`DeliveryEvent` into the idea's public history, the audit log, and e-mail the author and the followers. The public
delivery pages (ideas/delivery_views.py) and the open data (ideas/opendata.py) read these rows.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ideas.templatetags.kopa_format import money

# The promised green impact on Idea and, with this prefix, the delivered one on Delivery.
IMPACT_FIELDS = ["trees_planted", "area_greened_m2", "path_length_m", "co2_tonnes_per_year"]
DELIVERED_PREFIX = "delivered_"


def delivery_photo_path(instance, filename):
    # Random names, as for residents' photos: a file name can carry personal data.
    return f"delivery/{uuid.uuid4().hex}.jpg"


class Delivery(models.Model):
    """How one funded idea is being delivered: state, progress, dates, money and the green impact built.

    Made by ideas/delivery.start_delivery when an idea is funded (the results are published) or when staff first
    open its delivery screen; one per idea."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DELAYED = "delayed", _("Delayed")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", pgettext_lazy("delivery state", "Cancelled")

    idea = models.OneToOneField(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="delivery"
    )
    state = models.CharField(
        _("delivery status"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    allocated = models.DecimalField(
        _("allocated (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("Public money the vote gave the idea: its cost less confirmed co-funding."),
    )
    final_cost = models.DecimalField(
        _("final cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    overrun_reason = models.TextField(
        _("reason for the overrun"),
        blank=True,
        help_text=_("Required when the final cost is above the allocation."),
    )
    cancel_reason = models.TextField(
        _("reason for cancelling"),
        blank=True,
        help_text=_("Required when the delivery is cancelled; shown publicly."),
    )
    delivered_trees_planted = models.PositiveIntegerField(
        _("trees planted (delivered)"), null=True, blank=True
    )
    delivered_area_greened_m2 = models.PositiveIntegerField(
        _("area greened or unsealed, m² (delivered)"), null=True, blank=True
    )
    delivered_path_length_m = models.PositiveIntegerField(
        _("cycle or foot path, m (delivered)"), null=True, blank=True
    )
    delivered_co2_tonnes_per_year = models.DecimalField(
        _("CO₂ saved, t/year (delivered)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    FINISHED = frozenset({State.COMPLETED, State.CANCELLED})

    def clean(self):
        errors = {}
        if self.state == self.State.CANCELLED and not self.cancel_reason.strip():
            errors["cancel_reason"] = _("Say why the delivery is cancelled: residents will read it.")
        if (
            self.final_cost is not None
            and self.final_cost > self.allocated
            and not self.overrun_reason.strip()
        ):
            errors["overrun_reason"] = _(
                "The final cost %(cost)s is above the allocated %(allocated)s: say why."
            ) % {"cost": money(self.final_cost), "allocated": money(self.allocated)}
        if self.state == self.State.COMPLETED and self.completed_on is None:
            errors["completed_on"] = _("Give the date the idea was completed.")
        if errors:
            raise ValidationError(errors)

    def days_late(self, today=None):
        """Days since the planned completion passed without completion (0: not late)."""
        if self.state in self.FINISHED or self.planned_completion is None:
            return 0
        today = today or datetime.date.today()
        return max((today - self.planned_completion).days, 0)

    @property
    def is_late(self):
        return self.days_late() > 0

    @property
    def overrun(self):
        if self.final_cost is None or self.final_cost <= self.allocated:
            return None
        return self.final_cost - self.allocated

    def delivered(self, name):
        return getattr(self, DELIVERED_PREFIX + name)

    def __str__(self):
        return f"{self.idea} ({self.get_state_display()})"

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]


class Milestone(models.Model):
    """A step of a delivery with its planned date and, once reached, the actual one."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("milestone"), max_length=200)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    def days_late(self, today=None):
        """How late it was reached, or, not reached yet, how late it is now. A step never reached of a finished
        (completed or cancelled) delivery is not late: it will not come."""
        if self.actual_date is not None:
            return max((self.actual_date - self.planned_date).days, 0)
        if self.delivery.state in Delivery.FINISHED:
            return 0
        today = today or datetime.date.today()
        return max((today - self.planned_date).days, 0)

    def is_overdue(self, today=None):
        """Planned date passed and not reached yet (and still expected)."""
        return self.actual_date is None and self.days_late(today) > 0

    @property
    def is_late(self):
        return self.is_overdue()

    def __str__(self):
        return self.title

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_date", "pk"]


class DeliveryUpdate(models.Model):
    """A public note from the municipality about the work, with photos. The staff member stays unnamed."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("update"), max_length=3000)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)

    def __str__(self):
        return self.text[:60]

    class Meta:
        verbose_name = _("delivery update")
        verbose_name_plural = _("delivery updates")
        ordering = ["-created_at", "-pk"]


class DeliveryPhoto(models.Model):
    """A photo of the work, re-encoded on upload (ideas/images.clean_image) so that no camera metadata survives."""

    update = models.ForeignKey(
        DeliveryUpdate, verbose_name=_("delivery update"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.ImageField(
        _("photo"), upload_to=delivery_photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(_("description of the photo"), max_length=250)

    def __str__(self):
        return self.alt_text

    class Meta:
        verbose_name = _("delivery photo")
        verbose_name_plural = _("delivery photos")
        ordering = ["pk"]


class DeliveryEvent(models.Model):
    """One delivery step in the idea's public history (ideas/partners/views.idea_history merges them in). `data`
    holds the values the sentence needs, so it is written in the reader's language when shown."""

    class Kind(models.TextChoices):
        STATE = "state", _("Delivery status changed")
        PROGRESS = "progress", _("Progress")
        SCHEDULE = "schedule", _("Planned completion")
        MILESTONE_ADDED = "milestone_added", _("Milestone planned")
        MILESTONE_REACHED = "milestone_reached", _("Milestone reached")
        UPDATE = "update", _("Update")
        COST = "cost", _("Final cost")
        IMPACT = "impact", _("Delivered impact")

    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="delivery_events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    def __str__(self):
        return f"{self.idea_id}: {self.kind}"

    class Meta:
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        ordering = ["created_at", "pk"]
