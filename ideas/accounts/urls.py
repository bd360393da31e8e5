"""Residents' account pages beyond allauth's own (profile, data download, account deletion).

config/urls.py includes these under accounts/ before allauth's URLs, inside i18n_patterns.
"""

from django.urls import path

from ideas.accounts import views

urlpatterns = [
    path("profile/", views.profile, name="account_profile"),
    path("profile/my-data/", views.export_data, name="account_export"),
    path("profile/delete/", views.delete, name="account_delete"),
]
