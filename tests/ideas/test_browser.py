"""Residents' pages in a real browser (Debian's chromium via Playwright): submitting an idea with a map click and
a photo, and axe-core finding no WCAG 2.1 AA violations on the list, map, form and idea pages."""

import pytest
from PIL import Image

from ideas.models import BudgetRoundPage, Idea
from ideas.phases import Phase
from ideas.statuses import LISTED
from tests.factories import round_in_phase, verified_resident
from tests.home.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PASSWORD = "a long and careful passphrase"


@pytest.fixture(scope="module")
def open_round(django_db_setup, django_db_blocker):
    """A round open for ideas, committed so that the browser's server sees it on PostgreSQL too; removed after."""
    from home.models import HomePage

    with django_db_blocker.unblock():
        budget_round = round_in_phase(Phase.SUBMISSION, name="Browser round")
        home = HomePage.objects.get(locale__language_code="en")
        page = BudgetRoundPage(
            title="Browser round",
            slug="browser-round",
            intro="<p>Ideas welcome.</p>",
            budget_round=budget_round,
        )
        home.add_child(instance=page)
        page.save_revision().publish()
        resident = verified_resident("browser-resident", email="browser@example.test")
        resident.set_password(PASSWORD)
        resident.save()
        yield page
        page.delete()
        Idea.objects.filter(round=budget_round).delete()
        budget_round.delete()
        resident.delete()


def log_in(page, server):
    page.goto(server + "/en/accounts/login/")
    page.locator("main input[name='login']").fill("browser@example.test")
    page.locator("main input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").last.click()
    page.wait_for_load_state()
    assert page.url.endswith("/en/accounts/profile/"), "logged in and on the profile page"


def test_submit_an_idea_with_a_map_point_and_a_photo(site_server, browser_page, open_round, tmp_path):
    page = browser_page
    log_in(page, site_server)
    page.goto(site_server + open_round.url + "new/")
    page.locator("#id_title").fill("Drinking fountain in the park")
    page.locator("#id_summary").fill("A fountain by the playground.")
    page.locator("#id_description").fill("Children and runners need water in summer.")
    page.locator("#id_category").select_option(label="Recreation and sport")
    page.locator("#id_area").select_option(label="Baloži")
    page.locator("#id_estimated_cost").fill("4000")
    page.locator("#idea-form-map").click(position={"x": 120, "y": 80})
    assert page.locator("[data-map-latitude]").input_value(), "a click on the map fills the coordinates"
    photo = tmp_path / "fountain.png"
    Image.new("RGB", (400, 300), (0, 90, 200)).save(photo)
    page.locator("input[name='images-0-file']").set_input_files(str(photo))
    page.locator("input[name='images-0-alt_text']").fill("Where the fountain would stand")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()

    assert "Thank you! Your idea is submitted" in page.content()
    idea = Idea.objects.get(title="Drinking fountain in the park")
    assert idea.status == "submitted"
    assert idea.latitude is not None and idea.images.count() == 1
    assert axe_violations(page) == []


def test_list_map_and_idea_pages_have_no_wcag_violations(site_server, browser_page):
    demo_page = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")
    idea = Idea.objects.filter(
        round=demo_page.budget_round, status="published", comments__isnull=False
    ).first()
    problems = {}
    for path in (
        demo_page.url,
        demo_page.url + "?view=map",
        demo_page.idea_url(idea),
        "/zalaka-apkaime-2026/",
    ):
        browser_page.goto(site_server + path)
        if violations := axe_violations(browser_page):
            problems[path] = violations
    assert problems == {}


def test_map_shows_a_marker_per_located_idea(site_server, browser_page):
    demo_page = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")
    browser_page.goto(site_server + demo_page.url + "?view=map")
    browser_page.wait_for_selector(".leaflet-marker-icon")
    # While the map zooms to fit the ideas, the old and the new clusters are both in the page for a moment
    # (Leaflet's leaflet-zoom-anim, markercluster's leaflet-cluster-anim): count once that is over.
    browser_page.wait_for_function(
        "() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')", timeout=10_000
    )
    # Markers close together are clustered (Leaflet.markercluster): a cluster shows how many ideas it holds.
    single = browser_page.locator(".leaflet-marker-icon.map-marker-icon").count()
    clustered = sum(
        int(text) for text in browser_page.locator(".leaflet-marker-icon.marker-cluster").all_inner_texts()
    )
    assert browser_page.locator(".leaflet-marker-icon.marker-cluster").count() > 0, (
        "nearby ideas are clustered"
    )
    assert (
        single + clustered
        == Idea.objects.filter(
            round=demo_page.budget_round,
            # What the list shows without a status filter (ideas/filters.py): other tests may have moved ideas on.
            status__in=LISTED,
            latitude__isnull=False,
        ).count()
    )
