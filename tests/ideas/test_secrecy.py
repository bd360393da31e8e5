"""The secret ballot, attacked. On PostgreSQL, 40 people vote through the three channels (online after signing
in with eID, with a voting code, on paper); each chose a different set of ideas, so a ballot's contents name its voter.
Then an attacker who has the whole database (system columns xmin and ctid, id order, dump order, sessions, the
audit log, the task queue) and the captured logs tries to pair people with opened ballots. The attacker is
given more than a real one has: each person's register row (normally hidden behind VOTING_KEY). At most 5 of
40 pairings may be right (chance is 1); by construction they should be at chance.

A second attacker holds the server's environment (VOTING_KEY, SECRET_KEY) during the vote: they find each
person's envelope, but cannot read it.
"""

import itertools
import json
import logging
from decimal import Decimal

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.db.models import Count
from wagtail.models import ModelLogEntry

from ideas.models import (
    Ballot,
    BallotChoice,
    BudgetRoundPage,
    Channel,
    CountedReceipt,
    PollingPlace,
    SealedBallot,
    VoterRecord,
)
from ideas.voting import codes, keys, paper, sealing
from tests.factories import make_idea, verified_resident
from tests.ideas.eid import sign_in_with_eid
from tests.ideas.voters import close_and_open, on_census, voting_round

pytestmark = [pytest.mark.postgres]

ONLINE, CODE, PAPER = 20, 12, 8
PEOPLE = ONLINE + CODE + PAPER
MOST_RIGHT = 5


@pytest.fixture
def election(db, home_lv, client):
    """A round with 8 ideas on its ballot, 40 voters with distinct choice sets and birth years, and what each
    of them chose (the ground truth the attacker tries to recover)."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's system columns; CI runs this on PostgreSQL")
    budget_round = voting_round(total_budget=Decimal("100000"))
    page = BudgetRoundPage(
        title="Secret round", slug="secret-round", budget_round=budget_round, intro="<p>x</p>"
    )
    home_lv.add_child(instance=page)
    ideas = [make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(1000 + n)) for n in range(8)]
    subsets = [combo for size in (3, 4) for combo in itertools.combinations(ideas, size)][:PEOPLE]
    place = PollingPlace.objects.create(round=budget_round, name="Parish hall")
    clerk = verified_resident("clerk", groups=["Moderators"])
    checker = verified_resident("checker", groups=["Moderators"])
    people = []
    for number in range(PEOPLE):
        personal_code = (
            f"{(number % 28) + 1:02d}0{(number % 9) + 1}{(60 + number) % 100:02d}-{40000 + number:05d}"
        )
        people.append(
            {
                "code": personal_code,
                "person": keys.person_key(personal_code),
                "birth_year": 1930 + number,
                "choices": frozenset(idea.pk for idea in subsets[number]),
            }
        )
    return budget_round, page, people, place, clerk, checker


def _vote_everyone(budget_round, page, people, place, clerk, checker, client_class, provider):
    """Online voters through the website (sign-in, review, cast), code voters through the code page, paper
    voters at the desk's services; in an interleaved order, as a real day would be. Returns the plain codes."""
    batch = codes.make_batch(budget_round, CODE, "library")
    vote_url = page.url + page.reverse_subpage("vote")
    code_url = page.url + page.reverse_subpage("vote_with_code")
    code_ballot_url = page.url + page.reverse_subpage("code_ballot")
    order = sorted(range(PEOPLE), key=lambda n: (n * 7) % PEOPLE)
    for number in order:
        person = people[number]
        form = {f"idea_{pk}": "on" for pk in person["choices"]}
        if number < ONLINE:
            # Online voters prove who they are with eID (a real OpenID Connect provider on loopback).
            on_census(person["code"], birth_year=person["birth_year"])
            browser = client_class()
            sign_in_with_eid(
                browser,
                provider,
                personal_code=person["code"],
                birthdate=f"{person['birth_year']}-01-01",
                email=f"voter{number}@example.test",
            )
            review = browser.post(vote_url, form)
            assert review.status_code == 200, review.content[:500]
            done = browser.post(vote_url, {**form, "cast": "1"})
            assert b"data-receipt" in done.content
        elif number < ONLINE + CODE:
            on_census(person["code"], birth_year=person["birth_year"])
            code = batch[number - ONLINE]
            codes.hand_out(budget_round, code, person["code"])
            browser = client_class()
            assert browser.post(code_url, {"code": code}).status_code == 302
            browser.post(code_ballot_url, form)
            done = browser.post(code_ballot_url, {**form, "cast": "1"})
            assert b"data-receipt" in done.content
        else:
            on_census(person["code"], birth_year=person["birth_year"])
            paper.register_paper_voter(budget_round, person["code"], place)
            entry = paper.enter(budget_round, dict.fromkeys(person["choices"], 1), clerk, place)
            paper.confirm(entry, checker)
    # Someone who typed in a code and walked away: the session keeps nothing usable.
    walker = client_class()
    spare = codes.make_batch(budget_round, 1, "spare")[0]
    on_census("311299-99999")
    codes.hand_out(budget_round, spare, "311299-99999")
    walker.post(code_url, {"code": spare})
    return [*batch, spare]


def _rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _ballot_sets(budget_round):
    """Each opened ballot's id and its set of ideas."""
    sets = {}
    choices = BallotChoice.objects.filter(ballot__round=budget_round).values_list("ballot_id", "idea_id")
    for ballot_id, idea_id in choices:
        sets.setdefault(ballot_id, set()).add(idea_id)
    return {ballot_id: frozenset(ideas) for ballot_id, ideas in sets.items()}


def _right(pairs, people_by_key, ballot_sets):
    """How many (register voter key, ballot id) pairings name the ballot its person really cast."""
    return sum(
        1
        for voter_key, ballot_id in pairs
        if people_by_key[voter_key]["choices"] == ballot_sets.get(ballot_id)
    )


def _pair_in_order(register_keys, ballot_ids):
    return list(zip(register_keys, ballot_ids, strict=False))


def test_forty_ballots_in_three_channels_cannot_be_linked_to_their_voters(
    election, client, caplog, django_capture_on_commit_callbacks, oidc_provider
):
    budget_round, page, people, place, clerk, checker = election
    caplog.set_level(logging.DEBUG)
    # Only this election's sessions are examined (a browser test's live server may have left its own).
    Session.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        plain_codes = _vote_everyone(
            budget_round, page, people, place, clerk, checker, type(client), oidc_provider
        )
    assert SealedBallot.objects.filter(round=budget_round).count() == PEOPLE

    # During the vote, someone holding the server's environment finds each envelope but cannot read it.
    for person in people[:ONLINE]:
        envelope = SealedBallot.objects.get(lookup=keys.ballot_lookup(budget_round.pk, person["person"]))
        plain = json.dumps(sorted([pk, 1] for pk in person["choices"]), separators=(",", ":")).encode()
        assert plain not in bytes(envelope.sealed)
        other_key = sealing.new_key_pair()[1]
        with pytest.raises(sealing.KeyProblem):
            sealing.unseal(sealing._private(other_key), envelope.sealed)
    assert len({len(bytes(sealed)) for sealed in SealedBallot.objects.values_list("sealed", flat=True)}) == 1

    # The attack works where a link exists: an envelope is written in its register row's transaction, so xmin
    # pairs them. That is why envelopes are never opened in place.
    register_xmins = {
        xmin
        for (xmin,) in _rows(f"SELECT xmin::text FROM ideas_voterrecord WHERE round_id = {budget_round.pk}")
    }
    envelope_xmins = [
        xmin
        for (xmin,) in _rows(f"SELECT xmin::text FROM ideas_sealedballot WHERE round_id = {budget_round.pk}")
    ]
    assert sum(xmin in register_xmins for xmin in envelope_xmins) >= ONLINE + CODE

    assert close_and_open(budget_round) == PEOPLE
    ballot_sets = _ballot_sets(budget_round)
    assert sorted(ballot_sets.values(), key=sorted) == sorted((p["choices"] for p in people), key=sorted)
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert CountedReceipt.objects.filter(round=budget_round).count() == PEOPLE

    # The gift: each person's register row (a real attacker would need VOTING_KEY for this).
    people_by_key = {keys.register_key(budget_round.pk, p["person"]): p for p in people}
    register = _rows(
        "SELECT voter_key, id, xmin::text::bigint, ctid::text FROM ideas_voterrecord "
        f"WHERE round_id = {budget_round.pk}"
    )
    ballots = _rows(
        f"SELECT id, xmin::text::bigint, ctid::text FROM ideas_ballot WHERE round_id = {budget_round.pk}"
    )
    first_choice = dict(
        _rows(
            "SELECT c.ballot_id, MIN(c.id) FROM ideas_ballotchoice c JOIN ideas_ballot b ON b.id = c.ballot_id "
            f"WHERE b.round_id = {budget_round.pk} GROUP BY c.ballot_id"
        )
    )

    def ctid(value):
        block, row = value.strip("()").split(",")
        return int(block), int(row)

    attacks = {}
    # xmin: ballots written in the same transaction as a register row.
    register_xmin = {xmin: voter_key for voter_key, _id, xmin, _ctid in register}
    attacks["same xmin"] = [
        (register_xmin[xmin], ballot_id) for ballot_id, xmin, _ctid in ballots if xmin in register_xmin
    ]
    by_register_id = [row[0] for row in sorted(register, key=lambda row: row[1])]
    by_register_xmin = [row[0] for row in sorted(register, key=lambda row: (row[2], row[1]))]
    by_register_ctid = [row[0] for row in sorted(register, key=lambda row: ctid(row[3]))]
    by_ballot_xmin = [row[0] for row in sorted(ballots, key=lambda row: (row[1], ctid(row[2])))]
    by_ballot_ctid = [row[0] for row in sorted(ballots, key=lambda row: ctid(row[2]))]
    by_choice_id = sorted(first_choice, key=first_choice.get)
    by_uuid = sorted(ballot_id for ballot_id, _x, _c in ballots)
    attacks["xmin order"] = _pair_in_order(by_register_xmin, by_ballot_xmin)
    attacks["id order (register id, choice id)"] = _pair_in_order(by_register_id, by_choice_id)
    attacks["dump order (ctid)"] = _pair_in_order(by_register_ctid, by_ballot_ctid)
    attacks["uuid order"] = _pair_in_order(by_register_id, by_uuid)
    # Birth years: the register's birth year joins the person; ballots carry none, so the best an attacker can
    # do is order both by it.
    by_birth = [row[0] for row in sorted(register, key=lambda row: people_by_key[row[0]]["birth_year"])]
    attacks["birth-year order"] = _pair_in_order(by_birth, by_ballot_ctid)
    # Published receipts are sorted by fingerprint, never in ballot order.
    receipt_order = list(CountedReceipt.objects.filter(round=budget_round).order_by("pk"))
    attacks["receipt order"] = _pair_in_order(by_register_id, by_ballot_ctid[: len(receipt_order)])
    for name, pairs in attacks.items():
        right = _right(pairs, people_by_key, ballot_sets)
        assert right <= MOST_RIGHT, f"{name}: {right} of {PEOPLE} pairings right"

    # Nothing else in the database or the logs holds what a voter chose, a receipt or a usable code.
    fingerprints = set(CountedReceipt.objects.values_list("fingerprint", flat=True))
    receipts = {sealing.receipt(fp) for fp in fingerprints}
    for session in Session.objects.all():
        text = json.dumps(session.get_decoded())
        assert not any(fp[:20] in text.lower() for fp in fingerprints)
        assert "choices" not in text and "ballot" not in text.lower()
        for code in plain_codes:
            assert code not in text and code.replace("-", "") not in text
    audit = " ".join(
        json.dumps(entry.data) for entry in ModelLogEntry.objects.filter(object_id=str(budget_round.pk))
    )
    assert not any(fp[:16] in audit for fp in fingerprints)
    log_text = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(fp[:16] in log_text.lower() for fp in fingerprints)
    titles = set(budget_round.ideas.values_list("title", flat=True))
    receipt_mails = [message for message in mail.outbox if any(code in message.body for code in receipts)]
    assert len(receipt_mails) == ONLINE
    for message in mail.outbox:
        assert not any(title in message.body for title in titles)
    if "django_tasks_database_dbtaskresult" in connection.introspection.table_names():
        tasks = " ".join(
            str(row) for row in _rows("SELECT args_kwargs FROM django_tasks_database_dbtaskresult")
        )
        assert "choices" not in tasks
    # The register still says who voted, by channel; the paper side reconciles.
    channels = dict(
        VoterRecord.objects.filter(round=budget_round).values_list("channel").annotate(n=Count("pk"))
    )
    assert channels == {Channel.ONLINE: ONLINE, Channel.CODE: CODE, Channel.PAPER: PAPER}
    assert Ballot.objects.filter(round=budget_round).count() == PEOPLE
