"""API of the delivery of funded ideas, read-only (routes: ideas/api/urls.py, `delivery`):

- /api/v1/delivery/: the funded ideas (selected, in implementation, completed) with how their delivery goes:
  state, progress, dates and days late, money allocated and spent, green impact promised and delivered,
  milestones and the municipality's public updates with their photos; `?round=`, `?state=`, `?late=`;
- /api/v1/delivery/{id}/: one funded idea, by the idea's id.

It shows what the public delivery pages (ideas/delivery_views.py) show, read the same way: ideas/delivery.py
`funded_ideas` plus the updates and photos, in a fixed number of queries however many ideas were funded, and an
idea funded before deliveries were followed counts as planned, with its cost to the public budget as its
allocation (as delivery_views.delivery_row shows it). No personal data:
never who posted an update, never the idea's author. Staff change deliveries through ideas/delivery.py only.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from ideas.delivery import funded_ideas
from ideas.filters import RoundFilter
from ideas.models import Delivery, DeliveryPhoto, DeliveryUpdate, Idea
from ideas.models.delivery import IMPACT_FIELDS
from ideas.statuses import Status

from .partners import state_field
from .serializers import lookups
from .views import LanguageMixin

# Not late: nothing planned, planned for today or later, or finished (Delivery.days_late is 0 for these).
UNFINISHED = [state for state in Delivery.State.values if state not in Delivery.FINISHED]


# Amounts in euros as strings with two decimals, like every amount of the API.
MONEY = serializers.DecimalField(max_digits=12, decimal_places=2)


def _today():
    return timezone.localdate()


class GreenImpactSerializer(serializers.Serializer):
    """The green impact of an idea, promised or delivered; null where no figure is given (or recorded yet)."""

    trees_planted = serializers.IntegerField(allow_null=True, help_text=_("Trees planted."))
    area_greened_m2 = serializers.IntegerField(
        allow_null=True, help_text=_("Area greened or unsealed, in m².")
    )
    path_length_m = serializers.IntegerField(allow_null=True, help_text=_("Cycle or foot path, in metres."))
    co2_tonnes_per_year = serializers.DecimalField(
        max_digits=8, decimal_places=2, allow_null=True, help_text=_("CO₂ saved, in tonnes a year.")
    )


class MilestoneSerializer(serializers.Serializer):
    """A step of the delivery: planned and, once reached, actual date, and by how many days it is (or was)
    late."""

    title = serializers.CharField(read_only=True)
    planned_date = serializers.DateField(read_only=True)
    actual_date = serializers.DateField(read_only=True, allow_null=True)
    days_late = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "Reached: days after the planned date it was reached. Not reached: days since the planned date "
            "passed (0 once the delivery is completed or cancelled)."
        ),
    )


class DeliveryPhotoSerializer(serializers.ModelSerializer):
    """A photo of the work (re-encoded on upload: no camera metadata), with its description."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = DeliveryPhoto
        fields = ["url", "alt_text", "width", "height"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        url = photo.file.url
        return request.build_absolute_uri(url) if request is not None else url


class DeliveryUpdateSerializer(serializers.ModelSerializer):
    """A public update from the municipality, newest first. The staff member who posted it stays unnamed."""

    photos = DeliveryPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = DeliveryUpdate
        fields = ["text", "created_at", "photos"]
        read_only_fields = fields


class FundedIdeaSerializer(serializers.ModelSerializer):
    """A funded idea with its delivery. An idea without a delivery record yet counts as planned, with its cost to
    the public budget as its allocation, as on the delivery pages."""

    id = serializers.IntegerField(read_only=True, help_text=_("The idea's id."))
    round = serializers.IntegerField(source="round_id", read_only=True, help_text=_("The round's id."))
    url = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    planned_completion = serializers.SerializerMethodField()
    completed_on = serializers.SerializerMethodField()
    days_late = serializers.SerializerMethodField()
    allocated = serializers.SerializerMethodField()
    final_cost = serializers.SerializerMethodField()
    overrun_reason = serializers.SerializerMethodField()
    cancel_reason = serializers.SerializerMethodField()
    promised_impact = serializers.SerializerMethodField()
    delivered_impact = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    updates = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "title",
            "round",
            "url",
            "status",
            "status_label",
            "state",
            "state_label",
            "progress",
            "planned_completion",
            "completed_on",
            "days_late",
            "allocated",
            "final_cost",
            "overrun_reason",
            "cancel_reason",
            "promised_impact",
            "delivered_impact",
            "milestones",
            "updates",
        ]
        read_only_fields = fields

    def _today(self):
        # One day for the whole response, even across midnight.
        return self.context.setdefault("today", _today())

    def _delivery(self, idea):
        """The delivery funded_ideas() selected with the idea; None while it has no delivery record."""
        try:
            return idea.delivery
        except ObjectDoesNotExist:
            return None

    def _field(self, idea, name, empty=None):
        delivery = self._delivery(idea)
        return empty if delivery is None else getattr(delivery, name)

    def _state(self, idea):
        return Delivery.State(self._field(idea, "state", Delivery.State.PLANNED))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, idea):
        """The idea's page on the website, in the request language."""
        return lookups(self).idea_url(idea)

    def get_status_label(self, idea) -> str:
        return str(Status(idea.status).label)

    @extend_schema_field(state_field(_("Delivery state"), Delivery.State.values))
    def get_state(self, idea):
        return self._state(idea).value

    def get_state_label(self, idea) -> str:
        return str(self._state(idea).label)

    @extend_schema_field(serializers.IntegerField(min_value=0, max_value=100, help_text=_("Per cent done.")))
    def get_progress(self, idea):
        return self._field(idea, "progress", 0)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_planned_completion(self, idea):
        return self._date(self._field(idea, "planned_completion"))

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_completed_on(self, idea):
        return self._date(self._field(idea, "completed_on"))

    @extend_schema_field(
        serializers.IntegerField(
            help_text=_("Days since the planned completion passed without completion; 0 when not late.")
        )
    )
    def get_days_late(self, idea):
        delivery = self._delivery(idea)
        return 0 if delivery is None else delivery.days_late(self._today())

    @extend_schema_field(
        serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            help_text=_("Public money the vote gave the idea, in euros: its cost less confirmed co-funding."),
        )
    )
    def get_allocated(self, idea):
        delivery = self._delivery(idea)
        allocated = (idea.net_cost or Decimal(0)) if delivery is None else delivery.allocated
        return MONEY.to_representation(allocated)

    @extend_schema_field(
        serializers.DecimalField(
            max_digits=12,
            decimal_places=2,
            allow_null=True,
            help_text=_("What the delivery cost in the end, in euros; null until known."),
        )
    )
    def get_final_cost(self, idea):
        cost = self._field(idea, "final_cost")
        return None if cost is None else MONEY.to_representation(cost)

    @extend_schema_field(
        serializers.CharField(help_text=_("Why the final cost is above the allocation; empty otherwise."))
    )
    def get_overrun_reason(self, idea):
        return self._field(idea, "overrun_reason", "")

    @extend_schema_field(
        serializers.CharField(help_text=_("Why the delivery was cancelled; empty otherwise."))
    )
    def get_cancel_reason(self, idea):
        return self._field(idea, "cancel_reason", "")

    @extend_schema_field(GreenImpactSerializer)
    def get_promised_impact(self, idea):
        return GreenImpactSerializer({name: getattr(idea, name) for name in IMPACT_FIELDS}).data

    @extend_schema_field(GreenImpactSerializer)
    def get_delivered_impact(self, idea):
        delivery = self._delivery(idea)
        values = {name: delivery.delivered(name) if delivery else None for name in IMPACT_FIELDS}
        return GreenImpactSerializer(values).data

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_milestones(self, idea):
        delivery = self._delivery(idea)
        if delivery is None:
            return []
        today = self._today()
        milestones = [
            {
                "title": milestone.title,
                "planned_date": milestone.planned_date,
                "actual_date": milestone.actual_date,
                "days_late": milestone.days_late(today),
            }
            for milestone in delivery.milestones.all()
        ]
        return MilestoneSerializer(milestones, many=True).data

    @extend_schema_field(DeliveryUpdateSerializer(many=True))
    def get_updates(self, idea):
        delivery = self._delivery(idea)
        if delivery is None:
            return []
        return DeliveryUpdateSerializer(delivery.updates.all(), many=True, context=self.context).data

    @staticmethod
    def _date(value):
        return None if value is None else value.isoformat()


class StrictBooleanField(forms.NullBooleanField):
    """true or false (also 1 and 0, in any case); anything else is an error rather than silently no filter."""

    # A text input hands the value over as sent; NullBooleanField's select would turn an unknown one into None.
    widget = forms.TextInput
    default_error_messages = {"invalid": _("“%(value)s” is neither true nor false.")}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def validate(self, value):
        pass


class StrictBooleanFilter(django_filters.BooleanFilter):
    """A BooleanFilter (documented as a boolean, with its label) that refuses values other than true and false."""

    field_class = StrictBooleanField


class DeliveryFilter(django_filters.FilterSet):
    """`?round=` (id), `?state=` (a delivery state; planned includes ideas without a delivery record yet) and
    `?late=true|false` (late: the planned completion has passed and the delivery is neither completed nor
    cancelled). An invalid value is a 400 naming the parameter."""

    round = RoundFilter()
    state = django_filters.ChoiceFilter(
        label=_("Delivery state"),
        choices=Delivery.State.choices,
        method="in_state",
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a delivery state; use planned, in_progress, delayed, completed or cancelled."
            )
        },
    )
    late = StrictBooleanFilter(
        label=_("true: only ideas whose planned completion has passed unfinished; false: only the others"),
        method="late_or_not",
    )

    class Meta:
        model = Idea
        fields = ["round", "state", "late"]

    def in_state(self, queryset, name, value):
        matches = Q(delivery__state=value)
        if value == Delivery.State.PLANNED:
            matches |= Q(delivery__isnull=True)
        return queryset.filter(matches)

    def late_or_not(self, queryset, name, value):
        late = Q(delivery__planned_completion__lt=_today(), delivery__state__in=UNFINISHED)
        if value:
            return queryset.filter(late)
        not_late = (
            Q(delivery__isnull=True)
            | Q(delivery__planned_completion__isnull=True)
            | Q(delivery__planned_completion__gte=_today())
            | Q(delivery__state__in=Delivery.FINISHED)
        )
        return queryset.filter(not_late)


FUNDED_IDEA_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The idea's id.")


@extend_schema_view(
    list=extend_schema(
        summary="Funded ideas with their delivery: state, dates, money, green impact, milestones and updates",
        responses={200: FundedIdeaSerializer(many=True)},
    ),
    retrieve=extend_schema(
        summary="One funded idea with its delivery, by the idea's id",
        parameters=[FUNDED_IDEA_ID],
        responses={200: FundedIdeaSerializer},
    ),
)
class DeliveryViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Funded ideas and their delivery, for everyone; an idea that was not funded is not found (404)."""

    serializer_class = FundedIdeaSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeliveryFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema is made without a request: no query.
            return Idea.objects.none()
        photos = Prefetch("photos", queryset=DeliveryPhoto.objects.order_by("pk"))
        updates = DeliveryUpdate.objects.order_by("-created_at", "-pk").prefetch_related(photos)
        return funded_ideas().prefetch_related(Prefetch("delivery__updates", queryset=updates))

    def filter_queryset(self, queryset):
        # The filters make the list; one idea is found by its id only.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)
