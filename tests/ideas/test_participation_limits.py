"""Speed limits on residents' actions (ideas/limits.py ACTION_LIMITS, checked in ideas/participation.py and
ideas/voting/casting.py): comments, new ideas, supports, follows, reports and ballot changes. At both doors, the
website and the API, the attempt over the budget is answered 429 with Retry-After and a message saying to wait,
nothing is saved, and another resident behind the same address is not held up by one person's budget."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from ideas import limits, participation
from ideas.models import BudgetRoundPage, Comment, Follow, Idea, Report, SealedBallot, Support
from ideas.phases import Phase
from ideas.voting.casting import cast
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.ideas import voters

pytestmark = pytest.mark.django_db

PER_ACCOUNT = 2  # every action's budget per account in these tests (per address: ADDRESS)
ADDRESS = 50
WINDOW = {"comment": 600, "idea": 86400, "support": 600, "follow": 600, "report": 3600, "ballot_change": 3600}
WAIT = {
    "comment": "You have written many comments in a short time. Please wait about 10 minutes, then try again.",
    "idea": "You have started many ideas today. Please wait about 24 hours, then try again.",
    "support": "You have supported many ideas in a short time. Please wait about 10 minutes, then try again.",
    "follow": "You have followed many ideas in a short time. Please wait about 10 minutes, then try again.",
    "report": "You have sent many reports in a short time. Please wait about 60 minutes, then try again.",
    "ballot_change": (
        "You have changed your ballot many times in a short time. Please wait about 60 minutes, then try again."
    ),
}
IDEAS_API = "/api/v1/ideas/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The budgets live in the cache; every test starts with nothing counted.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.KOPA_ACTION_LIMITS = {
        action: {"account": (PER_ACCOUNT, seconds), "address": (ADDRESS, seconds)}
        for action, seconds in WINDOW.items()
    }
    settings.KOPA_ACTION_LIMITS["ballot_change"] = {"account": (PER_ACCOUNT, WINDOW["ballot_change"])}


def round_page(budget_round, home, slug="limits-round"):
    page = BudgetRoundPage(title="Limits round", slug=slug, intro="<p>Ideas.</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def door_client(door, user, address="198.51.100.7"):
    client = Client(REMOTE_ADDR=address) if door == "web" else APIClient(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def assert_limited(door, response, action):
    """The answer over the budget: 429, Retry-After within the window, the message to wait."""
    assert response.status_code == 429, response.content.decode()[:2000]
    assert 0 < int(response["Retry-After"]) <= WINDOW[action]
    if door == "web":
        assert WAIT[action] in response.content.decode()
    else:
        assert response.json() == {"detail": WAIT[action]}


# Comments, supports, follows, reports: one published idea per attempt -----------------------------------

SUCCESS = {"web": 302, "api": 201}


def attempt(door, action, client, page, idea):
    """One `action` on `idea` through `door`; the response."""
    if door == "web":
        base = page.url + f"{idea.pk}/"
        data = {
            "comment": {"text": "I walk there every day."},
            "support": {},
            "follow": {},
            "report": {"reason": "Advertising."},
        }[action]
        return client.post(base + f"{action}/", data)
    base = f"{IDEAS_API}{idea.pk}/"
    path, data = {
        "comment": ("comments/", {"text": "I walk there every day."}),
        "support": ("support/", None),
        "follow": ("follow/", None),
        "report": ("report/", {"reason": "Advertising."}),
    }[action]
    return client.post(base + path + "?lang=en", data, format="json")


def saved(action, user):
    rows = {
        "comment": Comment.objects.filter(author=user),
        "support": Support.objects.filter(user=user),
        "follow": Follow.objects.filter(user=user),
        "report": Report.objects.filter(reporter=user),
    }
    return rows[action].count()


@pytest.mark.parametrize("door", ["web", "api"])
@pytest.mark.parametrize("action", ["comment", "support", "follow", "report"])
def test_an_action_over_the_accounts_budget_is_429_saves_nothing_and_spares_the_neighbour(
    door, action, home_en, resident
):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    ideas = [make_idea(budget_round, author=resident, title=f"Idea {n}") for n in range(PER_ACCOUNT + 1)]
    anna, baiba = verified_resident("anna-l"), verified_resident("baiba-l")
    client = door_client(door, anna)

    for idea in ideas[:PER_ACCOUNT]:
        assert attempt(door, action, client, page, idea).status_code == SUCCESS[door]
    assert saved(action, anna) == PER_ACCOUNT

    assert_limited(door, attempt(door, action, client, page, ideas[-1]), action)
    assert saved(action, anna) == PER_ACCOUNT, "nothing is saved over the budget"

    # Baiba at the same address (a library, a block of flats) has her own budget.
    neighbour = door_client(door, baiba)
    assert attempt(door, action, neighbour, page, ideas[-1]).status_code == SUCCESS[door]
    assert saved(action, baiba) == 1


@pytest.mark.parametrize("door", ["web", "api"])
def test_the_budget_is_one_for_both_doors(door, home_en, resident):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    ideas = [make_idea(budget_round, author=resident, title=f"Idea {n}") for n in range(2)]
    anna = verified_resident("anna-l")
    other_door = "api" if door == "web" else "web"
    for _ in range(PER_ACCOUNT):
        attempt(other_door, "comment", door_client(other_door, anna), page, ideas[0])

    assert_limited(door, attempt(door, "comment", door_client(door, anna), page, ideas[1]), "comment")
    assert not Comment.objects.filter(idea=ideas[1]).exists()


def test_the_addresss_budget_stops_one_machine_with_many_accounts_not_other_addresses(
    settings, client, home_en, resident
):
    settings.KOPA_ACTION_LIMITS = {"comment": {"account": (10, 600), "address": (3, 600)}}
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    idea = make_idea(budget_round, author=resident)
    people = [verified_resident(f"bot-{n}") for n in range(4)]
    for person in people[:3]:
        assert attempt("web", "comment", door_client("web", person), page, idea).status_code == 302

    assert_limited("web", attempt("web", "comment", door_client("web", people[3]), page, idea), "comment")
    elsewhere = door_client("web", people[3], address="203.0.113.50")
    assert attempt("web", "comment", elsewhere, page, idea).status_code == 302
    assert Comment.objects.filter(idea=idea).count() == 4


def test_the_web_keeps_the_comment_as_typed_when_it_must_wait(home_en, resident):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    idea = make_idea(budget_round, author=resident)
    client = door_client("web", verified_resident("anna-l"))
    for _ in range(PER_ACCOUNT):
        attempt("web", "comment", client, page, idea)

    response = client.post(page.url + f"{idea.pk}/comment/", {"text": "My third thought"})

    assert response.status_code == 429
    assert "My third thought</textarea>" in response.content.decode()


def test_withdrawing_and_unfollowing_are_never_limited(home_en, resident):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    ideas = [make_idea(budget_round, author=resident, title=f"Idea {n}") for n in range(PER_ACCOUNT)]
    anna = verified_resident("anna-l")
    client = door_client("api", anna)
    for idea in ideas:
        attempt("api", "support", client, page, idea)
        attempt("api", "follow", client, page, idea)

    for idea in ideas:
        assert client.delete(f"{IDEAS_API}{idea.pk}/support/").status_code == 200
        assert client.delete(f"{IDEAS_API}{idea.pk}/follow/").status_code == 200
    assert not Support.objects.filter(user=anna).exists() and not Follow.objects.filter(user=anna).exists()


def test_services_without_an_address_keep_the_persons_budget(resident):
    budget_round = round_in_phase(Phase.SUPPORT)
    idea = make_idea(budget_round, author=resident)
    anna = verified_resident("anna-l")
    for _ in range(PER_ACCOUNT):
        participation.add_comment(anna, idea, "Hello")

    with pytest.raises(participation.Limited) as caught:
        participation.add_comment(anna, idea, "Hello again")
    assert 0 < caught.value.retry_after <= 600
    assert Comment.objects.filter(author=anna).count() == PER_ACCOUNT


def test_invalid_or_refused_attempts_cost_nothing(home_en, resident):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en)
    idea = make_idea(budget_round, author=resident)
    client = door_client("api", verified_resident("anna-l"))
    for _ in range(PER_ACCOUNT + 3):
        empty = client.post(f"{IDEAS_API}{idea.pk}/comments/", {"text": "   "}, format="json")
        assert empty.status_code == 400

    assert attempt("api", "comment", client, page, idea).status_code == 201


# New ideas ----------------------------------------------------------------------------------------------


def idea_form_data(**overrides):
    from ideas.models import Area, Category

    data = {
        "title": "Benches along the Daugava path",
        "summary": "Five benches where the path has none.",
        "description": "Older people walk here every day.",
        "category": Category.objects.get(code="recreation", locale__language_code="lv").pk,
        "area": Area.objects.get(code="kekava", locale__language_code="lv").pk,
        "address": "",
        "latitude": "",
        "longitude": "",
        "estimated_cost": "6000",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "5",
        "save": "1",
    }
    data.update(overrides)
    return data


def new_idea(door, client, page, budget_round, title):
    if door == "web":
        return client.post(page.url + "new/", idea_form_data(title=title))
    payload = {
        "round": budget_round.pk,
        "title": title,
        "summary": "Two benches where people rest on their walk.",
        "description": "There is nowhere to sit along the pond.",
        "category": "recreation",
        "area": "balozi",
        "estimated_cost": "1500.00",
    }
    return client.post(IDEAS_API + "?lang=en", payload, format="json")


@pytest.mark.parametrize("door", ["web", "api"])
def test_new_ideas_over_the_daily_budget_are_429_and_not_saved(door, home_en):
    budget_round = round_in_phase(Phase.SUBMISSION)
    page = round_page(budget_round, home_en)
    anna, baiba = verified_resident("anna-l"), verified_resident("baiba-l")
    client = door_client(door, anna)
    for n in range(PER_ACCOUNT):
        response = new_idea(door, client, page, budget_round, f"Idea {n}")
        assert response.status_code == SUCCESS[door], response.content.decode()[:2000]

    response = new_idea(door, client, page, budget_round, "One idea too many")
    assert_limited(door, response, "idea")
    assert not Idea.objects.filter(title="One idea too many").exists()
    assert Idea.objects.filter(author=anna).count() == PER_ACCOUNT
    if door == "web":
        assert 'value="One idea too many"' in response.content.decode(), "the form keeps what was typed"

    response = new_idea(door, door_client(door, baiba), page, budget_round, "Baiba's idea")
    assert response.status_code == SUCCESS[door]
    assert Idea.objects.filter(author=baiba).count() == 1


def test_editing_ones_own_draft_is_not_limited(home_en):
    budget_round = round_in_phase(Phase.SUBMISSION)
    page = round_page(budget_round, home_en)
    anna = verified_resident("anna-l")
    client = door_client("api", anna)
    for n in range(PER_ACCOUNT):
        new_idea("api", client, page, budget_round, f"Idea {n}")
    draft = Idea.objects.filter(author=anna).first()

    for n in range(3):
        response = client.patch(f"{IDEAS_API}{draft.pk}/", {"title": f"Better title {n}"}, format="json")
        assert response.status_code == 200, response.content


# Ballot changes -----------------------------------------------------------------------------------------


@pytest.fixture
def ballot(home_en):
    budget_round = voters.voting_round(total_budget=Decimal("20000"))
    ideas = [
        make_idea(budget_round, status="on_ballot", title=f"Ballot idea {n}", estimated_cost=Decimal(5000))
        for n in range(2)
    ]
    return budget_round, round_page(budget_round, home_en, slug="ballot-limits"), ideas


def vote(door, client, budget_round, page, idea):
    if door == "web":
        return client.post(page.url + page.reverse_subpage("vote"), {f"idea_{idea.pk}": "on", "cast": "1"})
    url = f"/api/v1/rounds/{budget_round.pk}/ballot/?lang=en"
    return client.put(url, {"choices": [{"idea": idea.pk}]}, format="json")


@pytest.mark.parametrize("door", ["web", "api"])
def test_ballot_changes_over_the_budget_are_429_and_the_ballot_stays(door, ballot):
    budget_round, page, ideas = ballot
    vera = voters.confirmed_resident("vera", "290101-77777")
    client = door_client(door, vera)
    # The first ballot is not a change: it and PER_ACCOUNT changes go in.
    for n in range(PER_ACCOUNT + 1):
        assert vote(door, client, budget_round, page, ideas[n % 2]).status_code == 200
    kept = SealedBallot.objects.get(round=budget_round).fingerprint

    response = vote(door, client, budget_round, page, ideas[(PER_ACCOUNT + 1) % 2])
    assert_limited(door, response, "ballot_change")
    assert SealedBallot.objects.get(round=budget_round).fingerprint == kept, "the ballot cast before stays"

    # Her neighbour at the same address votes and changes his ballot.
    neighbour = door_client(door, voters.confirmed_resident("viktors", "290101-88888"))
    for n in range(PER_ACCOUNT + 1):
        assert vote(door, neighbour, budget_round, page, ideas[n % 2]).status_code == 200
    assert SealedBallot.objects.filter(round=budget_round).count() == 2


def test_ballot_changes_are_counted_per_person_whatever_the_address(ballot):
    budget_round, page, ideas = ballot
    vera = voters.confirmed_resident("vera", "290101-77777")
    vote("api", door_client("api", vera, address="192.0.2.1"), budget_round, page, ideas[0])
    for n in range(PER_ACCOUNT):
        address = f"192.0.2.{n + 2}"
        assert (
            vote("api", door_client("api", vera, address), budget_round, page, ideas[n % 2]).status_code
            == 200
        )

    fresh_address = door_client("api", vera, address="203.0.113.99")
    assert_limited("api", vote("api", fresh_address, budget_round, page, ideas[0]), "ballot_change")


def test_cast_itself_refuses_the_change_over_the_budget(ballot):
    budget_round, _page, ideas = ballot
    person = voters.on_census("290101-77777")
    for n in range(PER_ACCOUNT + 1):
        cast(budget_round, person, channel="online", choices={ideas[n % 2].pk: 1})

    with pytest.raises(limits.Limited):
        cast(budget_round, person, channel="online", choices={ideas[1].pk: 1})


# The defaults -------------------------------------------------------------------------------------------


def test_the_defaults_are_tight_per_account_and_ten_times_that_per_address(settings):
    del settings.KOPA_ACTION_LIMITS

    assert limits.action_limits() == {
        "comment": {"account": (10, 600), "address": (100, 600)},
        "idea": {"account": (20, 86400), "address": (200, 86400)},
        "support": {"account": (60, 600), "address": (600, 600)},
        "follow": {"account": (60, 600), "address": (600, 600)},
        "report": {"account": (10, 3600), "address": (100, 3600)},
        "ballot_change": {"account": (10, 3600)},
        "registration": {"account": (3, 86400), "address": (30, 86400)},  # account: the e-mail address
    }
