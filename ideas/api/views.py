"""Views of the public API /api/v1/ (routes: ideas/api/urls.py; JSON shapes: ideas/api/serializers.py).

Who may do what is asked of django-rules (`user.has_perm("ideas.support_idea", idea)`, ideas/rules.py); status
changes go through ideas/services.py; supports, follows, comments and reports go through ideas/participation.py
(the same functions as the website's), whose refusals become 401, 403 or 400 here, and their speed limits
(ideas/limits.py Limited, also raised by ballot changes) 429 with Retry-After in every view of LanguageMixin; the
list of ideas is filtered and ordered by ideas/filters.py, like the residents' list on the website.
"""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from ideas import participation
from ideas.filters import IdeaFilter
from ideas.limits import Limited, client_address
from ideas.models import Area, BudgetRound, Category, Comment, Idea, Pledge, StatusChange, Support
from ideas.services import change_status
from ideas.statuses import Status

from . import serializers as api
from .schema import ApiSchema

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class LanguageMixin:
    """Answers in the language of `?lang=`, else of the Accept-Language header (the API has no /en/ prefix)."""

    schema = ApiSchema()
    default_language = None  # None: Accept-Language, then the site's default language
    reject_unknown_language = True

    def initial(self, request, *args, **kwargs):
        requested = request.query_params.get("lang")
        if requested in LANGUAGE_CODES:
            language = requested
        else:
            language = self.default_language or translation.get_language_from_request(
                request._request, check_path=False
            )
        self._previous_language = translation.get_language()
        # Activated, not overridden: the response is rendered after the view returns; finalize_response
        # restores the previous language once it is.
        translation.activate(language)
        request.LANGUAGE_CODE = language
        # Authentication, permissions and throttling first: an unknown language is no way around them.
        super().initial(request, *args, **kwargs)
        if requested and requested not in LANGUAGE_CODES and self.reject_unknown_language:
            raise ValidationError(
                {"lang": [_("Unknown language “%(lang)s”; use lv or en.") % {"lang": requested}]}
            )

    def handle_exception(self, exc):
        if isinstance(exc, Limited):
            # A resident's speed limit (ideas/limits.py): 429 with Retry-After and the message to wait.
            throttled = Throttled(detail=exc.message)
            throttled.wait = exc.retry_after  # Retry-After only: the detail already says how long
            exc = throttled
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        if hasattr(self, "_previous_language"):
            previous = self._previous_language
            if hasattr(response, "add_post_render_callback"):
                response.add_post_render_callback(lambda rendered: _restore_language(previous))
            else:
                _restore_language(previous)
        return response


def _restore_language(language):
    if language is None:
        translation.deactivate_all()
    else:
        translation.activate(language)


class BudgetRoundViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Budget rounds with their phases and budgets."""

    queryset = BudgetRound.objects.prefetch_related("area_budgets__area")
    serializer_class = api.BudgetRoundSerializer
    filter_backends = []


class AreaViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Areas of the municipality, found by their code."""

    queryset = api.default_locale_rows(Area)
    serializer_class = api.AreaSerializer
    filter_backends = []
    pagination_class = None
    lookup_field = "code"


class CategoryViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Categories of ideas, found by their code."""

    queryset = api.default_locale_rows(Category)
    serializer_class = api.CategorySerializer
    filter_backends = []
    pagination_class = None
    lookup_field = "code"


IDEA_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The idea's id.")


def _front_door(action, *args, **kwargs):
    """Run an action of ideas/participation.py; its refusal becomes the API's 401, 403 or 400 with its message."""
    try:
        return action(*args, **kwargs)
    except participation.LoginRequired as refusal:
        raise NotAuthenticated(refusal.message) from refusal
    except participation.Refused as refusal:
        raise PermissionDenied(refusal.message) from refusal
    except participation.Invalid as error:
        raise ValidationError(error.message_dict) from error


@extend_schema_view(
    list=extend_schema(summary="Public ideas, filtered and ordered like the list on the website"),
    retrieve=extend_schema(
        summary="One idea: public ones for everyone, drafts for their author", parameters=[IDEA_ID]
    ),
)
class IdeaViewSet(
    LanguageMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Ideas: the public list, one idea, drafts of verified residents, submitting, supporting, following,
    reporting."""

    queryset = Idea.objects.all()
    serializer_class = api.IdeaSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = IdeaFilter

    def get_queryset(self):
        ideas = (
            Idea.objects.for_listing()
            # The delivery gives funded ideas their delivered green impact (IdeaSerializer), in the same query.
            .select_related("author__resident_profile", "delivery")
            # The backers of every idea on the page in one query (IdeaSerializer.backers).
            .prefetch_related(
                Prefetch(
                    "pledges",
                    queryset=Pledge.objects.filter(state__in=Pledge.COUNTED).select_related("organisation"),
                    to_attr="counted_pledges",
                )
            )
        )
        return ideas.public() if self.action == "list" else ideas

    def filter_queryset(self, queryset):
        # The filters (and their default of listed statuses) make the list; a single idea is found by id only.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        idea = super().get_object()
        if not self.request.user.has_perm("ideas.view_idea", idea):
            raise Http404
        return idea

    def _read(self, idea, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=idea.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(
        summary="Start a draft (verified residents, while the round takes ideas)",
        request=api.IdeaCreateSerializer,
        responses={201: api.IdeaSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = api.IdeaCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        # The website's idea form counts a new idea the same way (ideas/views.py _idea_form).
        participation.count_new_idea(request.user, address=client_address(request))
        idea = serializer.save(author=request.user, status=Status.DRAFT, language=request.LANGUAGE_CODE)
        return self._read(idea, status.HTTP_201_CREATED)

    @extend_schema(summary="Change one's own draft", request=api.IdeaWriteSerializer, parameters=[IDEA_ID])
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some fields of one's own draft", request=api.IdeaWriteSerializer, parameters=[IDEA_ID]
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    def _update(self, request, partial):
        idea = self.get_object()
        if not request.user.has_perm("ideas.change_idea", idea):
            raise PermissionDenied(
                _(
                    "Only the author can change an idea, and only while it is a draft or sent back for "
                    "changes and the round allows it."
                )
            )
        serializer = api.IdeaWriteSerializer(
            idea, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return self._read(idea)

    @extend_schema(summary="Send one's own draft to the moderators", request=None, parameters=[IDEA_ID])
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        idea = self.get_object()
        if not request.user.has_perm("ideas.submit_idea", idea):
            raise PermissionDenied(
                _(
                    "Only the author can submit an idea, and only while it is a draft or sent back for "
                    "changes and the round allows it."
                )
            )
        try:
            change_status(idea, Status.SUBMITTED, user=request.user, role=StatusChange.Role.AUTHOR)
        except DjangoValidationError as error:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages}) from error
        return self._read(idea)

    @extend_schema(
        methods=["POST"],
        summary="Support the idea (again: no change)",
        request=None,
        parameters=[IDEA_ID],
        responses={200: api.SupportStateSerializer, 201: api.SupportStateSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw one's support (again: no change)",
        request=None,
        parameters=[IDEA_ID],
        responses={200: api.SupportStateSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def support(self, request, pk=None):
        idea = self.get_object()
        code = status.HTTP_200_OK
        if request.method == "POST":
            if _front_door(participation.give_support, request.user, idea, address=client_address(request)):
                code = status.HTTP_201_CREATED
        else:
            _front_door(participation.withdraw_support, request.user, idea)
        state = {
            "supported": request.method == "POST",
            "support_count": Support.objects.filter(idea=idea).count(),
        }
        return Response(api.SupportStateSerializer(state).data, status=code)

    @extend_schema(
        methods=["POST"],
        summary="Follow the idea: e-mails about its status and official answers (again: no change)",
        request=None,
        parameters=[IDEA_ID],
        responses={200: api.FollowStateSerializer, 201: api.FollowStateSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Stop following the idea, in any phase (again: no change)",
        request=None,
        parameters=[IDEA_ID],
        responses={200: api.FollowStateSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def follow(self, request, pk=None):
        idea = self.get_object()
        code = status.HTTP_200_OK
        if request.method == "POST":
            if _front_door(participation.follow, request.user, idea, address=client_address(request)):
                code = status.HTTP_201_CREATED
        else:
            _front_door(participation.unfollow, request.user, idea)
        state = {"following": request.method == "POST"}
        return Response(api.FollowStateSerializer(state).data, status=code)

    @extend_schema(
        summary="Report the idea to the moderators",
        request=api.ReportCreateSerializer,
        parameters=[IDEA_ID],
        responses={201: api.ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        return _report(request, self.get_object())


def _report(request, target):
    """A report on an idea or a comment (IdeaViewSet.report, CommentViewSet.report): participation.report."""
    # Refused before the reason is looked at, as on the website.
    _front_door(participation.check_report, request.user, target)
    serializer = api.ReportCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    report = _front_door(
        participation.report,
        request.user,
        target,
        serializer.validated_data["reason"],
        address=client_address(request),
    )
    return Response(api.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


IDEA_OF_COMMENTS = OpenApiParameter(
    "idea_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The idea's id."
)


@extend_schema_view(
    list=extend_schema(
        summary="Comments on an idea with their replies; removed ones without text",
        parameters=[IDEA_OF_COMMENTS],
    ),
    create=extend_schema(
        summary="Comment on an idea, or reply to a top-level comment",
        parameters=[IDEA_OF_COMMENTS],
        request=api.CommentCreateSerializer,
        responses={201: api.CommentSerializer},
    ),
)
class CommentViewSet(LanguageMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The comments of one idea: read by whoever may see the idea, written and reported by verified residents
    (through ideas/participation.py)."""

    queryset = Comment.objects.all()
    serializer_class = api.CommentSerializer
    filter_backends = []

    def get_idea(self):
        if not hasattr(self, "_idea"):
            idea = Idea.objects.select_related("round").filter(pk=self.kwargs["idea_id"]).first()
            if idea is None or not self.request.user.has_perm("ideas.view_idea", idea):
                raise Http404
            self._idea = idea
        return self._idea

    def get_queryset(self):
        with_author = Comment.objects.select_related("author__resident_profile")
        return with_author.filter(idea=self.get_idea(), parent=None).prefetch_related(
            Prefetch("replies", queryset=with_author.order_by("created_at", "pk"))
        )

    def create(self, request, *args, **kwargs):
        idea = self.get_idea()
        # Closed comments are said so first, whatever the request holds (as on the website).
        _front_door(participation.check_comment, request.user, idea)
        serializer = api.CommentCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        comment = _front_door(
            participation.add_comment,
            request.user,
            idea,
            data["text"],
            parent=data.get("parent"),
            official=data["is_official"],
            address=client_address(request),
        )
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Report a comment or a reply to the moderators",
        request=api.ReportCreateSerializer,
        parameters=[
            IDEA_OF_COMMENTS,
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The comment's id."),
        ],
        responses={201: api.ReportSerializer},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, idea_id=None, pk=None):
        comment = Comment.objects.select_related("idea__round").filter(idea=self.get_idea(), pk=pk).first()
        if comment is None:
            raise Http404
        return _report(request, comment)


class SchemaView(LanguageMixin, SpectacularAPIView):
    """The OpenAPI schema, in English unless `?lang=` asks for another language."""

    default_language = "en"
    reject_unknown_language = False


@extend_schema(exclude=True)
class NotFoundView(LanguageMixin, APIView):
    """Any other address under /api/v1/ (the last route of ideas/api/urls.py), including one whose id is no id
    (`/api/v1/delivery/abc/`): the API's JSON 404, never the website's HTML page."""

    permission_classes = [AllowAny]
    reject_unknown_language = False

    def not_found(self, request, *args, **kwargs):
        raise NotFound

    get = post = put = patch = delete = options = not_found


class DocsView(SpectacularSwaggerView):
    """The interactive docs page (Swagger UI from drf-spectacular-sidecar: no CDN)."""

    # Its HTML renderer has no page for OPTIONS; the page is only ever fetched.
    http_method_names = ["get", "head"]


class LoginRateThrottle(AnonRateThrottle):
    """An overall limit of token requests per client address, right or wrong; the guesses themselves are
    limited per account and per address by allauth's login_failed limit (AuthTokenRequestSerializer)."""

    scope = "api_token"
    rate = "30/minute"

    def get_ident(self, request):
        # The site's one client address, never a forged X-Forwarded-For (ideas/limits.py).
        return client_address(request)


class AuthTokenView(LanguageMixin, APIView):
    """Trades the e-mail address and password of an active account for an API token.

    The second door to an account besides the web login: it shares the web login's lockout (HTTP 429 while
    an account is locked) and failure budget per address.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle, *api_settings.DEFAULT_THROTTLE_CLASSES]

    @extend_schema(
        summary="Get an API token",
        request=api.AuthTokenRequestSerializer,
        responses={200: api.AuthTokenSerializer},
        auth=[],
    )
    def post(self, request):
        serializer = api.AuthTokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response(api.AuthTokenSerializer({"token": token.key}).data)
