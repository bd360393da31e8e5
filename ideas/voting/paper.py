"""Paper ballots in the same register, ballot box and count as online and code ballots. Each step writes its
entry in the round's audit log here, whoever calls it (voting desk, demo, tests).

At a polling place staff enter the voter in the register (refused if the person may not vote, or already voted
in any channel); the filled-in paper goes into the box without a name. Later one staff member types each paper
ballot in, naming the polling place, and a second, different one confirms it; only then is it sealed into the
ballot box like any other ballot. Per polling place, confirmed paper ballots never exceed the paper voters
registered there (`reconciliation`, shown at the voting desk and checked before the box is opened).
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import Channel, PaperBallotEntry, PollingPlace, RoundResult, SealedBallot, VoterRecord
from ideas.phases import Phase
from ideas.voting import keys, sealing
from ideas.voting.casting import VoteRefused, check_choices, why_not_open
from ideas.voting.eligibility import NotEligible, entitlement
from ideas.voting.identity import person_from_code

OPEN_FOR_PAPER = {Phase.VOTING, Phase.RESULTS}  # paper is typed in after the polls close, before the count


def register_paper_voter(budget_round, personal_code, polling_place, *, user=None):
    """Enter a person who votes on paper at `polling_place` in the register; refused when they may not vote
    in the round or already voted in any channel. Returns the area whose ballot paper to hand them."""
    if reason := why_not_open(budget_round):
        raise VoteRefused(reason)
    if polling_place is None or polling_place.round_id != budget_round.pk:
        raise VoteRefused(_("Choose the polling place."))
    person = person_from_code(personal_code)
    try:
        entitled = entitlement(budget_round, person)
    except NotEligible as refusal:
        raise VoteRefused(refusal.messages) from refusal
    try:
        with transaction.atomic():
            VoterRecord.objects.create(
                round=budget_round,
                voter_key=keys.register_key(budget_round.pk, person),
                channel=Channel.PAPER,
                voted_on=timezone.localdate(),
                birth_year=entitled.birth_year,
                polling_place=polling_place,
            )
    except IntegrityError as error:
        raise VoteRefused(_("This person has already voted in this round.")) from error
    log(
        instance=budget_round,
        action="ideas.voting.paper_voter",
        user=user,
        data={"polling_place": polling_place.name},
    )
    return entitled.area


def is_counted(budget_round):
    """Once a round's box is opened or counted, no paper ballot can join it."""
    return bool(budget_round.ballot_box_opened_at) or RoundResult.objects.filter(round=budget_round).exists()


def enter(budget_round, choices, entered_by, polling_place, area=None):
    """Type in a paper ballot from `polling_place`; it waits for a second person's confirmation."""
    if budget_round.current_phase() not in OPEN_FOR_PAPER:
        raise VoteRefused(_("Paper ballots are entered from the start of voting until the results."))
    if is_counted(budget_round):
        raise VoteRefused(_("This round has been counted; paper ballots can no longer be entered."))
    if polling_place is None or polling_place.round_id != budget_round.pk:
        raise VoteRefused(_("Choose the polling place."))
    check_choices(budget_round, choices, area)
    entry = PaperBallotEntry.objects.create(
        round=budget_round,
        area=area,
        polling_place=polling_place,
        choices={str(k): v for k, v in choices.items()},
        entered_by=entered_by,
    )
    log(instance=budget_round, action="ideas.voting.paper_entered", user=entered_by)
    return entry


def reconciliation(budget_round):
    """Per polling place: paper voters registered, ballots confirmed, waiting and rejected, and whether the
    confirmed ballots exceed the voters (which must never happen)."""
    places = PollingPlace.objects.filter(round=budget_round).order_by("name")
    registered = dict(
        VoterRecord.objects.filter(round=budget_round, channel=Channel.PAPER)
        .values_list("polling_place")
        .annotate(n=Count("pk"))
        .values_list("polling_place", "n")
    )
    entries = {
        row["polling_place"]: row
        for row in PaperBallotEntry.objects.filter(round=budget_round)
        .values("polling_place")
        .annotate(
            confirmed=Count("pk", filter=Q(state=PaperBallotEntry.State.CONFIRMED)),
            pending=Count("pk", filter=Q(state=PaperBallotEntry.State.PENDING)),
            rejected=Count("pk", filter=Q(state=PaperBallotEntry.State.REJECTED)),
        )
    }
    rows = []
    for place in places:
        counts = entries.get(place.pk, {})
        row = {
            "place": place,
            "registered": registered.get(place.pk, 0),
            "confirmed": counts.get("confirmed", 0),
            "pending": counts.get("pending", 0),
            "rejected": counts.get("rejected", 0),
        }
        row["over"] = row["confirmed"] > row["registered"]
        row["unused"] = max(row["registered"] - row["confirmed"], 0)
        rows.append(row)
    return rows


def confirm(entry, confirmed_by):
    """A second staff member confirms a typed-in paper ballot: it is sealed into the ballot box like any other
    ballot, and the typed-in copy of its choices is emptied."""
    if confirmed_by.pk == entry.entered_by_id:
        raise PermissionDenied(_("A second person must confirm a paper ballot, not the one who typed it in."))
    with transaction.atomic():
        entry = PaperBallotEntry.objects.select_for_update().select_related("round").get(pk=entry.pk)
        budget_round = entry.round
        if entry.state != PaperBallotEntry.State.PENDING:
            raise ValidationError(_("This paper ballot has already been dealt with."))
        if is_counted(budget_round):
            raise ValidationError(_("This round has been counted; paper ballots can no longer be entered."))
        if not budget_round.counting_public_key:
            raise ValidationError(_("The round has no counting keys yet."))
        # Serialise confirmations of one polling place so that two at once cannot both pass the check below.
        PollingPlace.objects.select_for_update().filter(pk=entry.polling_place_id).first()
        registered = VoterRecord.objects.filter(
            round=budget_round, channel=Channel.PAPER, polling_place_id=entry.polling_place_id
        ).count()
        confirmed = PaperBallotEntry.objects.filter(
            polling_place_id=entry.polling_place_id, state=PaperBallotEntry.State.CONFIRMED
        ).count()
        if confirmed >= registered:
            raise ValidationError(
                _(
                    "This polling place already has as many confirmed paper ballots as registered paper voters "
                    "(%(count)s). Check the ballot papers and the register before confirming more."
                )
                % {"count": registered}
            )
        choices = {int(k): v for k, v in entry.choices.items()}
        check_choices(budget_round, choices, entry.area)
        sealed = sealing.seal(budget_round.counting_public_key, choices)
        SealedBallot.objects.create(
            round=budget_round,
            area=entry.area,
            # A paper ballot belongs to nobody who could look it up later: its lookup is a random token.
            lookup=secrets.token_hex(32),
            sealed=sealed,
            fingerprint=sealing.fingerprint(sealed),
        )
        entry.state = PaperBallotEntry.State.CONFIRMED
        entry.confirmed_by = confirmed_by
        entry.choices = {}
        entry.save(update_fields=["state", "confirmed_by", "choices"])
        log(instance=budget_round, action="ideas.voting.paper_confirmed", user=confirmed_by)


def reject(entry, rejected_by):
    """Drop a typed-in ballot that does not match its paper (it can be typed in again)."""
    rejected = PaperBallotEntry.objects.filter(pk=entry.pk, state=PaperBallotEntry.State.PENDING).update(
        state=PaperBallotEntry.State.REJECTED, confirmed_by=rejected_by, choices={}
    )
    if rejected:
        log(instance=entry.round, action="ideas.voting.paper_rejected", user=rejected_by)
