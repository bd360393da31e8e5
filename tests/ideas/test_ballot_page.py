"""The online ballot without JavaScript (plain client requests): the form, the review carried in the posted form,
casting with a receipt (on the page and by e-mail, never the choices), the rules' messages, refusals (phase,
keys, opened box, census, age), changing a ballot, a round by area, nothing of a ballot in the session, and the
Latvian pages."""

import datetime
import json
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from ideas.models import (
    Area,
    AreaBudget,
    BallotRules,
    BudgetRound,
    BudgetRoundPage,
    CensusEntry,
    CountedReceipt,
    ResidentProfile,
    SealedBallot,
    VoterRecord,
)
from ideas.phases import Phase
from ideas.voting import keys, sealing
from ideas.voting.codes import hand_out, make_batch
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.ideas import voters

pytestmark = pytest.mark.django_db

CODE = "290101-77777"
RECEIPT = re.compile(r"data-receipt>\s*([0-9A-F-]+)\s*<")
HIDDEN = re.compile(r'<input type="hidden" name="(idea_\d+|choice)"(?: value="([^"]*)")?')


def round_page(budget_round, home, slug="ballot-round", title="Ballot round"):
    """A round page under a home page (English or Latvian)."""
    page = BudgetRoundPage(title=title, slug=slug, intro="<p>Vote.</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def voter(username="vera", code=CODE, language="en", **census):
    """A verified resident confirmed as a person on the census list (born 1980 unless told)."""
    user = voters.confirmed_resident(username, code, email=f"{username}@example.test", **census)
    ResidentProfile.objects.filter(user=user).update(preferred_language=language)
    return user


@pytest.fixture
def voting(home_en):
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Ballot idea {n}", estimated_cost=Decimal(cost))
        for n, cost in enumerate([8000, 7000, 6000, 5000])
    ]
    draft = make_idea(budget_round, status="published", title="Not on the ballot")
    return budget_round, round_page(budget_round, home_en), ideas, draft


def vote_url(page, name="vote"):
    return page.url + page.reverse_subpage(name)


def ticks(*ideas):
    return {f"idea_{idea.pk}": "on" for idea in ideas}


def carried(html):
    """The choices the review page carries in its hidden fields, as a browser would post them."""
    return dict(HIDDEN.findall(html))


def receipt_on(html):
    match = RECEIPT.search(html)
    return match.group(1) if match else None


def review_and_cast(client, page, choices, name="vote"):
    """Post the ballot, then "Cast my ballot" on the review with what it carries; the done page's response."""
    review = client.post(vote_url(page, name), choices)
    assert review.status_code == 200, review.content.decode()[:2000]
    return client.post(vote_url(page, name), {**carried(review.content.decode()), "cast": "1"})


def test_the_form_lists_only_the_ideas_on_the_ballot(client, voting):
    _budget_round, page, ideas, draft = voting
    client.force_login(voter())
    response = client.get(vote_url(page))
    html = response.content.decode()
    assert response.status_code == 200
    for idea in ideas:
        assert idea.title in html and f'name="idea_{idea.pk}"' in html
        assert f"{page.url}{idea.pk}/" in html
    assert draft.title not in html
    assert 'aria-live="polite"' in html and "€20,000 of the budget left" in html
    assert 'lang="en"' in html
    assert "You have voted" not in html and receipt_on(html) is None


def test_an_empty_ballot_says_voting_is_not_ready(client, home_en):
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    make_idea(budget_round, status="feasible", title="Feasible, never put on the ballot")
    page = round_page(budget_round, home_en)
    client.force_login(voter())
    html = client.get(vote_url(page)).content.decode()
    assert "Voting is not ready yet: no ideas have been put on this ballot." in html
    assert "Feasible, never put on the ballot" not in html


def test_review_then_cast_seals_one_ballot_and_mails_the_receipt_only(client, voting):
    budget_round, page, ideas, draft = voting
    client.force_login(voter())
    response = client.post(vote_url(page), ticks(ideas[0], ideas[3]))
    review = response.content.decode()
    assert response.status_code == 200
    assert ideas[0].title in review and ideas[3].title in review and ideas[1].title not in review
    assert "€13,000" in review and "Cast my ballot" in review
    assert f'action="{vote_url(page)}"' in review
    assert carried(review) == {
        f"idea_{ideas[0].pk}": "True",
        f"idea_{ideas[1].pk}": "False",
        f"idea_{ideas[2].pk}": "False",
        f"idea_{ideas[3].pk}": "True",
    }
    assert not SealedBallot.objects.filter(round=budget_round).exists(), "the review records nothing yet"

    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(vote_url(page), {**carried(review), "cast": "1"})
    assert done.status_code == 200
    envelope = SealedBallot.objects.get(round=budget_round)
    receipt = sealing.receipt(envelope.fingerprint)
    assert receipt_on(done.content.decode()) == receipt
    assert voters.sealed_choices(budget_round) == [sorted([(ideas[0].pk, 1), (ideas[3].pk, 1)])]
    assert VoterRecord.objects.filter(round=budget_round, channel="online").count() == 1
    assert receipt_on(client.get(vote_url(page, "vote_done")).content.decode()) == receipt

    [message] = mail.outbox
    assert message.to == ["vera@example.test"]
    assert receipt in message.body
    for idea in [*ideas, draft]:
        assert idea.title not in message.body and idea.title not in message.subject
    assert "Ballot idea" not in message.body


def test_change_on_the_review_keeps_the_choices_and_claims_no_vote(client, voting):
    """Issue 9: ticking, reviewing and going back to change said "you have already voted" with nothing cast."""
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    review = client.post(vote_url(page), ticks(ideas[1])).content.decode()
    response = client.post(vote_url(page, "vote_review"), {**carried(review), "change": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_idea_{ideas[1].pk}" checked' in html
    assert f'id="id_idea_{ideas[0].pk}" checked' not in html
    assert "already" not in html and "You have voted" not in html and receipt_on(html) is None
    again = client.get(vote_url(page)).content.decode()
    assert "already" not in again and "You have voted" not in again and " checked" not in again
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_an_over_budget_ballot_shows_the_budget_message_and_records_nothing(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    response = client.post(vote_url(page), ticks(*ideas))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "The chosen ideas cost €26,000" in html and "more than the budget of €20,000" in html
    # Straight to "cast" with the same choices is refused the same way.
    response = client.post(vote_url(page), {**ticks(*ideas), "cast": "1"})
    assert response.status_code == 400 and "more than the budget of €20,000" in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()


def test_outside_the_voting_phase_the_page_refuses(client, home_en):
    budget_round = voters.voting_round(phase=Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    client.force_login(voter())
    response = client.get(vote_url(page))
    assert response.status_code == 403
    assert "Voting is not open now." in response.content.decode()


def test_without_counting_keys_voting_is_refused_clearly(client, home_en):
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
    idea = make_idea(budget_round, status="on_ballot", estimated_cost=Decimal(1000))
    page = round_page(budget_round, home_en)
    client.force_login(voter())
    for response in (client.get(vote_url(page)), client.post(vote_url(page), {**ticks(idea), "cast": "1"})):
        assert response.status_code == 403
        assert "has not made the round&#x27;s counting keys" in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_after_the_box_is_opened_voting_is_refused(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    review_and_cast(client, page, ticks(ideas[0]))
    voters.close_and_open(budget_round)
    assert client.get(vote_url(page)).status_code == 403
    # Even with the voting dates moved back into the future, the opened box takes no ballot.
    BudgetRound.objects.filter(pk=budget_round.pk).update(
        results_published=timezone.now() + datetime.timedelta(days=1)
    )
    for response in (
        client.get(vote_url(page)),
        client.post(vote_url(page), {**ticks(ideas[1]), "cast": "1"}),
    ):
        assert response.status_code == 403 and "Voting is not open now." in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, voting):
    _budget_round, page, _ideas, _draft = voting
    response = client.get(vote_url(page))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_resident_not_confirmed_as_a_person_gets_the_residency_link(client, voting):
    _budget_round, page, _ideas, _draft = voting
    client.force_login(verified_resident("noor", email="noor@example.test"))
    response = client.get(vote_url(page))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Please confirm who you are before voting." in html
    assert f'href="{vote_url(page, "confirm_residency")}"' in html


@pytest.mark.parametrize(
    ("census", "reason"),
    [
        ({"census": False}, "not on the municipality"),
        ({"birth_year": timezone.now().year - 15}, "Residents may vote from the age of 16."),
    ],
)
def test_people_not_on_the_census_or_under_age_cannot_vote_online(client, voting, census, reason):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter(**census))
    for response in (
        client.get(vote_url(page)),
        client.post(vote_url(page), {**ticks(ideas[0]), "cast": "1"}),
    ):
        assert response.status_code == 403 and reason in response.content.decode()
        assert 'name="cast"' not in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_entitlement_is_checked_again_when_the_ballot_is_cast(client, voting):
    """Taken off the census list between the review and the cast: the cast is refused."""
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    review = client.post(vote_url(page), ticks(ideas[0])).content.decode()
    CensusEntry.objects.filter(person_key=keys.person_key(CODE)).delete()
    response = client.post(vote_url(page), {**carried(review), "cast": "1"})
    assert response.status_code == 403 and "not on the municipality" in response.content.decode()
    assert not SealedBallot.objects.filter(round=budget_round).exists()
    assert not VoterRecord.objects.filter(round=budget_round).exists()


def test_changing_a_ballot_replaces_it_and_only_the_newest_counts(client, voting, run_on_commit):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    with run_on_commit():
        first = receipt_on(review_and_cast(client, page, ticks(ideas[0])).content.decode())
    assert first

    html = client.get(vote_url(page)).content.decode()
    # The voter's receipt, never their choices: the form is empty.
    assert receipt_on(html) == first and "You have voted" in html
    assert " checked" not in html and "€20,000 of the budget left" in html
    with run_on_commit():
        second = receipt_on(review_and_cast(client, page, ticks(ideas[1], ideas[2])).content.decode())
    assert second and second != first
    envelope = SealedBallot.objects.get(round=budget_round)
    assert sealing.receipt(envelope.fingerprint) == second
    assert voters.sealed_choices(budget_round) == [sorted([(ideas[1].pk, 1), (ideas[2].pk, 1)])]
    assert VoterRecord.objects.filter(round=budget_round).count() == 1
    assert [receipt in message.body for message in mail.outbox for receipt in (first, second)] == [
        True,
        False,
        False,
        True,
    ]

    assert voters.close_and_open(budget_round) == 1
    counted = list(CountedReceipt.objects.filter(round=budget_round).values_list("fingerprint", flat=True))
    assert counted == [envelope.fingerprint]


def test_changing_a_draft_ballot_never_says_a_ballot_is_registered(client, voting, run_on_commit):
    """Tick, review, "Change": the form comes back filled in, and says nothing of a cast ballot until there is
    one (casting.current_receipt)."""
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    review = client.post(vote_url(page), ticks(ideas[0])).content.decode()
    changed = client.post(vote_url(page), {**carried(review), "change": "1"})
    html = changed.content.decode()
    assert changed.status_code == 200
    assert " checked" in html, "the ticked idea is still ticked"
    assert "You have voted" not in html and "ballot__changing" not in html
    assert not SealedBallot.objects.filter(round=budget_round).exists()

    with run_on_commit():
        receipt = receipt_on(review_and_cast(client, page, ticks(ideas[1])).content.decode())
    review = client.post(vote_url(page), ticks(ideas[0])).content.decode()
    html = client.post(vote_url(page), {**carried(review), "change": "1"}).content.decode()
    assert "You have voted" in html and receipt_on(html) == receipt


def test_cumulative_and_ranking_ballots(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    rules = BallotRules.objects.create(
        round=budget_round, method=BallotRules.Method.CUMULATIVE, points_total=5, max_points_per_idea=3
    )
    html = client.get(vote_url(page)).content.decode()
    assert f'name="idea_{ideas[0].pk}"' in html and 'type="number"' in html and "5 points left" in html
    too_many = client.post(vote_url(page), {f"idea_{ideas[0].pk}": "3", f"idea_{ideas[1].pk}": "3"})
    assert too_many.status_code == 400 and "You gave 6 points; you have 5." in too_many.content.decode()
    review_and_cast(client, page, {f"idea_{ideas[0].pk}": "3", f"idea_{ideas[1].pk}": "2"})
    assert voters.sealed_choices(budget_round) == [sorted([(ideas[0].pk, 3), (ideas[1].pk, 2)])]

    rules.method = BallotRules.Method.RANKING
    rules.save()
    gap = client.post(vote_url(page), {f"idea_{ideas[0].pk}": "1", f"idea_{ideas[1].pk}": "3"})
    assert "without gaps" in gap.content.decode()
    review = client.post(vote_url(page), {f"idea_{ideas[2].pk}": "1", f"idea_{ideas[0].pk}": "2"})
    html = review.content.decode()
    assert html.index(ideas[2].title) < html.index(ideas[0].title)
    client.post(vote_url(page), {**carried(html), "cast": "1"})
    assert voters.sealed_choices(budget_round) == [sorted([(ideas[2].pk, 1), (ideas[0].pk, 2)])]


def test_choose_one_ballot(client, voting):
    budget_round, page, ideas, _draft = voting
    BallotRules.objects.create(round=budget_round, method=BallotRules.Method.CHOOSE_ONE)
    client.force_login(voter())
    assert 'type="radio"' in client.get(vote_url(page)).content.decode()
    review_and_cast(client, page, {"choice": str(ideas[2].pk)})
    assert voters.sealed_choices(budget_round) == [[(ideas[2].pk, 1)]]


def test_a_round_by_area_gives_the_census_areas_ballot_and_one_ballot_only(client, home_en):
    """Issue 8: one person voted in every area of a round by area; now the census area decides, once."""
    budget_round = voters.voting_round(
        total_budget=Decimal("20000"), ballot_scope=BudgetRound.BallotScope.AREA
    )
    home = voters.home_area()
    other = Area.objects.filter(locale__language_code="lv").exclude(pk=home.pk).order_by("pk").first()
    for area in (home, other):
        AreaBudget.objects.create(round=budget_round, area=area, amount=Decimal("10000"))
    mine = make_idea(budget_round, status="on_ballot", title="Home pond", area=home, estimated_cost=4000)
    theirs = make_idea(budget_round, status="on_ballot", title="Far square", area=other, estimated_cost=4000)
    page = round_page(budget_round, home_en, slug="area-ballot")
    client.force_login(voter())

    html = client.get(vote_url(page)).content.decode()
    assert mine.title in html and theirs.title not in html
    assert 'name="area"' not in html, "no area to choose"
    asked = client.get(vote_url(page) + f"?area={other.code}").content.decode()
    assert theirs.title not in asked
    # Posting another area's idea and area changes nothing: the ballot is the census area's.
    review_and_cast(client, page, {**ticks(mine, theirs), "area": other.code})
    review_and_cast(client, page, {**ticks(theirs), f"idea_{mine.pk}": "on", "area": other.code})
    envelope = SealedBallot.objects.get(round=budget_round)
    assert envelope.area == home
    assert voters.sealed_choices(budget_round) == [[(mine.pk, 1)]]
    assert VoterRecord.objects.filter(round=budget_round).count() == 1


def test_the_latvian_ballot_page(client, home_lv):
    budget_round = voters.voting_round()
    make_idea(budget_round, status="on_ballot", title="Soliņi parkā")
    page = round_page(budget_round, home_lv, slug="balsojums", title="Balsojums")
    client.force_login(voter(language="lv"))
    response = client.get(vote_url(page))
    assert response.status_code == 200
    assert '<html lang="lv">' in response.content.decode() and "Soliņi parkā" in response.content.decode()


def test_the_round_page_links_to_the_ballot_in_the_voting_phase(client, voting):
    _budget_round, page, _ideas, _draft = voting
    # Anonymous visitors log in on the way to the ballot, or vote with a code (ideas/journey.py).
    html = client.get(page.url).content.decode()
    assert f'href="/en/accounts/login/?next={quote(vote_url(page), safe="")}"' in html
    assert f'href="{vote_url(page, "vote_with_code")}"' in html
    client.force_login(voter())
    assert f'href="{vote_url(page)}"' in client.get(page.url).content.decode()


# Nothing of a ballot in the session -----------------------------------------------------------------------


def test_sessions_hold_no_choices_no_receipt_and_no_plain_voting_code(client, voting):
    """Issue 8: sessions held the pending choices, the receipt next to `_auth_user_id` and the plain code of
    people who entered a code without casting. Now every session row, decoded, holds none of them."""
    budget_round, page, ideas, _draft = voting
    cast_code, entered_code = make_batch(budget_round, 2, "Library")
    for code, person in ((cast_code, "150505-12345"), (entered_code, "160606-12345")):
        voters.on_census(person)
        hand_out(budget_round, code, person)

    # A full online vote: ballot, review, change, review, cast, done.
    client.force_login(voter())
    client.get(vote_url(page))
    review = client.post(vote_url(page), ticks(ideas[0], ideas[1])).content.decode()
    client.post(vote_url(page), {**carried(review), "change": "1"})
    online = receipt_on(review_and_cast(client, page, ticks(ideas[0], ideas[2])).content.decode())
    client.get(vote_url(page, "vote_done"))
    client.get(vote_url(page))

    # A code vote, and a code typed in whose ballot is never cast.
    by_code = Client()
    by_code.post(vote_url(page, "vote_with_code"), {"code": cast_code})
    code_receipt = receipt_on(review_and_cast(by_code, page, ticks(ideas[3]), "code_ballot").content.decode())
    waiting = Client()
    assert waiting.post(vote_url(page, "vote_with_code"), {"code": entered_code}).status_code == 302
    waiting.post(vote_url(page, "code_ballot"), ticks(ideas[1]))

    assert online and code_receipt and SealedBallot.objects.filter(round=budget_round).count() == 2
    fingerprints = list(SealedBallot.objects.filter(round=budget_round).values_list("fingerprint", flat=True))
    secrets = [online, code_receipt, *fingerprints]
    secrets += [sealing.normalise_receipt(receipt) for receipt in (online, code_receipt)]
    for code in (cast_code, entered_code):
        secrets += [code, code.lower(), code.replace("-", ""), code.replace("-", "").lower()]
    secrets += [idea.title for idea in ideas]

    sessions = [session.get_decoded() for session in Session.objects.all()]
    assert len(sessions) >= 3
    for data in sessions:
        text = json.dumps(data)
        assert not [secret for secret in secrets if secret in text], data
        assert "choices" not in text and "idea_" not in text and "reference" not in text, data
        # Login bookkeeping (Django's and allauth's, eID sign-in state too, also from browser tests' live server) and
        # the code's hash.
        assert all(
            key.startswith(("_auth_", "account_", "socialaccount_"))
            or key in {"_session_expiry", "voting_code"}
            for key in data
        ), data
    # The one thing kept for the code not cast yet: the code's keyed hash, for this round.
    assert {"round": budget_round.pk, "hash": keys.code_hash(entered_code)} in [
        data.get("voting_code") for data in sessions
    ]
