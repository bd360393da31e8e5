"""Residents' account pages beyond allauth's own (profile, data download, account deletion)."""

from django.urls import path

from ideas.accounts import views

urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
]
