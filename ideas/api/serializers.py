"""Serializers of the public API: what a round, area, category, idea, comment, support, follow and report look
like in JSON, and what a resident may send to create or change them (views: ideas/api/views.py). Organisations,
pledges and workshops: ideas/api/partners.py."""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, Throttled

from ideas.delivery import FUNDED
from ideas.limits import login_lock_seconds
from ideas.models import Area, AreaBudget, BudgetRound, Category, Comment, Idea, IdeaImage, Report
from ideas.models.ideas import RESIDENT_FIELDS
from ideas.models.rounds import localized_names
from ideas.partners import pledges as pledge_service
from ideas.phases import Phase
from ideas.statuses import Status


def default_locale_rows(model):
    """Rows of a translatable snippet in the default language: the ones ideas and budgets point at."""
    return model.objects.filter(locale__language_code=settings.LANGUAGE_CODE)


class RequestLookups:
    """Localized names and round page URLs, looked up once per request however many ideas are shown."""

    def __init__(self, request):
        self.request = request
        self._names = {}
        self._translations = {}
        self._round_pages = {}
        self._partners_page = None

    def name(self, obj):
        """The name of an area or category in the active language."""
        model = type(obj)
        if model not in self._names:
            self._names[model] = localized_names(model)
        return self._names[model].get(obj.translation_key, obj.name)

    def translation(self, obj):
        """The row of an area or category in the active language (the default-language row if none)."""
        model = type(obj)
        if model not in self._translations:
            language = translation.get_language() or settings.LANGUAGE_CODE
            rows = model.objects.filter(locale__language_code=language.split("-")[0])
            self._translations[model] = {row.translation_key: row for row in rows}
        return self._translations[model].get(obj.translation_key, obj)

    def idea_url(self, idea):
        """Like Idea.get_absolute_url(), with the round's page looked up once per round, made absolute."""
        if idea.round_id not in self._round_pages:
            self._round_pages[idea.round_id] = idea.round_page()
        page = self._round_pages[idea.round_id]
        if page is None:
            return None
        page_url = page.get_url(request=self.request)
        if page_url is None:
            return None
        url = page_url + page.reverse_subpage("idea", args=[idea.pk])
        return self.request.build_absolute_uri(url) if self.request is not None else url

    def partner_url(self, organisation):
        """The organisation's page under the partners page of the active language (None without one)."""
        if self._partners_page is None:
            from ideas.models import PartnersPage

            pages = PartnersPage.objects.live().public()
            language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
            self._partners_page = (
                pages.filter(locale__language_code=language).first() or pages.first() or False
            )
        page = self._partners_page
        page_url = page.get_url(request=self.request) if page else None
        if page_url is None:
            return None
        url = page_url + page.reverse_subpage("partner", args=[organisation.slug])
        return self.request.build_absolute_uri(url) if self.request is not None else url


def lookups(serializer):
    """The per-request lookups kept in the serializer's context (created on first use)."""
    context = serializer.context
    if "lookups" not in context:
        context["lookups"] = RequestLookups(context.get("request"))
    return context["lookups"]


def author_name(user):
    """The name a person chose to be shown with; never their e-mail address."""
    if user is None:
        return gettext("former resident")
    profile = getattr(user, "resident_profile", None)
    if profile is not None and profile.display_name:
        return profile.display_name
    return gettext("resident")


# Areas, categories, rounds --------------------------------------------------------------------------------


class AreaSerializer(serializers.ModelSerializer):
    """An area of the municipality, named in the request language."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = ["id", "code", "name"]

    def get_name(self, area) -> str:
        return lookups(self).name(area)


class CategorySerializer(serializers.ModelSerializer):
    """A category of ideas, named and described in the request language."""

    name = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "description"]

    def get_name(self, category) -> str:
        return lookups(self).name(category)

    def get_description(self, category) -> str:
        return lookups(self).translation(category).description


class AreaBudgetSerializer(serializers.ModelSerializer):
    """The part of a round's budget reserved for one area."""

    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area_name = serializers.SerializerMethodField()

    class Meta:
        model = AreaBudget
        fields = ["area", "area_name", "amount"]

    def get_area_name(self, area_budget) -> str:
        return lookups(self).name(area_budget.area)


class BudgetRoundSerializer(serializers.ModelSerializer):
    """A budget round: its money, the phase it is in, and the dates of its phases."""

    current_phase = serializers.SerializerMethodField()
    current_phase_ends = serializers.SerializerMethodField()
    area_budgets = AreaBudgetSerializer(many=True, read_only=True)

    class Meta:
        model = BudgetRound
        fields = [
            "id",
            "name",
            "current_phase",
            "current_phase_ends",
            "submission_starts",
            "review_starts",
            "support_starts",
            "voting_starts",
            "results_published",
            "implementation_starts",
            "total_budget",
            "max_cost_per_idea",
            "minimum_supports",
            "area_budgets",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=[phase.value for phase in Phase]))
    def get_current_phase(self, budget_round):
        return str(self._phase(budget_round))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_current_phase_ends(self, budget_round):
        ends = budget_round.phase_end(self._phase(budget_round))
        return serializers.DateTimeField().to_representation(ends) if ends else None

    def _phase(self, budget_round):
        # One moment for both fields of a round.
        phases = self.context.setdefault("phases", {})
        if budget_round.pk not in phases:
            phases[budget_round.pk] = budget_round.current_phase()
        return phases[budget_round.pk]


# Ideas --------------------------------------------------------------------------------------------------


class CodeNameSerializer(serializers.Serializer):
    """The code of an idea's area or category with its name in the request language."""

    code = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, obj) -> str:
        return lookups(self).name(obj)


class IdeaImageSerializer(serializers.ModelSerializer):
    """A photo or sketch of an idea."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = IdeaImage
        fields = ["url", "alt_text", "width", "height"]

    def get_url(self, image) -> str:
        request = self.context.get("request")
        url = image.file.url
        return request.build_absolute_uri(url) if request is not None else url


class BackerSerializer(serializers.Serializer):
    """An organisation whose confirmed or fulfilled pledge backs an idea ("Backed by …")."""

    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)


def idea_backers(idea):
    """The idea's backers, from the pledges IdeaViewSet prefetched (`counted_pledges`), else from the service."""
    pledges = getattr(idea, "counted_pledges", None)
    if pledges is None:
        return list(pledge_service.backers(idea))
    organisations = {pledge.organisation_id: pledge.organisation for pledge in pledges}
    return sorted(organisations.values(), key=lambda organisation: (organisation.name, organisation.pk))


def delivered_impact(idea, name):
    """The delivered figure of one green impact (ideas/models/delivery.IMPACT_FIELDS) of a funded idea, from the
    `delivery` the view selected with it; None while none is recorded, for an idea not funded, or without a
    delivery yet."""
    if idea.status not in FUNDED:
        return None
    try:
        delivery = idea.delivery
    except ObjectDoesNotExist:
        return None
    return delivery.delivered(name)


INTEGER_OR_NULL = serializers.IntegerField(allow_null=True)
CO2_OR_NULL = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)


class IdeaSerializer(serializers.ModelSerializer):
    """An idea as the public (or its author, or a moderator) sees it, with its co-funding: the confirmed money
    pledges that lower its cost to the public budget (`net_cost`), and the organisations backing it. The green
    impact it promises (`trees_planted` …) and, once funded, what its delivery built (`delivered_trees_planted` …;
    null until recorded)."""

    category = CodeNameSerializer(read_only=True)
    area = CodeNameSerializer(read_only=True)
    status_label = serializers.SerializerMethodField()
    support_count = serializers.SerializerMethodField()
    comment_count = serializers.SerializerMethodField()
    images = IdeaImageSerializer(many=True, read_only=True)
    author_name = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    net_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_(
            "What the idea costs the public budget: its cost less confirmed money pledges, never below 0."
        ),
    )
    backers = serializers.SerializerMethodField()
    delivered_trees_planted = serializers.SerializerMethodField()
    delivered_area_greened_m2 = serializers.SerializerMethodField()
    delivered_path_length_m = serializers.SerializerMethodField()
    delivered_co2_tonnes_per_year = serializers.SerializerMethodField()

    class Meta:
        model = Idea
        fields = [
            "id",
            "round",
            "title",
            "summary",
            "description",
            "category",
            "area",
            "address",
            "latitude",
            "longitude",
            "estimated_cost",
            "official_cost",
            "cofunding",
            "net_cost",
            "backers",
            "assessment",
            "status",
            "status_label",
            "status_reason",
            "merged_into",
            "trees_planted",
            "area_greened_m2",
            "path_length_m",
            "co2_tonnes_per_year",
            "delivered_trees_planted",
            "delivered_area_greened_m2",
            "delivered_path_length_m",
            "delivered_co2_tonnes_per_year",
            "support_count",
            "comment_count",
            "images",
            "author_name",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    def get_status_label(self, idea) -> str:
        return str(Status(idea.status).label)

    def get_support_count(self, idea) -> int:
        total = getattr(idea, "support_total", None)
        return idea.supports.count() if total is None else total

    def get_comment_count(self, idea) -> int:
        total = getattr(idea, "comment_total", None)
        return idea.comments.filter(is_hidden=False).count() if total is None else total

    def get_author_name(self, idea) -> str:
        return author_name(idea.author)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, idea):
        return lookups(self).idea_url(idea)

    @extend_schema_field(BackerSerializer(many=True))
    def get_backers(self, idea):
        return BackerSerializer(idea_backers(idea), many=True).data

    @extend_schema_field(INTEGER_OR_NULL)
    def get_delivered_trees_planted(self, idea):
        return delivered_impact(idea, "trees_planted")

    @extend_schema_field(INTEGER_OR_NULL)
    def get_delivered_area_greened_m2(self, idea):
        return delivered_impact(idea, "area_greened_m2")

    @extend_schema_field(INTEGER_OR_NULL)
    def get_delivered_path_length_m(self, idea):
        return delivered_impact(idea, "path_length_m")

    @extend_schema_field(CO2_OR_NULL)
    def get_delivered_co2_tonnes_per_year(self, idea):
        value = delivered_impact(idea, "co2_tonnes_per_year")
        # As a string with two decimals, like the promised figure.
        return None if value is None else CO2_OR_NULL.to_representation(value)


class IdeaWriteSerializer(serializers.ModelSerializer):
    """What the author of a draft may set; category and area are given by their codes."""

    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=default_locale_rows(Category),
        error_messages={"does_not_exist": _("There is no category with the code “{value}”.")},
    )
    area = serializers.SlugRelatedField(
        slug_field="code",
        queryset=default_locale_rows(Area),
        error_messages={"does_not_exist": _("There is no area with the code “{value}”.")},
    )

    class Meta:
        model = Idea
        fields = RESIDENT_FIELDS
        # The model lets web drafts be saved half-written (ideas/models/ideas.py REQUIRED_TO_SUBMIT); the API
        # keeps asking for the whole idea, as it always did.
        extra_kwargs = {
            "estimated_cost": {
                "required": True,
                "allow_null": False,
                "error_messages": {"min_value": _("The estimated cost cannot be negative.")},
            },
            "summary": {"required": True, "allow_blank": False},
            "description": {"required": True, "allow_blank": False},
        }

    def _current(self, attrs, name):
        if name in attrs:
            return attrs[name]
        return getattr(self.instance, name, None)

    def _budget_round(self, attrs):
        return attrs.get("round") or self.instance.round

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The model's own rules (cost limit of the round, both coordinates or neither), on the idea as it would be.
        idea = Idea(round=self._budget_round(attrs))
        for name in ("estimated_cost", "latitude", "longitude"):
            setattr(idea, name, self._current(attrs, name))
        try:
            idea.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs


class IdeaCreateSerializer(IdeaWriteSerializer):
    """A new draft: the round it is for, and its content."""

    round = serializers.PrimaryKeyRelatedField(
        queryset=BudgetRound.objects.all(),
        error_messages={"does_not_exist": _("There is no budget round with the id “{pk_value}”.")},
    )

    class Meta(IdeaWriteSerializer.Meta):
        fields = ["round", *IdeaWriteSerializer.Meta.fields]

    def validate_round(self, budget_round):
        user = self.context["request"].user
        if not user.has_perm("ideas.add_idea", budget_round):
            raise PermissionDenied(
                _(
                    "You cannot propose an idea in this round: ideas are taken only in its submission "
                    "phase, from residents with a verified e-mail address."
                )
            )
        return budget_round


# Comments and supports ----------------------------------------------------------------------------------


class ReplySerializer(serializers.ModelSerializer):
    """A comment; one removed by a moderator keeps its place but loses its text and author."""

    text = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField()
    is_removed = serializers.BooleanField(source="is_hidden", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "parent", "text", "author_name", "is_official", "is_removed", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_text(self, comment):
        return None if comment.is_hidden else comment.text

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, comment):
        if comment.is_hidden:
            return None
        if comment.is_official:
            return gettext("Municipality")
        return author_name(comment.author)


class CommentSerializer(ReplySerializer):
    """A top-level comment with its replies, oldest first."""

    replies = ReplySerializer(many=True, read_only=True)

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "replies"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    """A new comment, or a reply to a top-level comment of the same idea (ideas/participation.add_comment
    decides which comments may be answered and who may answer officially)."""

    text = serializers.CharField(max_length=3000)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Comment.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("There is no comment with the id “{pk_value}”.")},
    )
    is_official = serializers.BooleanField(
        default=False, help_text=_("The municipality's answer; moderators only, while ideas are moderated.")
    )


class SupportStateSerializer(serializers.Serializer):
    """Whether the resident supports the idea now, and how many residents do."""

    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()


class FollowStateSerializer(serializers.Serializer):
    """Whether the resident follows the idea now (and gets e-mails about it)."""

    following = serializers.BooleanField()


class ReportCreateSerializer(serializers.Serializer):
    """Why an idea or a comment should be looked at by a moderator."""

    reason = serializers.CharField(max_length=Report._meta.get_field("reason").max_length)


class ReportSerializer(serializers.ModelSerializer):
    """A report as its reporter sees it once sent."""

    class Meta:
        model = Report
        fields = ["id", "idea", "comment", "reason", "created_at"]
        read_only_fields = fields


# Tokens -------------------------------------------------------------------------------------------------


class AuthTokenRequestSerializer(serializers.Serializer):
    """E-mail address and password of an active account."""

    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True, style={"input_type": "password"})

    def validate(self, attrs):
        # Through allauth's adapter, like the web login: failures at either door count toward one lockout per
        # account and the failure budget per address (ACCOUNT_RATE_LIMITS["login_failed"]).
        request = self.context["request"]
        http_request = getattr(request, "_request", request)
        adapter = get_adapter(http_request)
        try:
            user = adapter.authenticate(http_request, email=attrs["email"], password=attrs["password"])
        except DjangoValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            locked = Throttled(detail=adapter.error_messages["too_many_login_attempts"])
            locked.wait = login_lock_seconds()  # Retry-After only: the detail stays allauth's own words
            raise locked from None
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to log in with this e-mail address and password."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class AuthTokenSerializer(serializers.Serializer):
    """The token to send as `Authorization: Token <token>`."""

    token = serializers.CharField()
