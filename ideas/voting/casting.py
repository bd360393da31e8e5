"""Casting and changing a ballot: every rule checked on the server, one ballot per person per round whatever the
channel, and no link between the register of who voted and what they chose (see ideas/models/voting.py).

Concurrency: the register's unique constraint lets only one of many simultaneous first ballots in; the others,
and every change, take the ballot's row lock and replace its choices whole, so a ballot is always one complete,
valid submission.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas.models import Ballot, BallotChoice, BallotRules, BudgetRound, Channel, Idea, VoterRecord
from ideas.phases import Feature, phase_allows
from ideas.statuses import Status
from ideas.voting import keys
from ideas.voting.ballot_rules import Rules, ballot_problems

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


def ballot_scope(budget_round, area):
    """The scope of a register entry and a ballot: empty for a round-wide ballot, else the area's code."""
    if budget_round.ballot_scope == BudgetRound.BallotScope.AREA:
        if area is None:
            raise VoteRefused(_("Choose the area you vote in."))
        return area.code
    return ""


def age_band(birth_year, year):
    """The published age band of a voter born in `birth_year`, for participation figures (from the register)."""
    if birth_year is None:
        return ""
    age = year - birth_year
    return next((label for low, high, label in AGE_BANDS if low <= age <= high), "")


def cast(budget_round, person, *, channel, choices, area=None, birth_year=None, moment=None):
    """Record or change the ballot of `person` (a person key). `choices` maps idea id -> points or place.
    Returns the ballot; raises VoteRefused with the voter's messages."""
    moment = moment or timezone.now()
    if not phase_allows(budget_round.current_phase(moment), Feature.VOTE):
        raise VoteRefused(_("Voting is not open now."))
    if birth_year is not None and moment.year - birth_year < budget_round.minimum_voting_age:
        raise VoteRefused(
            _("Residents may vote from the age of %(age)s.") % {"age": budget_round.minimum_voting_age}
        )
    scope = ballot_scope(budget_round, area)
    check_choices(budget_round, choices, area)

    lookup = keys.ballot_lookup(budget_round.pk, person, scope)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().filter(lookup=lookup).first()
        if ballot is None:
            try:
                with transaction.atomic():
                    VoterRecord.objects.create(
                        round=budget_round,
                        voter_key=keys.register_key(budget_round.pk, person, scope),
                        scope=scope,
                        channel=channel,
                        voted_on=moment.date(),
                        birth_year=birth_year,
                    )
                    ballot = Ballot.objects.create(
                        round=budget_round,
                        area=area if scope else None,
                        channel=channel,
                        lookup=lookup,
                        reference=keys.new_reference(),
                    )
            except IntegrityError:
                # The same person's ballot arrived a moment earlier (another tab, another channel): from here on
                # this is a change of that ballot, under its lock.
                ballot = Ballot.objects.select_for_update().filter(lookup=lookup).first()
                if ballot is None:
                    raise VoteRefused(_("You have already voted in this round.")) from None
            else:
                _store(ballot, choices)
                return ballot
        if ballot.channel != channel or not budget_round.ballots_changeable:
            raise VoteRefused(
                _("You have already voted in this round (%(channel)s).")
                % {"channel": Channel(ballot.channel).label}
            )
        _store(ballot, choices)
    return ballot


def check_choices(budget_round, choices, area=None):
    """Raise VoteRefused, with the voter's messages, when the choices break the round's ballot rules."""
    costs = {idea.pk: idea.cost for idea in ballot_ideas(budget_round, area)}
    problems = ballot_problems(rules_for(budget_round, area), choices, costs)
    if problems:
        raise VoteRefused([_message(code, details) for code, details in problems])


def _store(ballot, choices):
    BallotChoice.objects.filter(ballot=ballot).delete()
    BallotChoice.objects.bulk_create(
        [BallotChoice(ballot=ballot, idea_id=idea, points=points) for idea, points in sorted(choices.items())]
    )


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
            _("The chosen ideas cost %(cost)s EUR, more than the budget of %(budget)s EUR.") % details
        ),
        "under_budget_share": lambda: _("Choose ideas worth at least %(share)s%% of the budget.") % details,
        "too_many_points": lambda: _("You gave %(points)s points; you have %(allowed)s.") % details,
        "points_per_idea": lambda: _("One idea can get at most %(allowed)s points.") % details,
        "ranking_places": lambda: _("Number the chosen ideas 1, 2, 3 … without gaps or repeats."),
    }
    return messages[code]()
