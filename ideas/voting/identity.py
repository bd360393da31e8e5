"""Identity for voting: the one front door that links a person (the keyed hash of their personal code,
ideas/voting/keys.py) to a resident's account, and moves a person from one account to another.

A confirmed person belongs to one account, and an account to one person. Residents confirm themselves with eID
(OpenID Connect through the municipality's broker: ideas/accounts/adapter.py calls link_person_key with method
EID from the provider's claims); staff confirm them in person from an identity document, or move a confirmed
person to another account with a reason (the admin screen in ideas/moderation/identity.py). Nobody can confirm
a person by typing a personal code: a code is not a secret.

Every link and move leaves an entry in the audit log of the profile(s) concerned, with at most the first
characters of the person key and never the personal code. A refusal never tells whether a person is on the
census list. Who may then vote in a round is ideas/voting/eligibility.py.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import CensusEntry, ResidentProfile
from ideas.voting import keys

LINK_ACTION = "ideas.identity.link"
MOVE_ACTION = "ideas.identity.move"
CONFIRM_PERMISSION = "ideas.confirm_identity"
FIRST_BIRTH_YEAR = 1900
# How an audit entry names a person: enough to follow one person through the log, useless without VOTING_KEY.
PERSON_PREFIX = 8
# Smart-ID and eParaksts name a person by an ETSI semantics identifier, "PNOLV-010203-12345".
_SEMANTICS_PREFIX = re.compile(r"^PNO-?LV-?", re.IGNORECASE)
_BIRTH_YEAR = re.compile(r"^(\d{4})(?:-\d{2}-\d{2})?$")


@dataclass(frozen=True)
class EidPerson:
    """Who an eID sign-in proved: the person key and the birth year from the provider's claims."""

    person: str
    birth_year: int


def _person_taken():
    return ValidationError(
        _("This person is already confirmed for another account. Please contact the municipality."),
        code="person_taken",
    )


def _account_taken():
    return ValidationError(
        _(
            "This account is already confirmed for another person. A confirmed person can only be moved to "
            "another account by the municipality's staff."
        ),
        code="account_taken",
    )


def person_from_code(personal_code):
    """The person key of a personal code, or a ValidationError that says how a personal code looks."""
    try:
        return keys.person_key(personal_code)
    except ValueError as error:
        raise ValidationError(
            _("A personal code has 11 digits, for example 010203-12345."), code="personal_code"
        ) from error


def clean_birth_year(birth_year):
    """`birth_year` as an int between FIRST_BIRTH_YEAR and this year, or ValidationError."""
    last = timezone.localdate().year
    try:
        year = int(birth_year)
    except (TypeError, ValueError):
        year = None
    if year is None or not FIRST_BIRTH_YEAR <= year <= last:
        raise ValidationError(
            _("Enter a birth year between %(first)s and %(last)s.")
            % {"first": FIRST_BIRTH_YEAR, "last": last},
            code="birth_year",
        )
    return year


def person_from_claims(claims):
    """The EidPerson of an eID sign-in from the provider's claims (settings OIDC_PERSONAL_CODE_CLAIM and
    OIDC_BIRTHDATE_CLAIM), or a ValidationError that says what is missing. The personal code may come with or
    without its dash, or as an ETSI identifier ("PNOLV-..."); the birth date as OIDC's "YYYY-MM-DD" or "YYYY"."""
    code = claims.get(settings.OIDC_PERSONAL_CODE_CLAIM)
    birthdate = claims.get(settings.OIDC_BIRTHDATE_CLAIM)
    problem = _(
        "Your eID sign-in did not say who you are in a way we can use (personal code and date of birth), so "
        "nothing was confirmed. Please try again, or ask at a customer service centre."
    )
    if not isinstance(code, str) or not isinstance(birthdate, str | int):
        raise ValidationError(problem, code="claims_missing")
    match = _BIRTH_YEAR.fullmatch(str(birthdate).strip())
    try:
        person = keys.person_key(_SEMANTICS_PREFIX.sub("", code.strip()))
        year = clean_birth_year(match.group(1) if match else None)
    except (ValueError, ValidationError) as error:
        raise ValidationError(problem, code="claims_malformed") from error
    return EidPerson(person, year)


def check_link(profile, person):
    """Raise the ValidationError that refuses to link `person` to `profile`'s account (None: an account that
    does not exist yet), or return None when the link is allowed (also when it already exists)."""
    others = ResidentProfile.objects.filter(person_key=person)
    if profile is not None:
        if profile.person_key and profile.person_key != person:
            raise _account_taken()
        others = others.exclude(pk=profile.pk)
    if others.exists():
        raise _person_taken()


def profile_of(user):
    """`user`'s ResidentProfile, made (named after the account) when the account has none yet, for example an
    account made in the admin."""
    profile, _created = ResidentProfile.objects.get_or_create(
        user=user, defaults={"display_name": user.get_full_name() or user.get_username()}
    )
    return profile


def _require(actor, permission):
    if actor is None or not actor.has_perm(permission):
        raise PermissionDenied


def link_person(profile, personal_code, *, birth_year, method, actor=None, reason=""):
    """Link the person with `personal_code` to `profile` (confirmed by `method`: staff IN_PERSON, who need
    ideas.confirm_identity and are the `actor`, or EID); see link_person_key."""
    return link_person_key(
        profile,
        person_from_code(personal_code),
        birth_year=birth_year,
        method=method,
        actor=actor,
        reason=reason,
    )


def link_person_key(profile, person, *, birth_year, method, actor=None, reason=""):
    """Link a person, given by their person key, to `profile`: the front door of link_person, and of the eID
    sign-up, which carries only the key (never the code) through the session until the account exists.

    Sets the person key, how it was confirmed, the birth year and the area of the census list (None when the
    person is not on it). Refused with a ValidationError when the person is on another account or the account
    holds another person. Linking the same person again only refreshes the birth year, method and area; an
    audit entry is written whenever something changed."""
    Residency = ResidentProfile.Residency
    if method == Residency.IN_PERSON:
        _require(actor, CONFIRM_PERMISSION)
    elif method == Residency.EID:
        # The eID sign-in itself proves the person; only the account's owner goes through it.
        if actor is not None and actor.pk != profile.user_id:
            raise PermissionDenied
    else:
        raise ValueError(f"unknown way to confirm a person: {method!r}")
    birth_year = clean_birth_year(birth_year)
    entry = CensusEntry.objects.filter(person_key=person).first()
    with transaction.atomic():
        locked = ResidentProfile.objects.select_for_update().get(pk=profile.pk)
        check_link(locked, person)
        new = locked.person_key != person
        fields = {
            "person_key": person,
            "residency": method,
            "residency_area_id": entry.area_id if entry else None,
            "confirmed_birth_year": birth_year,
        }
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        if not changed:
            return profile
        for name, value in fields.items():
            setattr(locked, name, value)
        try:
            with transaction.atomic():
                locked.save(update_fields=[name.removesuffix("_id") for name in fields])
        except IntegrityError as error:
            # Another account took the person between the check and the save.
            raise _person_taken() from error
        log(
            instance=locked,
            action=LINK_ACTION,
            user=actor or profile.user,
            data={
                "person": person[:PERSON_PREFIX],
                "account": locked.user_id,
                "method": method,
                "new": new,
                "reason": (reason or "").strip(),
            },
        )
    for name, value in fields.items():
        setattr(profile, name, value)
    return profile


def move_person(personal_code, to_profile, *, actor, reason):
    """Staff (ideas.confirm_identity) move a confirmed person from whatever account holds them to `to_profile`,
    for example when a resident lost access to their old account; the reason is required. The person keeps
    how and when they were confirmed; the old account is no longer confirmed. Logged on both profiles."""
    _require(actor, CONFIRM_PERMISSION)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for moving the person."), code="reason")
    person = person_from_code(personal_code)
    with transaction.atomic():
        target = ResidentProfile.objects.select_for_update().get(pk=to_profile.pk)
        source = ResidentProfile.objects.select_for_update().filter(person_key=person).first()
        if source is None:
            raise ValidationError(
                _("This person is not confirmed for any account: confirm them in person instead."),
                code="not_linked",
            )
        if source.pk == target.pk:
            raise ValidationError(_("This person is already confirmed for this account."), code="same")
        if target.person_key:
            raise _account_taken()
        moved = {
            "person_key": person,
            "residency": source.residency,
            "residency_area_id": source.residency_area_id,
            "confirmed_birth_year": source.confirmed_birth_year,
        }
        update_fields = [name.removesuffix("_id") for name in moved]
        source.person_key, source.residency, source.residency_area_id, source.confirmed_birth_year = (
            None,
            "",
            None,
            None,
        )
        source.save(update_fields=update_fields)
        for name, value in moved.items():
            setattr(target, name, value)
        target.save(update_fields=update_fields)
        data = {
            "person": person[:PERSON_PREFIX],
            "from_account": source.user_id,
            "to_account": target.user_id,
            "reason": reason,
        }
        log(instance=source, action=MOVE_ACTION, user=actor, data=data)
        log(instance=target, action=MOVE_ACTION, user=actor, data=data)
    for name, value in moved.items():
        setattr(to_profile, name, value)
    return target
