"""The ballot box of a round: the key ceremony before voting, and opening the box at the count.

`make_counting_keys` makes the election commission's key pair: the public key goes on the round and seals every
ballot (ideas/voting/casting.py, paper.py); the private key is returned once, to be saved and printed by the
commission, and is never stored. `open_ballot_box` takes that private key after voting has closed: the newest
envelope of each voter is all the box holds (a newer ballot replaces the older one), so the envelopes are
shuffled, opened and stored as Ballot rows with fresh random ids, in random order, in one transaction that
touches nothing else; their fingerprints are published (CountedReceipt) and the envelopes are deleted. A wrong
or damaged key changes nothing. Wired to the voting desk (ideas/moderation/voting.py) and, through
ideas/voting/closing.py, to every path to a count.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import Ballot, BallotChoice, BudgetRound, CountedReceipt, SealedBallot, VoterRecord
from ideas.phases import Phase
from ideas.voting import sealing

BATCH = 2000


class BoxProblem(ValidationError):
    """The keys cannot be made or the box cannot be opened now; the message is for staff."""


def make_counting_keys(budget_round, user):
    """Make the round's counting key pair and return the private key, which exists only in this answer.
    Refused once any ballot is in the box (the old key would then be needed to open it)."""
    with transaction.atomic():
        budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        if budget_round.ballot_box_opened_at or SealedBallot.objects.filter(round=budget_round).exists():
            raise BoxProblem(
                _("Ballots are already sealed with this round's key; new keys could not open them.")
            )
        if budget_round.current_phase() in (Phase.RESULTS, Phase.IMPLEMENTATION):
            raise BoxProblem(_("Voting is over; the counting keys can no longer change."))
        public, private = sealing.new_key_pair()
        budget_round.counting_public_key = public
        budget_round.save(update_fields=["counting_public_key"])
        log(
            instance=budget_round,
            action="ideas.voting.keys_made",
            user=user,
            data={"key": sealing.key_id(public)},
        )
    return private


def box_size(budget_round):
    """How many sealed ballots wait in the round's box."""
    return SealedBallot.objects.filter(round=budget_round).count()


def open_ballot_box(budget_round, private_key, user):
    """Open the round's box with the commission's private key: returns how many ballots were opened. Refused,
    with nothing changed, before voting has closed, while paper ballots wait or do not reconcile, or when the
    key is not the round's."""
    from ideas.voting.paper import reconciliation

    if budget_round.current_phase() not in (Phase.RESULTS, Phase.IMPLEMENTATION):
        raise BoxProblem(_("The ballot box is opened after voting has closed."))
    if budget_round.ballot_box_opened_at:
        return 0
    try:
        private = sealing.check_private_key(private_key, budget_round.counting_public_key)
    except sealing.KeyProblem as problem:
        raise BoxProblem(
            _("This is not the round's counting key, or the key is damaged. No ballot was opened.")
        ) from problem
    over = [row["place"].name for row in reconciliation(budget_round) if row["over"] or row["pending"]]
    if over:
        raise BoxProblem(
            _("Paper ballots do not reconcile yet at: %(places)s. Confirm or reject what waits first.")
            % {"places": ", ".join(over)}
        )
    shuffle = secrets.SystemRandom().shuffle
    with transaction.atomic():
        budget_round = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        if budget_round.ballot_box_opened_at:
            return 0
        envelopes = list(
            SealedBallot.objects.filter(round=budget_round).values_list("area_id", "sealed", "fingerprint")
        )
        shuffle(envelopes)
        opened = []
        for area_id, sealed, _fingerprint in envelopes:
            try:
                opened.append((area_id, sealing.unseal(private, sealed)))
            except sealing.KeyProblem as problem:
                # The transaction is rolled back: every envelope stays sealed in the box.
                raise BoxProblem(
                    _("A sealed ballot does not open with this key; nothing was opened.")
                ) from problem
        # A second shuffle after opening, so that not even the order envelopes were read in survives.
        shuffle(opened)
        for start in range(0, len(opened), BATCH):
            part = opened[start : start + BATCH]
            ballots = [Ballot(round=budget_round, area_id=area_id) for area_id, _choices in part]
            Ballot.objects.bulk_create(ballots)
            BallotChoice.objects.bulk_create(
                [
                    BallotChoice(ballot=ballot, idea_id=idea, points=points)
                    for ballot, (_area, choices) in zip(ballots, part, strict=True)
                    for idea, points in sorted(choices.items())
                ]
            )
        CountedReceipt.objects.bulk_create(
            [CountedReceipt(round=budget_round, fingerprint=fp) for fp in sorted(e[2] for e in envelopes)]
        )
        SealedBallot.objects.filter(round=budget_round).delete()
        budget_round.ballot_box_opened_at = timezone.now()
        budget_round.save(update_fields=["ballot_box_opened_at"])
        voters = VoterRecord.objects.filter(round=budget_round).count()
        log(
            instance=budget_round,
            action="ideas.voting.box_opened",
            user=user,
            data={"ballots": len(opened), "voters": voters},
        )
    return len(opened)
