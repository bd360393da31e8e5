"""The public API, version 1."""

urlpatterns = []
