"""Forms of residents' accounts: the extra signup fields, the profile, and the account deletion check.

allauth imports this module while it builds its own signup form (ACCOUNT_SIGNUP_FORM_CLASS names
SignupProfileForm as that form's base), so nothing here may import allauth.account.forms.
"""

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ideas.models import Area, ResidentProfile
from ideas.models.rounds import localized_names

FIRST_BIRTH_YEAR = 1900
PROFILE_FIELDS = ("display_name", "preferred_language", "area", "birth_year")


def current_language():
    """The request's language as one of settings.LANGUAGES (LocaleMiddleware activated it)."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class AreaChoiceIterator(ModelChoiceIterator):
    """Labels the area rows with their names in the active language (one query for all); AreaChoiceField's."""

    def __iter__(self):
        self.names = localized_names(Area)
        yield from super().__iter__()

    def choice(self, obj):
        value, _label = super().choice(obj)
        return value, self.names.get(obj.translation_key, obj.name)


class AreaChoiceField(forms.ModelChoiceField):
    """Offers the areas; used by the signup and profile forms below."""

    iterator = AreaChoiceIterator


class ProfileFieldsForm(forms.Form):
    """What a resident tells about themselves; the base of SignupProfileForm and ProfileForm below."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("Shown with your ideas and comments. It can be your name or a nickname."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of e-mails"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )
    area = AreaChoiceField(
        # Ideas and profiles point at the default-language row of the translatable snippet.
        queryset=Area.objects.filter(locale__language_code=settings.LANGUAGE_CODE),
        label=_("Area where you live (optional)"),
        required=False,
        empty_label=_("Not specified"),
    )
    birth_year = forms.IntegerField(
        label=_("Birth year (optional)"),
        required=False,
        help_text=_("Only used for statistics about who takes part."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": FIRST_BIRTH_YEAR}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The current year moves; a class-level attribute would keep the year the server started in.
        self.fields["birth_year"].widget.attrs["max"] = timezone.localdate().year

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise ValidationError(_("Please enter a display name."), code="required")
        return name

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        last = timezone.localdate().year
        if year is not None and not FIRST_BIRTH_YEAR <= year <= last:
            raise ValidationError(
                _("Enter a birth year between %(first)s and %(last)s."),
                code="birth_year_range",
                params={"first": FIRST_BIRTH_YEAR, "last": last},
            )
        return year


class SignupProfileForm(ProfileFieldsForm):
    """The extra fields of allauth's signup form (ACCOUNT_SIGNUP_FORM_CLASS); creates the ResidentProfile."""

    privacy_consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that the municipality processes my data "
            "to run the participatory budget."
        ),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )

    # allauth adds email and the passwords; this puts them in the order a person fills them in.
    field_order = [
        "email",
        "display_name",
        "password1",
        "password2",
        "preferred_language",
        "area",
        "birth_year",
        "privacy_consent",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = current_language()

    def signup(self, request, user):
        """Called by allauth after it saved the user and before it sends the verification e-mail."""
        data = self.cleaned_data
        ResidentProfile.objects.create(
            user=user,
            display_name=data["display_name"],
            preferred_language=data["preferred_language"],
            area=data.get("area"),
            birth_year=data.get("birth_year"),
            privacy_consent_at=timezone.now(),
        )


class ProfileForm(ProfileFieldsForm):
    """Edits a resident's profile on the profile page (ideas/accounts/views.py: profile)."""

    def __init__(self, *args, profile, **kwargs):
        self.profile = profile
        initial = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        initial["area"] = profile.area_id
        super().__init__(*args, initial=initial, **kwargs)

    def save(self):
        for name in PROFILE_FIELDS:
            setattr(self.profile, name, self.cleaned_data[name])
        self.profile.save()
        return self.profile


class DeleteAccountForm(forms.Form):
    """Asks for the current password before an account is deleted (ideas/accounts/views.py: delete)."""

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        # Through allauth, so that wrong passwords here count against the same rate limit as failed logins.
        if not get_adapter(self.request).reauthenticate(self.user, password):
            raise ValidationError(_("The password is not correct."), code="incorrect_password")
        return password
