"""One front door for pledges and declared interests. The website, the API, the admin and the demo loader
call these; each checks its django-rules permission, keeps the idea's co-funding (Idea.cofunding) in step,
writes the pledge's public history (PledgeChange) and Wagtail's audit log, and raises Refused / Invalid
(ideas/participation.py) with the message for the person.

Pledge states: offered → confirmed (staff) → fulfilled (staff); offered/confirmed → withdrawn (the
organisation); offered → declined (staff, with a reason). Confirmed and fulfilled money pledges are the idea's
co-funding: they lower its cost to the public budget (Idea.net_cost), never below zero. Once voting has opened
that sum is frozen, so the costs residents saw on the ballot are the costs counted. A pledge never changes who
may vote or how a vote counts.
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import DeclaredInterest, Idea, Organisation, Pledge, PledgeChange
from ideas.participation import Invalid, Refused
from ideas.participation import _require as require_permission
from ideas.phases import Feature, phase_allows
from ideas.rules import PLEDGEABLE
from ideas.templatetags.kopa_format import money

State = Pledge.State
Kind = Pledge.Kind
MAX_AMOUNT = Decimal("9999999999.99")
MAX_HOURS = 100_000

# Which steps follow which, and who takes them.
TRANSITIONS = {
    State.OFFERED: {State.CONFIRMED, State.DECLINED, State.WITHDRAWN},
    # Staff may still decline a confirmed pledge, with a reason (a conflict of interest found later); the money
    # lock below holds for it too.
    State.CONFIRMED: {State.FULFILLED, State.WITHDRAWN, State.DECLINED},
    State.FULFILLED: set(),
    State.WITHDRAWN: set(),
    State.DECLINED: set(),
}


def _system(user):
    # `user=None` is the system itself (the demo loader, a command): no person to ask.
    return user is None


def _refuse_unless(user, permission, obj, idea, feature, otherwise):
    """The residents' refusals (ideas/participation.py), for a person; the system is not asked."""
    if not _system(user):
        require_permission(user, permission, obj, idea, feature, otherwise)


# Conflicts of interest -------------------------------------------------------------------------------------


def pledge_conflict(organisation, idea):
    """Why `organisation` may not back `idea`, or None: one of its representatives wrote the idea, or it
    declared an interest in it that staff have not cleared."""
    if idea.author_id and organisation.memberships.filter(user_id=idea.author_id).exists():
        return _("A representative of %(organisation)s proposed this idea, so it cannot back it.") % {
            "organisation": organisation.name
        }
    interest = DeclaredInterest.objects.filter(organisation=organisation, idea=idea).first()
    if interest is not None and interest.decision != DeclaredInterest.Decision.CLEARED:
        return _(
            "%(organisation)s declared an interest in this idea (%(kind)s); it cannot back it unless staff "
            "find no conflict."
        ) % {"organisation": organisation.name, "kind": interest.get_kind_display()}
    return None


def declare_interest(user, organisation, idea, *, kind, description=""):
    """An organisation declares its stake in an idea; it bars its pledges there until staff clear it."""
    _refuse_unless(
        user,
        "ideas.declare_interest",
        idea,
        idea,
        None,
        _("Only a verified organisation's representative can declare its interests in a published idea."),
    )
    _require_member(user, organisation)
    if kind not in DeclaredInterest.Kind.values:
        raise Invalid({"kind": [_("Choose what kind of interest it is.")]})
    with transaction.atomic():
        interest, created = DeclaredInterest.objects.get_or_create(
            organisation=organisation, idea=idea, defaults={"kind": kind, "description": description.strip()}
        )
        if not created:
            interest.kind, interest.description = kind, description.strip()
            interest.decision = DeclaredInterest.Decision.PENDING
            interest.save()
        log(instance=interest, action="ideas.interest.declared", user=user, title=idea.title)
    return interest


def review_interest(user, interest, *, decision, reason):
    """Staff decide whether a declared interest is a conflict, and record why (the reason is required)."""
    _refuse_unless(
        user, "ideas.review_interest", interest, interest.idea, None, _("Only moderators review this.")
    )
    if decision not in (DeclaredInterest.Decision.CONFLICT, DeclaredInterest.Decision.CLEARED):
        raise Invalid({"decision": [_("Choose whether it is a conflict.")]})
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": [_("Please record why.")]})
    with transaction.atomic():
        interest.decision, interest.decision_reason = decision, reason
        interest.reviewed_by, interest.reviewed_at = user, timezone.now()
        interest.save()
        if decision == DeclaredInterest.Decision.CONFLICT:
            # A conflict found after pledges were made: the organisation's open and confirmed pledges on the idea
            # are declined with the same reason (refused, and nothing saved, once voting fixed the co-funding).
            active = Pledge.objects.filter(
                organisation=interest.organisation,
                idea=interest.idea,
                state__in=(State.OFFERED, State.CONFIRMED),
            )
            for pledge in active:
                _move(user, pledge, State.DECLINED, role=PledgeChange.Role.MODERATOR, reason=reason)
    log(
        instance=interest,
        action="ideas.interest.reviewed",
        user=user,
        title=interest.idea.title,
        data={"decision": decision, "reason": reason},
    )
    return interest


# Pledges ---------------------------------------------------------------------------------------------------


def _require_member(user, organisation):
    if _system(user):
        return
    if not organisation.memberships.filter(user=user).exists():
        raise Refused(_("You do not act for %(organisation)s.") % {"organisation": organisation.name})


def _clean_offer(kind, amount, hours, description):
    """The offer's values, checked for its kind; Invalid names the field at fault."""
    if kind not in Kind.values:
        raise Invalid({"kind": [_("Choose money, in kind or volunteer hours.")]})
    try:
        amount = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise Invalid({"amount": [_("Enter an amount in euros, for example 1500 or 1500.50.")]}) from error
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise Invalid({"amount": [_("Enter an amount between 0 and 9,999,999,999.99 euros.")]})
    try:
        hours = int(hours or 0)
    except (TypeError, ValueError) as error:
        raise Invalid({"hours": [_("Enter a whole number of hours.")]}) from error
    if hours < 0 or hours > MAX_HOURS:
        raise Invalid({"hours": [_("Enter between 1 and 100,000 hours.")]})
    description = (description or "").replace("\x00", "").strip()
    if kind == Kind.MONEY and amount <= 0:
        raise Invalid({"amount": [_("How much money do you pledge?")]})
    if kind == Kind.IN_KIND:
        if not description:
            raise Invalid({"description": [_("Describe what you give in kind.")]})
        if amount <= 0:
            raise Invalid({"amount": [_("Give the value of what you give in kind, in euros.")]})
    if kind == Kind.VOLUNTEERING:
        if hours <= 0:
            raise Invalid({"hours": [_("How many volunteer hours do you pledge?")]})
        if not description:
            raise Invalid({"description": [_("Describe the volunteering you offer.")]})
    if kind != Kind.VOLUNTEERING:
        hours = 0
    if kind == Kind.VOLUNTEERING:
        amount = Decimal("0.00")
    if len(description) > Pledge._meta.get_field("description").max_length:
        raise Invalid({"description": [_("Please keep the description under 1,000 characters.")]})
    return amount, hours, description


def offer_pledge(user, organisation, idea, *, kind, amount=0, hours=0, description=""):
    """A verified organisation's representative offers a pledge on a public idea, in a phase that allows it.
    Returns the Pledge (offered, waiting for staff)."""
    _refuse_unless(
        user,
        "ideas.pledge_idea",
        idea,
        idea,
        Feature.PLEDGE,
        _("Only a verified organisation can back ideas that are published and still in the running."),
    )
    _require_member(user, organisation)
    if not organisation.is_verified:
        raise Refused(_("%(organisation)s is not verified yet.") % {"organisation": organisation.name})
    # The system (the demo loader writing a finished round's history) is not held to the phases.
    if not _system(user) and (
        idea.status not in PLEDGEABLE or not phase_allows(idea.round.current_phase(), Feature.PLEDGE)
    ):
        raise Refused(_("Pledges are taken before voting opens, on ideas still in the running."))
    if conflict := pledge_conflict(organisation, idea):
        raise Refused(conflict)
    amount, hours, description = _clean_offer(kind, amount, hours, description)
    _check_within_cost(idea, kind, amount)
    with transaction.atomic():
        pledge = Pledge.objects.create(
            organisation=organisation,
            idea=idea,
            kind=kind,
            amount=amount,
            hours=hours,
            description=description,
            offered_by=user,
        )
        PledgeChange.objects.create(
            pledge=pledge, to_state=State.OFFERED, role=PledgeChange.Role.ORGANISATION
        )
        log(instance=pledge, action="ideas.pledge.offered", user=user, title=idea.title)
    return pledge


def _check_within_cost(idea, kind, amount, pledge=None):
    """Money never exceeds what the idea still costs the public budget: co-funding cannot pass the idea's
    cost. Raises Invalid (offer) naming the amount."""
    if kind != Kind.MONEY or idea.cost is None:
        return
    counted = Pledge.objects.filter(idea=idea, kind=Kind.MONEY, state__in=Pledge.COUNTED)
    if pledge is not None:
        counted = counted.exclude(pk=pledge.pk)
    already = counted.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    remaining = max(idea.cost - already, Decimal(0))
    if amount > remaining:
        raise Invalid(
            {
                "amount": [
                    _(
                        "The idea still costs the public budget %(remaining)s; a money pledge can be at most that."
                    )
                    % {"remaining": money(remaining)}
                ]
            }
        )


def recount_cofunding(idea):
    """Store the sum of the idea's confirmed and fulfilled money pledges on it (call inside a transaction)."""
    total = Pledge.objects.filter(idea=idea, kind=Kind.MONEY, state__in=Pledge.COUNTED).aggregate(
        total=Sum("amount")
    )["total"] or Decimal(0)
    Idea.objects.filter(pk=idea.pk).update(cofunding=total)
    idea.cofunding = total
    return total


def _move(user, pledge, target, *, role, reason=""):
    """Move a pledge to `target` after the permission check: the one place that writes a pledge's state."""
    reason = (reason or "").replace("\x00", "").strip()
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=pledge.idea_id)
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        if target not in TRANSITIONS[State(locked.state)]:
            raise Refused(
                _("A pledge that is “%(current)s” cannot become “%(new)s”.")
                % {"current": State(locked.state).label, "new": State(target).label}
            )
        changes_cofunding = locked.is_money and (
            (target in Pledge.COUNTED) != (locked.state in Pledge.COUNTED)
        )
        if changes_cofunding and not _system(user) and idea.round.voting_has_opened():
            raise Refused(
                _(
                    "Voting has opened: the co-funding residents saw on the ballot is fixed until the count, "
                    "so this money pledge cannot change now."
                )
            )
        PledgeChange.objects.create(
            pledge=locked, from_state=locked.state, to_state=target, role=role, reason=reason
        )
        locked.state, locked.state_reason = target, reason
        locked.save(update_fields=["state", "state_reason", "updated_at"])
        if changes_cofunding:
            recount_cofunding(idea)
        log(
            instance=locked,
            action=f"ideas.pledge.{target}",
            user=user,
            title=idea.title,
            data={"reason": reason},
        )
    pledge.state, pledge.state_reason = locked.state, locked.state_reason
    pledge.idea.cofunding = idea.cofunding
    return pledge


def confirm_pledge(user, pledge, reason=""):
    """Staff confirm an offered pledge (agreement signed): a money pledge now lowers the idea's net cost."""
    _refuse_unless(
        user,
        "ideas.confirm_pledge",
        pledge,
        pledge.idea,
        Feature.PLEDGE,
        _("Only moderators confirm pledges, before voting opens, on ideas still in the running."),
    )
    if conflict := pledge_conflict(pledge.organisation, pledge.idea):
        raise Refused(conflict)
    try:
        _check_within_cost(pledge.idea, pledge.kind, pledge.amount, pledge=pledge)
    except Invalid as error:
        raise Refused(error.message_dict["amount"][0]) from error
    return _move(user, pledge, State.CONFIRMED, role=PledgeChange.Role.MODERATOR, reason=reason)


def decline_pledge(user, pledge, reason):
    """Staff decline an offered pledge, saying why (the organisation and the public see the reason)."""
    _refuse_unless(
        user, "ideas.decline_pledge", pledge, pledge.idea, None, _("Only moderators decline pledges.")
    )
    if not (reason or "").strip():
        raise Invalid({"reason": [_("Please give a reason; the organisation and the public will see it.")]})
    return _move(user, pledge, State.DECLINED, role=PledgeChange.Role.MODERATOR, reason=reason)


def withdraw_pledge(user, pledge, reason=""):
    """The organisation withdraws its pledge (a confirmed money pledge only before voting opens)."""
    _refuse_unless(
        user,
        "ideas.withdraw_pledge",
        pledge,
        pledge.idea,
        None,
        _("Only the organisation's representatives can withdraw its pledge."),
    )
    return _move(user, pledge, State.WITHDRAWN, role=PledgeChange.Role.ORGANISATION, reason=reason)


def fulfil_pledge(user, pledge, reason=""):
    """Staff record that a confirmed pledge was delivered (the money paid, the work done)."""
    _refuse_unless(
        user,
        "ideas.fulfil_pledge",
        pledge,
        pledge.idea,
        Feature.FULFIL_PLEDGE,
        _("Pledges are marked fulfilled by moderators once the results are out."),
    )
    return _move(user, pledge, State.FULFILLED, role=PledgeChange.Role.MODERATOR, reason=reason)


def backers(idea):
    """The organisations whose confirmed or fulfilled pledges back the idea, for "Backed by …"."""
    return (
        Organisation.objects.filter(pledges__idea=idea, pledges__state__in=Pledge.COUNTED)
        .distinct()
        .order_by("name")
    )
