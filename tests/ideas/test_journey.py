"""Residents always know where they are and what to do: the phase timeline, one main action per phase and role,
and links to published results (ideas/journey.py and the templates that render it)."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import override

from ideas import journey
from ideas.models import BudgetRoundPage, RoundResult, Support
from ideas.phases import Phase
from tests.factories import make_idea, round_in_phase

pytestmark = pytest.mark.django_db

PHASES = [Phase.SUBMISSION, Phase.REVIEW, Phase.SUPPORT, Phase.VOTING, Phase.RESULTS, Phase.IMPLEMENTATION]


def round_page(budget_round, home_en, slug):
    page = BudgetRoundPage(title=f"Round {slug}", slug=slug, intro="<p>Ideas.</p>", budget_round=budget_round)
    home_en.add_child(instance=page)
    page.save_revision().publish()
    return page


def add_result(budget_round, published=True):
    return RoundResult.objects.create(
        round=budget_round,
        rule="greedy",
        engine_version="test",
        pb_sha256="0" * 64,
        pb_file="",
        published_at=timezone.now() if published else None,
    )


def login_link(target):
    return f"/en/accounts/login/?next={quote(target, safe='')}"


# What each phase asks of an anonymous visitor and of a logged-in resident: (label, where it leads).
EXPECTED = {
    Phase.SUBMISSION: (("Log in to submit an idea", "login:new/"), ("Submit an idea", "new/")),
    Phase.REVIEW: (None, None),
    Phase.SUPPORT: (("Log in to support ideas", "login:"), ("Support ideas", "#ideas")),
    Phase.VOTING: (("Log in to vote", "login:vote/"), ("Vote", "vote/")),
    Phase.RESULTS: (("See the results", "results/"), ("See the results", "results/")),
    Phase.IMPLEMENTATION: (("See the results", "results/"), ("See the results", "results/")),
}


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_one_main_action_per_phase_and_role(phase, role, home_en, resident):
    page = round_page(round_in_phase(phase), home_en, f"r-{phase}")
    add_result(page.budget_round)
    user = AnonymousUser() if role == "anonymous" else resident
    with override("en"):
        action = journey.main_action(page, user)
        texts = [str(action.label), *(str(label) for label, _url in action.alternatives)] if action else []
    expected = EXPECTED[phase][role == "resident"]
    if expected is None:
        assert action is None
        return
    label, where = expected
    assert texts[0] == label
    if where.startswith("login:"):
        assert action.url == login_link(page.url + where.removeprefix("login:"))
    else:
        assert action.url == page.url + where
    if phase == Phase.VOTING:
        assert texts[1:] == ["Vote with a code"]


def test_results_are_not_an_action_before_they_are_published(home_en, resident):
    page = round_page(round_in_phase(Phase.RESULTS), home_en, "unpublished")
    assert journey.main_action(page, resident) is None
    add_result(page.budget_round, published=False)
    assert journey.main_action(page, resident) is None, "a staff preview is not published"
    assert journey.results_url(page) is None
    add_result(page.budget_round)
    assert journey.main_action(page, resident).url == page.url + "results/"


def test_idea_page_action_in_the_support_phase(home_en, resident, other_resident):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en, "support-idea")
    idea = make_idea(page.budget_round, author=other_resident)
    with override("en"):
        anonymous = journey.main_action(page, AnonymousUser(), idea=idea)
        theirs = journey.main_action(page, resident, idea=idea)
        assert (str(anonymous.label), anonymous.url) == ("Log in to support", login_link(page.idea_url(idea)))
        assert (str(theirs.label), theirs.url, theirs.post) == (
            "Support this idea",
            page.idea_url(idea, "support"),
            True,
        )
    Support.objects.create(idea=idea, user=resident)
    assert journey.main_action(page, resident, idea=idea) is None


def test_anonymous_visitors_see_how_to_take_part(client, home_en):
    page = round_page(round_in_phase(Phase.SUBMISSION), home_en, "open-round")
    html = client.get(page.url).content.decode()
    assert f'href="{login_link(page.url + "new/")}"'.replace("&", "&amp;") in html
    assert "Log in to submit an idea" in html

    support = round_page(round_in_phase(Phase.SUPPORT), home_en, "support-round")
    idea = make_idea(support.budget_round)
    html = client.get(support.idea_url(idea)).content.decode()
    assert "Log in to support" in html
    assert login_link(support.idea_url(idea)) in html


def test_residents_support_from_the_idea_page(client, home_en, resident):
    page = round_page(round_in_phase(Phase.SUPPORT), home_en, "support-me")
    idea = make_idea(page.budget_round)
    client.force_login(resident)
    html = client.get(page.idea_url(idea)).content.decode()
    assert f'action="{page.idea_url(idea, "support")}"' in html
    assert html.count("Support this idea") == 1


def test_round_page_shows_the_phase_timeline(client, home_en):
    budget_round = round_in_phase(Phase.SUPPORT)
    page = round_page(budget_round, home_en, "timeline")
    html = client.get(page.url).content.decode()
    steps = re.search(r'<ol class="phase-timeline__steps">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li[^>]*>.*?</li>", steps, re.S)
    assert len(items) == 6
    current = [item for item in items if 'aria-current="step"' in item]
    assert len(current) == 1 and "Supporting ideas" in current[0]
    # The date as the site shows it, in its time zone (Riga): near midnight UTC that is already the next day.
    assert timezone.localtime(budget_round.support_starts).strftime("%Y-%m-%d") in current[0]
    assert "Submitting ideas" in items[0] and "Implementation" in items[-1]


def test_timeline_leaves_out_a_missing_phase(home_en):
    budget_round = round_in_phase(Phase.SUBMISSION, support_starts=None)
    steps = journey.timeline(budget_round)
    assert [step.phase for step in steps] == [p for p in PHASES if p != Phase.SUPPORT]
    assert [step.state for step in steps] == ["current", "next", "next", "next", "next"]


def test_home_page_round_box_has_timeline_and_main_action(client):
    html = client.get("/en/").content.decode()
    box = html[html.index('<section class="round-card"') : html.index('<section class="latest-news"')]
    assert 'aria-current="step"' in box
    assert "Log in to support ideas" in box


def test_published_results_are_linked_from_round_home_and_menu(client):
    results = "/zalaka-apkaime-2025/results/"
    assert f'href="{results}"' in client.get("/zalaka-apkaime-2025/").content.decode()
    home = client.get("/").content.decode()
    assert f'href="{results}"' in re.search(r"<main.*?</main>", home, re.S).group(0)
    menu = re.search(r'<nav class="main-menu".*?</nav>', home, re.S).group(0)
    assert f'href="{results}"' in menu
    english_menu = re.search(
        r'<nav class="main-menu".*?</nav>', client.get("/en/").content.decode(), re.S
    ).group(0)
    assert 'href="/en/greener-neighbourhood-2025/results/"' in english_menu
    # The menu marks the results page as the current one there.
    on_results = client.get(results).content.decode()
    assert f'href="{results}" aria-current="page"' in on_results


def test_unpublished_results_are_not_linked(client, home_en):
    page = round_page(round_in_phase(Phase.RESULTS), home_en, "preview-only")
    add_result(page.budget_round, published=False)
    html = client.get(page.url).content.decode()
    assert f"{page.url}results/" not in html
