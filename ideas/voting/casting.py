"""Casting and changing a ballot: every rule checked on the server, one ballot per person per round whatever the
channel, and the ballot sealed before it is stored (ideas/voting/sealing.py), so that the server cannot read it.

Eligibility (census list and age, or a staff exception) is checked at every cast (ideas/voting/eligibility.py);
the area of a round with a ballot per area is the voter's census area, never their choice. The budget limits
what the chosen ideas cost the public budget: each idea's net cost, after partners' confirmed money pledges
(ballot_costs). A pledge changes an idea's cost, never who may vote or how a ballot counts.

Concurrency: the register's unique constraint lets only one of many simultaneous first ballots in; the others,
and every change, take the envelope's row lock and replace it whole, so the box always holds one complete, valid
submission per voter: the newest.

Speed limit: a change of a cast ballot (never a first ballot) counts against the person's budget, per voter key
whatever the channel or address (ideas/limits.py ACTION_LIMITS["ballot_change"]); over it, cast raises
limits.Limited and the ballot cast before stays as it was.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas import limits
from ideas.models import BallotRules, BudgetRound, Channel, Idea, SealedBallot, VoterRecord
from ideas.phases import Feature, phase_allows
from ideas.statuses import Status
from ideas.templatetags.kopa_format import money
from ideas.voting import keys, sealing
from ideas.voting.ballot_rules import Rules, ballot_problems
from ideas.voting.eligibility import NotEligible, entitlement

AGE_BANDS = ((16, 17, "16-17"), (18, 24, "18-24"), (25, 39, "25-39"), (40, 64, "40-64"), (65, 200, "65+"))


class VoteRefused(ValidationError):
    """A ballot the rules do not accept; the messages are for the voter."""


def rules_for(budget_round, area=None):
    """The ballot rules of an area, else the round's own, else approval within the budget."""
    rules = {rule.area_id: rule for rule in BallotRules.objects.filter(round=budget_round)}
    chosen = rules.get(area.pk if area else None) or rules.get(None)
    budget = budget_round.total_budget
    if area is not None and budget_round.ballot_scope == BudgetRound.BallotScope.AREA:
        area_budget = budget_round.area_budgets.filter(area=area).first()
        budget = area_budget.amount if area_budget else budget
    if chosen is None:
        return Rules(method=BallotRules.Method.APPROVAL_BUDGET, budget=budget)
    return Rules(
        method=chosen.method,
        budget=budget,
        max_choices=chosen.max_choices,
        min_choices=chosen.min_choices,
        points_total=chosen.points_total,
        max_points_per_idea=chosen.max_points_per_idea,
        min_budget_share=chosen.min_budget_share,
    )


def ballot_ideas(budget_round, area=None):
    """The ideas a voter may choose: those on the ballot, of one area when the round votes by area."""
    ideas = Idea.objects.filter(round=budget_round, status=Status.ON_BALLOT)
    if area is not None and budget_round.ballot_scope == BudgetRound.BallotScope.AREA:
        ideas = ideas.filter(area=area)
    return ideas


def age_band(birth_year, year):
    """The published age band of a voter born in `birth_year`, for participation figures (from the register)."""
    if birth_year is None:
        return ""
    age = year - birth_year
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), "")


@dataclass(frozen=True)
class Receipt:
    """What a voter gets back for a cast ballot: the fingerprint of their sealed envelope, nothing of what is in
    it. `code` is the short form they keep; the full fingerprint is published once counted."""

    fingerprint: str
    area_id: int | None

    @property
    def code(self):
        return sealing.receipt(self.fingerprint)


def _entitled(budget_round, person, birth_year, moment):
    """(area whose ballot the person gets, None for a round with one ballot; birth year), or VoteRefused."""
    try:
        entitled = entitlement(budget_round, person, birth_year=birth_year, moment=moment)
    except NotEligible as refusal:
        raise VoteRefused(refusal.messages) from refusal
    by_area = budget_round.ballot_scope == BudgetRound.BallotScope.AREA
    return (entitled.area if by_area else None), entitled.birth_year


def voter_area(budget_round, person, birth_year=None, moment=None):
    """The area whose ballot this person gets (None for a round with one ballot), or VoteRefused."""
    return _entitled(budget_round, person, birth_year, moment)[0]


def why_not_open(budget_round, moment=None):
    """None while ballots can be cast in the round, else the reason."""
    if (
        not phase_allows(budget_round.current_phase(moment), Feature.VOTE)
        or budget_round.ballot_box_opened_at
    ):
        return _("Voting is not open now.")
    if not budget_round.counting_public_key:
        return _("Voting cannot start yet: the election commission has not made the round's counting keys.")
    return None


def cast(budget_round, person, *, channel, choices, birth_year=None, moment=None):
    """Record or replace the sealed ballot of `person` (a person key). `choices` maps idea id -> points or
    place. Returns a Receipt; raises VoteRefused with the voter's messages."""
    moment = moment or timezone.now()
    if reason := why_not_open(budget_round, moment):
        raise VoteRefused(reason)
    area, birth_year = _entitled(budget_round, person, birth_year, moment)
    check_choices(budget_round, choices, area)
    sealed = sealing.seal(budget_round.counting_public_key, choices)
    fingerprint = sealing.fingerprint(sealed)
    lookup = keys.ballot_lookup(budget_round.pk, person)
    voter_key = keys.register_key(budget_round.pk, person)
    with transaction.atomic():
        envelope = SealedBallot.objects.select_for_update().filter(lookup=lookup).first()
        if envelope is None:
            try:
                with transaction.atomic():
                    VoterRecord.objects.create(
                        round=budget_round,
                        voter_key=voter_key,
                        channel=channel,
                        voted_on=moment.date(),
                        birth_year=birth_year,
                    )
                    SealedBallot.objects.create(
                        round=budget_round, area=area, lookup=lookup, sealed=sealed, fingerprint=fingerprint
                    )
            except IntegrityError:
                # The same person voted a moment earlier (another tab, another channel, paper): from here on
                # this is a change of that ballot, under its lock, if the rules allow one.
                envelope = SealedBallot.objects.select_for_update().filter(lookup=lookup).first()
            else:
                return Receipt(fingerprint, area.pk if area else None)
        registered = VoterRecord.objects.filter(round=budget_round, voter_key=voter_key).first()
        if envelope is None or registered is None:
            raise VoteRefused(_("You have already voted in this round."))
        if registered.channel != channel or not budget_round.ballots_changeable:
            raise VoteRefused(
                _("You have already voted in this round (%(channel)s).")
                % {"channel": Channel(registered.channel).label}
            )
        limits.take("ballot_change", account=voter_key)
        envelope.sealed, envelope.fingerprint, envelope.area = sealed, fingerprint, area
        envelope.save(update_fields=["sealed", "fingerprint", "area"])
    return Receipt(fingerprint, area.pk if area else None)


def current_receipt(budget_round, person):
    """The Receipt of the person's sealed ballot in the round, or None when they have not voted online or by
    code (paper ballots belong to nobody)."""
    envelope = (
        SealedBallot.objects.filter(lookup=keys.ballot_lookup(budget_round.pk, person))
        .values_list("fingerprint", "area_id")
        .first()
    )
    return Receipt(*envelope) if envelope else None


def ballot_costs(budget_round, area=None):
    """{idea id: what it costs the public budget} for the ideas on the ballot: the net cost (Idea.net_cost),
    its cost less partners' confirmed money pledges, which are frozen once voting opens
    (ideas/partners/pledges.py). The ballot page, the online, code and paper casts and the count all use it."""
    return {idea.pk: idea.net_cost for idea in ballot_ideas(budget_round, area)}


def check_choices(budget_round, choices, area=None):
    """Raise VoteRefused, with the voter's messages, when the choices break the round's ballot rules (the
    budget checked against the ideas' net costs, ballot_costs)."""
    costs = ballot_costs(budget_round, area)
    problems = ballot_problems(rules_for(budget_round, area), choices, costs)
    if problems:
        raise VoteRefused([_message(code, details) for code, details in problems])


def _message(code, details):
    messages = {
        "unknown_idea": lambda: _("Some of the chosen ideas are not on this ballot."),
        "points_not_positive": lambda: _("Points must be whole numbers from 1 up."),
        "too_few": lambda: (
            ngettext(
                "Choose at least %(minimum)s idea.",
                "Choose at least %(minimum)s ideas.",
                details.get("minimum", 0),
            )
            % details
        ),
        "too_many": lambda: (
            ngettext(
                "Choose at most %(maximum)s idea.",
                "Choose at most %(maximum)s ideas.",
                details.get("maximum", 0),
            )
            % details
        ),
        "over_budget": lambda: (
            _("The chosen ideas cost %(cost)s, more than the budget of %(budget)s.")
            % {"cost": money(details.get("cost")), "budget": money(details.get("budget"))}
        ),
        "under_budget_share": lambda: _("Choose ideas worth at least %(share)s%% of the budget.") % details,
        "too_many_points": lambda: _("You gave %(points)s points; you have %(allowed)s.") % details,
        "points_per_idea": lambda: _("One idea can get at most %(allowed)s points.") % details,
        "ranking_places": lambda: _("Number the chosen ideas 1, 2, 3 … without gaps or repeats."),
    }
    return messages[code]()
