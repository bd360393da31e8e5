"""The public API, version 1: a router for the resources, the token endpoint, the schema and its docs page."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views, voting

app_name = "api"

router = DefaultRouter()
router.register("rounds", views.BudgetRoundViewSet, basename="round")
router.register("areas", views.AreaViewSet, basename="area")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("ideas", views.IdeaViewSet, basename="idea")
router.register(r"ideas/(?P<idea_id>\d+)/comments", views.CommentViewSet, basename="idea-comment")
router.register("results", voting.RoundResultViewSet, basename="result")

urlpatterns = [
    path("auth/token/", views.AuthTokenView.as_view(), name="auth-token"),
    path("rounds/<int:round_id>/ballot/", voting.MyBallotView.as_view(), name="my-ballot"),
    path("rounds/<int:round_id>/count/", voting.CountRoundView.as_view(), name="count-round"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
