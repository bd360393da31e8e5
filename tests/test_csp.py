"""The Content-Security-Policy (config/csp.py, the CSP block of config/settings/base.py) and the other security
headers: public pages enforce a policy without 'unsafe-inline' whose fresh nonce is the only one on the page's
inline scripts and styles, the admins only report it, and in a real browser the demo's pages (map, ballot,
results ...) run with no violation at all."""

import base64
import hashlib
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.template.loader import render_to_string

from config.csp import origin_of
from ideas.models import BudgetRoundPage, DeliveryPage, Idea, PartnersPage
from ideas.statuses import LISTED
from tests.ideas import conftest as ideas_fixtures
from tests.ideas import test_ballot_browser

pytestmark = pytest.mark.django_db

# The ballot browser tests' round in its voting phase, with a voter confirmed on the census list.
ballot_pages = test_ballot_browser.ballot_pages
# eID switched on against a real OpenID Connect provider on 127.0.0.1 (tests/ideas/eid.py).
_oidc_server, oidc_provider = ideas_fixtures._oidc_server, ideas_fixtures.oidc_provider

CSP = "Content-Security-Policy"
CSP_RO = "Content-Security-Policy-Report-Only"
# Script types a browser runs; any other <script> (application/json, ld+json) is a data block CSP ignores.
JS_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy(header):
    """{directive: [sources]} of a policy header."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def nonce_of(response):
    [source] = [s for s in policy(response[CSP])["script-src"] if s.startswith("'nonce-")]
    return source.removeprefix("'nonce-").removesuffix("'")


def inline_problems(html, nonce):
    """What on a page the policy would refuse, or that shows the nonce anywhere but in a nonce attribute."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for script in soup.find_all("script"):
        if script.get("src") or script.get("type", "").lower() not in JS_TYPES:
            continue
        if script.get("nonce") != nonce:
            problems.append(f"inline script without the nonce: {str(script)[:80]}")
    problems += [
        f"<style> without the nonce: {str(s)[:80]}" for s in soup.find_all("style") if s.get("nonce") != nonce
    ]
    for element in soup.find_all(True):
        if element.has_attr("style"):
            problems.append(f"style attribute: {str(element)[:100]}")
        problems += [
            f"event handler {a}: {str(element)[:80]}" for a in element.attrs if a.lower().startswith("on")
        ]
    attributes = len(soup.find_all(attrs={"nonce": nonce}))
    if html.count(nonce) != attributes:
        problems.append(f"the nonce appears {html.count(nonce)} times, in {attributes} nonce attributes")
    return problems


@pytest.fixture
def demo():
    """Paths of the demo's participation pages (the round in its support phase, the counted round)."""
    current = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2026")
    counted = BudgetRoundPage.objects.get(slug="greener-neighbourhood-2025")
    idea = Idea.objects.filter(round=current.budget_round, status__in=LISTED, latitude__isnull=False).first()
    partners = PartnersPage.objects.live().filter(locale__language_code="en").first()
    return {
        "list": current.url,
        "map": current.url + "?view=map",
        "idea": current.idea_url(idea),
        "results": counted.url + "results/",
        "results_lv": BudgetRoundPage.objects.get(slug="zalaka-apkaime-2025").url + "results/",
        "delivery": counted.url + "delivery/",
        "delivery_page": DeliveryPage.objects.live().filter(locale__language_code="en").first().url,
        "csr": partners.url + "csr/",
    }


def test_policy_enforced_on_public_pages_in_both_languages(client):
    for path, language in (("/", "lv"), ("/en/", "en")):
        response = client.get(path)
        assert (response.status_code, response["Content-Language"]) == (200, language)
        assert CSP_RO not in response, "public pages enforce, they do not merely report"
        directives = policy(response[CSP])
        nonce = f"'nonce-{nonce_of(response)}'"
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'", nonce]
        assert directives["style-src"] == ["'self'", nonce, settings.CSP_500_STYLE_HASH]
        assert directives["img-src"] == ["'self'", "data:"], "tests set MAP_TILES_URL empty: no tile server"
        assert directives["object-src"] == ["'none'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert "unsafe" not in response[CSP], "no 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes'"


def test_nonce_is_fresh_on_every_response_also_from_the_page_cache(client, settings):
    settings.KOPA_PAGE_CACHE = True
    responses = [client.get(path) for path in ("/", "/", "/en/", "/en/")]
    assert [r.get("X-Kopa-Cache") for r in responses] == ["miss", "hit", "miss", "hit"]
    nonces = {nonce_of(response) for response in responses}
    assert len(nonces) == 4
    assert all(len(base64.b64decode(nonce)) == 16 for nonce in nonces), "128 random bits each"


def test_inline_scripts_and_styles_carry_the_header_nonce_and_nothing_else_inline(client, demo):
    pages = ["/", "/en/", "/en/news/", "/en/news/international-project-green-mobility/print/", "/en/events/"]
    pages += ["/en/accounts/login/", "/en/search/?q=green", "/en/no-such-page/", "/api/v1/docs/"]
    pages += ["/api/v1/", "/api/v1/ideas/"]  # DRF's browsable API (templates/rest_framework/api.html)
    pages += list(demo.values())
    checked = {}
    for path in pages:
        response = client.get(path, HTTP_ACCEPT="text/html")
        assert response.status_code in (200, 404), path
        nonce = nonce_of(response)
        checked[path] = inline_problems(response.content.decode(), nonce)
        if path == "/api/v1/docs/":
            # Swagger UI's page is the one with an inline script and style (templates/drf_spectacular).
            assert response.content.decode().count(f'nonce="{nonce}"') == 2
    assert checked == {path: [] for path in pages}


def test_the_checker_finds_what_the_policy_refuses():
    # Guards the test above against passing vacuously.
    nonce = "abc123+/="
    good = f'<script nonce="{nonce}">1</script><style nonce="{nonce}"></style><script type="application/json">{{}}</script>'
    assert inline_problems(good, nonce) == []
    assert len(inline_problems('<script>alert(1)</script><style nonce="other"></style>', nonce)) == 2
    assert len(inline_problems('<span style="width: 5%"></span><a onclick="x()"></a>', nonce)) == 2
    assert inline_problems(f'<p data-x="{nonce}"></p>', nonce) == [
        "the nonce appears 1 times, in 0 nonce attributes"
    ]


def test_the_admins_only_report(client, superuser):
    for path in ("/admin/login/", "/django-admin/login/"):
        response = client.get(path)
        assert response.status_code == 200
        assert CSP not in response, f"{path}: Wagtail's and Django's admins are not blocked"
        directives = policy(response[CSP_RO])
        assert directives["script-src"][0] == "'self'" and "frame-ancestors" not in directives
    client.force_login(superuser)
    response = client.get("/admin/")
    assert (response.status_code, CSP in response, CSP_RO in response) == (200, False, True)


def test_other_security_headers(client):
    for path in ("/", "/en/", "/admin/login/"):
        response = client.get(path)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_error_page_style_is_allowed_by_its_hash(client):
    # templates/500.html is rendered without a request, so without a nonce: its <style> must match the hash.
    style = re.search(r"<style>(.*?)</style>", render_to_string("500.html"), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy(client.get("/")[CSP])["style-src"]


def test_outside_origins_come_from_the_settings_that_name_them(client, settings):
    settings.MAP_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{"provider_id": "eid", "settings": {"server_url": "https://eid.example.lv/op"}}]
        }
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "kopa",
                "custom_domain": "media.kekava.example",
                "querystring_auth": False,
            },
        },
    }
    # A page without images: the demo's images are not in that bucket.
    directives = policy(client.get("/en/accounts/login/")[CSP])
    assert directives["img-src"] == [
        "'self'",
        "data:",
        "https://tile.openstreetmap.org",
        "https://media.kekava.example",
    ]
    assert directives["form-action"] == ["'self'", "https://eid.example.lv"], (
        "eID's sign-in redirect to its provider"
    )
    assert directives["script-src"][0] == "'self'" and len(directives["script-src"]) == 2, (
        "scripts stay our own"
    )


def test_origin_of():
    assert origin_of("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert origin_of("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080"
    assert origin_of("/media/x.png") is None
    assert origin_of("") is None
    assert origin_of("javascript:alert(1)") is None


# In a real browser ---------------------------------------------------------------------------------------
# Every violation of the enforced policy (blocked scripts, styles, style attributes, images, forms) is an event
# on the document; the init script runs before any of the page's own.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber} ${event.sample}`
  );
}, true);
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""
TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.fixture
def csp_context(chromium, settings):
    """A browser context that records CSP violations and lets nothing leave the machine. The map's tiles come
    from the real OpenStreetMap address (their requests are aborted): the policy must allow that host."""
    settings.MAP_TILES_URL = TILES
    context = chromium.new_context(locale="en-GB")
    context.add_init_script(RECORD_VIOLATIONS)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
            else route.abort()
        ),
    )
    yield context
    context.close()


def visit(page, url, ready=None):
    """Open `url`, wait for its scripts to have done `ready` (a JS expression), return the violations."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(url)
    assert response.status < 400, url
    if ready:
        page.wait_for_function(ready, timeout=10_000)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations") + errors


MARKERS = "() => document.querySelectorAll('.leaflet-marker-icon').length > 0"
TILES_ASKED = "() => document.querySelectorAll('img.leaflet-tile').length > 0"


@pytest.mark.browser
def test_public_pages_run_in_the_browser_without_a_violation(site_server, csp_context, demo):
    page = csp_context.new_page()
    found = {}
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/en/"):
        # kopa.js ran: on a phone the menu button appears and the list folds away.
        found[path] = visit(
            page, site_server + path, "() => !document.querySelector('.main-menu__toggle').hidden"
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    found["list"] = visit(page, site_server + demo["list"])
    # The map: Leaflet's markers and clusters (markercluster), and tiles asked from the tile server.
    found["map"] = visit(page, site_server + demo["map"], f"() => ({MARKERS[6:]}) && ({TILES_ASKED[6:]})")
    # Opening a cluster (zoom animation) and a marker's popup: Leaflet styles them from script, which may.
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    page.locator(".marker-cluster").first.click()
    page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    page.locator(".leaflet-marker-icon.map-marker-icon").first.click()
    page.wait_for_selector(".leaflet-popup-content a")
    found["map"] += page.evaluate("window.__cspViolations")
    found["idea"] = visit(page, site_server + demo["idea"], MARKERS)
    found["delivery"] = visit(page, site_server + demo["delivery"], MARKERS)
    for key in ("results", "results_lv", "csr"):
        found[key] = visit(page, site_server + demo[key])
        # The bars' widths are classes now: the longest bar fills its track, the others are shorter.
        widths = page.eval_on_selector_all(
            ".result-bar__fill, .csr-bar__fill:not(.csr-bar__fill--hours)",
            "fills => fills.map(f => f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width)",
        )
        if not (widths and max(widths) > 0.95 and min(widths) < 0.95):
            found[key].append(f"bar widths {widths}")
        if key.startswith("results") and not page.eval_on_selector(".budget-bar span", "s => s.offsetWidth"):
            found[key].append("an empty budget bar")
    print_view = site_server + "/en/news/international-project-green-mobility/print/"
    found["print"] = visit(page, print_view)
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") == 1, "print-button.js listens to the button"
    for path in ("/api/v1/", "/api/v1/ideas/"):
        found[path] = visit(page, site_server + path, "() => typeof jQuery === 'function'")
    found["api docs"] = visit(page, site_server + "/api/v1/docs/", "() => document.querySelector('.opblock')")
    assert found == {key: [] for key in found}


@pytest.mark.browser
def test_the_ballot_runs_its_script_without_a_violation(site_server, csp_context, ballot_pages):
    page = csp_context.new_page()
    test_ballot_browser.log_in(page, site_server)
    violations = visit(page, site_server + ballot_pages["en"].url + "vote/")
    meter = page.locator("[data-basket-meter]")
    assert "pct-0" in meter.get_attribute("class"), "the server's bar: nothing chosen yet"
    before = page.locator("[data-basket-summary]").text_content()
    page.locator("[data-ballot-input]").first.check()
    page.wait_for_function(
        "(before) => document.querySelector('[data-basket-summary]').textContent !== before", arg=before
    )
    assert meter.evaluate("m => m.getBoundingClientRect().width") > 0, "ballot.js moved the bar"
    assert violations + page.evaluate("window.__cspViolations") == []


@pytest.mark.browser
def test_the_browser_test_sees_a_violation(site_server, csp_context):
    # Guards the tests above against passing vacuously: an inline style and script without the nonce are refused.
    page = csp_context.new_page()
    visit(page, site_server + "/en/")
    page.evaluate(
        """() => {
          const style = document.createElement("style");
          style.textContent = "body { color: red }";
          document.head.append(style);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
          const script = document.createElement("script");
          script.textContent = "window.__ran = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("() => window.__cspViolations.length >= 3")
    directives = {v.split()[0] for v in page.evaluate("window.__cspViolations")}
    assert directives == {"style-src-elem", "style-src-attr", "script-src-elem"}
    assert page.evaluate("window.__ran") is None, "the script did not run"


@pytest.mark.browser
def test_eid_sign_in_leaves_for_its_provider(site_server, csp_context, oidc_provider):
    # allauth answers the sign-in form's POST with a redirect to the provider, another origin: form-action must
    # name it, or the browser stops at our own page.
    page = csp_context.new_page()
    violations = visit(page, site_server + "/en/accounts/oidc/eid/login/")
    with page.expect_navigation():
        page.locator("main form button[type='submit']").click()
    assert page.url.startswith(origin_of(oidc_provider.url) + "/"), page.url
    assert violations + page.evaluate("window.__cspViolations") == []
