"""A budget round run end to end in the Wagtail admin (issue 9): a new round with its pages in both languages in
one step, the counting rule fixed once voting opens, the ballot built against the minimum of supports, voting
opened and closed with a confirmation (idempotent), a count kept as a private preview until it is published,
funded ideas moved to implementation, the moderators' dashboard panel, and who may do each of these."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from ideas import lifecycle
from ideas.models import (
    BudgetRound,
    BudgetRoundPage,
    CensusEntry,
    Channel,
    CountJob,
    Idea,
    RoundResult,
    StatusChange,
    Support,
)
from ideas.models.rounds import CountingRule
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import closing
from ideas.voting.casting import cast
from ideas.voting.results import publish_results
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas import voters
from tests.ideas.test_moderation import messages_of as raw_messages
from tests.ideas.test_moderation import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _services_speak_english():
    """The services' refusals are read in English here; the Latvian catalogue translates every one of them."""
    with translation.override("en"):
        yield


def messages_of(response):
    return [message.strip() for message in raw_messages(response)]


def desk(name, *args):
    return reverse(f"voting_desk:{name}", args=args)


def logs(budget_round, action):
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BudgetRound),
        object_id=str(budget_round.pk),
        action=action,
    )


def staff(username, **fields):
    user = verified_resident(username, email=f"{username}@kekava.example", **fields)
    UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def moderator_client():
    return staff("cycle-moderator", groups=["Moderators"])


def supported(idea, count):
    for number in range(count):
        Support.objects.create(idea=idea, user=verified_resident(f"fan-{idea.pk}-{number}"))
    return idea


# 1. A new round in one step ----------------------------------------------------------------------------------


def new_round_data(**changes):
    now = timezone.localtime()

    def at(days):
        return (now + datetime.timedelta(days=days)).strftime("%Y-%m-%d %H:%M")

    data = {
        "name": "Round made in the admin",
        "total_budget": "50000",
        "max_cost_per_idea": "20000",
        "minimum_supports": "3",
        "counting_rule": CountingRule.GREEDY,
        "submission_starts": at(-1),
        "review_starts": at(10),
        "support_starts": at(20),
        "voting_starts": at(30),
        "results_published": at(40),
        "implementation_starts": at(60),
        "title_lv": "Jaunā kārta 2027",
        "intro_lv": "Iesniedziet idejas.\n\nOtrā rindkopa.",
        "title_en": "The new round 2027",
        "intro_en": "Send your ideas.",
    }
    data.update(changes)
    return data


def test_a_new_round_is_made_with_its_pages_in_both_languages_in_the_menu(moderator_client, home_lv, en):
    client, user = moderator_client
    admin_home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("new_round:index") in admin_home, "in the Participation menu"
    response = client.post(reverse("new_round:index"), new_round_data())
    budget_round = BudgetRound.objects.get(name="Round made in the admin")
    assert response.status_code == 302 and response.url == desk("round", budget_round.pk)
    assert budget_round.counting_rule == CountingRule.GREEDY and budget_round.minimum_supports == 3
    page = BudgetRoundPage.objects.get(budget_round=budget_round, locale=home_lv.locale)
    assert page.get_parent().specific == home_lv and page.live and page.show_in_menus
    assert page.slug == "jauna-karta-2027" and page.intro == "<p>Iesniedziet idejas.</p><p>Otrā rindkopa.</p>"
    english = page.get_translation(en)
    assert english.live and english.show_in_menus and english.title == "The new round 2027"
    assert english.url == "/en/the-new-round-2027/"
    assert logs(budget_round, "ideas.round.create").get().user_id == user.pk
    # Residents find it in the menu of both languages.
    assert "/en/the-new-round-2027/" in Client().get("/en/").content.decode()
    assert "Jaunā kārta 2027" in Client().get("/").content.decode()
    assert "Votes are counted with" in Client().get("/en/the-new-round-2027/").content.decode()


def test_a_new_round_with_dates_out_of_order_makes_nothing(moderator_client):
    client, _user = moderator_client
    data = new_round_data(name="Broken round")
    data["voting_starts"], data["results_published"] = data["results_published"], data["voting_starts"]
    response = client.post(reverse("new_round:index"), data)
    assert response.status_code == 400
    assert "The phases must follow each other in order" in response.content.decode()
    assert not BudgetRound.objects.filter(name="Broken round").exists()
    missing = client.post(reverse("new_round:index"), new_round_data(name="No title", title_en=""))
    assert missing.status_code == 400 and not BudgetRound.objects.filter(name="No title").exists()


def test_a_page_failing_undoes_the_round(monkeypatch, home_lv):
    """One transaction: when the translation cannot be made, no round is left without its pages."""

    def broken(self, locale, **kwargs):
        raise RuntimeError("translation failed")

    monkeypatch.setattr(BudgetRoundPage, "copy_for_translation", broken)
    data = new_round_data(name="Half round")
    form_fields = {
        name: value
        for name, value in data.items()
        if name not in {"title_lv", "intro_lv", "title_en", "intro_en"}
    }
    from ideas.moderation.forms import NewRoundForm

    form = NewRoundForm(data)
    assert form.is_valid(), form.errors
    with pytest.raises(RuntimeError):
        lifecycle.create_round(None, pages=form.pages(), **form.round_fields())
    assert form_fields and not BudgetRound.objects.filter(name="Half round").exists()
    assert not BudgetRoundPage.objects.filter(title="Jaunā kārta 2027").exists()


# 2. The counting rule -----------------------------------------------------------------------------------------


def test_the_counting_rule_cannot_change_once_voting_has_opened():
    before = round_in_phase(Phase.SUPPORT, counting_rule=CountingRule.GREEDY)
    before.counting_rule = CountingRule.EQUAL_SHARES
    before.full_clean()  # still allowed
    during = round_in_phase(Phase.VOTING, counting_rule=CountingRule.GREEDY)
    during.counting_rule = CountingRule.EQUAL_SHARES
    with pytest.raises(ValidationError) as error:
        during.full_clean()
    assert "counting_rule" in error.value.message_dict
    opened_early = round_in_phase(Phase.SUPPORT, counting_rule=CountingRule.GREEDY)
    BudgetRound.objects.filter(pk=opened_early.pk).update(voting_opened_at=timezone.now())
    opened_early.counting_rule = CountingRule.EQUAL_SHARES
    with pytest.raises(ValidationError):
        opened_early.full_clean()


def test_the_desk_counts_with_the_rounds_rule_by_default(moderator_client):
    client, _user = moderator_client
    budget_round = voters.voting_round(phase=Phase.RESULTS, counting_rule=CountingRule.GREEDY)
    html = client.get(desk("count", budget_round.pk)).content.decode()
    assert '<option value="greedy" selected>' in html


# 3. The ballot ------------------------------------------------------------------------------------------------


@pytest.fixture
def ballot_round():
    budget_round = voters.voting_round(phase=Phase.SUPPORT, minimum_supports=2, name="Ballot round")
    popular = supported(make_idea(budget_round, status="feasible", title="Popular idea"), 3)
    weak = supported(make_idea(budget_round, status="feasible", title="Weak idea"), 1)
    pending = make_idea(budget_round, status="under_assessment", title="Still assessed")
    return budget_round, popular, weak, pending


def test_the_ballot_builder_shows_supports_against_the_minimum(moderator_client, ballot_round):
    client, _user = moderator_client
    budget_round, popular, weak, _pending = ballot_round
    html = client.get(desk("ballot", budget_round.pk)).content.decode()
    assert "3 / 2 supports" in html and "1 / 2 supports" in html and "Still assessed" not in html
    assert f'value="{popular.pk}" id="ballot-idea-{popular.pk}" checked' in html
    assert f'value="{weak.pk}" id="ballot-idea-{weak.pk}">' in html, "below the minimum: not ticked"
    assert "below the minimum" in html


def test_ideas_below_the_minimum_need_a_reason(moderator_client, ballot_round):
    client, _user = moderator_client
    budget_round, popular, weak, _pending = ballot_round
    response = client.post(desk("ballot", budget_round.pk), {"ideas": [popular.pk, weak.pk]})
    assert response.status_code == 400 and "give a reason" in response.content.decode()
    assert Idea.objects.get(pk=popular.pk).status == Status.FEASIBLE, "all or nothing"
    client.post(desk("ballot", budget_round.pk), {"ideas": [popular.pk]})
    assert Idea.objects.get(pk=popular.pk).status == Status.ON_BALLOT
    history = StatusChange.objects.get(idea=popular, to_status=Status.ON_BALLOT)
    assert history.role == StatusChange.Role.STAFF and history.reason == ""
    client.post(
        desk("ballot", budget_round.pk), {"ideas": [weak.pk], "reason": "The only idea for the youth centre."}
    )
    weak_history = StatusChange.objects.get(idea=weak, to_status=Status.ON_BALLOT)
    assert weak_history.reason == "The only idea for the youth centre."
    assert logs(budget_round, "ideas.ballot.build").count() == 2


def test_the_ballot_is_frozen_once_somebody_has_voted(ballot_round):
    budget_round, popular, _weak, _pending = ballot_round
    lifecycle.build_ballot(budget_round, [popular], None)
    voters.on_census("050505-50505")
    budget_round = voters.voting_round(phase=Phase.VOTING, name="Voted round")
    idea = make_idea(budget_round, status="on_ballot")
    other = make_idea(budget_round, status="feasible")
    cast(budget_round, voters.on_census("060606-60606"), channel=Channel.ONLINE, choices={idea.pk: 1})
    with pytest.raises(ValidationError, match="Somebody has voted"):
        lifecycle.build_ballot(budget_round, [other], None)


def test_an_idea_goes_on_the_ballot_from_its_moderation_page(moderator_client, ballot_round):
    client, _user = moderator_client
    _budget_round, popular, weak, _pending = ballot_round
    edit = reverse("wagtailsnippets_ideas_idea:edit", args=[popular.pk])
    assert "Put on the ballot" in client.get(edit).content.decode()
    client.post(edit, {"action": "put_on_ballot"})
    assert Idea.objects.get(pk=popular.pk).status == Status.ON_BALLOT
    weak_edit = reverse("wagtailsnippets_ideas_idea:edit", args=[weak.pk])
    client.post(weak_edit, {"action": "put_on_ballot"})
    assert Idea.objects.get(pk=weak.pk).status == Status.FEASIBLE, "below the minimum without a reason"
    client.post(weak_edit, {"action": "put_on_ballot", "put_on_ballot-text": "Asked by the council."})
    assert Idea.objects.get(pk=weak.pk).status == Status.ON_BALLOT


def test_the_bulk_action_puts_ideas_on_the_ballot(moderator_client, ballot_round):
    client, _user = moderator_client
    _budget_round, popular, weak, _pending = ballot_round
    bulk = (
        reverse("wagtail_bulk_action", args=["ideas", "idea", "put_on_ballot"])
        + f"?id={popular.pk}&id={weak.pk}"
    )
    client.post(bulk)
    assert Idea.objects.get(pk=popular.pk).status == Status.ON_BALLOT
    assert Idea.objects.get(pk=weak.pk).status == Status.FEASIBLE, "below the minimum: only in the builder"


# 4. Opening and closing the vote -----------------------------------------------------------------------------


def test_opening_refuses_with_clear_reasons(ballot_round):
    budget_round, popular, _weak, _pending = ballot_round
    with pytest.raises(closing.CannotOpen, match="The ballot is empty"):
        closing.open_voting(budget_round, None)
    lifecycle.build_ballot(budget_round, [popular], None)
    no_keys = round_in_phase(Phase.SUPPORT, name="No keys")
    make_idea(no_keys, status="on_ballot")
    with pytest.raises(closing.CannotOpen, match="counting keys are not made"):
        closing.open_voting(no_keys, None)
    CensusEntry.objects.all().delete()
    with pytest.raises(closing.CannotOpen, match="census list is empty"):
        closing.open_voting(budget_round, None)
    closed = voters.voting_round(phase=Phase.RESULTS, name="Closed")
    make_idea(closed, status="on_ballot")
    with pytest.raises(closing.CannotOpen, match="closed already"):
        closing.open_voting(closed, None)
    assert not logs(budget_round, "ideas.voting.open").exists()


def test_area_ballots_must_each_have_ideas():
    budget_round, (north, south) = voters.area_round(phase=Phase.SUPPORT)
    make_idea(budget_round, status="on_ballot", area=north)
    voters.on_census("070707-70707")
    with pytest.raises(closing.CannotOpen, match=south.name):
        closing.open_voting(budget_round, None)


def test_opening_is_confirmed_and_idempotent(moderator_client, ballot_round):
    client, user = moderator_client
    budget_round, popular, _weak, _pending = ballot_round
    lifecycle.build_ballot(budget_round, [popular], None)
    voters.on_census("080808-80808")
    page = client.get(desk("open", budget_round.pk)).content.decode()
    assert "Ideas on the ballot" in page and "Residents on the census list" in page
    assert "Counting keys" in page and "Open voting now" in page
    assert client.post(desk("open", budget_round.pk)).status_code == 400, "the box must be ticked"
    assert BudgetRound.objects.get(pk=budget_round.pk).voting_opened_at is None
    planned_end = budget_round.results_published
    response = client.post(desk("open", budget_round.pk), {"confirm": "on"})
    assert response.status_code == 302
    budget_round.refresh_from_db()
    assert budget_round.voting_opened_at and budget_round.current_phase() == Phase.VOTING
    assert budget_round.voting_starts == budget_round.voting_opened_at
    assert budget_round.results_published == planned_end, "the planned end stays when still ahead"
    assert budget_round.support_starts <= budget_round.voting_starts, "the dates stay in order"
    again = client.post(desk("open", budget_round.pk), {"confirm": "on"})
    assert "Voting is open already; nothing changed." in messages_of(again)
    assert logs(budget_round, "ideas.voting.open").count() == 1
    assert closing.open_voting(budget_round, user) is False


def test_opening_early_skips_the_phases_not_started_yet():
    budget_round = voters.voting_round(phase=Phase.REVIEW, name="Early round")
    make_idea(budget_round, status="on_ballot")
    voters.on_census("090909-90909")
    planned = {name: getattr(budget_round, name) for name in budget_round.phase_dates_fields()}
    moment = timezone.now()
    plan = closing.opening_plan(budget_round, moment)
    assert plan["voting_starts"] == moment and plan["support_starts"] == moment
    assert plan["review_starts"] == planned["review_starts"] < moment
    assert plan["results_published"] == planned["results_published"]
    assert closing.open_voting(budget_round, None, moment) is True
    budget_round.refresh_from_db()
    assert budget_round.current_phase() == Phase.VOTING and budget_round.support_starts == moment


def test_closing_is_confirmed_idempotent_and_its_button_goes(moderator_client):
    client, _user = moderator_client
    budget_round = voters.voting_round(phase=Phase.VOTING, name="Closing round")
    round_page = client.get(desk("round", budget_round.pk)).content.decode()
    assert desk("close", budget_round.pk) in round_page
    confirm = client.get(desk("close", budget_round.pk)).content.decode()
    assert "Sealed ballots in the box" in confirm and "Close voting now" in confirm
    client.post(desk("close", budget_round.pk))
    assert BudgetRound.objects.get(pk=budget_round.pk).voting_closed_at is None, "not without the tick"
    client.post(desk("close", budget_round.pk), {"confirm": "on"})
    budget_round.refresh_from_db()
    assert budget_round.voting_closed_at and budget_round.current_phase() == Phase.RESULTS
    again = client.post(desk("close", budget_round.pk), {"confirm": "on"})
    assert "Voting is closed already; nothing changed." in messages_of(again)
    assert logs(budget_round, "ideas.voting.close").count() == 1
    assert desk("close", budget_round.pk) not in client.get(desk("round", budget_round.pk)).content.decode()


def test_the_desk_and_dashboard_warn_when_voting_is_near_and_not_ready(moderator_client):
    client, _user = moderator_client
    budget_round = round_in_phase(Phase.SUPPORT, name="Unready round")  # voting in five days, no keys
    html = client.get(desk("round", budget_round.pk)).content.decode()
    assert "data-voting-warnings" in html and "The ballot is empty" in html
    assert "counting keys are not made" in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Unready round: voting starts on" in dashboard and desk("round", budget_round.pk) in dashboard
    far = round_in_phase(Phase.SUBMISSION, name="Far round")  # voting in 25 days
    assert "data-voting-warnings" not in client.get(desk("round", far.pk)).content.decode()


# 5. Count, preview, publish -----------------------------------------------------------------------------------


@pytest.fixture
def counted_round(home_en):
    budget_round = voters.voting_round(total_budget=Decimal("10000"), name="Preview round")
    ideas = [
        make_idea(budget_round, status="on_ballot", title=title, estimated_cost=Decimal(cost))
        for title, cost in (("Benches", 3000), ("Fountain", 9000))
    ]
    for number in range(3):
        cast(
            budget_round,
            voters.on_census(f"10101{number}-12345"),
            channel=Channel.ONLINE,
            choices={ideas[0].pk: 1},
        )
    page = BudgetRoundPage(
        title="Preview round", slug="preview-round", intro="<p>x</p>", budget_round=budget_round
    )
    home_en.add_child(instance=page)
    page.save_revision().publish()
    closing.close_voting(budget_round, None)
    job = closing.start_count(
        budget_round, "greedy", None, budget_round.test_private_key, in_background=False
    )
    return budget_round, ideas, page, job


def test_a_count_is_a_private_preview_until_published(moderator_client, counted_round):
    client, user = moderator_client
    budget_round, _ideas, page, job = counted_round
    result = RoundResult.objects.get(round=budget_round)
    assert result.published_at is None
    assert Client().get(page.url + "results/").status_code == 404
    assert Client().get(f"/api/v1/results/?round={budget_round.pk}").json()["results"] == []
    assert Client().get(f"/api/v1/results/{result.pk}/").status_code == 404
    assert {idea.status for idea in Idea.objects.filter(round=budget_round)} == {Status.ON_BALLOT}
    html = client.get(desk("job", budget_round.pk, job.pk)).content.decode()
    assert "Preview: what residents will see" in html and "Benches" in html and "Publish results" in html
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Preview round: a count waits to be checked and published" in dashboard
    client.post(desk("publish", budget_round.pk, job.pk), {"confirm": "on"})
    result.refresh_from_db()
    assert result.published_at and result.published_by_id == user.pk
    assert Client().get(page.url + "results/").status_code == 200
    assert len(Client().get(f"/api/v1/results/?round={budget_round.pk}").json()["results"]) == 1
    statuses = dict(Idea.objects.filter(round=budget_round).values_list("title", "status"))
    assert statuses == {"Benches": Status.SELECTED, "Fountain": Status.NOT_SELECTED}
    again = client.post(desk("publish", budget_round.pk, job.pk), {"confirm": "on"})
    assert "These results are published already; nothing changed." in messages_of(again)
    assert logs(budget_round, "ideas.voting.publish").count() == 1
    assert "a count waits" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_funded_ideas_move_to_implementation_after_publication(moderator_client, counted_round):
    client, _user = moderator_client
    budget_round, ideas, _page, _job = counted_round
    with pytest.raises(ValidationError, match="Publish the results first"):
        lifecycle.start_implementation(budget_round, None)
    publish_results(budget_round, RoundResult.objects.filter(round=budget_round), None)
    round_html = client.get(desk("round", budget_round.pk)).content.decode()
    assert "Move 1 funded idea to implementation" in round_html
    client.post(desk("implementation", budget_round.pk), {"confirm": "on"})
    assert Idea.objects.get(pk=ideas[0].pk).status == Status.IN_IMPLEMENTATION
    assert Idea.objects.get(pk=ideas[1].pk).status == Status.NOT_SELECTED
    again = client.post(desk("implementation", budget_round.pk), {"confirm": "on"})
    assert "in implementation already" in " ".join(messages_of(again))
    edit = reverse("wagtailsnippets_ideas_idea:edit", args=[ideas[0].pk])
    client.post(edit, {"action": "complete"})
    assert Idea.objects.get(pk=ideas[0].pk).status == Status.COMPLETED


def test_the_demo_round_of_2025_is_published():
    result = RoundResult.objects.get(round__name="Zaļāka apkaime 2025")
    assert result.published_at is not None


# 6-7. Who may do what -----------------------------------------------------------------------------------------


def people():
    residents = verified_resident("cycle-resident")
    return {
        "anonymous": None,
        "resident": residents,
        "editor": UserFactory(username="cycle-editor", groups=["Editors"]),
        "moderator": verified_resident("cycle-mod", groups=["Moderators"]),
        "superuser": UserFactory(username="cycle-admin", is_superuser=True, is_staff=True),
    }


ALLOWED = {"anonymous": False, "resident": False, "editor": False, "moderator": True, "superuser": True}


@pytest.mark.parametrize("role", list(ALLOWED))
def test_who_may_take_the_lifecycle_steps(role, home_en):
    user = people()[role]
    client = Client()
    if user is not None:
        client.force_login(user)
    expected = ALLOWED[role]
    # A new round.
    response = client.post(reverse("new_round:index"), new_round_data(name=f"Round by {role}"))
    assert BudgetRound.objects.filter(name=f"Round by {role}").exists() == expected, role
    assert refused(response) != expected
    # The ballot.
    budget_round = voters.voting_round(phase=Phase.SUPPORT, name=f"Steps {role}")
    idea = make_idea(budget_round, status="feasible")
    client.post(desk("ballot", budget_round.pk), {"ideas": [idea.pk]})
    assert (Idea.objects.get(pk=idea.pk).status == Status.ON_BALLOT) == expected, role
    # Opening and closing the vote.
    voters.on_census("111111-11111")
    client.post(desk("open", budget_round.pk), {"confirm": "on"})
    budget_round.refresh_from_db()
    assert bool(budget_round.voting_opened_at) == expected, role
    if not expected:
        lifecycle.build_ballot(budget_round, [idea], None)
        closing.open_voting(budget_round, None)
    client.post(desk("close", budget_round.pk), {"confirm": "on"})
    budget_round.refresh_from_db()
    assert bool(budget_round.voting_closed_at) == expected, role
    if not expected:
        closing.close_voting(budget_round, None)
    # Publishing a count.
    job = closing.start_count(
        budget_round, "greedy", None, budget_round.test_private_key, in_background=False
    )
    client.post(desk("publish", budget_round.pk, job.pk), {"confirm": "on"})
    published = RoundResult.objects.filter(round=budget_round, published_at__isnull=False).exists()
    assert published == expected, role


def test_services_ask_the_rules_themselves(ballot_round):
    budget_round, popular, _weak, _pending = ballot_round
    resident = verified_resident("sneaky")
    for call in (
        lambda: lifecycle.build_ballot(budget_round, [popular], resident),
        lambda: closing.open_voting(budget_round, resident),
        lambda: lifecycle.create_round(resident, pages={}, name="x"),
        lambda: publish_results(budget_round, [], resident),
        lambda: lifecycle.complete(budget_round, [], resident),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_the_dashboard_panel_only_for_moderators(moderator_client):
    client, _user = moderator_client
    make_idea(round_in_phase(Phase.SUBMISSION), status="submitted", title="Waiting idea")
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "data-waiting-work" in html and "for moderation" in html
    editor = Client()
    editor.force_login(UserFactory(username="panel-editor", groups=["Editors"]))
    assert "data-waiting-work" not in editor.get(reverse("wagtailadmin_home")).content.decode()


def test_count_jobs_from_the_api_stay_private_too(counted_round):
    budget_round, _ideas, _page, job = counted_round
    assert CountJob.objects.get(pk=job.pk).state == CountJob.State.DONE
    assert not RoundResult.objects.filter(round=budget_round, published_at__isnull=False).exists()


def test_superusers_see_close_only_while_voting_and_cannot_build_a_closed_ballot():
    """Superusers pass every rule; the desk and the services still ask the phase."""
    client = Client()
    client.force_login(UserFactory(username="cycle-super", is_superuser=True, is_staff=True))
    support = round_in_phase(Phase.SUPPORT, name="Super support")
    assert desk("close", support.pk) not in client.get(desk("round", support.pk)).content.decode()
    results = round_in_phase(Phase.RESULTS, name="Super results")
    idea = make_idea(results, status="feasible")
    with pytest.raises(ValidationError):
        lifecycle.build_ballot(results, [idea], None)
