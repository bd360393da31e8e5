"""Accessibility measured in a real browser: axe-core finds no WCAG 2.1 A/AA violations on the main pages,
in both languages. Runs where Debian's chromium is installed (CI installs it)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

PAGES = [
    "/",
    "/en/",
    "/jaunumi/",
    "/en/news/",
    "/en/news/international-project-green-mobility/",
    "/en/news/international-project-green-mobility/print/",
    "/pasakumi/",
    "/en/events/training-seniors-e-services/",
    "/en/cities4csr/",
    "/kontakti/",
    "/en/accessibility-statement/",
    "/en/search/?q=green",
    "/en/no-such-page/",
]


def axe_violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} times, e.g. {violation['nodes'][0]['target']})"
        for violation in results.response["violations"]
    ]


def test_main_pages_have_no_wcag_violations(site_server, browser_page):
    problems = {}
    for path in PAGES:
        browser_page.goto(site_server + path)
        violations = axe_violations(browser_page)
        if violations:
            problems[path] = violations
    assert problems == {}


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(site_server, browser_page):
    browser_page.goto(site_server + "/en/")
    browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "main"


def test_the_checker_itself_finds_a_known_violation(site_server, browser_page):
    # Guards against a silently broken axe run that would make the test above pass vacuously.
    browser_page.goto(site_server + "/en/")
    browser_page.evaluate(
        "document.querySelector('main').appendChild(Object.assign(document.createElement('img'), {src: 'x.png'}))"
    )
    assert any(violation.startswith("image-alt") for violation in axe_violations(browser_page))
