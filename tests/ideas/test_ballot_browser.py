"""The online ballot in a real browser (Debian's chromium via Playwright): a resident votes with the keyboard
alone, the basket is announced as it changes, and axe-core finds no WCAG 2.1 AA violations on the ballot, review
and done pages, in English and in Latvian."""

from decimal import Decimal

import pytest

from ideas.models import Ballot, BallotChoice, BudgetRoundPage, CensusEntry, Idea, ResidentProfile
from ideas.phases import Phase
from ideas.voting import keys
from ideas.voting.codes import hand_out, make_batch
from ideas.voting.eligibility import confirm_from_census
from tests.factories import make_idea, round_in_phase, verified_resident
from tests.home.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "a long and careful passphrase"
EMAIL = "ballot-voter@example.test"
CODE = "290101-55555"


@pytest.fixture(scope="module")
def ballot_pages(django_db_setup, django_db_blocker):
    """A round in its voting phase per language, each with a page and ideas, and a voter with confirmed
    residency; committed so that the browser's server sees them on PostgreSQL too, and removed afterwards."""
    from home.models import HomePage
    from ideas.models import Area

    with django_db_blocker.unblock():
        pages = {}
        for language, slug in (("en", "ballot-browser-round"), ("lv", "balsojums-parlukam")):
            budget_round = round_in_phase(
                Phase.VOTING, name=f"Ballot browser {language}", total_budget=Decimal(20000)
            )
            for n, cost in enumerate([9000, 7000, 6000]):
                make_idea(
                    budget_round, status="on_ballot", title=f"Ballot idea {language} {n}", estimated_cost=cost
                )
            page = BudgetRoundPage(
                title=f"Ballot {language}", slug=slug, intro="<p>Vote.</p>", budget_round=budget_round
            )
            HomePage.objects.get(locale__language_code=language).add_child(instance=page)
            page.save_revision().publish()
            pages[language] = page
            # A voting code handed out for each round, for the code voter's test.
            [code] = make_batch(budget_round, 1, f"Browser {language}")
            hand_out(budget_round, code, f"1{'2' if language == 'lv' else '3'}0101-44444")
            pages[f"code-{language}"] = code
        user = verified_resident("ballot-voter", email=EMAIL)
        user.set_password(PASSWORD)
        user.save()
        area = Area.objects.filter(locale__language_code="lv").first()
        census = CensusEntry.objects.create(person_key=keys.person_key(CODE), area=area, birth_year=1985)
        profile = ResidentProfile.objects.create(user=user, display_name="Voter", preferred_language="en")
        confirm_from_census(profile, CODE)
        yield pages
        for page in (pages["en"], pages["lv"]):
            budget_round = page.budget_round
            page.delete()
            BallotChoice.objects.filter(ballot__round=budget_round).delete()
            Ballot.objects.filter(round=budget_round).delete()
            Idea.objects.filter(round=budget_round).delete()
            budget_round.delete()
        user.delete()
        census.delete()


def log_in(page, server):
    page.goto(server + "/en/accounts/login/")
    page.locator("main input[name='login']").fill(EMAIL)
    page.locator("main input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").last.click()
    page.wait_for_load_state()
    assert page.url.endswith("/en/accounts/profile/"), "logged in and on the profile page"


def tab_to(page, selector, limit=80):
    """Press Tab (only the keyboard) until the element matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("language", ["en", "lv"])
def test_a_resident_votes_by_keyboard_alone(site_server, browser_page, ballot_pages, language):
    page = browser_page
    round_page = ballot_pages[language]
    ideas = list(Idea.objects.filter(round=round_page.budget_round).order_by("title"))
    log_in(page, site_server)
    page.goto(site_server + round_page.url + "vote/")
    assert page.locator("html").get_attribute("lang") == language
    assert axe_violations(page) == []

    live = page.locator("[aria-live='polite'] [data-basket-summary]")
    before = live.text_content()
    tab_to(page, f"#id_idea_{ideas[0].pk}")
    page.keyboard.press("Space")
    assert page.locator(f"#id_idea_{ideas[0].pk}").is_checked()
    page.wait_for_function(
        "(before) => document.querySelector('[data-basket-summary]').textContent !== before", arg=before
    )
    after_one = live.text_content()
    assert "9" in after_one and "11" in after_one, "cost 9,000 and 11,000 left, whatever the number format"
    tab_to(page, f"#id_idea_{ideas[2].pk}")
    page.keyboard.press("Space")
    page.wait_for_function(
        "(text) => document.querySelector('[data-basket-summary]').textContent !== text", arg=after_one
    )
    assert "15" in live.text_content() and "5" in live.text_content()
    tab_to(page, "form[data-ballot] button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote/review/")

    assert ideas[0].title in page.content() and ideas[2].title in page.content()
    assert axe_violations(page) == []
    tab_to(page, "button[name='cast']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote/done/")

    ballot = Ballot.objects.get(round=round_page.budget_round)
    assert page.locator("[data-receipt]").text_content() == ballot.reference
    assert set(ballot.choices.values_list("idea_id", flat=True)) == {ideas[0].pk, ideas[2].pk}
    assert axe_violations(page) == []


@pytest.mark.parametrize("language", ["en", "lv"])
def test_a_code_voter_votes_by_keyboard_alone(site_server, browser_page, ballot_pages, language):
    page = browser_page
    round_page, code = ballot_pages[language], ballot_pages[f"code-{language}"]
    budget_round = round_page.budget_round
    ideas = list(Idea.objects.filter(round=budget_round).order_by("title"))
    page.goto(site_server + round_page.url + "vote/code/")
    assert page.locator("html").get_attribute("lang") == language
    assert axe_violations(page) == []
    tab_to(page, "input[name='code']")
    page.keyboard.type(code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote/code/ballot/")
    tab_to(page, f"#id_idea_{ideas[1].pk}")
    page.keyboard.press("Space")
    tab_to(page, "form[data-ballot] button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote/code/review/")
    tab_to(page, "button[name='cast']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/vote/code/done/")
    assert axe_violations(page) == []
    ballot = Ballot.objects.get(round=budget_round, channel="code")
    assert page.locator("[data-receipt]").text_content() == ballot.reference
    assert list(ballot.choices.values_list("idea_id", flat=True)) == [ideas[1].pk]
