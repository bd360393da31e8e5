"""Businesses backing residents' ideas (corporate social responsibility): organisations and their
representatives, interests they declare in ideas, and their pledges with each pledge's public history.

All writes go through ideas/partners/organisations.py and ideas/partners/pledges.py; a pledge never changes
who may vote or how a vote counts. Confirmed money pledges lower an idea's cost to the public budget
(Idea.cofunding, Idea.net_cost), which the ballot and the count use.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

registration_number_validator = RegexValidator(
    r"^\d{11}$", _("A Latvian registration number has 11 digits, for example 40003245752.")
)


class Organisation(models.Model):
    """A business (or another organisation) that backs ideas; it may pledge once staff verified it.

    It has no vote and no support of its own: its representatives are residents who keep their own rights.
    Public pages: ideas/partners/views.py (the partners page and a page per partner)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("address name"), max_length=160, unique=True)
    registration_number = models.CharField(
        _("registration number"), max_length=11, unique=True, validators=[registration_number_validator]
    )
    logo = models.ImageField(_("logo"), upload_to="organisations/", blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(
        _("about the organisation"), max_length=1500, blank=True, help_text=_("Shown on the partner's page.")
    )
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("contact e-mail"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    interests = models.TextField(
        _("declared interests"),
        max_length=2000,
        blank=True,
        help_text=_("What the organisation does in the municipality: services, property, contracts."),
    )
    conflicts = models.TextField(
        _("declared conflicts of interest"),
        max_length=2000,
        blank=True,
        help_text=_("Ties to the municipality, its officials or its suppliers that staff should know about."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PENDING)
    state_reason = models.TextField(_("reason"), blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ideas.Representative",
        verbose_name=_("representatives"),
        related_name="organisations",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    def __str__(self):
        return self.name

    @property
    def is_verified(self):
        return self.state == self.State.VERIFIED

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]


class Representative(models.Model):
    """A resident's account that acts for an organisation (makes and withdraws its pledges)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    def __str__(self):
        return f"{self.user}: {self.organisation}"

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_person")
        ]


class DeclaredInterest(models.Model):
    """An organisation's stake in one idea (it would supply it, it owns the land, …). It bars the organisation
    from pledging on that idea until staff review it and record why it is no conflict."""

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Would supply or build it")
        LAND_OWNER = "land_owner", _("Owns the land or building")
        OTHER = "other", _("Other interest")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        CONFLICT = "conflict", _("Conflict: no pledges")
        CLEARED = "cleared", _("No conflict: pledges allowed")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="declared_interests",
    )
    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="declared_interests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("declared"), auto_now_add=True)

    def __str__(self):
        return f"{self.organisation}: {self.idea}"

    class Meta:
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idea"], name="one_interest_per_organisation_and_idea"
            )
        ]


class Pledge(models.Model):
    """What an organisation offers an idea: money, something in kind, or volunteer hours.

    offered → confirmed (by staff) → fulfilled; or withdrawn (by the organisation) / declined (by staff, with a
    reason). Only confirmed and fulfilled money pledges count as co-funding."""

    class Kind(models.TextChoices):
        MONEY = "money", _("Money")
        IN_KIND = "in_kind", _("In kind")
        VOLUNTEERING = "volunteering", _("Volunteer hours")

    class State(models.TextChoices):
        OFFERED = "offered", _("Offered")
        CONFIRMED = "confirmed", _("Confirmed")
        FULFILLED = "fulfilled", _("Fulfilled")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DECLINED = "declined", _("Declined")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="pledges"
    )
    idea = models.ForeignKey(
        "ideas.Idea", verbose_name=_("idea"), on_delete=models.CASCADE, related_name="pledges"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Money given, or the value of what is given in kind."),
    )
    hours = models.PositiveIntegerField(_("volunteer hours"), default=0)
    description = models.TextField(
        _("what is offered"),
        max_length=1000,
        blank=True,
        help_text=_("Needed for in-kind help and volunteering."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OFFERED)
    state_reason = models.TextField(_("reason"), blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("offered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    ACTIVE = (State.OFFERED, State.CONFIRMED, State.FULFILLED)
    COUNTED = (State.CONFIRMED, State.FULFILLED)

    def __str__(self):
        return f"{self.organisation}: {self.get_kind_display()} → {self.idea}"

    @property
    def is_money(self):
        return self.kind == self.Kind.MONEY

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["idea", "state"])]


class PledgeChange(models.Model):
    """One step in a pledge's life, shown in the idea's public history beside its status changes."""

    class Role(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        MODERATOR = "moderator", _("Moderator")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="history"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=Pledge.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=Pledge.State.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    def __str__(self):
        return f"{self.pledge}: {self.from_state} → {self.to_state}"

    class Meta:
        verbose_name = _("pledge change")
        verbose_name_plural = _("pledge changes")
        ordering = ["created_at", "pk"]


class TaxRevenue(models.Model):
    """The municipality's revenue of one year from personal income tax and real estate tax, entered by staff;
    the minimum participatory budget the Local Government Law requires is computed from the last three years
    (ideas/legal_minimum.py)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    personal_income_tax = models.DecimalField(
        _("personal income tax revenue (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    real_estate_tax = models.DecimalField(
        _("real estate tax revenue (EUR)"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    source = models.CharField(
        _("source"), max_length=250, blank=True, help_text=_("For example the annual report.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    def __str__(self):
        return str(self.year)

    @property
    def total(self):
        return self.personal_income_tax + self.real_estate_tax

    class Meta:
        verbose_name = _("tax revenue")
        verbose_name_plural = _("tax revenue")
        ordering = ["-year"]
