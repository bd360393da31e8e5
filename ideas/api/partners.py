"""API for businesses backing ideas and for budget think-tank workshops (routes: ideas/api/urls.py):

- /api/v1/organisations/: verified organisations with their public details and pledge totals;
- /api/v1/pledges/mine/: the pledges of the organisations the logged-in person acts for, and new ones;
  /api/v1/pledges/{id}/withdraw|confirm|decline|fulfil/: each step of a pledge;
- /api/v1/workshops/: live workshop pages in the request language with their outcomes, never registrants.

Every change goes through ideas/partners/pledges.py, the services the website and the admin call, which check
the django-rules permissions; their refusals become 403 or 400 here through views._front_door.
"""

from decimal import Decimal

import django_filters
from django.conf import settings
from django.db.models import Count, DecimalField, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from home.models import EventPage, EventRegistration
from ideas.filters import MAX_ID, RoundFilter
from ideas.models import Idea, Organisation, Pledge, PledgeChange, VotingCode, WorkshopOutcome
from ideas.partners import pledges as pledge_service
from ideas.partners.organisations import organisations_of

from .serializers import lookups
from .views import LanguageMixin, _front_door

Kind = Pledge.Kind


# Organisations --------------------------------------------------------------------------------------------


def verified_organisations():
    """Verified organisations with the totals of their confirmed and fulfilled pledges, in one query."""
    counted = Q(pledges__state__in=Pledge.COUNTED)
    euros = DecimalField(max_digits=14, decimal_places=2)
    return Organisation.objects.filter(state=Organisation.State.VERIFIED).annotate(
        pledge_total=Count("pledges", filter=counted, distinct=True),
        ideas_backed=Count("pledges__idea", filter=counted, distinct=True),
        money_total=Coalesce(
            Sum("pledges__amount", filter=counted & Q(pledges__kind=Kind.MONEY)),
            Value(Decimal(0)),
            output_field=euros,
        ),
        in_kind_total=Coalesce(
            Sum("pledges__amount", filter=counted & Q(pledges__kind=Kind.IN_KIND)),
            Value(Decimal(0)),
            output_field=euros,
        ),
        volunteer_hours=Coalesce(
            Sum("pledges__hours", filter=counted & Q(pledges__kind=Kind.VOLUNTEERING)),
            Value(0),
            output_field=IntegerField(),
        ),
    )


class OrganisationSerializer(serializers.ModelSerializer):
    """A verified organisation as the public sees it: never its contact person, e-mail, phone, registration
    number, declared interests or representatives. Totals count confirmed and fulfilled pledges."""

    logo = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    pledge_total = serializers.IntegerField(read_only=True, help_text=_("Confirmed and fulfilled pledges."))
    ideas_backed = serializers.IntegerField(read_only=True, help_text=_("Ideas these pledges back."))
    money_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=_("Money pledged, in euros.")
    )
    in_kind_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=_("Value of help in kind, in euros.")
    )
    volunteer_hours = serializers.IntegerField(read_only=True, help_text=_("Volunteer hours pledged."))

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "website",
            "description",
            "logo",
            "url",
            "pledge_total",
            "ideas_backed",
            "money_total",
            "in_kind_total",
            "volunteer_hours",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_logo(self, organisation):
        if not organisation.logo:
            return None
        request = self.context.get("request")
        url = organisation.logo.url
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, organisation):
        """The partner's page on the website, in the request language."""
        return lookups(self).partner_url(organisation)


class IdeaLinkSerializer(serializers.ModelSerializer):
    """An idea named by its id and title, with its page on the website."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = ["id", "title", "url"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, idea):
        return lookups(self).idea_url(idea)


class OrganisationDetailSerializer(OrganisationSerializer):
    """One verified organisation with the public ideas its confirmed and fulfilled pledges back."""

    backed_ideas = serializers.SerializerMethodField()

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "backed_ideas"]
        read_only_fields = fields

    @extend_schema_field(IdeaLinkSerializer(many=True))
    def get_backed_ideas(self, organisation):
        ideas = (
            Idea.objects.public()
            .filter(pledges__organisation=organisation, pledges__state__in=Pledge.COUNTED)
            .distinct()
            .order_by("title", "pk")
        )
        return IdeaLinkSerializer(ideas, many=True, context=self.context).data


@extend_schema_view(
    list=extend_schema(
        summary="Verified organisations backing ideas, with their pledge totals",
        responses={200: OrganisationSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One verified organisation, found by its address name (slug)",
        parameters=[
            OpenApiParameter(
                "slug",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="The organisation's address name.",
            )
        ],
        responses={200: OrganisationDetailSerializer},
    ),
)
class OrganisationViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Verified organisations only: one waiting for verification, refused or suspended is not found (404)."""

    filter_backends = []
    lookup_field = "slug"
    # Slugs are ASCII letters, digits, "-" and "_"; anything else (a NUL byte, a path) is not found.
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        return verified_organisations().order_by("name", "pk")

    def get_serializer_class(self):
        return OrganisationDetailSerializer if self.action == "retrieve" else OrganisationSerializer


# Pledges --------------------------------------------------------------------------------------------------


def state_field(help_text, choices):
    """A state as its code. Documented as a string listing the codes, not as an enum: the schema's enum names
    are derived from field names, and another "state" enum would rename the counts' StateEnum (CountJob)."""
    return serializers.CharField(
        read_only=True, help_text=format_lazy("{} ({})", help_text, ", ".join(choices))
    )


class PledgeOrganisationSerializer(serializers.ModelSerializer):
    """The organisation that made a pledge, with its verification state (its representatives see it)."""

    state = state_field(_("Verification state"), Organisation.State.values)
    state_label = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "state", "state_label"]
        read_only_fields = fields

    def get_state_label(self, organisation) -> str:
        return str(Organisation.State(organisation.state).label)


class PledgeChangeSerializer(serializers.ModelSerializer):
    """One step of a pledge's history: by whom (the organisation or a moderator, never a name), when, why."""

    from_state = state_field(_("State before the step, empty for the offer"), Pledge.State.values)
    to_state = state_field(_("State after the step"), Pledge.State.values)

    class Meta:
        model = PledgeChange
        fields = ["from_state", "to_state", "role", "reason", "created_at"]
        read_only_fields = fields


class PledgeSerializer(serializers.ModelSerializer):
    """A pledge as its organisation's representatives (and moderators) see it, with its history."""

    organisation = PledgeOrganisationSerializer(read_only=True)
    idea = IdeaLinkSerializer(read_only=True)
    kind_label = serializers.SerializerMethodField()
    state = state_field(_("State"), Pledge.State.values)
    state_label = serializers.SerializerMethodField()
    history = PledgeChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Pledge
        fields = [
            "id",
            "organisation",
            "idea",
            "kind",
            "kind_label",
            "amount",
            "hours",
            "description",
            "state",
            "state_label",
            "state_reason",
            "created_at",
            "updated_at",
            "history",
        ]
        read_only_fields = fields

    def get_kind_label(self, pledge) -> str:
        return str(Kind(pledge.kind).label)

    def get_state_label(self, pledge) -> str:
        return str(Pledge.State(pledge.state).label)


WHOLE_ID = _("Give the id as a whole number.")


def _id_field(help_text):
    """An id in a request body: a whole number in the database's range, or a 400 naming the field."""
    return serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=help_text,
        error_messages=dict.fromkeys(("invalid", "max_string_length", "min_value", "max_value"), WHOLE_ID),
    )


# The service's own words (ideas/partners/pledges.py _clean_offer), for values it never gets to see.
AMOUNT_RANGE = _("Enter an amount between 0 and 9,999,999,999.99 euros.")
WHOLE_HOURS = _("Enter a whole number of hours.")
HOURS_RANGE = _("Enter between 1 and 100,000 hours.")


class PledgeCreateSerializer(serializers.Serializer):
    """A new pledge: which organisation (one the person acts for) backs which idea, with what. Whether it may
    (verified, in a phase that takes pledges, no conflict of interest) is decided by offer_pledge."""

    organisation = _id_field(_("The id of an organisation you act for."))
    idea = _id_field(_("The idea's id."))
    kind = serializers.ChoiceField(
        choices=Kind.choices,
        error_messages={"invalid_choice": _("Choose money, in kind or volunteer hours.")},
    )
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=pledge_service.MAX_AMOUNT,
        default=Decimal(0),
        help_text=_("Money given, or the value of what is given in kind, in euros."),
        error_messages={
            "invalid": _("Enter an amount in euros, for example 1500 or 1500.50."),
            "max_string_length": AMOUNT_RANGE,
            "max_digits": AMOUNT_RANGE,
            "max_whole_digits": AMOUNT_RANGE,
            "max_decimal_places": _("Give the amount in euros and cents: at most two decimal places."),
            "min_value": AMOUNT_RANGE,
            "max_value": AMOUNT_RANGE,
        },
    )
    hours = serializers.IntegerField(
        min_value=0,
        max_value=pledge_service.MAX_HOURS,
        default=0,
        help_text=_("Volunteer hours (volunteering only)."),
        error_messages={
            "invalid": WHOLE_HOURS,
            "max_string_length": WHOLE_HOURS,
            "min_value": HOURS_RANGE,
            "max_value": HOURS_RANGE,
        },
    )
    description = serializers.CharField(
        max_length=Pledge._meta.get_field("description").max_length,
        allow_blank=True,
        default="",
        help_text=_("What is offered: needed for help in kind and volunteering."),
        error_messages={"max_length": _("Please keep the description under 1,000 characters.")},
    )

    def validate_organisation(self, value):
        # Verified organisations are public; any other one is known only to its own representatives.
        user = self.context["request"].user
        organisation = (
            Organisation.objects.filter(
                Q(state=Organisation.State.VERIFIED) | Q(pk__in=organisations_of(user))
            )
            .filter(pk=value)
            .first()
        )
        if organisation is None:
            raise serializers.ValidationError(
                _("There is no organisation with the id “%(id)s”.") % {"id": value}
            )
        return organisation

    def validate_idea(self, value):
        user = self.context["request"].user
        idea = Idea.objects.select_related("round").filter(pk=value).first()
        if idea is None or not user.has_perm("ideas.view_idea", idea):
            raise serializers.ValidationError(_("There is no idea with the id “%(id)s”.") % {"id": value})
        return idea


class PledgeReasonSerializer(serializers.Serializer):
    """Why a pledge takes a step: required to decline, optional otherwise; the public sees it."""

    reason = serializers.CharField(max_length=1000, allow_blank=True, default="")


PLEDGE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The pledge's id.")


def _step_schema(summary):
    return extend_schema(
        summary=summary,
        request=PledgeReasonSerializer,
        parameters=[PLEDGE_ID],
        responses={200: PledgeSerializer},
    )


@extend_schema_view(
    retrieve=extend_schema(
        summary="One pledge of an organisation one acts for (moderators: any pledge), with its history",
        parameters=[PLEDGE_ID],
        responses={200: PledgeSerializer},
    )
)
class PledgeViewSet(LanguageMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pledges for the people who act for organisations, and their steps for moderators; each step is the
    service's (ideas/partners/pledges.py), as on the website and in the admin."""

    serializer_class = PledgeSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = []
    lookup_value_regex = r"\d+"

    def _pledges(self):
        return Pledge.objects.select_related("organisation", "idea").prefetch_related("history")

    def get_queryset(self):
        """The pledges this person may look at: their organisations' ones; moderators, who see every pledge in
        the CSR reports, any. Others are not found (404), whatever the step asked for."""
        user = self.request.user
        pledges = self._pledges()
        if user.has_perm("ideas.view_csr_reports"):
            return pledges
        return pledges.filter(organisation__in=organisations_of(user))

    @extend_schema(
        methods=["GET"],
        summary="The pledges of the organisations one acts for, in every state, with their history",
        responses={200: PledgeSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Offer a pledge for an organisation one acts for (it waits for a moderator's confirmation)",
        request=PledgeCreateSerializer,
        responses={201: PledgeSerializer},
    )
    @action(detail=False, methods=["get", "post"])
    def mine(self, request):
        if request.method == "POST":
            return self._offer(request)
        pledges = self._pledges().filter(organisation__in=organisations_of(request.user))
        page = self.paginate_queryset(pledges)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _offer(self, request):
        data = PledgeCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        pledge = _front_door(
            pledge_service.offer_pledge,
            request.user,
            values["organisation"],
            values["idea"],
            kind=values["kind"],
            amount=values["amount"],
            hours=values["hours"],
            description=values["description"],
        )
        return self._read(pledge, status.HTTP_201_CREATED)

    def _read(self, pledge, status_code=status.HTTP_200_OK):
        fresh = self._pledges().get(pk=pledge.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _step(self, request, service):
        pledge = self.get_object()
        data = PledgeReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _front_door(service, request.user, pledge, data.validated_data["reason"])
        return self._read(pledge)

    @_step_schema("Withdraw a pledge of an organisation one acts for")
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, pledge_service.withdraw_pledge)

    @_step_schema("Confirm an offered pledge (moderators, before voting opens)")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(request, pledge_service.confirm_pledge)

    @_step_schema("Decline an offered pledge, with a reason the organisation and the public see (moderators)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._step(request, pledge_service.decline_pledge)

    @_step_schema("Record that a confirmed pledge was delivered (moderators, once the results are out)")
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self._step(request, pledge_service.fulfil_pledge)


# Workshops ------------------------------------------------------------------------------------------------


def workshop_outcomes(pages):
    """The public outcome of each workshop page, by page id: what ideas/workshops.outcome_of gives the round
    page (notes, registrations and attendance without cancelled ones, codes handed out, public ideas entered),
    counted on the default-language original, for a whole page of workshops in six queries however many."""
    pages = list(pages)
    originals = dict(
        EventPage.objects.filter(
            translation_key__in=[page.translation_key for page in pages],
            locale__language_code=settings.LANGUAGE_CODE,
        ).values_list("translation_key", "pk")
    )
    original_of = {page.pk: originals.get(page.translation_key, page.pk) for page in pages}
    event_ids = set(original_of.values())
    notes = dict(WorkshopOutcome.objects.filter(event_id__in=event_ids).values_list("event_id", "notes"))
    registrations = EventRegistration.objects.filter(event_id__in=event_ids).filter(
        status__in=EventRegistration.HOLDING
    )
    counts = {
        row["event_id"]: row
        for row in registrations.values("event_id").annotate(
            registered=Count("pk"), attended=Count("pk", filter=Q(attended=True))
        )
    }
    codes = dict(
        VotingCode.objects.filter(workshop_id__in=event_ids)
        .values("workshop_id")
        .annotate(total=Count("pk"))
        .values_list("workshop_id", "total")
    )
    ideas = {}
    for idea in Idea.objects.public().filter(workshop_id__in=event_ids).order_by("created_at", "pk"):
        ideas.setdefault(idea.workshop_id, []).append(idea)
    outcomes = {}
    for page in pages:
        original = original_of[page.pk]
        count = counts.get(original, {})
        outcomes[page.pk] = {
            "outcome_notes": notes.get(original) or None,
            "registrations": count.get("registered", 0),
            "attended": count.get("attended", 0),
            "codes_handed_out": codes.get(original, 0),
            "ideas": ideas.get(original, []),
        }
    return outcomes


class WorkshopListSerializer(serializers.ListSerializer):
    """Looks up the outcomes of a whole page of workshops at once (workshop_outcomes)."""

    def to_representation(self, data):
        pages = list(data.all() if hasattr(data, "all") else data)
        self.context["workshop_outcomes"] = workshop_outcomes(pages)
        return super().to_representation(pages)


class WorkshopSerializer(serializers.ModelSerializer):
    """A budget think-tank workshop: when, where, who leads it, its agenda and what it produced, as the round
    page shows it. Numbers of people only: never a registrant's or an attendee's name or e-mail address."""

    round = serializers.IntegerField(source="budget_round_id", read_only=True, help_text=_("The round's id."))
    outcome_notes = serializers.SerializerMethodField()
    registrations = serializers.SerializerMethodField()
    attended = serializers.SerializerMethodField()
    codes_handed_out = serializers.SerializerMethodField()
    ideas_entered = serializers.SerializerMethodField()
    ideas = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = EventPage
        list_serializer_class = WorkshopListSerializer
        fields = [
            "id",
            "round",
            "title",
            "lead",
            "start",
            "end",
            "venue_name",
            "venue_address",
            "facilitator",
            "agenda",
            "outcome_notes",
            "registrations",
            "attended",
            "codes_handed_out",
            "ideas_entered",
            "ideas",
            "url",
        ]
        read_only_fields = fields

    def _outcome(self, page):
        outcomes = self.context.get("workshop_outcomes")
        if outcomes is None or page.pk not in outcomes:
            outcomes = self.context["workshop_outcomes"] = workshop_outcomes([page])
        return outcomes[page.pk]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome_notes(self, page):
        return self._outcome(page)["outcome_notes"]

    def get_registrations(self, page) -> int:
        """Registrations not cancelled."""
        return self._outcome(page)["registrations"]

    def get_attended(self, page) -> int:
        return self._outcome(page)["attended"]

    def get_codes_handed_out(self, page) -> int:
        return self._outcome(page)["codes_handed_out"]

    def get_ideas_entered(self, page) -> int:
        """Public ideas entered at the workshop for attendees."""
        return len(self._outcome(page)["ideas"])

    @extend_schema_field(IdeaLinkSerializer(many=True))
    def get_ideas(self, page):
        return IdeaLinkSerializer(self._outcome(page)["ideas"], many=True, context=self.context).data

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, page):
        return page.get_full_url(request=self.context.get("request"))


class WorkshopFilter(django_filters.FilterSet):
    """`?round=` narrows the workshops to one budget round."""

    round = RoundFilter(field_name="budget_round")

    class Meta:
        model = EventPage
        fields = ["round"]


WORKSHOP_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The workshop page's id."
)


@extend_schema_view(
    list=extend_schema(
        summary="Budget think-tank workshops in the request language, soonest first, with their outcomes",
        responses={200: WorkshopSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One workshop page in the request language",
        parameters=[WORKSHOP_ID],
        responses={200: WorkshopSerializer},
    ),
)
class WorkshopViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Live, public event pages of kind "workshop" linked to a round, in the language of the request."""

    serializer_class = WorkshopSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = WorkshopFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema is made without a request (and at `check` time, maybe without tables): no query.
            return EventPage.objects.none()
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return (
            EventPage.objects.live()
            .public()
            .filter(kind=EventPage.Kind.WORKSHOP, budget_round__isnull=False, locale__language_code=language)
            .defer_streamfields()
            .order_by("start", "pk")
        )

    def get_object(self):
        # `?round=` narrows lists only; a workshop is found by its id. The id is digits (lookup_value_regex);
        # one longer than any database id is not found rather than sent to the database, where SQLite
        # could not take it (a page's id is a link to Page, whose lookups do not check the range).
        page_id = self.kwargs["pk"]
        page = None
        if len(page_id) < len(str(MAX_ID)):
            page = self.get_queryset().filter(pk=int(page_id)).first()
        if page is None:
            raise Http404
        return page
