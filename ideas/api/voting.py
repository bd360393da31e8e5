"""API for the vote: a voter's own ballot in a round (cast or replace it, read its receipt) and published
results with their counted .pb files and receipts. Routes in ideas/api/urls.py; rules enforced by
ideas/voting/casting.py, as on the website. A cast ballot is sealed: nobody, the voter included, can read its
choices back before the count, so GET answers with the receipt only."""

import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.counting import RULES
from ideas.filters import RoundFilter
from ideas.models import BudgetRound, Channel, CountedReceipt, CountJob, RoundResult
from ideas.voting.casting import VoteRefused, cast, current_receipt
from ideas.voting.closing import CannotCount, start_count
from ideas.voting.eligibility import why_not_eligible

from .views import LanguageMixin


class BallotChoiceSerializer(serializers.Serializer):
    """One chosen idea: points on approval and cumulative ballots, the place on ranking ballots."""

    idea = serializers.IntegerField(min_value=1)
    points = serializers.IntegerField(min_value=1, max_value=32767, default=1)


class BallotSerializer(serializers.Serializer):
    """A voter's ballot: the choices going in, the sealed ballot's receipt coming out."""

    choices = BallotChoiceSerializer(many=True, write_only=True, max_length=1000)
    receipt = serializers.CharField(read_only=True, help_text=_("Keep it: counted receipts are published."))
    fingerprint = serializers.CharField(read_only=True, help_text=_("SHA-256 of the sealed ballot."))
    area = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The area whose ballot it is.")
    )


class MyBallotView(LanguageMixin, APIView):
    """GET: the receipt of the logged-in voter's sealed ballot in a round (404 when they have not voted).
    PUT: cast it, or replace it with a new one while the round allows changes."""

    permission_classes = [IsAuthenticated]

    def _voter(self, request, budget_round):
        reason = why_not_eligible(request.user, budget_round)
        if reason:
            raise PermissionDenied(reason)
        return request.user.resident_profile

    def _read(self, receipt):
        return {"receipt": receipt.code, "fingerprint": receipt.fingerprint, "area": receipt.area_id}

    @extend_schema(responses=BallotSerializer)
    def get(self, request, round_id):
        budget_round = get_object_or_404(BudgetRound, pk=round_id)
        profile = self._voter(request, budget_round)
        receipt = current_receipt(budget_round, profile.person_key)
        if receipt is None:
            return Response(
                {"detail": _("You have not voted in this round.")}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(self._read(receipt))

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
            receipt = cast(
                budget_round,
                profile.person_key,
                channel=Channel.ONLINE,
                choices=choices,
                birth_year=profile.confirmed_birth_year,
            )
        except VoteRefused as refused:
            raise ValidationError({"choices": refused.messages}) from refused
        return Response(self._read(receipt))


class CountRequestSerializer(serializers.Serializer):
    """A count asked for by staff: the rule, and the election commission's private key while the box is sealed."""

    rule = serializers.ChoiceField(choices=sorted(RULES))
    private_key = serializers.CharField(
        required=False, allow_blank=True, max_length=4096, write_only=True, trim_whitespace=True
    )


class CountJobSerializer(serializers.ModelSerializer):
    """A count's progress: state, parts done, and the results once it has finished."""

    class Meta:
        model = CountJob
        fields = ["id", "round", "rule", "state", "parts_total", "parts_done", "error", "result_ids"]


class CountRoundView(LanguageMixin, APIView):
    """POST: count a round, as the voting desk does (ideas/voting/closing.start_count: the same checks, the
    opening of a sealed box with the private key, the same audit entry). Staff only (`ideas.count_votes`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CountRequestSerializer, responses={202: CountJobSerializer})
    def post(self, request, round_id):
        budget_round = get_object_or_404(BudgetRound, pk=round_id)
        if not request.user.has_perm("ideas.count_votes", budget_round):
            raise PermissionDenied(_("Only the voting desk's staff count a round, after voting has closed."))
        data = CountRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = start_count(
                budget_round,
                data.validated_data["rule"],
                request.user,
                data.validated_data.get("private_key"),
            )
        except CannotCount as refused:
            raise ValidationError({"detail": [str(refused)]}) from refused
        return Response(CountJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class RoundResultSerializer(serializers.ModelSerializer):
    """A published count: rule, engine, the counted file's SHA-256 and where to download it, outcome and the
    explanation of every idea."""

    area = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The code of the area whose ballots were counted; null for a round counted as a whole."),
    )
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
            "published_at",
        ]

    def get_pb_url(self, result) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/results/{result.pk}/pb/")


class RoundResultFilter(django_filters.FilterSet):
    """`?round=` narrows the results to one budget round."""

    round = RoundFilter()

    class Meta:
        model = RoundResult
        fields = ["round"]


class RoundResultViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Published results, newest first; `?round=` narrows to one round."""

    serializer_class = RoundResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RoundResultFilter

    def get_queryset(self):
        # Only published counts: a count is a private preview for staff until it is published (voting/results.py).
        results = (
            RoundResult.objects.filter(published_at__isnull=False)
            .select_related("area")
            .order_by("-created_at", "-pk")
        )
        # The counted file is large and only the `pb` download sends it; nothing here reads the comparison.
        return results if self.action == "pb" else results.defer("pb_file", "comparison")

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

    @extend_schema(responses={(200, "text/plain"): str})
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        """The fingerprints of every counted ballot of the round, one a line, sorted: find your receipt."""
        result = self.get_object()
        fingerprints = CountedReceipt.objects.filter(round=result.round_id).values_list(
            "fingerprint", flat=True
        )
        return HttpResponse(
            "".join(f"{fp}\n" for fp in fingerprints), content_type="text/plain; charset=utf-8"
        )
