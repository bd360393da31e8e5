"""Ideas residents propose, their photos, and their public status history."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from ideas.statuses import PUBLIC, Status
from ideas.templatetags.kopa_format import money


def idea_image_path(instance, filename):
    # Random names: a resident's file name can carry personal data.
    return f"ideas/{instance.idea_id}/{uuid.uuid4().hex}.jpg"


# What a resident writes about an idea; the web form and the API both edit exactly these.
RESIDENT_FIELDS = [
    "title",
    "summary",
    "description",
    "category",
    "area",
    "address",
    "latitude",
    "longitude",
    "estimated_cost",
    "trees_planted",
    "area_greened_m2",
    "path_length_m",
    "co2_tonnes_per_year",
]
# What an idea needs before it can be submitted (ideas/services.change_status checks it); a draft needs a title
# only, so that "Save a draft at any time" holds.
REQUIRED_TO_SUBMIT = ["title", "summary", "description", "category", "area", "estimated_cost"]


class IdeaQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def public(self):
        return self.filter(status__in=PUBLIC)

    def for_listing(self):
        """Everything a list or map shows, fetched with a fixed number of queries."""
        return (
            self.select_related("category", "area", "round")
            .annotate(support_total=models.Count("supports", distinct=True))
            .annotate(
                comment_total=models.Count(
                    "comments", filter=models.Q(comments__is_hidden=False), distinct=True
                )
            )
            .prefetch_related(
                models.Prefetch("images", queryset=IdeaImage.objects.order_by("position", "pk"))
            )
        )


class Idea(index.Indexed, models.Model):
    """A resident's proposal for the budget round: what, where, how much, and its way through moderation.

    Public ideas are in the site search's index (home/search.py); drafts and ideas awaiting moderation never are.
    """

    round = models.ForeignKey(
        "ideas.BudgetRound", verbose_name=_("round"), on_delete=models.CASCADE, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        help_text=_("Empty when the author deleted their account."),
    )
    title = models.CharField(_("title"), max_length=120)
    # Blank and null only in drafts: REQUIRED_TO_SUBMIT is checked on submission.
    summary = models.CharField(
        _("summary"), max_length=300, blank=True, help_text=_("One or two sentences shown in lists.")
    )
    description = models.TextField(_("description"), max_length=5000, blank=True)
    category = models.ForeignKey(
        "ideas.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ideas",
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ideas",
    )
    address = models.CharField(_("address or place"), max_length=250, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    estimated_cost = models.DecimalField(
        _("estimated cost (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="lv")

    # Green impact, all optional.
    trees_planted = models.PositiveIntegerField(_("trees planted"), null=True, blank=True)
    area_greened_m2 = models.PositiveIntegerField(_("area greened or unsealed (m²)"), null=True, blank=True)
    path_length_m = models.PositiveIntegerField(_("cycle or foot path (m)"), null=True, blank=True)
    co2_tonnes_per_year = models.DecimalField(
        _("CO₂ saved (t/year)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.TextField(
        _("public reason"), blank=True, help_text=_("Why it was rejected, sent back or found not feasible.")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_ideas",
    )

    # Assessment by staff.
    official_cost = models.DecimalField(
        _("official cost (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    assessment = models.TextField(
        _("assessment"), blank=True, help_text=_("Public explanation of the cost and feasibility.")
    )
    responsible_department = models.ForeignKey(
        "home.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Sum of confirmed money pledges (ideas/partners/pledges.py keeps it; it is frozen once voting opens).
    cofunding = models.DecimalField(
        _("confirmed co-funding (EUR)"), max_digits=12, decimal_places=2, default=0, editable=False
    )

    # An idea staff entered for a resident at a budget think-tank workshop (ideas/workshops.py).
    workshop = models.ForeignKey(
        "home.EventPage",
        verbose_name=_("workshop"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_ideas",
    )
    credited_to = models.CharField(
        _("proposed by"),
        max_length=150,
        blank=True,
        help_text=_("The attendee the idea is credited to, as they agreed to be named."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = IdeaQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("address"),
        index.FilterField("status"),
        index.FilterField("round"),
    ]

    @classmethod
    def get_indexed_objects(cls):
        """Only public ideas are indexed: a draft's text never reaches the search index."""
        return super().get_indexed_objects().filter(status__in=PUBLIC)

    def __str__(self):
        return self.title

    def missing_for_submission(self):
        """The verbose names of the fields a draft still needs before it can be submitted."""
        missing = []
        for name in REQUIRED_TO_SUBMIT:
            value = getattr(self, f"{name}_id" if name in ("category", "area") else name)
            if value is None or (isinstance(value, str) and not value.strip()):
                missing.append(self._meta.get_field(name).verbose_name)
        return missing

    def clean(self):
        """Rules of an idea's content that hold wherever it is edited (web form, API, admin)."""
        super().clean()
        errors = {}
        limit = self.round.max_cost_per_idea if self.round_id else None
        if limit is not None and self.estimated_cost is not None and self.estimated_cost > limit:
            errors["estimated_cost"] = _(
                "An idea in this round may cost at most %(limit)s; the estimate is %(cost)s."
            ) % {"limit": money(limit), "cost": money(self.estimated_cost)}
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = _("Give both the latitude and the longitude of the place, or neither.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return self.status in PUBLIC

    @property
    def cost(self):
        """The official cost once staff assessed the idea, else the author's estimate."""
        return self.official_cost if self.official_cost is not None else self.estimated_cost

    @property
    def net_cost(self):
        """What the idea costs the public budget: its cost less confirmed money pledges, never below zero. The
        ballot, the count and the .pb export use this."""
        cost = self.cost
        if cost is None:
            return None
        return max(cost - (self.cofunding or 0), Decimal(0))

    @property
    def has_location(self):
        return self.latitude is not None and self.longitude is not None

    def round_page(self):
        """The page of this idea's round in the active language (ideas live under it)."""
        from .rounds import BudgetRoundPage

        pages = BudgetRoundPage.objects.live().filter(budget_round_id=self.round_id)
        return pages.filter(locale__language_code=_active_language()).first() or pages.first()

    def get_absolute_url(self):
        page = self.round_page()
        return page.idea_url(self) if page else None

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["round", "status"])]


def _active_language():
    from django.utils.translation import get_language

    return (get_language() or settings.LANGUAGE_CODE).split("-")[0]


class IdeaImage(models.Model):
    """A photo or sketch of an idea, re-encoded on upload so that no camera metadata survives."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(
        _("image"), upload_to=idea_image_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(_("description of the image"), max_length=250)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    def __str__(self):
        return self.alt_text

    class Meta:
        verbose_name = _("idea image")
        verbose_name_plural = _("idea images")
        ordering = ["position", "pk"]


class StatusChange(models.Model):
    """One step of an idea's public history. It records the role that acted, never the staff member's name."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        MODERATOR = "moderator", _("Moderator")
        STAFF = "staff", _("Municipal staff")
        SYSTEM = "system", _("System")

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    def __str__(self):
        return f"{self.idea_id}: {self.from_status} → {self.to_status}"

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
