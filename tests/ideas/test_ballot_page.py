"""The online ballot without JavaScript (plain client requests): the form, the review, casting with a receipt by
e-mail, the rules' messages, refusals, residency, changing a ballot and the Latvian pages."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase

from ideas.models import (
    Ballot,
    BallotChoice,
    BallotRules,
    BudgetRound,
    BudgetRoundPage,
    CensusEntry,
    ResidentProfile,
)
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.eligibility import confirm_from_census
from tests.factories import make_idea, round_in_phase, verified_resident

pytestmark = pytest.mark.django_db

CODE = "290101-77777"


def round_page(budget_round, home, slug="ballot-round", title="Ballot round"):
    """A round page under a home page (English or Latvian)."""
    page = BudgetRoundPage(title=title, slug=slug, intro="<p>Vote.</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def voter(username="vera", code=CODE, language="en"):
    """A verified resident whose residency is confirmed from the census list."""
    from ideas.models import Area

    user = verified_resident(username, email=f"{username}@example.test")
    area = Area.objects.filter(locale__language_code="lv").first()
    CensusEntry.objects.create(person_key=keys.person_key(code), area=area, birth_year=1980)
    profile = ResidentProfile.objects.create(user=user, display_name="Vera", preferred_language=language)
    confirm_from_census(profile, code)
    return user


@pytest.fixture
def voting(home_en):
    budget_round = round_in_phase(Phase.VOTING, total_budget=Decimal("20000"))
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
    assert 'aria-live="polite"' in html and "20,000 EUR of the budget left" in html
    assert 'lang="en"' in html


def test_review_then_cast_records_one_ballot_and_sends_the_receipt(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    response = client.post(vote_url(page), ticks(ideas[0], ideas[3]))
    assert response.status_code == 302 and response["Location"] == vote_url(page, "vote_review")
    assert not Ballot.objects.filter(round=budget_round).exists(), "the review records nothing yet"

    review = client.get(vote_url(page, "vote_review")).content.decode()
    assert ideas[0].title in review and ideas[3].title in review and ideas[1].title not in review
    assert "13,000 EUR" in review and "Cast my ballot" in review

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(vote_url(page, "vote_review"), {"cast": "1"})
    assert response.status_code == 302 and response["Location"] == vote_url(page, "vote_done")
    ballot = Ballot.objects.get(round=budget_round)
    assert set(BallotChoice.objects.filter(ballot=ballot).values_list("idea_id", flat=True)) == {
        ideas[0].pk,
        ideas[3].pk,
    }
    done = client.get(vote_url(page, "vote_done")).content.decode()
    assert ballot.reference in done

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vera@example.test"]
    assert (
        ballot.reference in message.body and ideas[0].title in message.body and ideas[3].title in message.body
    )
    assert ideas[1].title not in message.body


def test_change_on_the_review_keeps_the_choices(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    client.post(vote_url(page), ticks(ideas[1]))
    response = client.post(vote_url(page, "vote_review"), {"change": "1"})
    assert response.status_code == 302 and response["Location"] == vote_url(page)
    html = client.get(vote_url(page)).content.decode()
    assert f'id="id_idea_{ideas[1].pk}" checked' in html
    assert f'id="id_idea_{ideas[0].pk}" checked' not in html
    assert not Ballot.objects.filter(round=budget_round).exists()


def test_an_over_budget_ballot_shows_the_budget_message_and_records_nothing(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    response = client.post(vote_url(page), ticks(*ideas))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert "The chosen ideas cost 26000" in html and "more than the budget of 20000" in html
    assert not Ballot.objects.filter(round=budget_round).exists()
    assert client.get(vote_url(page, "vote_review")).status_code == 302, "nothing pending to review"


def test_outside_the_voting_phase_the_page_refuses(client, home_en):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    client.force_login(voter())
    response = client.get(vote_url(page))
    assert response.status_code == 403
    assert "Voting is not open now." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, voting):
    _budget_round, page, _ideas, _draft = voting
    response = client.get(vote_url(page))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_resident_without_confirmed_residency_gets_the_residency_link(client, voting):
    _budget_round, page, _ideas, _draft = voting
    from ideas.models import Area

    user = verified_resident("noor", email="noor@example.test")
    client.force_login(user)
    response = client.get(vote_url(page))
    html = response.content.decode()
    assert response.status_code == 403
    assert "confirm that you live in the municipality" in html
    assert f'href="{vote_url(page, "confirm_residency")}"' in html

    form = client.get(vote_url(page, "confirm_residency")).content.decode()
    assert 'autocomplete="off"' in form and 'inputmode="numeric"' in form and "not stored" in form
    refused = client.post(vote_url(page, "confirm_residency"), {"personal_code": "290101-66666"})
    assert refused.status_code == 400 and "not on the municipality" in refused.content.decode()

    area = Area.objects.filter(locale__language_code="lv").first()
    CensusEntry.objects.create(person_key=keys.person_key("290101-66666"), area=area, birth_year=1990)
    response = client.post(vote_url(page, "confirm_residency"), {"personal_code": "290101-66666"})
    assert response.status_code == 302 and response["Location"] == vote_url(page)
    profile = ResidentProfile.objects.get(user=user)
    assert profile.person_key == keys.person_key("290101-66666")
    assert "66666" not in str(ResidentProfile.objects.filter(user=user).values().first())
    assert client.get(vote_url(page)).status_code == 200


def test_changing_a_ballot_prefills_and_replaces_it(client, voting):
    budget_round, page, ideas, _draft = voting
    client.force_login(voter())
    client.post(vote_url(page), ticks(ideas[0]))
    client.post(vote_url(page, "vote_review"), {"cast": "1"})
    reference = Ballot.objects.get(round=budget_round).reference

    html = client.get(vote_url(page)).content.decode()
    assert f'id="id_idea_{ideas[0].pk}" checked' in html and "You have already voted" in html
    client.post(vote_url(page), ticks(ideas[1], ideas[2]))
    client.post(vote_url(page, "vote_review"), {"cast": "1"})
    ballot = Ballot.objects.get(round=budget_round)
    assert ballot.reference == reference
    assert set(ballot.choices.values_list("idea_id", flat=True)) == {ideas[1].pk, ideas[2].pk}


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
    client.post(vote_url(page), {f"idea_{ideas[0].pk}": "3", f"idea_{ideas[1].pk}": "2"})
    client.post(vote_url(page, "vote_review"), {"cast": "1"})
    ballot = Ballot.objects.get(round=budget_round)
    assert dict(ballot.choices.values_list("idea_id", "points")) == {ideas[0].pk: 3, ideas[1].pk: 2}

    rules.method = BallotRules.Method.RANKING
    rules.save()
    gap = client.post(vote_url(page), {f"idea_{ideas[0].pk}": "1", f"idea_{ideas[1].pk}": "3"})
    assert "without gaps" in gap.content.decode()
    client.post(vote_url(page), {f"idea_{ideas[2].pk}": "1", f"idea_{ideas[0].pk}": "2"})
    review = client.get(vote_url(page, "vote_review")).content.decode()
    assert review.index(ideas[2].title) < review.index(ideas[0].title)


def test_choose_one_ballot(client, voting):
    budget_round, page, ideas, _draft = voting
    BallotRules.objects.create(round=budget_round, method=BallotRules.Method.CHOOSE_ONE)
    client.force_login(voter())
    assert 'type="radio"' in client.get(vote_url(page)).content.decode()
    client.post(vote_url(page), {"choice": str(ideas[2].pk)})
    client.post(vote_url(page, "vote_review"), {"cast": "1"})
    assert list(Ballot.objects.get(round=budget_round).choices.values_list("idea_id", flat=True)) == [
        ideas[2].pk
    ]


def test_a_round_with_a_ballot_per_area_asks_for_the_area_first(client, voting):
    budget_round, page, ideas, _draft = voting
    BudgetRound.objects.filter(pk=budget_round.pk).update(ballot_scope=BudgetRound.BallotScope.AREA)
    client.force_login(voter())
    html = client.get(vote_url(page)).content.decode()
    area = ideas[0].area
    assert 'name="area"' in html and f'value="{area.code}" selected' in html
    ballot_html = client.get(vote_url(page) + f"?area={area.code}").content.decode()
    assert ideas[0].title in ballot_html
    client.post(vote_url(page), {"area": area.code, **ticks(ideas[0])})
    client.post(vote_url(page, "vote_review"), {"cast": "1"})
    assert Ballot.objects.get(round=budget_round).area == area


def test_the_latvian_ballot_page(client, home_lv):
    budget_round = round_in_phase(Phase.VOTING)
    make_idea(budget_round, status="on_ballot", title="Soliņi parkā")
    page = round_page(budget_round, home_lv, slug="balsojums", title="Balsojums")
    client.force_login(voter(language="lv"))
    response = client.get(vote_url(page))
    assert response.status_code == 200
    assert '<html lang="lv">' in response.content.decode() and "Soliņi parkā" in response.content.decode()


def test_the_round_page_links_to_the_ballot_in_the_voting_phase(client, voting):
    _budget_round, page, _ideas, _draft = voting
    assert f'href="{vote_url(page)}"' in client.get(page.url).content.decode()
