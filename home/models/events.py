"""Events: an index per language and the events themselves, with residents' registrations.

Registrations are handled by home/registrations.py (rules) and the routes of EventPage (register, confirm,
cancel); editors list and export them through the viewset in home/wagtail_hooks.py.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from home.blocks import BodyBlock
from home.listing import listing_queryset, paginate

EVENTS_PER_PAGE = 10


class EventIndexPage(Page):
    """Lists the upcoming events of one language (past events on request), soonest first."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.EventPage"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        show_past = request.GET.get("past") == "1"
        events = EventPage.listing(self.locale).child_of(self)
        now = timezone.now()
        events = events.filter(end__lt=now).order_by("-start") if show_past else events.filter(end__gte=now)
        context["show_past"] = show_past
        context["events_page"] = paginate(request, events, EVENTS_PER_PAGE)
        return context

    class Meta:
        verbose_name = _("event index page")
        verbose_name_plural = _("event index pages")


class EventPage(RoutablePageMixin, Page):
    """An event (training, public event, workshop) with time, venue and optional registration."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("Training")
        PUBLIC_EVENT = "public_event", _("Public event")
        WORKSHOP = "workshop", _("Workshop")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone")
        SENIORS = "seniors", _("Seniors")
        YOUTH = "youth", _("Young people")
        FAMILIES = "families", _("Families with children")
        BUSINESSES = "businesses", _("Businesses")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PUBLIC_EVENT)
    audience = models.CharField(
        _("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.CharField(_("address"), max_length=250)
    lead = models.TextField(_("lead"), max_length=400, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(_("image alternative text"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    registration_enabled = models.BooleanField(
        _("registration"), default=True, help_text=_("Residents register on the event page.")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Places available; further registrations go to a waiting list. Empty means no limit."),
    )
    # A budget think-tank workshop: residents discuss a round's budget; staff record its outcomes
    # (ideas/workshops.py) and the round page lists it.
    budget_round = models.ForeignKey(
        "ideas.BudgetRound",
        verbose_name=_("budget round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshops",
        help_text=_("For a workshop: the participatory-budget round it discusses."),
    )
    facilitator = models.CharField(_("facilitator"), max_length=150, blank=True)
    agenda = models.TextField(
        _("agenda"),
        max_length=3000,
        blank=True,
        help_text=_("One item per line, for example “18:00 Welcome”."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("audience")]),
                FieldRowPanel([FieldPanel("start"), FieldPanel("end")]),
                FieldPanel("venue_name"),
                FieldPanel("venue_address"),
            ],
            heading=_("When and where"),
        ),
        MultiFieldPanel(
            [FieldPanel("budget_round"), FieldPanel("facilitator"), FieldPanel("agenda")],
            heading=_("Budget think-tank workshop"),
        ),
        MultiFieldPanel(
            [FieldPanel("registration_enabled"), FieldPanel("capacity")], heading=_("Registration")
        ),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("venue_name"),
        index.SearchField("venue_address"),
        index.SearchField("body"),
        index.FilterField("start"),
    ]

    parent_page_types = ["home.EventIndexPage"]
    subpage_types = []

    @classmethod
    def listing(cls, locale):
        """Live public events of one locale, soonest first, with their images fetched in bulk."""
        return listing_queryset(cls, locale).order_by("start", "pk")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The event cannot end before it starts.")})

    @property
    def registration_event(self):
        """The page registrations are stored against: the default-language original, so that both
        language versions share one list and one capacity."""
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return self
        original = EventPage.objects.filter(
            translation_key=self.translation_key, locale=Locale.get_default()
        ).first()
        return original or self

    @property
    def registration_is_open(self):
        return self.registration_enabled and timezone.now() < self.start

    def confirmed_count(self):
        return self.registration_event.registrations.filter(status=EventRegistration.Status.CONFIRMED).count()

    def places_left(self):
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_count(), 0)

    @path("")
    def event_view(self, request):
        from home.registrations import RegistrationForm, initial_for

        return self.render(
            request, context_overrides={"form": RegistrationForm(initial=initial_for(request.user))}
        )

    @path("register/", name="register")
    def register_view(self, request):
        from home.registrations import register_view

        return register_view(request, self)

    @path("registration/confirm/<path:token>/", name="confirm_registration")
    def confirm_view(self, request, token):
        from home.registrations import confirm_view

        return confirm_view(request, self, token)

    @path("registration/<uuid:token>/cancel/", name="cancel_registration")
    def cancel_view(self, request, token):
        from home.registrations import cancel_view

        return cancel_view(request, self, token)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")


class EventRegistration(models.Model):
    """A resident's place (or waiting-list place) at an event; the cancel link carries the token.

    A registration made on the website starts as PENDING and takes nothing until the registrant opens the
    signed link e-mailed to them (home/registrations.py `confirm`); then it takes a place, or a waiting-list
    position in the order of confirmation (`confirmed_at`). Rows made directly (staff, the demo) default to
    CONFIRMED.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Unconfirmed (e-mail not confirmed)")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    # Registrations that hold a place or a waiting-list position: the attendees staff see and count.
    HOLDING = (Status.CONFIRMED, Status.WAITING)

    event = models.ForeignKey(
        EventPage, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    token = models.UUIDField(_("cancel token"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # When the registrant confirmed their address: the order of the waiting list. Set by save() for rows that
    # skip the e-mail round trip.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last confirmation link e-mailed: no second e-mail within RESEND_AFTER, and stale PENDING rows
    # (no link younger than CONFIRMATION_MAX_AGE) are deleted (home/registrations.py).
    link_sent_at = models.DateTimeField(_("confirmation link sent at"), null=True, blank=True, editable=False)
    # Set by staff after a workshop (ideas/workshops.py); the account, when the registrant was logged in.
    attended = models.BooleanField(_("attended"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )

    def __str__(self):
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        if self.confirmed_at is None and self.status in self.HOLDING:
            self.confirmed_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "confirmed_at"}
        super().save(*args, **kwargs)

    class Meta:
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            # One active registration per e-mail address and event; a cancelled one may be renewed.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="one_active_registration_per_email",
            ),
        ]
