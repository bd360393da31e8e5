"""Paper ballots in the same register and count as online and code ballots.

At the polling place staff enter the voter in the register (refused if that person already voted in any
channel); the filled-in paper goes into the box without a name. Later one staff member types each paper ballot
in and a second, different one confirms it; only then does it become a Ballot.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.models import Ballot, BallotChoice, Channel, PaperBallotEntry, RoundResult, VoterRecord
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.casting import VoteRefused, ballot_scope, check_choices

OPEN_FOR_PAPER = {Phase.VOTING, Phase.RESULTS}  # paper is typed in after the polls close, before the count


def register_paper_voter(budget_round, personal_code, area=None, birth_year=None):
    """Enter a person who votes on paper in the register; refused when they already voted in any channel."""
    if budget_round.current_phase() != Phase.VOTING:
        raise VoteRefused(_("Voting is not open now."))
    scope = ballot_scope(budget_round, area)
    try:
        with transaction.atomic():
            VoterRecord.objects.create(
                round=budget_round,
                voter_key=keys.register_key(budget_round.pk, keys.person_key(personal_code), scope),
                scope=scope,
                channel=Channel.PAPER,
                voted_on=timezone.localdate(),
                birth_year=birth_year,
            )
    except IntegrityError as error:
        raise VoteRefused(_("This person has already voted in this round.")) from error


def is_counted(budget_round):
    """Once a round is counted, no paper ballot can join it: the count would no longer be the published one."""
    return RoundResult.objects.filter(round=budget_round).exists()


def enter(budget_round, choices, entered_by, area=None):
    """Type in a paper ballot; it waits for a second person's confirmation."""
    if budget_round.current_phase() not in OPEN_FOR_PAPER:
        raise VoteRefused(_("Paper ballots are entered from the start of voting until the results."))
    if is_counted(budget_round):
        raise VoteRefused(_("This round has been counted; paper ballots can no longer be entered."))
    check_choices(budget_round, choices, area)
    return PaperBallotEntry.objects.create(
        round=budget_round, area=area, choices={str(k): v for k, v in choices.items()}, entered_by=entered_by
    )


def confirm(entry, confirmed_by):
    """A second staff member confirms a typed-in paper ballot; it becomes a ballot in the count."""
    if confirmed_by.pk == entry.entered_by_id:
        raise PermissionDenied(_("A second person must confirm a paper ballot, not the one who typed it in."))
    with transaction.atomic():
        entry = PaperBallotEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.state != PaperBallotEntry.State.PENDING:
            raise ValidationError(_("This paper ballot has already been dealt with."))
        if is_counted(entry.round):
            raise ValidationError(_("This round has been counted; paper ballots can no longer be entered."))
        choices = {int(k): v for k, v in entry.choices.items()}
        check_choices(entry.round, choices, entry.area)
        ballot = Ballot.objects.create(
            round=entry.round,
            area=entry.area,
            channel=Channel.PAPER,
            # A paper ballot belongs to nobody who could look it up later: its lookup is a random token.
            lookup=secrets.token_hex(32),
            reference=keys.new_reference(),
        )
        BallotChoice.objects.bulk_create(
            [
                BallotChoice(ballot=ballot, idea_id=idea, points=points)
                for idea, points in sorted(choices.items())
            ]
        )
        entry.state = PaperBallotEntry.State.CONFIRMED
        entry.confirmed_by = confirmed_by
        entry.save(update_fields=["state", "confirmed_by"])
    return ballot


def reject(entry, rejected_by):
    """Drop a typed-in ballot that does not match its paper (it can be typed in again)."""
    PaperBallotEntry.objects.filter(pk=entry.pk, state=PaperBallotEntry.State.PENDING).update(
        state=PaperBallotEntry.State.REJECTED, confirmed_by=rejected_by
    )
