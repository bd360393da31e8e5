"""The public API, version 1: a router for the resources (organisations, pledges and workshops in
ideas/api/partners.py; the delivery of funded ideas in ideas/api/delivery.py), the token endpoint, the schema and
its docs page; any other address under /api/v1/ is a JSON 404."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from . import delivery, partners, views, voting

app_name = "api"

router = DefaultRouter()
router.register("rounds", views.BudgetRoundViewSet, basename="round")
router.register("areas", views.AreaViewSet, basename="area")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("ideas", views.IdeaViewSet, basename="idea")
router.register(r"ideas/(?P<idea_id>\d+)/comments", views.CommentViewSet, basename="idea-comment")
router.register("results", voting.RoundResultViewSet, basename="result")
router.register("organisations", partners.OrganisationViewSet, basename="organisation")
router.register("pledges", partners.PledgeViewSet, basename="pledge")
router.register("workshops", partners.WorkshopViewSet, basename="workshop")
router.register("delivery", delivery.DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("rounds/<int:round_id>/ballot/", voting.MyBallotView.as_view(), name="my-ballot"),
    path("rounds/<int:round_id>/count/", voting.CountRoundView.as_view(), name="count-round"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Last: any other address ending in "/" (whatever it holds, line breaks too) is the API's JSON 404; one
    # without the "/" is first redirected to it by CommonMiddleware, as before.
    re_path(r"^[\s\S]*/$", views.NotFoundView.as_view()),
]
