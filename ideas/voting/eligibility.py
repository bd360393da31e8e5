"""Who may vote, checked the same way on every channel at the moment it matters: when a code is handed out, when
a paper voter is registered, and when any ballot is cast (ideas/voting/codes.py, paper.py, casting.py).

A person (a keyed hash of their personal code, ideas/voting/keys.py) may vote in a round when they are on the
census list and old enough, or when staff made an exception for them in that round with a reason
(EligibilityOverride, audit-logged). Their area is the census record's (or the exception's): a round with a
ballot per area gives them that area's ballot, and only one ballot in the whole round.

How a person proves who they are online is ideas/voting/identity.py (eID, or staff in person).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import Area, BudgetRound, CensusEntry, EligibilityOverride
from ideas.rules import is_verified_resident
from ideas.voting.identity import person_from_code


class NotEligible(ValidationError):
    """This person may not vote in this round; the message is for the voter or the staff member."""


@dataclass(frozen=True)
class Entitlement:
    """Why a person may vote: the area whose ballot they get (None: not on the list, exception without an
    area) and their birth year for the register's age bands (None when unknown)."""

    area: Area | None
    birth_year: int | None


def entitlement(budget_round, person, *, birth_year=None, moment=None):
    """The Entitlement of `person` in the round, or NotEligible. The census list's birth year wins over one
    given by the caller (eID, staff); a staff exception lets a person vote whatever the list and age say."""
    override = EligibilityOverride.objects.filter(round=budget_round, person_key=person).first()
    entry = CensusEntry.objects.filter(person_key=person).select_related("area").first()
    if override is not None:
        area = override.area or (entry.area if entry else None)
        return Entitlement(area, entry.birth_year if entry else birth_year)
    if entry is None:
        raise NotEligible(
            _(
                "This person is not on the municipality's list of residents who may vote in this round. "
                "Staff at a customer service centre can check it."
            )
        )
    year = (moment or timezone.now()).year
    if year - entry.birth_year < budget_round.minimum_voting_age:
        raise NotEligible(
            _("Residents may vote from the age of %(age)s.") % {"age": budget_round.minimum_voting_age}
        )
    if (
        budget_round.ballot_scope == BudgetRound.BallotScope.AREA
        and not budget_round.area_budgets.filter(area=entry.area).exists()
    ):
        raise NotEligible(_("This round has no ballot for the area where this person lives."))
    return Entitlement(entry.area, entry.birth_year)


def grant_override(budget_round, personal_code, *, area, reason, user):
    """Staff let a person vote in a round although the list or the age rule says no; the reason is required
    and goes to the round's audit log (without the personal code)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the exception."))
    if budget_round.ballot_scope == BudgetRound.BallotScope.AREA and area is None:
        raise ValidationError(_("Choose the area whose ballot this person gets."))
    person = person_from_code(personal_code)
    try:
        with transaction.atomic():
            override = EligibilityOverride.objects.create(
                round=budget_round, person_key=person, area=area, reason=reason, granted_by=user
            )
    except IntegrityError as error:
        raise ValidationError(_("This person already has an exception in this round.")) from error
    log(
        instance=budget_round,
        action="ideas.voting.eligibility_override",
        user=user,
        data={"reason": reason, "area": area.code if area else ""},
    )
    return override


def why_not_eligible(user, budget_round, moment=None):
    """None when `user` may vote online in the round, else the reason to show them."""
    if not is_verified_resident(user):
        return _("Please log in with a verified e-mail address.")
    profile = getattr(user, "resident_profile", None)
    if profile is None or not profile.person_key:
        return _("Please confirm who you are before voting.")
    try:
        entitlement(budget_round, profile.person_key, birth_year=profile.confirmed_birth_year, moment=moment)
    except NotEligible as refusal:
        return refusal.messages[0]
    return None
