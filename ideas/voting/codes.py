"""One-time voting codes: staff make a batch, hand each code to an identified person (workshops, libraries,
kiosks), and the person votes with it, without an account. Only keyed hashes of codes are stored; the codes
themselves are shown once, to be printed. Eligibility (census list and age, or a staff exception) is checked when
a code is handed out and again when it votes (ideas/voting/eligibility.py).

Between the code page and the cast, the voter's session holds only the code's keyed hash (`code_hash`): a reader
of the sessions table cannot vote with it."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ideas.models import Channel, VotingCode
from ideas.voting import keys
from ideas.voting.casting import VoteRefused, cast, why_not_open
from ideas.voting.eligibility import entitlement
from ideas.voting.identity import person_from_code

CODE_ALPHABET = keys.CODE_ALPHABET
CODE_LENGTH = 12  # 32^12 = 2^60 possibilities: guessing one is hopeless within the voting weeks


def new_code():
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def make_batch(budget_round, count, batch):
    """Create `count` codes for a round; returns them in plain text, the only time they exist outside paper."""
    codes = [new_code() for _ in range(count)]
    VotingCode.objects.bulk_create(
        [VotingCode(round=budget_round, code_hash=keys.code_hash(code), batch=batch) for code in codes]
    )
    return codes


def _find(budget_round, hashed, *states):
    found = VotingCode.objects.select_for_update().filter(round=budget_round, code_hash=hashed).first()
    if found is None or found.state not in states:
        raise ValidationError(_("This voting code is not valid, or it has already been used."))
    return found


def usable_person(budget_round, hashed):
    """The person key behind a code hash when the code was handed out for this round and has not voted yet."""
    return (
        VotingCode.objects.filter(round=budget_round, code_hash=hashed, state=VotingCode.State.ISSUED)
        .values_list("person_key", flat=True)
        .first()
    )


def hand_out(budget_round, code, personal_code, *, user=None):
    """Record whom a code was given to (as a keyed hash), so that the person cannot vote twice elsewhere. The
    person must be entitled to vote in the round now (census and age, or a staff exception). Audit-logged
    (without the code or the person)."""
    person = person_from_code(personal_code)
    entitlement(budget_round, person)
    with transaction.atomic():
        voting_code = _find(budget_round, keys.code_hash(code), VotingCode.State.NEW)
        voting_code.person_key = person
        voting_code.state = VotingCode.State.ISSUED
        voting_code.save(update_fields=["person_key", "state"])
        log(
            instance=budget_round,
            action="ideas.voting.code_handed_out",
            user=user,
            data={"batch": voting_code.batch},
        )


def vote_with_code(budget_round, hashed, choices):
    """Cast the ballot of the person a code (given by its hash) was handed to; the code is used up with the
    vote. Returns the Receipt."""
    if reason := why_not_open(budget_round):
        raise VoteRefused(reason)
    with transaction.atomic():
        voting_code = _find(budget_round, hashed, VotingCode.State.ISSUED)
        receipt = cast(budget_round, voting_code.person_key, channel=Channel.CODE, choices=choices)
        voting_code.state = VotingCode.State.USED
        voting_code.save(update_fields=["state"])
    return receipt


def void_unused(budget_round, batch):
    """Void the codes of a batch that were never handed out or never used; returns how many."""
    return (
        VotingCode.objects.filter(round=budget_round, batch=batch)
        .exclude(state=VotingCode.State.USED)
        .update(state=VotingCode.State.VOID)
    )
