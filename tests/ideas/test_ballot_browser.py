"""The online ballot in a real browser (Debian's chromium via Playwright): a resident votes with the keyboard
alone, the basket is announced as it changes, and axe-core finds no WCAG 2.1 AA violations on the ballot, review
and done pages, in English and in Latvian."""

from decimal import Decimal

import pytest

from ideas.models import BudgetRoundPage, CensusEntry, Idea, ResidentProfile, SealedBallot
from ideas.voting import keys, sealing
from ideas.voting.codes import hand_out, make_batch
from tests.factories import make_idea
from tests.home.test_accessibility import axe_violations
from tests.ideas import voters

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "a long and careful passphrase"
EMAIL = "ballot-voter@example.test"
CODE = "290101-55555"


@pytest.fixture(scope="module")
def ballot_pages(django_db_setup, django_db_blocker):
    """A round in its voting phase per language (with counting keys), each with a page and ideas, and a voter
    confirmed as a person on the census list; committed so that the browser's server sees them on PostgreSQL
    too, and removed afterwards."""
    from home.models import HomePage

    with django_db_blocker.unblock():
        pages, people = {}, [CODE]
        for language, slug in (("en", "ballot-browser-round"), ("lv", "balsojums-parlukam")):
            budget_round = voters.voting_round(name=f"Ballot browser {language}", total_budget=Decimal(20000))
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
            pages[f"round-{language}"] = budget_round
            # A voting code handed out for each round, for the code voter's test.
            holder = f"1{'2' if language == 'lv' else '3'}0101-44444"
            voters.on_census(holder)
            people.append(holder)
            [code] = make_batch(budget_round, 1, f"Browser {language}")
            hand_out(budget_round, code, holder)
            pages[f"code-{language}"] = code
        user = voters.confirmed_resident("ballot-voter", CODE, email=EMAIL, birth_year=1985)
        user.set_password(PASSWORD)
        user.save()
        ResidentProfile.objects.filter(user=user).update(display_name="Voter", preferred_language="en")
        yield pages
        for language in ("en", "lv"):
            budget_round = pages[f"round-{language}"]
            pages[language].delete()
            Idea.objects.filter(round=budget_round).delete()
            budget_round.delete()
        user.delete()
        CensusEntry.objects.filter(person_key__in=[keys.person_key(person) for person in people]).delete()


def sealed_choices_of(budget_round, receipt):
    """The idea ids in the envelope whose receipt the voter was shown (opened with the round's private key)."""
    envelope = SealedBallot.objects.get(
        round=budget_round, fingerprint__startswith=sealing.normalise_receipt(receipt)
    )
    private = sealing.check_private_key(budget_round.test_private_key, budget_round.counting_public_key)
    return set(sealing.unseal(private, bytes(envelope.sealed)))


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
    round_page, budget_round = ballot_pages[language], ballot_pages[f"round-{language}"]
    ideas = list(Idea.objects.filter(round=budget_round).order_by("title"))
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
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The review (whether it records nothing is tested in test_ballot_page.py: reading the box from this
    # thread before the server writes to it would lock SQLite's shared in-memory table).
    assert page.locator("button[name='cast']").count() == 1

    assert ideas[0].title in page.content() and ideas[2].title in page.content()
    assert axe_violations(page) == []
    tab_to(page, "button[name='cast']")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    receipt = page.locator("[data-receipt]").text_content().strip()
    assert sealed_choices_of(budget_round, receipt) == {ideas[0].pk, ideas[2].pk}
    assert axe_violations(page) == []

    # Back on the ballot: the receipt, never the choices.
    page.goto(site_server + round_page.url + "vote/")
    assert page.locator("[data-receipt]").text_content().strip() == receipt
    assert page.locator("input[data-ballot-input]:checked").count() == 0


@pytest.mark.parametrize("language", ["en", "lv"])
def test_a_code_voter_votes_by_keyboard_alone(site_server, browser_page, ballot_pages, language):
    page = browser_page
    round_page, code = ballot_pages[language], ballot_pages[f"code-{language}"]
    budget_round = ballot_pages[f"round-{language}"]
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
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "button[name='cast']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert axe_violations(page) == []
    receipt = page.locator("[data-receipt]").text_content().strip()
    assert sealed_choices_of(budget_round, receipt) == {ideas[1].pk}
