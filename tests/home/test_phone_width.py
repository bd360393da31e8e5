"""Phones first: no public page of the demo scrolls sideways on a 360 px phone, in Latvian and in English, in
every state a resident meets (ideas with photos, comments and long words, the ballot while logged in, results);
the ballot keeps its budget bar in view; results are one labelled bar per idea; the round's map colours and
clusters its markers; cards lead with a picture; the site's own font has every Latvian letter. Real browser
(Debian's chromium via Playwright), like tests/home/test_accessibility.py."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tests.home.test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
RESIDENT = ("resident@kekava.example", "kopa-resident-2026")  # a demo resident with a confirmed person

# The page's width, and when it is too wide, the outermost elements that stick out (those not inside a box that
# scrolls or clips by itself, such as a table's scroll region or the map), to say what to fix.
MEASURE = """() => {
  const limit = document.documentElement.clientWidth;
  const scrollsItself = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== "visible") return true;
    }
    return false;
  };
  // How far right an element reaches: its box, or its text when that sticks out of the box (a long word).
  const reach = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 ? box.left + Math.max(box.width, element.scrollWidth) : 0;
  };
  const describe = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") +
    (typeof element.className === "string" && element.className.trim() ? "." + element.className.trim().split(/\\s+/).join(".") : "");
  const culprits = [];
  for (const element of document.querySelectorAll("body *")) {
    // The innermost elements that reach too far: those none of whose children do.
    if (reach(element) > limit + 0.5 && !scrollsItself(element)
        && ![...element.children].some((child) => reach(child) > limit + 0.5)) {
      culprits.push(`${describe(element)} reaches ${Math.round(reach(element))} px: "${(element.textContent || "").trim().slice(0, 40)}"`);
    }
  }
  return {width: document.documentElement.scrollWidth, culprits: culprits.slice(0, 5)};
}"""

# The amount left as the basket says it, whichever way money is written ("50,000 EUR", "€50,000").
LEFT = r"(€|EUR\s)?%s(\sEUR|\s€)? of the budget left"
LONG_WORD = "Daudzfunkcionālāsbērnurotaļulaukumainfrastruktūraspārbūvesprojektēšana"


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 400), (90, 140, 90)).save(buffer, "JPEG")
    return SimpleUploadedFile("wide.jpg", buffer.getvalue(), content_type="image/jpeg")


def _round_page(budget_round, slug_lv, slug_en, title):
    from wagtail.models import Locale

    from home.models import HomePage
    from ideas.models import BudgetRoundPage
    from tests.factories import translate_page

    page = BudgetRoundPage(
        title=title, slug=slug_lv, intro="<p>Tālruņa pārbaude.</p>", budget_round=budget_round
    )
    HomePage.objects.get(locale__language_code="lv").add_child(instance=page)
    page.save_revision().publish()
    english = translate_page(
        page, Locale.objects.get(language_code="en"), title=f"{title} (en)", slug=slug_en
    )
    return page, english


def make_phone_pages():
    """Pages the demo lacks, made with their own names (the demo itself is never changed): a round open for ideas
    with an idea that has a wide photo, a very long word and comments; a round in its voting phase; an event
    that is full and one that is over. Returns them by name; remove_phone_pages deletes them."""
    from home.models import EventIndexPage
    from ideas.models import Comment, IdeaImage
    from ideas.phases import Phase
    from tests.factories import add_event, make_idea, round_in_phase
    from tests.ideas import voters

    made = {}
    ideas_round = round_in_phase(Phase.SUBMISSION, name="Tālruņa ideju kārta", minimum_supports=20)
    made["ideas_lv"], made["ideas_en"] = _round_page(ideas_round, "talruna-idejas", "phone-ideas", "Tālrunis")
    idea = make_idea(
        ideas_round,
        title=f"{LONG_WORD} pie skolas",
        summary=f"Skaidrojums ar garu vārdu {LONG_WORD} un saiti https://example.test/{LONG_WORD}/{LONG_WORD}",
        description=f"{LONG_WORD}\n\nhttps://example.test/{LONG_WORD}?q={LONG_WORD}",
        address=LONG_WORD,
        latitude=Decimal("56.83"),
        longitude=Decimal("24.23"),
    )
    IdeaImage.objects.create(idea=idea, file=_photo(), alt_text=f"Plats foto {LONG_WORD}")
    first = Comment.objects.create(idea=idea, text=f"Atbalstu! {LONG_WORD} " * 3)
    Comment.objects.create(idea=idea, parent=first, text=f"https://example.test/{LONG_WORD}{LONG_WORD}")
    made["idea"] = idea

    voting = voters.voting_round(name="Tālruņa balsojums", total_budget=Decimal(50000))
    for n in range(8):
        make_idea(
            voting,
            status="on_ballot",
            title=f"Balsojuma ideja {n}: {LONG_WORD if n == 3 else 'soliņi un koki'}",
            estimated_cost=Decimal(4000 + 1500 * n),
        )
    made["vote_lv"], made["vote_en"] = _round_page(voting, "talruna-balsojums", "phone-vote", "Balsojums")

    events = EventIndexPage.objects.get(locale__language_code="lv")
    made["full_event"] = add_event(events, slug="talruna-pilns", capacity=0, title="Pilns pasākums")
    made["past_event"] = add_event(events, slug="talruna-beidzies", days_ahead=-3, title="Pagājis pasākums")
    made["rounds"] = (ideas_round, voting)
    return made


def remove_phone_pages(made):
    from ideas.models import Idea

    for key in ("ideas_en", "ideas_lv", "vote_en", "vote_lv", "full_event", "past_event"):
        made[key].delete()
    for budget_round in made["rounds"]:
        Idea.objects.filter(round=budget_round).delete()
        budget_round.delete()


@pytest.fixture(scope="module")
def phone_pages(django_db_setup, django_db_blocker):
    """make_phone_pages, committed so that the browser's server sees them; removed afterwards."""
    with django_db_blocker.unblock():
        made = make_phone_pages()
        yield made
        remove_phone_pages(made)


def _paths(made):
    """(name, path) of every public page type, both languages. `made` adds the states the demo lacks."""
    idea = made["idea"]
    paths = [
        ("home", "/"),
        ("home", "/en/"),
        ("standard page", "/par-novadu/"),
        ("standard page", "/en/about/"),
        ("news index", "/jaunumi/"),
        ("news index", "/en/news/"),
        ("news item", "/jaunumi/starptautiska-projekta-zala-mobilitate/"),
        ("news item", "/en/news/international-project-green-mobility/"),
        ("event index", "/pasakumi/"),
        ("event index", "/en/events/"),
        ("event", "/pasakumi/macibas-senioriem-e-pakalpojumi/"),
        ("event", "/en/events/training-seniors-e-services/"),
        ("event", "/pasakumi/budzeta-domnica-kekava/"),
        ("event", "/en/events/budget-think-tank-kekava/"),
        ("event, full", made["full_event"].url),
        ("event, over", made["past_event"].url),
        ("cooperation project", "/cities4csr/"),
        ("cooperation project", "/en/cities4csr/"),
        ("contact", "/kontakti/"),
        ("contact", "/en/contact/"),
        ("search", "/search/?q=zaļ"),
        ("search", "/en/search/?q=green"),
        ("round list", "/zalaka-apkaime-2026/"),
        ("round list", "/en/greener-neighbourhood-2026/"),
        ("round map", "/zalaka-apkaime-2026/?view=map"),
        ("round map", "/en/greener-neighbourhood-2026/?view=map"),
        ("past round", "/zalaka-apkaime-2025/"),
        ("past round", "/en/greener-neighbourhood-2025/"),
        ("idea with comments", "/zalaka-apkaime-2026/1/"),
        ("idea with comments", "/en/greener-neighbourhood-2026/1/"),
        ("round open for ideas", made["ideas_lv"].url),
        ("round open for ideas", made["ideas_en"].url),
        ("idea with photo, long words", f"{made['ideas_lv'].url}{idea.pk}/"),
        ("idea with photo, long words", f"{made['ideas_en'].url}{idea.pk}/"),
        ("code vote", f"{made['vote_lv'].url}vote/code/"),
        ("code vote", f"{made['vote_en'].url}vote/code/"),
        ("results", "/zalaka-apkaime-2025/results/"),
        ("results", "/en/greener-neighbourhood-2025/results/"),
        ("delivery", "/istenosana/"),
        ("delivery", "/en/delivery/"),
        ("round delivery", "/zalaka-apkaime-2025/delivery/"),
        ("round delivery", "/en/greener-neighbourhood-2025/delivery/"),
        ("log in", "/accounts/login/"),
        ("log in", "/en/accounts/login/"),
        ("sign up", "/accounts/signup/"),
        ("sign up", "/en/accounts/signup/"),
        ("not found", "/no-such-page/"),
        ("not found", "/en/no-such-page/"),
    ]
    logged_in = [
        ("idea form", f"{made['ideas_lv'].url}new/"),
        ("idea form", f"{made['ideas_en'].url}new/"),
        ("my ideas", f"{made['ideas_lv'].url}mine/"),
        ("my ideas", f"{made['ideas_en'].url}mine/"),
        ("ballot", f"{made['vote_lv'].url}vote/"),
        ("ballot", f"{made['vote_en'].url}vote/"),
        ("idea, logged in", f"{made['ideas_lv'].url}{idea.pk}/"),
    ]
    return paths, logged_in


def _context(chromium, viewport, **options):
    context = chromium.new_context(viewport=viewport, locale="lv-LV", **options)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.abort()
        ),
    )
    return context


def _log_in(page, server):
    page.goto(server + "/en/accounts/login/")
    page.locator("main input[name='login']").fill(RESIDENT[0])
    page.locator("main input[name='password']").fill(RESIDENT[1])
    page.locator("main form button[type='submit']").last.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "the demo resident logged in"


def _too_wide(page, server, paths):
    problems = {}
    for name, path in paths:
        response = page.goto(server + path)
        assert response.status < 500, f"{name} {path} answered {response.status}"
        if name != "not found":
            assert response.status == 200, f"{name} {path} answered {response.status}"
        measured = page.evaluate(MEASURE)
        if measured["width"] > PHONE["width"]:
            problems[f"{name} {path}"] = f"{measured['width']} px wide; " + "; ".join(measured["culprits"])
    return problems


def test_no_page_scrolls_sideways_on_a_360_px_phone(site_server, chromium, phone_pages):
    paths, logged_in = _paths(phone_pages)
    context = _context(chromium, PHONE)
    page = context.new_page()
    try:
        problems = _too_wide(page, site_server, paths)
        _log_in(page, site_server)
        problems.update(_too_wide(page, site_server, logged_in))
    finally:
        context.close()
    assert problems == {}, "pages wider than a 360 px phone:\n" + "\n".join(
        f"{k}: {v}" for k, v in problems.items()
    )


def test_the_width_check_itself_finds_a_page_that_is_too_wide(site_server, chromium):
    # Guards against a measurement that could never fail.
    context = _context(chromium, PHONE)
    page = context.new_page()
    page.goto(site_server + "/en/")
    # The long line by CSSOM: the Content-Security-Policy refuses a style attribute in markup.
    page.evaluate(
        "(word) => { const p = document.createElement('p'); p.textContent = word; p.style.whiteSpace = 'nowrap';"
        " document.querySelector('main').append(p); }",
        LONG_WORD * 2,
    )
    measured = page.evaluate(MEASURE)
    context.close()
    assert measured["width"] > PHONE["width"] and "p reaches" in measured["culprits"][0]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_changed_pages_have_no_wcag_violations(site_server, chromium, phone_pages, viewport):
    made = phone_pages
    idea = made["idea"]
    public = [
        "/zalaka-apkaime-2026/",
        "/en/greener-neighbourhood-2026/?view=map",
        "/zalaka-apkaime-2026/?view=map",
        f"{made['ideas_lv'].url}{idea.pk}/",
        f"{made['ideas_en'].url}{idea.pk}/",
        "/zalaka-apkaime-2025/results/",
        "/en/greener-neighbourhood-2025/results/",
    ]
    context = _context(chromium, viewport)
    page = context.new_page()
    problems = {}
    try:
        for path in public:
            page.goto(site_server + path)
            page.wait_for_load_state("networkidle")
            if violations := axe_violations(page):
                problems[path] = violations
        _log_in(page, site_server)
        for path in (
            f"{made['vote_lv'].url}vote/",
            f"{made['vote_en'].url}vote/",
            f"{made['ideas_en'].url}{idea.pk}/",
        ):
            page.goto(site_server + path)
            if violations := axe_violations(page):
                problems[path] = violations
    finally:
        context.close()
    assert problems == {}


def test_the_ballot_keeps_the_budget_left_in_view_while_scrolling(site_server, chromium, phone_pages):
    context = _context(chromium, PHONE)
    page = context.new_page()
    try:
        _log_in(page, site_server)
        page.goto(site_server + phone_pages["vote_en"].url + "vote/")
        bar = page.locator(".ballot-basket")
        left = bar.locator("[aria-live='polite'] [data-basket-summary]")
        assert re.search(LEFT % "50,000", left.text_content())
        meter = bar.locator(".ballot-basket__meter")
        for idea in page.locator("[data-ballot-idea]").all()[:6]:
            idea.scroll_into_view_if_needed()
            box = bar.bounding_box()
            assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1, "bar in view"
            assert box["height"] < PHONE["height"] / 3, "the bar leaves room for the list"
        page.locator("[data-ballot-input]").first.check()
        page.wait_for_function(
            "() => !document.querySelector('[data-basket-summary]').textContent.includes('50,000')"
        )
        assert re.search(LEFT % "46,000", left.text_content())
        assert meter.get_attribute("style").replace(" ", "") == "width:8%;", "4,000 of 50,000 used"
    finally:
        context.close()

    # Without JavaScript the server's amounts are shown, in the same bar.
    context = _context(chromium, PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, site_server)
        page.goto(site_server + phone_pages["vote_en"].url + "vote/")
        assert re.search(LEFT % "50,000", page.locator(".ballot-basket [data-basket-summary]").text_content())
        assert "pct-0" in page.locator(".ballot-basket__meter").get_attribute("class").split()
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/zalaka-apkaime-2025/results/", "/en/greener-neighbourhood-2025/results/"])
def test_results_show_one_labelled_bar_per_idea_in_both_languages(site_server, browser_page, path):
    page = browser_page
    page.goto(site_server + path)
    bars = page.locator(".result-bar")
    from ideas.demo_results import IDEAS

    assert bars.count() == len(IDEAS), "every idea of the demo's counted round, funded or not"
    for bar in bars.all():
        assert bar.locator(".result-bar__fill").bounding_box()["width"] > 0, "the bar is drawn"
        assert bar.locator(".result-bar__explanation").is_visible(), "its explanation is on screen"
    funded = page.locator(".result-bar--funded").count()
    assert 0 < funded < len(IDEAS)
    html = page.content()
    assert not re.search(r'(?:style="width|c[xy]=")[^"]*\d,\d', html), "no localized number inside markup"
    details = page.locator("details.check-count")
    assert not details.evaluate("d => d.open") and details.locator("code").first.is_hidden()
    details.locator("summary").click()
    assert details.locator("a[href$='/pb/']").is_visible()


def test_the_map_colours_clusters_and_explains_its_markers(site_server, browser_page):
    page = browser_page
    page.set_viewport_size(DESKTOP)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_server + "/en/greener-neighbourhood-2026/?view=map")
    page.wait_for_load_state("load")
    assert errors == []
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".marker-cluster").count() >= 1, "nearby ideas are clustered"
    page.locator(".marker-cluster").first.click()
    page.wait_for_selector(".map-marker")
    kinds = page.eval_on_selector_all(".leaflet-marker-icon .map-marker", "els => els.map(e => e.className)")
    assert all("map-marker--" in kind for kind in kinds)
    legend = page.locator(".map-legend li")
    assert legend.count() == 5 and "Under assessment" in legend.all_text_contents()[1]
    # On wide screens the list sits beside the map.
    map_box = page.locator("#ideas-map").bounding_box()
    card_box = page.locator(".card--idea").first.bounding_box()
    assert (
        card_box["x"] + card_box["width"] <= map_box["x"] or map_box["x"] + map_box["width"] <= card_box["x"]
    )


def test_cards_lead_with_a_picture_and_show_support_toward_the_threshold(client, phone_pages):
    html = client.get("/en/greener-neighbourhood-2026/").content.decode()
    assert re.search(
        r'class="card__image card__image--drawing" src="/static/img/categories/[a-z-]+\.svg"', html
    )
    assert re.search(r"\d+ of 5 supports", html), "the demo round needs 5 supports"
    assert 'class="progress"' in html
    with_photo = client.get(phone_pages["ideas_en"].url).content.decode()
    assert 'class="card__image" src="/media/' in with_photo and "0 of 20 supports" in with_photo
    for code in ("green-mobility", "greenery", "recreation", "environment", "community", "generic"):
        assert (Path(settings.BASE_DIR) / "site/static/img/categories" / f"{code}.svg").exists()


def test_the_sites_own_font_has_every_latvian_letter(site_server, browser_page):
    css = (Path(settings.BASE_DIR) / "site/static/css/kopa.css").read_text(encoding="utf-8")
    assert "font-display: swap" in css and '"Source Sans 3", system-ui' in css
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no font or image from another site"
    page = browser_page
    page.goto(site_server + "/")
    page.evaluate("document.fonts.ready")
    letters = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"
    # A letter the font lacks would be drawn by the fallback: then both widths would be equal.
    missing = page.evaluate(
        """async (letters) => {
            await Promise.all([400, 600, 700].map(w => document.fonts.load(`${w} 40px "Source Sans 3"`, letters)));
            const context = document.createElement("canvas").getContext("2d");
            const width = (font, letter) => { context.font = font; return context.measureText(letter.repeat(5)).width; };
            return [...letters].filter(letter => [400, 600, 700].some(w =>
                width(`${w} 40px "Source Sans 3", monospace`, letter) === width(`${w} 40px monospace`, letter)));
        }""",
        letters,
    )
    assert missing == []
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Source Sans 3"')
