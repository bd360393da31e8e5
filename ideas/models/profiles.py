"""A resident's profile next to their account (allauth keeps the e-mail addresses)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentProfile(models.Model):
    """Name shown on ideas and comments, home area, birth year, language of e-mails, privacy consent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_profile"
    )
    display_name = models.CharField(
        _("display name"), max_length=80, help_text=_("Shown with your ideas and comments.")
    )
    area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area where you live"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    preferred_language = models.CharField(
        _("language of e-mails"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted"), null=True, blank=True)

    # How the person behind the account was confirmed (ideas/voting/identity.py): eID, or staff in person.
    # CENSUS is kept for accounts confirmed before typed personal codes stopped counting; nothing sets it now.
    class Residency(models.TextChoices):
        CENSUS = "census", _("Census list")
        IN_PERSON = "in_person", _("Checked in person")
        EID = "eid", _("eID")

    person_key = models.CharField(
        _("person key"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("A keyed hash of the personal code; the code itself is never stored."),
    )
    residency = models.CharField(
        _("residency confirmed by"), max_length=10, choices=Residency.choices, blank=True
    )
    residency_area = models.ForeignKey(
        "ideas.Area",
        verbose_name=_("area of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_birth_year = models.PositiveSmallIntegerField(_("confirmed birth year"), null=True, blank=True)

    def __str__(self):
        return self.display_name

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")
