"""Stored cross-site scripting, in a real browser (Debian's chromium via Playwright): every vector of
tests/xss_vectors.py is stored as an idea's title and description, a comment, an organisation's name (and its
pledge's description), an event registration's name and a resident's display name, through the services that
residents' input goes through (ideas/participation.py, ideas/partners/organisations.py and pledges.py,
home/registrations.py; ideas and display names as the forms save them, checked with full_clean), all published,
verified and confirmed. Then every page that shows them is opened: the public pages anonymously (ideas list, map
with its popups, idea pages, partners list and pages, the workshop's event page, home and search), each
resident's profile page logged in as them, and the moderators' admin screens (ideas queue and moderation pages,
comments, organisations, pledges, event registrations, the workshop's attendance, identity checks).

What counts:
- executions: every vector calls `__xss(N)` when it runs, a function exposed to every frame of every page
  (iframes included); a dialog (alert) counts too. Expected: none.
- the audit: vectors that would run only on a click, hover or focus (an injected `onmouseover`, a `javascript:`
  link) are found by looking at the elements: no event-handler attribute, `style`, `srcdoc` or javascript:/
  data: address made of a vector, no script or style element holding one. Expected: none.
- Content-Security-Policy violations (`securitypolicyviolation` events, recorded from an init script): none on
  the public pages; the admin's are reported (it runs the policy report-only, config/csp.py).
- the text is shown as typed: idea titles, descriptions, comments, display names, organisation and registration
  names are compared with what the page shows.

The API's JSON is not rendered as HTML and is left out.
"""

import contextlib
import math
import time
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client

from tests.xss_vectors import MAX_LENGTH, VECTORS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

INIT_SCRIPT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push([event.disposition, event.effectiveDirective, event.blockedURI, event.sample].join(" "));
}, true);
"""

# What the page's elements must not hold (see the module docstring).
AUDIT = """
() => {
  const found = [];
  const made = (value) => /xss|atob|eval\\(/i.test(value);
  const scheme = (value) => /^\\s*(javascript|data|vbscript):/i.test(value.replace(/[\\u0000-\\u0020]/g, ""));
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      const value = attribute.value;
      if (name.startsWith("on") && made(value)) found.push(`${tag}[${name}]=${value}`);
      else if (["style", "srcdoc"].includes(name) && made(value)) found.push(`${tag}[${name}]=${value}`);
      else if (["href", "src", "action", "formaction", "data", "xlink:href", "content"].includes(name)
               && scheme(value) && made(value)) found.push(`${tag}[${name}]=${value}`);
    }
    if ((tag === "script" && !/json/.test(element.type)) || tag === "style") {
      if (made(element.textContent)) found.push(`${tag}: ${element.textContent.slice(0, 80)}`);
    }
    if (["iframe", "object", "embed", "base", "math", "svg", "marquee", "details", "video", "audio"].includes(tag)
        && element.closest("main, .idea, .comment, .partner, table, dl, .card, .leaflet-popup, form")
        && made(element.outerHTML)) {
      found.push(`<${tag}> ${element.outerHTML.slice(0, 80)}`);
    }
  }
  return found;
}
"""


def squash(text):
    return " ".join(text.split())


# The stored vectors --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(django_db_setup, django_db_blocker):
    """Every vector in every field, committed so that the browser's server sees it; removed afterwards."""
    with django_db_blocker.unblock():
        with transaction.atomic():  # all or nothing: a failure half-way leaves no vectors behind
            world = _store()
        try:
            yield world
        finally:
            _remove(world)


def _store():
    from wagtail.models import Page

    from home.models import EventIndexPage
    from home.registrations import register
    from ideas.models import BudgetRoundPage, Idea, ResidentProfile
    from ideas.participation import add_comment
    from ideas.partners import organisations, pledges
    from ideas.phases import Phase
    from tests.factories import add_event, make_idea, round_in_phase, verified_resident
    from tests.ideas.test_pledges import registration_number

    home = Page.objects.get(depth=2, locale__language_code="en").specific
    budget_round = round_in_phase(Phase.SUPPORT, name="XSS round")
    page = BudgetRoundPage(title="XSS round", slug="xss-round", intro="<p>x</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    events = EventIndexPage.objects.get(locale__language_code="lv")
    event = add_event(
        events,
        slug="xss-darbnica",
        title="XSS darbnīca",
        kind="workshop",
        budget_round=budget_round,
        registration_enabled=True,
    )
    business = verified_resident("xss-business", email="xss-business@example.test")
    moderator = verified_resident("xss-moderator", email="xss-moderator@example.test", groups=["Moderators"])
    world = {
        "round": budget_round,
        "page": page,
        "event": event,
        "staff": [business, moderator],
        "moderator": moderator,
        "users": {},
        "ideas": {},
        "comments": {},
        "organisations": {},
        "registrations": {},
    }
    columns = math.ceil(math.sqrt(len(VECTORS)))
    for number, label, payload in VECTORS:
        user = verified_resident(f"xss-{number}", email=f"xss-{number}@example.test")
        profile, _ = ResidentProfile.objects.update_or_create(user=user, defaults={"display_name": payload})
        profile.full_clean()
        world["users"][number] = user
        # Far enough apart that the map shows each on its own, not in a cluster.
        row, column = divmod(number - 1, columns)
        idea = make_idea(
            budget_round,
            author=user,
            status="published",
            title=payload,
            summary=f"XSS vector {number}: {label}",
            description=payload,
            latitude=Decimal("56.70") + Decimal(row) * Decimal("0.05"),
            longitude=Decimal("23.70") + Decimal(column) * Decimal("0.09"),
        )
        idea.full_clean()
        world["ideas"][number] = idea
        world["comments"][number] = add_comment(user, idea, payload)
        organisation = organisations.register_organisation(
            business,
            name=payload,
            registration_number=registration_number(),
            contact_name="Contact",
            contact_email="contact@example.test",
        )
        organisations.verify_organisation(None, organisation)
        world["organisations"][number] = organisation
        pledge = pledges.offer_pledge(
            business, organisation, idea, kind="in_kind", amount=Decimal("10"), description=payload
        )
        pledges.confirm_pledge(None, pledge)
        world["registrations"][number] = register(event, payload, user.email, "en", user=user)
    assert Idea.objects.filter(round=budget_round, status="published").count() == len(VECTORS)
    # Sessions for the browser, committed here: the server's thread could not read a session the test's
    # transaction holds.
    world["sessions"] = {}
    for user in [*world["users"].values(), moderator]:
        client = Client()
        client.force_login(user)
        world["sessions"][user.pk] = client.cookies["sessionid"].value
    return world


def _remove(world):
    from django.contrib.sessions.models import Session
    from wagtail.models import ModelLogEntry, PageLogEntry

    from ideas.models import Idea, Organisation, Pledge

    users = [*world["users"].values(), *world["staff"]]
    Session.objects.filter(session_key__in=world.get("sessions", {}).values()).delete()
    organisations = list(world["organisations"].values())
    ideas = Idea.objects.filter(round=world["round"])
    ModelLogEntry.objects.filter(user__in=users).delete()
    for model, objects in (
        ("organisation", organisations),
        ("comment", world["comments"].values()),
        ("pledge", Pledge.objects.filter(idea__in=ideas)),
    ):
        ModelLogEntry.objects.filter(
            content_type__model=model, object_id__in=[str(obj.pk) for obj in objects]
        ).delete()
    Pledge.objects.filter(idea__in=ideas).delete()
    Organisation.objects.filter(pk__in=[o.pk for o in organisations]).delete()
    ideas.delete()
    PageLogEntry.objects.filter(page__in=[world["page"], world["event"]]).delete()
    world["event"].delete()
    world["page"].delete()
    world["round"].delete()
    for user in users:
        user.delete()


# The browser ---------------------------------------------------------------------------------------------


class Watcher:
    """A browser context that records executions, dialogs, CSP violations and audit findings per page."""

    def __init__(self, browser, server):
        self.server = server
        self.context = browser.new_context(locale="en-GB")
        self.context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("http://localhost", "http://127.0.0.1"))
                else route.abort()
            ),
        )
        self.executions = []
        self.dialogs = []
        self.violations = {}
        self.findings = {}
        self.loaded = []
        self.policies = []  # the Content-Security-Policy each page came with
        self.context.expose_binding(
            "__xss", lambda source, number: self.executions.append((number, self.here))
        )
        self.context.add_init_script(INIT_SCRIPT)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.here = None

    def _dialog(self, dialog):
        self.dialogs.append((dialog.message, self.here))
        dialog.dismiss()

    def open(self, path, public=True):
        self.here = path
        response = self.page.goto(self.server + path, wait_until="load")
        assert response.status == 200, f"{path}: {response.status}"
        headers = response.headers
        self.policies.append(
            "enforced"
            if "content-security-policy" in headers
            else "report-only"
            if "content-security-policy-report-only" in headers
            else "none"
        )
        # autofocus, ontoggle and media errors fire just after load: give them a frame.
        self.page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 10)))")
        self.inspect(path, public)
        return self.page

    def inspect(self, path, public=True):
        self.loaded.append((path, public))
        violations = []
        for frame in self.page.frames:
            # A frame that went away or blocks scripts has nothing to report.
            with contextlib.suppress(Exception):
                violations += frame.evaluate("window.__csp || []")
        if violations:
            self.violations[(path, public)] = violations
        if found := self.page.evaluate(AUDIT):
            self.findings[path] = found

    def log_in(self, session_key):
        self.context.clear_cookies()
        self.context.add_cookies([{"name": "sessionid", "value": session_key, "url": self.server}])

    def close(self):
        self.context.close()


def _settle(page):
    page.wait_for_function(
        "() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')", timeout=10_000
    )


def open_every_popup(watcher, path):
    """The popup link texts of every marker of the map at `path`, each popup audited. Markers close together
    are clustered: the map is opened again and zoomed into each cluster in turn until every idea was seen."""
    seen = {}
    cluster = 0
    while len(seen) < len(VECTORS):
        page = watcher.open(path)
        _settle(page)
        if cluster:
            clusters = page.locator(".leaflet-marker-icon.marker-cluster")
            if cluster > clusters.count():
                break
            clusters.nth(cluster - 1).dispatch_event("click")
            _settle(page)
        markers = page.locator(".leaflet-marker-icon.map-marker-icon")
        for index in range(markers.count()):
            marker = markers.nth(index)
            title = marker.get_attribute("title")
            if title in seen:
                continue
            # A click event on the marker itself: a real click could land on the popup of the one before.
            marker.dispatch_event("click")
            seen[title] = squash(page.locator(".leaflet-popup-content a").last.text_content(timeout=2000))
            watcher.inspect(f"{path} (popup {len(seen)})")
        cluster += 1
    return list(seen.values())


# Detail pages other than the ideas' (one template per kind of page) are opened for every fifth vector; lists
# and indexes show them all. The whole module stays within three minutes on two cores.
SAMPLE = [(number, payload) for number, _label, payload in VECTORS if number % 5 == 1]
PAYLOADS = {number: payload for number, _label, payload in VECTORS}


@pytest.fixture(scope="module")
def report():
    """Figures for the summary printed at the end of the module (run with -s to see it): pages opened, and how
    many times a vector was shown, per field."""
    figures = {
        "pages": 0,
        "shown": {},
        "executions": 0,
        "violations": {"public": 0, "admin": 0},
        "seconds": {},
        "policies": {},
    }
    yield figures
    figures["shown"]["total"] = sum(figures["shown"].values())
    print("\nXSS browser check:", figures)


def _count(report, field, times):
    report["shown"][field] = report["shown"].get(field, 0) + times


def _finish(watcher, report, name, started, public=True):
    report["pages"] += len(watcher.loaded)
    report["executions"] += len(watcher.executions) + len(watcher.dialogs)
    report["violations"]["public" if public else "admin"] += sum(len(v) for v in watcher.violations.values())
    report["seconds"][name] = round(time.monotonic() - started, 1)
    for policy in watcher.policies:
        report["policies"][policy] = report["policies"].get(policy, 0) + 1


# The tests -----------------------------------------------------------------------------------------------


def test_the_corpus():
    numbers = [number for number, _label, _payload in VECTORS]
    assert len(VECTORS) >= 50 and numbers == list(range(1, len(VECTORS) + 1))
    assert all(len(payload) <= MAX_LENGTH for _number, _label, payload in VECTORS)
    assert len({payload for _number, _label, payload in VECTORS}) == len(VECTORS)


def _serve(html, headers):
    return lambda route: route.fulfill(body=html, content_type="text/html", headers=headers)


def test_the_watcher_sees_what_it_looks_for(chromium):
    """The instruments themselves: an execution, an injected handler and a CSP violation are each caught."""
    html = '<p title="harmless __xss(0)">x</p><img src=x onerror=__xss(1)><b onmouseover=__xss(2)>x</b>'
    watcher = Watcher(chromium, "http://127.0.0.1:9")
    try:
        for path, policy in (("/with-policy", "script-src 'self'"), ("/without", None)):
            headers = {"Content-Security-Policy": policy} if policy else {}
            watcher.page.route(f"http://127.0.0.1:9{path}", _serve(html, headers))
            watcher.open(path)
            watcher.page.evaluate("() => new Promise((done) => setTimeout(done, 100))")
            watcher.inspect(path)
        # With a policy the handler is stopped and the violation reported; without, it runs and is counted.
        assert [path for path, _public in watcher.violations] == ["/with-policy"]
        assert watcher.executions == [(1, "/without")]
        # Both handlers, not the harmless title, on each page.
        assert {path: len(found) for path, found in watcher.findings.items()} == {
            "/with-policy": 2,
            "/without": 2,
        }
    finally:
        watcher.close()


def test_public_pages(site_server, chromium, stored, report):
    started = time.monotonic()
    watcher = Watcher(chromium, site_server)
    page_url = stored["page"].url
    every = sorted(squash(payload) for _n, _l, payload in VECTORS)
    try:
        # The ideas list, every page of it: titles as typed.
        titles = []
        for number in range(1, math.ceil(len(VECTORS) / 12) + 1):
            page = watcher.open(f"{page_url}?page={number}")
            titles += [squash(t) for t in page.locator(".card__title").all_text_contents()]
        assert sorted(titles) == every
        _count(report, "idea title", len(titles))

        # The map: each idea a marker (title and alt), and its popup.
        popups = open_every_popup(watcher, f"{page_url}?view=map")
        assert sorted(popups) == every
        _count(report, "idea title", 2 * len(popups))

        # Each idea: title, description, author's display name, comment and its author, the backing
        # organisation and its pledge's description.
        for number, _label, payload in VECTORS:
            idea = stored["ideas"][number]
            page = watcher.open(f"{page_url}{idea.pk}/")
            text = squash(payload)
            assert squash(page.locator("h1").text_content()) == text
            assert squash(page.locator(".idea__description").text_content()) == text
            assert squash(page.locator(".comment__text").first.text_content()) == text
            assert text in squash(page.locator(".facts").text_content())
            assert text in squash(page.locator(".comment__meta").first.text_content())
            assert squash(page.locator("main").text_content()).count(text) >= 6
            for field in ("idea title", "idea description", "comment", "display name", "organisation name"):
                _count(report, field, 1)
            _count(report, "display name", 1)  # the comment's author
            _count(report, "pledge description", 1)

        # Partners: the list, and partners' pages.
        names = []
        for number in range(1, math.ceil(len(VECTORS) / 20) + 3):
            page = watcher.open(f"/en/partners/?page={number}")
            names += [squash(n) for n in page.locator(".partner-card__name").all_text_contents()]
        assert set(every) <= set(names)
        _count(report, "organisation name", len(every))
        for number, payload in SAMPLE:
            page = watcher.open(f"/en/partners/{stored['organisations'][number].slug}/")
            assert squash(page.locator("h1").text_content()) == squash(payload)
            _count(report, "organisation name", 1)
            _count(report, "idea title", 1)  # the idea it backs

        # The workshop's event page, the home page and search.
        watcher.open(stored["event"].url)
        watcher.open("/en/")
        page = watcher.open("/en/search/?q=vector")
        found = [squash(t) for t in page.locator("main h2 a, main h3 a").all_text_contents()]
        _count(report, "idea title", len(set(found) & set(every)))
        _finish(watcher, report, "public pages", started)
    finally:
        watcher.close()
    assert watcher.executions == [] and watcher.dialogs == []
    assert watcher.findings == {}
    assert watcher.violations == {}


def test_profile_pages(site_server, chromium, stored, report):
    started = time.monotonic()
    watcher = Watcher(chromium, site_server)
    try:
        for number, payload in SAMPLE:
            watcher.log_in(stored["sessions"][stored["users"][number].pk])
            page = watcher.open("/en/accounts/profile/")
            assert page.locator("#id_display_name").input_value() == payload
            assert squash(page.locator(".account-menu__name").text_content()) == squash(payload)
            _count(report, "display name", 2)
        _finish(watcher, report, "profile pages", started)
    finally:
        watcher.close()
    assert watcher.executions == [] and watcher.dialogs == []
    assert watcher.findings == {}
    assert watcher.violations == {}


def test_moderators_admin_screens(site_server, chromium, stored, report):
    """The admin runs its policy report-only (Wagtail's own inline scripts): its violations are counted in
    the report, not asserted."""
    started = time.monotonic()
    watcher = Watcher(chromium, site_server)
    every = {squash(payload) for _n, _l, payload in VECTORS}
    try:
        watcher.log_in(stored["sessions"][stored["moderator"].pk])
        watcher.open("/admin/", public=False)
        shown = ""
        for number in (1, 2):
            page = watcher.open(
                f"/admin/snippets/ideas/idea/?round={stored['round'].pk}&p={number}", public=False
            )
            shown += squash(page.locator("main").text_content())
        assert all(text in shown for text in every)
        _count(report, "idea title", len(every))
        for screen, field in (
            ("comments", "comment"),
            ("organisations", "organisation name"),
            ("pledges", None),
        ):
            shown = ""
            for number in (1, 2):
                page = watcher.open(f"/admin/participation/{screen}/?p={number}&page={number}", public=False)
                shown += squash(page.locator("main").text_content())
            if field:
                _count(report, field, sum(text in shown for text in every))
        shown = ""
        for number in range(1, math.ceil(len(VECTORS) / 20) + 1):
            page = watcher.open(
                f"/admin/eventregistration/?event={stored['event'].pk}&p={number}", public=False
            )
            shown += squash(page.locator("main").text_content())
        assert all(text in shown for text in every)
        _count(report, "registration name", len(every))
        page = watcher.open(f"/admin/participation/workshops/{stored['event'].pk}/", public=False)
        shown = squash(page.locator("main").text_content())
        _count(report, "registration name", sum(text in shown for text in every))
        watcher.open("/admin/participation/identity/?q=xss-1%40example.test", public=False)
        for number, payload in SAMPLE:
            for path, fields in (
                (
                    f"/admin/snippets/ideas/idea/edit/{stored['ideas'][number].pk}/",
                    ("idea title", "idea description"),
                ),
                (f"/admin/participation/comments/{stored['comments'][number].pk}/", ("comment",)),
                (
                    f"/admin/participation/organisations/{stored['organisations'][number].pk}/",
                    ("organisation name",),
                ),
                (
                    f"/admin/eventregistration/inspect/{stored['registrations'][number].pk}/",
                    ("registration name",),
                ),
            ):
                page = watcher.open(path, public=False)
                assert squash(payload) in squash(page.locator("main").text_content()), path
                for field in fields:
                    _count(report, field, 1)
        _finish(watcher, report, "admin screens", started, public=False)
    finally:
        watcher.close()
    assert watcher.executions == [] and watcher.dialogs == []
    assert watcher.findings == {}
