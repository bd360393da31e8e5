"""Who may vote: a verified resident whose residency is confirmed (census list or staff in person) and who is old
enough. Personal codes are turned into keyed hashes at once and never stored."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.models import CensusEntry, ResidentProfile
from ideas.rules import is_verified_resident
from ideas.voting import keys


def _person(personal_code):
    try:
        return keys.person_key(personal_code)
    except ValueError as error:
        raise ValidationError(_("A personal code has 11 digits, for example 010203-12345.")) from error


def confirm_from_census(profile, personal_code):
    """Confirm a resident's residency by finding their personal code on the census list."""
    person = _person(personal_code)
    entry = CensusEntry.objects.filter(person_key=person).first()
    if entry is None:
        raise ValidationError(
            _(
                "This personal code is not on the municipality's list of residents. If you live here, ask for a "
                "check in person at a customer service centre."
            )
        )
    _attach(profile, person, ResidentProfile.Residency.CENSUS, entry.area, entry.birth_year)


def confirm_in_person(profile, personal_code, area, birth_year):
    """Record that staff checked the resident's documents in person."""
    _attach(profile, _person(personal_code), ResidentProfile.Residency.IN_PERSON, area, birth_year)


def _attach(profile, person, residency, area, birth_year):
    profile.person_key = person
    profile.residency = residency
    profile.residency_area = area
    profile.confirmed_birth_year = birth_year
    try:
        with transaction.atomic():
            profile.save(update_fields=["person_key", "residency", "residency_area", "confirmed_birth_year"])
    except IntegrityError as error:
        # One person, one account that votes: the same code is already confirmed for another account.
        raise ValidationError(
            _("This personal code is already confirmed for another account. Please contact the municipality.")
        ) from error


def why_not_eligible(user, budget_round, moment=None):
    """None when `user` may vote in the round, else the reason to show them."""
    if not is_verified_resident(user):
        return _("Please log in with a verified e-mail address.")
    profile = getattr(user, "resident_profile", None)
    if profile is None or not profile.person_key:
        return _("Please confirm that you live in the municipality before voting.")
    year = (moment or timezone.now()).year
    if profile.confirmed_birth_year and year - profile.confirmed_birth_year < budget_round.minimum_voting_age:
        return _("Residents may vote from the age of %(age)s.") % {"age": budget_round.minimum_voting_age}
    return None
