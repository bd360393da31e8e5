"""A business backs a resident's idea, in a real browser (Debian's chromium via Playwright), from sign-up to the
CSR report (issue 10): a resident registers their business on the partners page (Latvian, 360 px phone); a
moderator verifies it in the admin; the business pledges money on an idea that would not fit the budget; the
moderator confirms the pledge; the ballot shows the idea's lower cost to the public budget and a resident's
choice fits only thanks to it; the count funds the idea and the results page says why, in Latvian and English;
the organisation's CSR report adds up to its pledges. Every public page on the way is checked at 360 px for
sideways scrolling and with axe (WCAG 2.1 A/AA).

Opening, closing and counting the vote run through the desk's services (their admin screens are walked by
tests/ideas/test_round_lifecycle_browser.py). What the test makes has unique names and is removed at the end:
the demo site is shared by every browser test of the session."""

import re
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from wagtail.models import Locale

from ideas.models import (
    Ballot,
    BudgetRoundPage,
    CensusEntry,
    Channel,
    Idea,
    Organisation,
    PartnersPage,
    Pledge,
    RoundResult,
)
from ideas.models.rounds import CountingRule
from ideas.phases import Phase
from ideas.statuses import Status
from ideas.voting import closing, keys
from ideas.voting.casting import cast
from ideas.voting.results import publish_results
from tests.factories import make_idea
from tests.home.test_accessibility import axe_violations
from tests.home.test_phone_width import MEASURE, PHONE, _round_page
from tests.ideas import voters

# Not in a test transaction: the browser's server must see what the test writes (see
# tests/ideas/test_round_lifecycle_browser.py); everything is removed by the fixture.
pytestmark = [pytest.mark.browser]

PASSWORD = "a long and careful passphrase"
REPRESENTATIVE_CODE = "120490-47001"
VOTER_CODE = "130591-47002"
OTHER_VOTERS = [f"0{n + 1}0785-4710{n}" for n in range(6)]
REGISTRATION_NUMBER = "40103947001"
NB = "\u00a0"


def digits(text):
    """Amounts as digits only, whatever the language's grouping and currency sign ("3 000 €", "€3,000")."""
    return re.sub(r"[^\d]", "", text)


@pytest.fixture
def business_round(django_db_setup, django_db_blocker):
    """A round in its support phase with two ideas on the ballot that do not both fit (12 000 + 10 000 of
    20 000), its pages in both languages, a resident who will register a business, a voter, and a moderator."""
    tag = uuid.uuid4().hex[:6]
    state = {"tag": tag}
    with django_db_blocker.unblock():
        budget_round = voters.voting_round(
            Phase.SUPPORT,
            name=f"Biznesa kārta {tag}",
            total_budget=Decimal(20000),
            max_cost_per_idea=Decimal(20000),
            counting_rule=CountingRule.GREEDY,
        )
        state["round"] = budget_round
        state["playground"] = make_idea(
            budget_round, status="on_ballot", title=f"Rotaļu laukums {tag}", estimated_cost=Decimal(12000)
        )
        state["shelter"] = make_idea(
            budget_round, status="on_ballot", title=f"Velonovietne {tag}", estimated_cost=Decimal(10000)
        )
        state["lv"], state["en"] = _round_page(
            budget_round, f"biznesa-karta-{tag}", f"business-round-{tag}", "Kārta"
        )
        representative = voters.confirmed_resident(
            f"biz-rep-{tag}", REPRESENTATIVE_CODE, email=f"biz-rep-{tag}@example.test"
        )
        voter = voters.confirmed_resident(
            f"biz-voter-{tag}", VOTER_CODE, email=f"biz-voter-{tag}@example.test"
        )
        for user in (representative, voter):
            user.set_password(PASSWORD)
            user.save()
        moderator = get_user_model().objects.create_user(
            f"biz-moderator-{tag}", f"biz-moderator-{tag}@example.test", PASSWORD
        )
        moderator.groups.add(Group.objects.get(name="Moderators"))
        state.update(representative=representative, voter=voter, moderator=moderator)
        partners = PartnersPage.objects.live().filter(locale__language_code="lv").first()
        assert partners is not None, "the demo has a partners page"
        state["partners_lv"] = partners.url
        state["partners_en"] = partners.get_translation(Locale.objects.get(language_code="en")).url
    yield state
    with django_db_blocker.unblock():
        for page in BudgetRoundPage.objects.filter(budget_round=budget_round).order_by("-locale_id"):
            page.delete()
        RoundResult.objects.filter(round=budget_round).delete()
        Ballot.objects.filter(round=budget_round).delete()
        Pledge.objects.filter(idea__round=budget_round).delete()
        Idea.objects.filter(round=budget_round).delete()
        budget_round.delete()
        Organisation.objects.filter(registration_number=REGISTRATION_NUMBER).delete()
        get_user_model().objects.filter(username__endswith=f"-{tag}").delete()
        codes = [REPRESENTATIVE_CODE, VOTER_CODE, *OTHER_VOTERS]
        CensusEntry.objects.filter(person_key__in=[keys.person_key(code) for code in codes]).delete()


def submit(page, selector="main form button[type='submit']"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def check_page(page, problems, label):
    """No sideways scrolling at the page's width and no axe violation; findings are collected, not raised, so
    that one run names them all."""
    measured = page.evaluate(MEASURE)
    if measured["width"] > page.viewport_size["width"]:
        problems.append(f"{label}: {measured['width']} px wide: {measured['culprits']}")
    if violations := axe_violations(page):
        problems.append(f"{label}: {violations}")


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.locator("main input[name='login']").fill(email)
    page.locator("main input[name='password']").fill(PASSWORD)
    submit(page)
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()[:300]


def test_a_business_backs_an_idea_from_sign_up_to_the_csr_report(
    site_server, chromium, business_round, django_db_blocker
):
    state, tag, problems = business_round, business_round["tag"], []
    shelter, playground = state["shelter"], state["playground"]
    cache.clear()  # earlier browser tests' login attempts count against the same address's limits

    # 1. A resident registers their business on the partners page: Latvian, on a phone.
    phone = chromium.new_context(locale="lv-LV", viewport=PHONE).new_page()
    sign_in(phone, site_server, state["representative"].email)
    phone.goto(site_server + state["partners_lv"] + "join/")
    check_page(phone, problems, "join (lv, 360)")
    form = {
        "name": f"SIA Velo Draugi {tag}",
        "registration_number": REGISTRATION_NUMBER,
        "website": "https://velo-draugi.example",
        "description": "Velosipēdu serviss Baložos.",
        "contact_name": "Ilze Kalna",
        "contact_email": f"ilze-{tag}@velo-draugi.example",
    }
    for name, value in form.items():
        phone.locator(f"main [name='{name}']").fill(value)
    phone.locator("main input[name='authorised']").check()
    submit(phone)
    with django_db_blocker.unblock():
        organisation = Organisation.objects.get(registration_number=REGISTRATION_NUMBER)
        assert organisation.state == Organisation.State.PENDING
        assert list(organisation.representatives.all()) == [state["representative"]]
    assert form["name"] in phone.locator("main").inner_text()
    check_page(phone, problems, "my organisation (lv, 360)")
    # Not verified yet: its public page does not exist for others, and it cannot pledge.
    anonymous = chromium.new_context(locale="lv-LV").new_page()
    assert anonymous.goto(site_server + state["partners_lv"] + f"{organisation.slug}/").status == 404
    phone.goto(site_server + state["lv"].url + f"{shelter.pk}/")
    assert phone.locator("form.pledge-form").count() == 0

    # 2. A moderator verifies it in the admin, with a confirmation step.
    admin = chromium.new_context(locale="en-GB").new_page()
    admin.goto(site_server + "/admin/login/")
    admin.locator("input[name='username']").fill(state["moderator"].username)
    admin.locator("input[name='password']").fill(PASSWORD)
    submit(admin, "form button[type='submit']")
    admin.goto(site_server + "/admin/participation/organisations/")
    assert form["name"] in admin.locator("main").inner_text()
    admin.goto(site_server + f"/admin/participation/organisations/{organisation.pk}/verify/")
    submit(admin, "[data-confirm-step]")
    with django_db_blocker.unblock():
        organisation.refresh_from_db()
    assert organisation.state == Organisation.State.VERIFIED

    # 3. The business pledges 3 000 € on the shelter, which does not fit after the playground.
    phone.goto(site_server + state["lv"].url + f"{shelter.pk}/")
    check_page(phone, problems, "idea with the pledge form (lv, 360)")
    phone.locator("form.pledge-form input[name='pledge-kind'][value='money']").check()
    phone.locator("form.pledge-form input[name='pledge-amount']").fill("3000")
    submit(phone, "form.pledge-form button[type='submit']")
    with django_db_blocker.unblock():
        pledge = Pledge.objects.get(organisation=organisation, idea=shelter)
    assert pledge.state == Pledge.State.OFFERED and pledge.amount == Decimal(3000)

    # 4. The moderator confirms it: the idea's cost to the public budget drops to 7 000 €.
    admin.goto(site_server + f"/admin/participation/pledges/{pledge.pk}/")
    submit(admin, "form:has(input[name='action'][value='confirm']) button[type='submit']")
    with django_db_blocker.unblock():
        shelter.refresh_from_db()
    assert (shelter.cofunding, shelter.net_cost) == (Decimal(3000), Decimal(7000))
    for url, label in ((state["lv"].url, "lv"), (state["en"].url, "en")):
        phone.goto(site_server + url + f"{shelter.pk}/")
        assert form["name"] in phone.locator("main").inner_text(), f"Backed by … ({label})"
        check_page(phone, problems, f"idea backed by the business ({label}, 360)")

    # 5. Voting opens; the ballot shows the lower cost, and the playground and the shelter now fit together
    #    (12 000 + 7 000 of 20 000; at full cost they would be 22 000).
    with django_db_blocker.unblock():
        budget_round = state["round"]
        assert closing.open_voting(budget_round, state["moderator"])
        for number, code in enumerate(OTHER_VOTERS):
            choice = playground if number < 4 else shelter
            cast(budget_round, voters.on_census(code), channel=Channel.ONLINE, choices={choice.pk: 1})
    voter = chromium.new_context(locale="lv-LV", viewport=PHONE).new_page()
    sign_in(voter, site_server, state["voter"].email)
    voter.goto(site_server + state["lv"].url + "vote/")
    shelter_text = voter.locator(f"[data-ballot-idea][data-title='{shelter.title}']").inner_text()
    assert "7000" in digits(shelter_text) and "3000" in digits(shelter_text), shelter_text
    check_page(voter, problems, "ballot (lv, 360)")
    voter.locator(f"#id_idea_{playground.pk}").check()
    voter.locator(f"#id_idea_{shelter.pk}").check()
    submit(voter, "form[data-ballot] button[type='submit']")
    submit(voter, "button[name='cast']")
    assert voter.locator("[data-receipt]").count() == 1

    # 6. Close, count, publish: the playground (5 votes) first, then the shelter (3 votes) fits thanks to the
    #    pledge, and the results page says so.
    with django_db_blocker.unblock():
        assert closing.close_voting(budget_round, state["moderator"])
        job = closing.start_count(
            budget_round,
            CountingRule.GREEDY,
            state["moderator"],
            budget_round.test_private_key,
            in_background=False,
        )
        results = list(RoundResult.objects.filter(pk__in=job.result_ids))
        assert publish_results(budget_round, results, state["moderator"]) == 1
        statuses = dict(Idea.objects.filter(round=budget_round).values_list("pk", "status"))
    assert statuses == {playground.pk: Status.SELECTED, shelter.pk: Status.SELECTED}
    english = chromium.new_context(locale="en-GB", viewport=PHONE).new_page()
    english.goto(site_server + state["en"].url + "results/")
    results_text = english.locator("main").inner_text()
    assert "co-funding of €3,000 lowered its cost to the budget to €7,000" in results_text, results_text[
        :2000
    ]
    check_page(english, problems, "results (en, 360)")
    phone.goto(site_server + state["lv"].url + "results/")
    assert shelter.title in phone.locator("main").inner_text()
    check_page(phone, problems, "results (lv, 360)")

    # 7. The organisation's CSR report adds up to its pledges, in both languages.
    with django_db_blocker.unblock():
        pledged = sum(
            (p.amount for p in Pledge.objects.filter(organisation=organisation, state__in=Pledge.COUNTED)),
            Decimal(0),
        )
    assert pledged == Decimal(3000)
    for page, partners, label in ((phone, state["partners_lv"], "lv"), (english, state["partners_en"], "en")):
        page.goto(site_server + partners + f"{organisation.slug}/report/")
        report = page.locator("main").inner_text()
        assert shelter.title in report
        assert "3000" in digits(report), report[:1500]
        check_page(page, problems, f"CSR report ({label}, 360)")
        page.goto(site_server + partners + f"{organisation.slug}/")
        check_page(page, problems, f"partner page ({label}, 360)")
    csv = english.request.get(site_server + state["partners_en"] + f"{organisation.slug}/report/csv/")
    assert csv.status == 200 and shelter.title in csv.text()

    assert problems == []


@pytest.mark.django_db
def test_the_demo_has_a_partners_page_in_both_languages():
    """(Also makes pytest-django set up the test database when this module runs alone: the browser test above
    does not ask for a test transaction.)"""
    pages = PartnersPage.objects.live()
    assert sorted(pages.values_list("locale__language_code", flat=True)) == ["en", "lv"]
    assert all(page.show_in_menus for page in pages)
