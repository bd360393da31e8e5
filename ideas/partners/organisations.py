"""One front door for organisations: a resident registers one (it waits for staff), staff verify, refuse or
suspend it, representatives edit its public details. Each function checks its django-rules permission, writes
Wagtail's audit log and raises Refused / Invalid (ideas/participation.py) with a message for the person."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import Organisation, Representative
from ideas.participation import Invalid, LoginRequired, Refused

# What a representative may write; staff-only fields (state, verification) are never among them.
PUBLIC_FIELDS = [
    "name",
    "registration_number",
    "website",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
    "interests",
    "conflicts",
]


def _require(user, permission, obj, otherwise):
    # `user=None` is the system itself (the demo loader, a command): no person to ask.
    if user is None or user.has_perm(permission, obj):
        return
    if not user.is_authenticated:
        raise LoginRequired(_("Please log in first."))
    raise Refused(otherwise)


# Paths of the partners page (ideas/models/partners_page.py) that a partner's address must not shadow.
RESERVED_SLUGS = {"join", "mine", "pledges", "csr", "rounds"}


def _free_slug(name):
    base = slugify(name)[:150] or "organisation"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or Organisation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _validated(organisation, exclude=()):
    try:
        organisation.full_clean(exclude=["slug", *exclude])
    except ValidationError as error:
        raise Invalid(error.message_dict) from error


def register_organisation(user, *, logo=None, **fields):
    """A resident registers an organisation they act for; it waits for staff verification before it may
    pledge. Returns the Organisation. A registration number already known is refused (ask its representative
    or staff to add you)."""
    _require(user, "ideas.register_organisation", None, _("Please verify your e-mail address first."))
    organisation = Organisation(**{name: value for name, value in fields.items() if name in PUBLIC_FIELDS})
    if logo:
        organisation.logo = logo
    organisation.slug = _free_slug(organisation.name)
    _validated(organisation)
    try:
        with transaction.atomic():
            organisation.save()
            if user is not None:
                Representative.objects.create(organisation=organisation, user=user)
            log(instance=organisation, action="ideas.organisation.register", user=user)
    except IntegrityError as error:
        raise Invalid(
            {
                "registration_number": [
                    _("An organisation with this registration number is already registered.")
                ]
            }
        ) from error
    return organisation


def change_organisation(user, organisation, *, logo=None, **fields):
    """A representative edits the organisation's public details; a changed name or registration number of a
    verified organisation sends it back to verification."""
    _require(
        user, "ideas.change_own_organisation", organisation, _("Only its representatives can change it.")
    )
    before = (organisation.name, organisation.registration_number)
    for name, value in fields.items():
        if name in PUBLIC_FIELDS:
            setattr(organisation, name, value)
    if logo:
        organisation.logo = logo
    _validated(organisation)
    with transaction.atomic():
        if before != (organisation.name, organisation.registration_number) and organisation.is_verified:
            organisation.state = Organisation.State.PENDING
            organisation.verified_at = None
        organisation.save()
        log(instance=organisation, action="ideas.organisation.change", user=user)
    return organisation


def _set_state(user, organisation, state, reason, action):
    _require(user, "ideas.verify_organisation", organisation, _("Only moderators verify organisations."))
    reason = (reason or "").strip()
    if state != Organisation.State.VERIFIED and not reason:
        raise Invalid({"reason": [_("Please give a reason; the organisation will see it.")]})
    given = organisation
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        organisation.state = state
        organisation.state_reason = reason
        if state == Organisation.State.VERIFIED:
            organisation.verified_at = timezone.now()
            organisation.verified_by = user
        organisation.save()
        log(instance=organisation, action=action, user=user, data={"reason": reason})
    # The caller's object too (as pledges._move does): code that keeps it must not see the old state.
    for name in ("state", "state_reason", "verified_at", "verified_by_id"):
        setattr(given, name, getattr(organisation, name))
    return organisation


def verify_organisation(user, organisation, reason=""):
    """Staff checked the registration number and the representative: the organisation may pledge."""
    return _set_state(user, organisation, Organisation.State.VERIFIED, reason, "ideas.organisation.verified")


def reject_organisation(user, organisation, reason):
    return _set_state(user, organisation, Organisation.State.REJECTED, reason, "ideas.organisation.rejected")


def suspend_organisation(user, organisation, reason):
    """A verified organisation stops pledging (its confirmed pledges stand)."""
    return _set_state(
        user, organisation, Organisation.State.SUSPENDED, reason, "ideas.organisation.suspended"
    )


def organisations_of(user):
    """The organisations a person acts for (any state), for "my organisation" and the pledge form."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name", "pk")
