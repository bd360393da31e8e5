"""API for the vote: a voter's own ballot in a round (read, cast, change) and published results with their
counted .pb files. Routes in ideas/api/urls.py; rules enforced by ideas/voting/casting.py, as on the website."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.models import Area, Ballot, BallotChoice, BudgetRound, Channel, RoundResult
from ideas.voting import keys
from ideas.voting.casting import VoteRefused, ballot_scope, cast
from ideas.voting.eligibility import why_not_eligible

from .views import LanguageMixin


class BallotChoiceSerializer(serializers.Serializer):
    """One chosen idea: points on approval and cumulative ballots, the place on ranking ballots."""

    idea = serializers.IntegerField()
    points = serializers.IntegerField(min_value=1, default=1)


class BallotSerializer(serializers.Serializer):
    """A voter's ballot: its receipt reference and its choices."""

    area = serializers.SlugField(
        required=False, allow_null=True, help_text=_("Area code, when the round votes by area.")
    )
    reference = serializers.CharField(read_only=True)
    choices = BallotChoiceSerializer(many=True)


class MyBallotView(LanguageMixin, APIView):
    """GET: the logged-in voter's ballot in a round (404 when they have not voted). PUT: cast or change it."""

    permission_classes = [IsAuthenticated]

    def _voter(self, request, budget_round):
        reason = why_not_eligible(request.user, budget_round)
        if reason:
            raise PermissionDenied(reason)
        return request.user.resident_profile

    def _area(self, code):
        if not code:
            return None
        area = Area.objects.filter(code=code, locale__language_code="lv").first()
        if area is None:
            raise ValidationError({"area": [_("There is no area with this code.")]})
        return area

    def _ballot(self, budget_round, person, area):
        try:
            scope = ballot_scope(budget_round, area)
        except VoteRefused as refused:
            raise ValidationError({"area": refused.messages}) from refused
        return Ballot.objects.filter(lookup=keys.ballot_lookup(budget_round.pk, person, scope)).first()

    def _read(self, ballot):
        choices = BallotChoice.objects.filter(ballot=ballot).order_by("idea_id")
        return {
            "area": ballot.area.code if ballot.area_id else None,
            "reference": ballot.reference,
            "choices": [{"idea": choice.idea_id, "points": choice.points} for choice in choices],
        }

    @extend_schema(responses=BallotSerializer)
    def get(self, request, round_id):
        budget_round = get_object_or_404(BudgetRound, pk=round_id)
        profile = self._voter(request, budget_round)
        ballot = self._ballot(budget_round, profile.person_key, self._area(request.query_params.get("area")))
        if ballot is None:
            return Response(
                {"detail": _("You have not voted in this round.")}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(self._read(ballot))

    @extend_schema(request=BallotSerializer, responses=BallotSerializer)
    def put(self, request, round_id):
        budget_round = get_object_or_404(BudgetRound, pk=round_id)
        profile = self._voter(request, budget_round)
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        choices = {}
        for choice in data.validated_data["choices"]:
            if choice["idea"] in choices:
                raise ValidationError({"choices": [_("Each idea may be chosen once.")]})
            choices[choice["idea"]] = choice["points"]
        try:
            ballot = cast(
                budget_round,
                profile.person_key,
                channel=Channel.ONLINE,
                choices=choices,
                area=self._area(data.validated_data.get("area")),
                birth_year=profile.confirmed_birth_year,
            )
        except VoteRefused as refused:
            raise ValidationError({"choices": refused.messages}) from refused
        return Response(self._read(ballot))


class RoundResultSerializer(serializers.ModelSerializer):
    """A published count: rule, engine, the counted file's SHA-256 and where to download it, outcome and the
    explanation of every idea."""

    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    pb_url = serializers.SerializerMethodField()

    class Meta:
        model = RoundResult
        fields = [
            "id",
            "round",
            "area",
            "rule",
            "parameters",
            "engine_version",
            "pb_sha256",
            "pb_url",
            "outcome",
            "explanations",
            "created_at",
        ]

    def get_pb_url(self, result) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/results/{result.pk}/pb/")


class RoundResultViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Published results, newest first; `?round=` narrows to one round."""

    serializer_class = RoundResultSerializer
    filterset_fields = ["round"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return RoundResult.objects.select_related("area").order_by("-created_at", "-pk")

    @extend_schema(responses={(200, "text/plain"): str})
    @action(detail=True, methods=["get"])
    def pb(self, request, pk=None):
        """The exact .pb file that was counted: recount it with `manage.py pabulib count` or any Pabulib tool."""
        result = self.get_object()
        response = HttpResponse(result.pb_file, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="kopa-round-{result.round_id}-result-{result.pk}.pb"'
        )
        return response
