"""Who may open what: every route of the site by seven roles, against a table of expected outcomes.

Routes are found, not listed by hand, so that a new one without a row fails ("route X has no expected access"):

- Django's URL resolver (`get_resolver()`), except the three families below;
- Wagtail pages: every page type (`get_page_models()`) and every route of a RoutablePage
  (`get_subpage_urls()`); BudgetRoundPage's `<idea_id>/<action>/` route once per action of
  `ideas.views.idea_action` (read from its `handlers`);
- the API: every operation (method and path) of the drf-spectacular schema, plus the API routes the schema leaves
  out (root, schema, docs). DRF's format-suffix twins (`ideas.json`) are the same views behind the same
  permission classes and are not asked again;
- the Wagtail admin: not all ~370 of its addresses (most are Wagtail's own generic screens for images,
  documents, users, workflows, each behind Wagtail's own permission policy). In scope are every address the
  project wrote: every route under `admin/participation/` (moderation, voting desk, identity checks,
  organisations, pledges, workshops, delivery), the event registrations (personal data), any admin route
  whose view lives in `ideas/`, `home/` or `config/`, the list and edit screens of the project's snippets and
  the choosers of ideas, plus Wagtail's main screens (dashboard, page explorer, page editor, users, site
  settings; ADMIN_MAIN). Admin screens are asked with the method the row names; destructive ones only by POST
  with empty data.
- Django's own admin (`django-admin/`): its index and every model's change list.

Roles: anonymous; resident A and resident B (verified, confirmed as persons, on the census); a resident who
represents a verified business; a moderator (group "Moderators"); an editor (group "Editors", a staff account
without a verified e-mail address, as staff accounts are); a superuser. Django answers every `has_perm` of an
active superuser with yes, django-rules' predicates included: the superuser's column shows O where the rules
refuse everyone else (supporting, commenting on a draft, editing a published idea through the API).

World: A owns a draft, a submitted idea and a published idea with a comment, a pending organisation and a
sealed ballot; the business owns a verified organisation with a pledge and a declared interest; B reported A's
comment. The rows below ask for A's and the business's objects: B (and everyone else who is not the owner or
staff) must be refused. Outcomes:

    O  allowed: 2xx, a redirect elsewhere than the login page, or 400 (a form or serializer refused the empty
       data, which shows the permission gate was passed)
    L  redirect to a login page        D  Wagtail's "no permission" redirect to the admin dashboard
    U  401    F  403    N  404    M  405

GET for reads; POST (PUT/PATCH/DELETE for the API) with empty data for writes. Each request runs in a
transaction that is rolled back, so every role meets the same world. The tests at the end prove the refusals
on objects with real data (B edits A's draft, withdraws the business's pledge, reads A's receipt, ...) and
check that nothing changed, and repeat with a valid body where the gate sits behind the body's validation (a
new idea or pledge through the API names its round or organisation in the body).
"""

import ast
import inspect
import re
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone, translation

from home.models import EventPage, EventRegistration, HomePage
from ideas.models import (
    BudgetRoundPage,
    Channel,
    Delivery,
    Idea,
    Organisation,
    PartnersPage,
    Pledge,
    Report,
    RoundResult,
    TaxRevenue,
)
from ideas.phases import Phase
from tests.factories import UserFactory, make_idea, round_in_phase, verified_resident
from tests.ideas import voters

pytestmark = pytest.mark.django_db

ROLES = ("anon", "res_a", "res_b", "biz", "mod", "edit", "admin")
O, L, D, U, F, N, M = "ok", "login", "deny", "401", "403", "404", "405"  # noqa: E741 (the table's letters)


# Finding the routes ----------------------------------------------------------------------------------------

# Wagtail's own main screens, asked for as the admin's representatives (see the module docstring).
ADMIN_MAIN = {
    "wagtailadmin_home",
    "wagtailadmin_explore_root",
    "wagtailadmin_explore",
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:add_subpage",
    "wagtailusers_users:index",
    "wagtailsettings:edit",
}
ADMIN_PATHS = ("admin/participation/", "admin/eventregistration/")
ADMIN_NAMES = re.compile(
    r"^(wagtailsnippets_(ideas|home)_\w+:(list|edit)|wagtailsnippetchoosers_ideas_idea:\w+)$"
)
DJANGO_ADMIN_NAMES = re.compile(r"^admin:(index|\w+_changelist)$")
PROJECT_MODULES = ("ideas.", "home.", "config.")
FORMAT_SUFFIX = ("(?P<format>", "<drf_format_suffix:format>")


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or ""
            yield prefix + str(pattern.pattern), name, pattern


def _view_module(pattern):
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return getattr(view, "__module__", "") or ""


def api_operations():
    """(METHOD, path) of every operation in the API schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method.upper(), path) for path, operations in schema["paths"].items() for method in operations]


def idea_actions():
    """The actions of BudgetRoundPage's `<idea_id>/<action>/` route: the keys of ideas.views.idea_action's
    `handlers`."""
    from ideas import views

    tree = ast.parse(inspect.getsource(views.idea_action))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "handlers":
            return [key.value for key in node.value.keys]
    raise AssertionError("ideas.views.idea_action has no `handlers` dict any more: update idea_actions()")


def page_routes():
    from wagtail.models import Page, get_page_models

    found = set()
    for model in get_page_models():
        if model is Page:
            continue
        if not hasattr(model, "get_subpage_urls"):
            found.add(model.__name__)
            continue
        for route in model.get_subpage_urls():
            if route.name == "index_route":  # RoutablePageMixin's fallback to serve(): the "" route
                continue
            key = f"{model.__name__}:{route.name}"
            if key == "BudgetRoundPage:idea_action":
                found.update(f"{key}:{action}" for action in idea_actions())
            else:
                found.add(key)
    return found


def all_routes():
    """Every route key the table must answer for."""
    keys = page_routes() | {f"{method} {path}" for method, path in api_operations()}
    api_names = set()
    for _method, path in api_operations():
        api_names.add(resolve(re.sub(r"\{[^}]+\}", "1", path)).url_name)
    for route, name, pattern in _walk(get_resolver()):
        if name == "wagtail_serve":  # the page tree: page_routes()
            continue
        if route.startswith("api/"):
            if any(marker in route for marker in FORMAT_SUFFIX):
                continue
            if not name or name.split(":")[-1] not in api_names:
                keys.add(name or route)
        elif route.startswith("django-admin/"):
            if DJANGO_ADMIN_NAMES.match(name):
                keys.add(name)
        elif route.startswith("admin/"):
            if (
                route.startswith(ADMIN_PATHS)
                or name in ADMIN_MAIN
                or ADMIN_NAMES.match(name)
                or _view_module(pattern).startswith(PROJECT_MODULES)
            ):
                keys.add(name or route)
        else:
            keys.add(name or route)
    return keys


# The table -------------------------------------------------------------------------------------------------
# Addresses take {names} from the world fixture. Columns: anon, A, B, business, moderator, editor, admin.

# fmt: off
SITE = [
    # Documents, feeds and files for everyone.
    ("wagtaildocs_serve", "GET", "/documents/{doc}", O, O, O, O, O, O, O),
    ("wagtaildocs_authenticate_with_password", "GET", "/documents/authenticate_with_password/999/", N, N, N, N, N, N, N),
    ("sitemap", "GET", "/sitemap.xml", O, O, O, O, O, O, O),
    ("robots_txt", "GET", "/robots.txt", O, O, O, O, O, O, O),
    ("opendata:catalog", "GET", "/open-data/catalog.jsonld", O, O, O, O, O, O, O),
    ("opendata:ideas_csv", "GET", "/open-data/ideas.csv", O, O, O, O, O, O, O),
    ("opendata:ideas_json", "GET", "/open-data/ideas.json", O, O, O, O, O, O, O),
    ("opendata:results_csv", "GET", "/open-data/results.csv", O, O, O, O, O, O, O),
    ("opendata:results_json", "GET", "/open-data/results.json", O, O, O, O, O, O, O),
    ("opendata:result_pb", "GET", "/open-data/results/{result}.pb", O, O, O, O, O, O, O),
    # A count not yet published is nobody's download.
    ("opendata:result_pb", "GET", "/open-data/results/{preview_result}.pb", N, N, N, N, N, N, N),
    ("opendata:delivery_csv", "GET", "/open-data/delivery.csv", O, O, O, O, O, O, O),
    ("opendata:delivery_json", "GET", "/open-data/delivery.json", O, O, O, O, O, O, O),
    ("search", "GET", "/en/search/?q=park", O, O, O, O, O, O, O),
    # One's own account: each person sees only their own (content checked in the tests below).
    ("account_profile", "GET", "/en/accounts/profile/", L, O, O, O, O, O, O),
    ("account_profile", "POST", "/en/accounts/profile/", L, O, O, O, O, O, O),
    ("account_export", "GET", "/en/accounts/profile/my-data/", L, O, O, O, O, O, O),
    ("account_delete", "GET", "/en/accounts/profile/delete/", L, O, O, O, O, O, O),
    ("account_delete", "POST", "/en/accounts/profile/delete/", L, O, O, O, O, O, O),
    # allauth.
    ("account_login", "GET", "/en/accounts/login/", O, O, O, O, O, O, O),
    ("account_login", "POST", "/en/accounts/login/", O, O, O, O, O, O, O),
    ("account_logout", "POST", "/en/accounts/logout/", O, O, O, O, O, O, O),
    ("account_inactive", "GET", "/en/accounts/inactive/", O, O, O, O, O, O, O),
    ("account_signup", "GET", "/en/accounts/signup/", O, O, O, O, O, O, O),
    ("account_signup", "POST", "/en/accounts/signup/", O, O, O, O, O, O, O),
    ("account_reauthenticate", "GET", "/en/accounts/reauthenticate/", L, O, O, O, O, O, O),
    ("account_request_reauthentication_code", "GET", "/en/accounts/reauthenticate/code/", L, O, O, O, O, O, O),
    ("account_confirm_reauthentication_code", "GET", "/en/accounts/reauthenticate/code/confirm/", L, O, O, O, O, O, O),
    ("account_email", "GET", "/en/accounts/email/", L, O, O, O, O, O, O),
    ("account_email", "POST", "/en/accounts/email/", L, O, O, O, O, O, O),
    ("account_email_verification_sent", "GET", "/en/accounts/confirm-email/", O, O, O, O, O, O, O),
    ("account_change_password", "GET", "/en/accounts/password/change/", L, O, O, O, O, O, O),
    ("account_change_password", "POST", "/en/accounts/password/change/", L, O, O, O, O, O, O),
    ("account_set_password", "GET", "/en/accounts/password/set/", L, O, O, O, O, O, O),
    ("account_reset_password", "GET", "/en/accounts/password/reset/", O, O, O, O, O, O, O),
    ("account_reset_password", "POST", "/en/accounts/password/reset/", O, O, O, O, O, O, O),
    ("account_confirm_login_code", "GET", "/en/accounts/login/code/confirm/", L, O, O, O, O, O, O),
    ("account_confirm_email", "GET", "/en/accounts/confirm-email/not-a-key/", O, O, O, O, O, O, O),
    ("account_reset_password_from_key_done", "GET", "/en/accounts/password/reset/key/done/", O, O, O, O, O, O, O),
    ("account_reset_password_from_key", "GET", "/en/accounts/password/reset/key/1-not-a-key/", O, O, O, O, O, O, O),
    ("account_reset_password_done", "GET", "/en/accounts/password/reset/done/", O, O, O, O, O, O, O),
    ("socialaccount_login_cancelled", "GET", "/en/accounts/3rdparty/login/cancelled/", O, O, O, O, O, O, O),
    ("socialaccount_login_error", "GET", "/en/accounts/3rdparty/login/error/", U, U, U, U, U, U, U),
    ("socialaccount_signup", "GET", "/en/accounts/3rdparty/signup/", L, L, L, L, L, L, L),
    ("socialaccount_connections", "GET", "/en/accounts/3rdparty/", L, O, O, O, O, O, O),
    ("socialaccount_connections", "POST", "/en/accounts/3rdparty/", L, O, O, O, O, O, O),
    # allauth's old addresses of the same views (unnamed redirects).
    ("accounts/social/login/cancelled/", "GET", "/en/accounts/social/login/cancelled/", O, O, O, O, O, O, O),
    ("accounts/social/login/error/", "GET", "/en/accounts/social/login/error/", O, O, O, O, O, O, O),
    ("accounts/social/signup/", "GET", "/en/accounts/social/signup/", O, O, O, O, O, O, O),
    ("accounts/social/connections/", "GET", "/en/accounts/social/connections/", O, O, O, O, O, O, O),
    # eID is off without OIDC_SERVER_URL.
    ("openid_connect_login", "GET", "/en/accounts/oidc/eid/login/", N, N, N, N, N, N, N),
    ("openid_connect_callback", "GET", "/en/accounts/oidc/eid/login/callback/", N, N, N, N, N, N, N),
    ("wagtailcore_authenticate_with_password", "GET", "/_util/authenticate_with_password/999/3/", N, N, N, N, N, N, N),
    ("wagtailcore_login", "GET", "/_util/login/", O, O, O, O, O, O, O),
]

PAGES = [
    ("HomePage", "GET", "{HomePage}", O, O, O, O, O, O, O),
    ("StandardPage", "GET", "{StandardPage}", O, O, O, O, O, O, O),
    ("ContactPage", "GET", "{ContactPage}", O, O, O, O, O, O, O),
    ("ContactPage", "POST", "{ContactPage}", O, O, O, O, O, O, O),
    ("ProjectPage", "GET", "{ProjectPage}", O, O, O, O, O, O, O),
    ("EventIndexPage", "GET", "{EventIndexPage}", O, O, O, O, O, O, O),
    ("EventPage:event_view", "GET", "{event}", O, O, O, O, O, O, O),
    ("EventPage:register", "GET", "{event}register/", O, O, O, O, O, O, O),
    ("EventPage:register", "POST", "{event}register/", O, O, O, O, O, O, O),
    # Registration links are capabilities: whoever holds the e-mailed token, logged in or not.
    ("EventPage:confirm_registration", "GET", "{event}registration/confirm/not-a-token/", O, O, O, O, O, O, O),
    ("EventPage:cancel_registration", "GET", "{event}registration/{token}/cancel/", N, N, N, N, N, N, N),
    ("EventPage:cancel_registration", "POST", "{event}registration/{token}/cancel/", N, N, N, N, N, N, N),
    ("NewsIndexPage:index_view", "GET", "{NewsIndexPage}", O, O, O, O, O, O, O),
    ("NewsIndexPage:rss", "GET", "{NewsIndexPage}feed/rss/", O, O, O, O, O, O, O),
    ("NewsIndexPage:atom", "GET", "{NewsIndexPage}feed/atom/", O, O, O, O, O, O, O),
    ("NewsPage:article_view", "GET", "{NewsPage}", O, O, O, O, O, O, O),
    ("NewsPage:print", "GET", "{NewsPage}print/", O, O, O, O, O, O, O),
    ("DeliveryPage:delivery_view", "GET", "{DeliveryPage}", O, O, O, O, O, O, O),
    ("PartnersPage:partners_view", "GET", "{partners}", O, O, O, O, O, O, O),
    # Registering an organisation takes a verified resident (the editor and the superuser have no verified
    # address).
    ("PartnersPage:join", "GET", "{partners}join/", L, O, O, O, O, F, F),
    ("PartnersPage:join", "POST", "{partners}join/", L, O, O, O, O, F, F),
    ("PartnersPage:mine", "GET", "{partners}mine/", L, O, O, O, O, O, O),
    # A's organisation: only A edits it.
    ("PartnersPage:edit_organisation", "GET", "{partners}mine/{a_org}/edit/", L, O, N, N, N, N, N),
    ("PartnersPage:edit_organisation", "POST", "{partners}mine/{a_org}/edit/", L, O, N, N, N, N, N),
    # The business's pledge: only its representatives withdraw it.
    ("PartnersPage:withdraw_pledge", "POST", "{partners}pledges/{pledge}/withdraw/", L, N, N, O, N, N, N),
    ("PartnersPage:csr_summary", "GET", "{partners}csr/", O, O, O, O, O, O, O),
    ("PartnersPage:csr_summary_year", "GET", "{partners}csr/{year}/", O, O, O, O, O, O, O),
    ("PartnersPage:round_report", "GET", "{partners}rounds/{support_round}/report/", O, O, O, O, O, O, O),
    ("PartnersPage:round_report_file", "GET", "{partners}rounds/{support_round}/report/csv/", O, O, O, O, O, O, O),
    ("PartnersPage:partner", "GET", "{partners}{org_slug}/", O, O, O, O, O, O, O),
    # An organisation not verified yet: its representative and staff only.
    ("PartnersPage:partner", "GET", "{partners}{a_org_slug}/", N, O, N, N, O, N, O),
    ("PartnersPage:partner_report", "GET", "{partners}{org_slug}/report/", O, O, O, O, O, O, O),
    ("PartnersPage:partner_report_file", "GET", "{partners}{org_slug}/report/csv/", O, O, O, O, O, O, O),
    ("PartnersPage:partner_report_file", "GET", "{partners}{org_slug}/report/pdf/", O, O, O, O, O, O, O),
    ("PartnersPage:partner_report", "GET", "{partners}{a_org_slug}/report/", N, N, N, N, N, N, N),
    ("BudgetRoundPage:ideas_view", "GET", "{sup}", O, O, O, O, O, O, O),
    # New ideas: verified residents (the editor is not verified; the superuser passes every rule).
    ("BudgetRoundPage:new_idea", "GET", "{sub}new/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:new_idea", "POST", "{sub}new/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:my_ideas", "GET", "{sub}mine/", L, O, O, O, O, O, O),
    ("BudgetRoundPage:idea", "GET", "{sup}{idea}/", O, O, O, O, O, O, O),
    # A's draft and submitted idea: A and moderators only.
    ("BudgetRoundPage:idea", "GET", "{sub}{draft}/", N, O, N, N, O, N, O),
    ("BudgetRoundPage:idea", "GET", "{sub}{submitted}/", N, O, N, N, O, N, O),
    ("BudgetRoundPage:idea_action:edit", "GET", "{sub}{draft}/edit/", L, O, N, N, F, N, O),
    ("BudgetRoundPage:idea_action:edit", "POST", "{sub}{draft}/edit/", L, O, N, N, F, N, O),
    ("BudgetRoundPage:idea_action:edit", "GET", "{sup}{idea}/edit/", L, F, F, F, F, F, O),
    ("BudgetRoundPage:idea_action:submit", "POST", "{sub}{draft}/submit/", L, O, N, N, F, N, O),
    ("BudgetRoundPage:idea_action:support", "POST", "{sup}{idea}/support/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:idea_action:support", "POST", "{sub}{draft}/support/", L, F, N, N, F, N, O),
    ("BudgetRoundPage:idea_action:follow", "POST", "{sup}{idea}/follow/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:idea_action:comment", "POST", "{sup}{idea}/comment/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:idea_action:comment", "POST", "{sub}{draft}/comment/", L, F, N, N, F, N, O),
    ("BudgetRoundPage:idea_action:report", "GET", "{sup}{idea}/report/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:idea_action:report", "POST", "{sup}{idea}/report/", L, O, O, O, O, F, O),
    # Pledges and declared interests: representatives of a verified organisation.
    ("BudgetRoundPage:idea_action:pledge", "POST", "{sup}{idea}/pledge/", L, F, F, O, F, F, F),
    ("BudgetRoundPage:idea_action:declare-interest", "POST", "{sup}{idea}/declare-interest/", L, F, F, O, F, F, F),
    ("BudgetRoundPage:report_comment", "GET", "{sup}comments/{comment}/report/", L, O, O, O, O, F, O),
    ("BudgetRoundPage:report_comment", "POST", "{sup}comments/{comment}/report/", L, O, O, O, O, F, O),
    # The ballot: confirmed persons on the census (A and B); the others are told why not.
    ("BudgetRoundPage:vote", "GET", "{vote}vote/", L, O, O, F, F, F, F),
    ("BudgetRoundPage:vote", "POST", "{vote}vote/", L, O, O, F, F, F, F),
    ("BudgetRoundPage:vote_review", "POST", "{vote}vote/review/", L, O, O, F, F, F, F),
    # Each person's own receipt (B never sees A's: test below).
    ("BudgetRoundPage:vote_done", "GET", "{vote}vote/done/", L, O, O, O, O, O, O),
    # Voting codes are for people without an account: the code is the gate.
    ("BudgetRoundPage:vote_with_code", "GET", "{vote}vote/code/", O, O, O, O, O, O, O),
    ("BudgetRoundPage:vote_with_code", "POST", "{vote}vote/code/", O, O, O, O, O, O, O),
    ("BudgetRoundPage:code_ballot", "GET", "{vote}vote/code/ballot/", O, O, O, O, O, O, O),
    ("BudgetRoundPage:code_review", "POST", "{vote}vote/code/review/", O, O, O, O, O, O, O),
    ("BudgetRoundPage:code_done", "GET", "{vote}vote/code/done/", O, O, O, O, O, O, O),
    ("BudgetRoundPage:confirm_residency", "GET", "{vote}residency/", L, O, O, O, O, O, O),
    ("BudgetRoundPage:confirm_residency", "POST", "{vote}residency/", L, M, M, M, M, M, M),
    ("BudgetRoundPage:results", "GET", "/en/greener-neighbourhood-2025/results/", O, O, O, O, O, O, O),
    # A count not yet published is the voting desk's preview, not a public page.
    ("BudgetRoundPage:results", "GET", "{preview}results/", N, N, N, N, N, N, N),
    ("BudgetRoundPage:delivery", "GET", "/en/greener-neighbourhood-2025/delivery/", O, O, O, O, O, O, O),
]

API = [
    ("api:api-root", "GET", "/api/v1/", O, O, O, O, O, O, O),
    ("api:schema", "GET", "/api/v1/schema/", O, O, O, O, O, O, O),
    ("api:docs", "GET", "/api/v1/docs/", O, O, O, O, O, O, O),
    # The API's JSON 404 for any other address (unnamed: its pattern is its key).
    (r"api/v1/^[\s\S]*/$", "GET", "/api/v1/no-such-thing/", N, N, N, N, N, N, N),
    ("GET /api/v1/areas/", "GET", "/api/v1/areas/", O, O, O, O, O, O, O),
    ("GET /api/v1/areas/{code}/", "GET", "/api/v1/areas/{area}/", O, O, O, O, O, O, O),
    ("POST /api/v1/auth/token/", "POST", "/api/v1/auth/token/", O, O, O, O, O, O, O),
    ("GET /api/v1/categories/", "GET", "/api/v1/categories/", O, O, O, O, O, O, O),
    ("GET /api/v1/categories/{code}/", "GET", "/api/v1/categories/{category}/", O, O, O, O, O, O, O),
    ("GET /api/v1/delivery/", "GET", "/api/v1/delivery/", O, O, O, O, O, O, O),
    ("GET /api/v1/delivery/{id}/", "GET", "/api/v1/delivery/{delivery}/", O, O, O, O, O, O, O),
    ("GET /api/v1/ideas/", "GET", "/api/v1/ideas/", O, O, O, O, O, O, O),
    # Anonymous writes are refused before anything else (SessionAuthentication answers 403, not 401). A new
    # idea names its round in the body, so the rules are asked after the data is valid: the editor's 400
    # here is the serializer's (with a valid body the editor is refused: test below).
    ("POST /api/v1/ideas/", "POST", "/api/v1/ideas/", F, O, O, O, O, O, O),
    ("GET /api/v1/ideas/{idea_id}/comments/", "GET", "/api/v1/ideas/{idea}/comments/", O, O, O, O, O, O, O),
    ("GET /api/v1/ideas/{idea_id}/comments/", "GET", "/api/v1/ideas/{draft}/comments/", N, O, N, N, O, N, O),
    ("POST /api/v1/ideas/{idea_id}/comments/", "POST", "/api/v1/ideas/{idea}/comments/", F, O, O, O, O, F, O),
    ("POST /api/v1/ideas/{idea_id}/comments/{id}/report/", "POST", "/api/v1/ideas/{idea}/comments/{comment}/report/", F, O, O, O, O, F, O),
    ("GET /api/v1/ideas/{id}/", "GET", "/api/v1/ideas/{idea}/", O, O, O, O, O, O, O),
    ("GET /api/v1/ideas/{id}/", "GET", "/api/v1/ideas/{draft}/", N, O, N, N, O, N, O),
    # A published idea is no longer editable, by anyone but the all-powerful superuser.
    ("PUT /api/v1/ideas/{id}/", "PUT", "/api/v1/ideas/{idea}/", F, F, F, F, F, F, O),
    ("PUT /api/v1/ideas/{id}/", "PUT", "/api/v1/ideas/{draft}/", F, O, N, N, F, N, O),
    ("PATCH /api/v1/ideas/{id}/", "PATCH", "/api/v1/ideas/{idea}/", F, F, F, F, F, F, O),
    ("PATCH /api/v1/ideas/{id}/", "PATCH", "/api/v1/ideas/{draft}/", F, O, N, N, F, N, O),
    ("POST /api/v1/ideas/{id}/follow/", "POST", "/api/v1/ideas/{idea}/follow/", F, O, O, O, O, F, O),
    # Unfollowing is always possible for whoever is logged in (ideas.unfollow_idea).
    ("DELETE /api/v1/ideas/{id}/follow/", "DELETE", "/api/v1/ideas/{idea}/follow/", F, O, O, O, O, O, O),
    ("POST /api/v1/ideas/{id}/report/", "POST", "/api/v1/ideas/{idea}/report/", F, O, O, O, O, F, O),
    ("POST /api/v1/ideas/{id}/submit/", "POST", "/api/v1/ideas/{draft}/submit/", F, O, N, N, F, N, O),
    ("POST /api/v1/ideas/{id}/support/", "POST", "/api/v1/ideas/{idea}/support/", F, O, O, O, O, F, O),
    ("DELETE /api/v1/ideas/{id}/support/", "DELETE", "/api/v1/ideas/{idea}/support/", F, O, O, O, O, F, O),
    ("GET /api/v1/organisations/", "GET", "/api/v1/organisations/", O, O, O, O, O, O, O),
    ("GET /api/v1/organisations/{slug}/", "GET", "/api/v1/organisations/{org_slug}/", O, O, O, O, O, O, O),
    ("GET /api/v1/organisations/{slug}/", "GET", "/api/v1/organisations/{a_org_slug}/", N, N, N, N, N, N, N),
    # The business's pledge: its representatives and staff see it; A and B are told it does not exist.
    ("GET /api/v1/pledges/{id}/", "GET", "/api/v1/pledges/{pledge}/", F, N, N, O, O, N, O),
    ("POST /api/v1/pledges/{id}/confirm/", "POST", "/api/v1/pledges/{pledge}/confirm/", F, N, N, F, O, N, O),
    ("POST /api/v1/pledges/{id}/decline/", "POST", "/api/v1/pledges/{pledge}/decline/", F, N, N, F, O, N, O),
    # Fulfilled only after the results: refused in the support phase.
    ("POST /api/v1/pledges/{id}/fulfil/", "POST", "/api/v1/pledges/{pledge}/fulfil/", F, N, N, F, F, N, F),
    ("POST /api/v1/pledges/{id}/withdraw/", "POST", "/api/v1/pledges/{pledge}/withdraw/", F, N, N, O, F, N, O),
    ("GET /api/v1/pledges/mine/", "GET", "/api/v1/pledges/mine/", F, O, O, O, O, O, O),
    ("POST /api/v1/pledges/mine/", "POST", "/api/v1/pledges/mine/", F, O, O, O, O, O, O),
    ("GET /api/v1/results/", "GET", "/api/v1/results/", O, O, O, O, O, O, O),
    ("GET /api/v1/results/{id}/", "GET", "/api/v1/results/{result}/", O, O, O, O, O, O, O),
    ("GET /api/v1/results/{id}/", "GET", "/api/v1/results/{preview_result}/", N, N, N, N, N, N, N),
    ("GET /api/v1/results/{id}/pb/", "GET", "/api/v1/results/{result}/pb/", O, O, O, O, O, O, O),
    ("GET /api/v1/results/{id}/pb/", "GET", "/api/v1/results/{preview_result}/pb/", N, N, N, N, N, N, N),
    ("GET /api/v1/results/{id}/receipts/", "GET", "/api/v1/results/{result}/receipts/", O, O, O, O, O, O, O),
    ("GET /api/v1/results/{id}/receipts/", "GET", "/api/v1/results/{preview_result}/receipts/", N, N, N, N, N, N, N),
    ("GET /api/v1/rounds/", "GET", "/api/v1/rounds/", O, O, O, O, O, O, O),
    ("GET /api/v1/rounds/{id}/", "GET", "/api/v1/rounds/{support_round}/", O, O, O, O, O, O, O),
    # One's own ballot: A has voted (her receipt), B has not (404); the others are not entitled to vote.
    ("GET /api/v1/rounds/{round_id}/ballot/", "GET", "/api/v1/rounds/{voting_round}/ballot/", F, O, N, F, F, F, F),
    ("PUT /api/v1/rounds/{round_id}/ballot/", "PUT", "/api/v1/rounds/{voting_round}/ballot/", F, O, O, F, F, F, F),
    # Counting: staff after voting closed (the superuser passes the rule and meets the service's refusal: 400).
    ("POST /api/v1/rounds/{round_id}/count/", "POST", "/api/v1/rounds/{voting_round}/count/", F, F, F, F, F, F, O),
    ("GET /api/v1/workshops/", "GET", "/api/v1/workshops/", O, O, O, O, O, O, O),
    ("GET /api/v1/workshops/{id}/", "GET", "/api/v1/workshops/{workshop}/", O, O, O, O, O, O, O),
]

ADMIN = [
    # Wagtail's main screens: staff (moderators and editors) only.
    ("wagtailadmin_home", "GET", "/admin/", L, L, L, L, O, O, O),
    ("wagtailadmin_explore_root", "GET", "/admin/pages/", L, L, L, L, O, O, O),
    ("wagtailadmin_explore", "GET", "/admin/pages/{home_id}/", L, L, L, L, O, O, O),
    ("wagtailadmin_pages:edit", "GET", "/admin/pages/{home_id}/edit/", L, L, L, L, O, O, O),
    ("wagtailadmin_pages:add_subpage", "GET", "/admin/pages/{home_id}/add_subpage/", L, L, L, L, O, O, O),
    ("wagtailusers_users:index", "GET", "/admin/users/", L, L, L, L, D, D, O),
    ("wagtailsettings:edit", "GET", "/admin/settings/home/sitesettings/", L, L, L, L, O, D, O),
    ("kopa_update_translations", "GET", "/admin/localize/update/{translation_source}/", L, L, L, L, O, O, O),
    # Event registrations (names and e-mail addresses): editors list and inspect them, moderators also edit.
    ("eventregistration:index", "GET", "/admin/eventregistration/", L, L, L, L, O, O, O),
    ("eventregistration:index_results", "GET", "/admin/eventregistration/results/", L, L, L, L, O, O, O),
    ("eventregistration:add", "GET", "/admin/eventregistration/new/", L, L, L, L, D, D, O),
    ("eventregistration:edit", "GET", "/admin/eventregistration/edit/{registration}/", L, L, L, L, O, D, O),
    ("eventregistration:delete", "GET", "/admin/eventregistration/delete/{registration}/", L, L, L, L, D, D, O),
    ("eventregistration:history", "GET", "/admin/eventregistration/history/{registration}/", L, L, L, L, O, D, O),
    ("eventregistration:history_results", "GET", "/admin/eventregistration/history-results/{registration}/", L, L, L, L, O, D, O),
    ("eventregistration:usage", "GET", "/admin/eventregistration/usage/{registration}/", L, L, L, L, O, D, O),
    ("eventregistration:inspect", "GET", "/admin/eventregistration/inspect/{registration}/", L, L, L, L, O, O, O),
    ("eventregistration:copy", "GET", "/admin/eventregistration/copy/{registration}/", L, L, L, L, D, D, O),
    # Ideas are the moderators': the queue, the moderation page and the chooser (an editor could read a
    # resident's private draft through the chooser before it was limited: ideas/moderation/viewsets.py).
    ("wagtailsnippets_ideas_idea:list", "GET", "/admin/snippets/ideas/idea/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_idea:edit", "GET", "/admin/snippets/ideas/idea/edit/{draft}/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_idea:edit", "GET", "/admin/snippets/ideas/idea/edit/{idea}/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_idea:list_results", "GET", "/admin/snippets/ideas/idea/results/", L, L, L, L, O, D, O),
    ("wagtailsnippetchoosers_ideas_idea:choose", "GET", "/admin/snippets/choose/ideas/idea/", L, L, L, L, O, D, O),
    ("wagtailsnippetchoosers_ideas_idea:choose_results", "GET", "/admin/snippets/choose/ideas/idea/results/?q=draft", L, L, L, L, O, D, O),
    ("wagtailsnippetchoosers_ideas_idea:chosen", "GET", "/admin/snippets/choose/ideas/idea/chosen/{draft}/", L, L, L, L, O, D, O),
    ("wagtailsnippetchoosers_ideas_idea:chosen_multiple", "GET", "/admin/snippets/choose/ideas/idea/chosen-multiple/?id={draft}", L, L, L, L, O, D, O),
    # Ideas are never created in the admin (residents write them).
    ("wagtailsnippetchoosers_ideas_idea:create", "POST", "/admin/snippets/choose/ideas/idea/create/", L, L, L, L, D, D, D),
    ("wagtailsnippets_ideas_budgetround:list", "GET", "/admin/snippets/ideas/budgetround/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_budgetround:edit", "GET", "/admin/snippets/ideas/budgetround/edit/{support_round}/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_area:list", "GET", "/admin/snippets/ideas/area/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_area:edit", "GET", "/admin/snippets/ideas/area/edit/{area_pk}/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_category:list", "GET", "/admin/snippets/ideas/category/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_category:edit", "GET", "/admin/snippets/ideas/category/edit/{category_pk}/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_reasontemplate:list", "GET", "/admin/snippets/ideas/reasontemplate/", L, L, L, L, O, D, O),
    ("wagtailsnippets_ideas_reasontemplate:edit", "GET", "/admin/snippets/ideas/reasontemplate/edit/{reason_pk}/", L, L, L, L, O, D, O),
    # Website texts: editors and moderators.
    ("wagtailsnippets_home_department:list", "GET", "/admin/snippets/home/department/", L, L, L, L, O, O, O),
    ("wagtailsnippets_home_department:edit", "GET", "/admin/snippets/home/department/edit/{department_pk}/", L, L, L, L, O, O, O),
    ("wagtailsnippets_home_sitetext:list", "GET", "/admin/snippets/home/sitetext/", L, L, L, L, O, O, O),
    # The site's name and footer: moderators (editors list them).
    ("wagtailsnippets_home_sitetext:edit", "GET", "/admin/snippets/home/sitetext/edit/{sitetext_pk}/", L, L, L, L, O, D, O),
    # Participation: the Moderators group. Wagtail's generic views send the editor back to the dashboard (D),
    # the project's own views answer 403 (F).
    ("ideas_comment:index", "GET", "/admin/participation/comments/", L, L, L, L, O, D, O),
    ("ideas_comment:index_results", "GET", "/admin/participation/comments/results/", L, L, L, L, O, D, O),
    ("ideas_comment:edit", "GET", "/admin/participation/comments/{comment}/", L, L, L, L, O, D, O),
    ("ideas_comment:history", "GET", "/admin/participation/comments/{comment}/history/", L, L, L, L, O, D, O),
    ("ideas_comment:history_results", "GET", "/admin/participation/comments/{comment}/history/results/", L, L, L, L, O, D, O),
    ("ideas_comment:hide", "POST", "/admin/participation/comments/{comment}/hide/", L, L, L, L, O, D, O),
    ("ideas_comment:unhide", "POST", "/admin/participation/comments/{comment}/unhide/", L, L, L, L, O, D, O),
    ("ideas_report:index", "GET", "/admin/participation/reports/", L, L, L, L, O, D, O),
    ("ideas_report:index_results", "GET", "/admin/participation/reports/results/", L, L, L, L, O, D, O),
    ("ideas_report:edit", "GET", "/admin/participation/reports/{report}/", L, L, L, L, O, D, O),
    ("ideas_report:history", "GET", "/admin/participation/reports/{report}/history/", L, L, L, L, O, D, O),
    ("ideas_report:history_results", "GET", "/admin/participation/reports/{report}/history/results/", L, L, L, L, O, D, O),
    ("ideas_report:resolve", "POST", "/admin/participation/reports/{report}/resolve/", L, L, L, L, O, D, O),
    ("new_round:index", "GET", "/admin/participation/new-round/", L, L, L, L, O, D, O),
    ("new_round:index", "POST", "/admin/participation/new-round/", L, L, L, L, O, D, O),
    ("voting_desk:index", "GET", "/admin/participation/voting/", L, L, L, L, O, D, O),
    ("voting_desk:census", "GET", "/admin/participation/voting/census/", L, L, L, L, O, D, O),
    ("voting_desk:census", "POST", "/admin/participation/voting/census/", L, L, L, L, O, D, O),
    ("voting_desk:round", "GET", "/admin/participation/voting/{voting_round}/", L, L, L, L, O, D, O),
    ("voting_desk:keys", "GET", "/admin/participation/voting/{support_round}/keys/", L, L, L, L, O, D, O),
    ("voting_desk:keys", "POST", "/admin/participation/voting/{support_round}/keys/", L, L, L, L, O, D, O),
    ("voting_desk:exceptions", "GET", "/admin/participation/voting/{voting_round}/exceptions/", L, L, L, L, O, D, O),
    ("voting_desk:exceptions", "POST", "/admin/participation/voting/{voting_round}/exceptions/", L, L, L, L, O, D, O),
    ("voting_desk:codes", "GET", "/admin/participation/voting/{voting_round}/codes/", L, L, L, L, O, D, O),
    ("voting_desk:codes", "POST", "/admin/participation/voting/{voting_round}/codes/", L, L, L, L, O, D, O),
    ("voting_desk:paper", "GET", "/admin/participation/voting/{voting_round}/paper/", L, L, L, L, O, D, O),
    ("voting_desk:paper", "POST", "/admin/participation/voting/{voting_round}/paper/", L, L, L, L, O, D, O),
    ("voting_desk:count", "GET", "/admin/participation/voting/{voting_round}/count/", L, L, L, L, O, D, O),
    # Counting waits for voting to close: refused to moderators during the vote (the superuser passes the rule).
    ("voting_desk:count", "POST", "/admin/participation/voting/{voting_round}/count/", L, L, L, L, D, D, O),
    ("voting_desk:job", "GET", "/admin/participation/voting/{preview_round}/count/{preview_job}/", L, L, L, L, O, D, O),
    ("voting_desk:publish", "POST", "/admin/participation/voting/{preview_round}/count/{preview_job}/publish/", L, L, L, L, O, D, O),
    ("voting_desk:ballot", "GET", "/admin/participation/voting/{support_round}/ballot/", L, L, L, L, O, D, O),
    ("voting_desk:ballot", "POST", "/admin/participation/voting/{support_round}/ballot/", L, L, L, L, O, D, O),
    ("voting_desk:open", "POST", "/admin/participation/voting/{support_round}/open/", L, L, L, L, O, D, O),
    ("voting_desk:close", "POST", "/admin/participation/voting/{voting_round}/close/", L, L, L, L, O, D, O),
    ("voting_desk:implementation", "GET", "/admin/participation/voting/{result_round}/implementation/", L, L, L, L, O, D, O),
    ("voting_desk:implementation", "POST", "/admin/participation/voting/{result_round}/implementation/", L, L, L, L, O, D, O),
    ("identity_desk:index", "GET", "/admin/participation/identity/", L, L, L, L, O, F, O),
    ("identity_desk:account", "GET", "/admin/participation/identity/{res_a}/", L, L, L, L, O, F, O),
    ("identity_desk:account", "POST", "/admin/participation/identity/{res_a}/", L, L, L, L, O, F, O),
    ("workshops:index", "GET", "/admin/participation/workshops/", L, L, L, L, O, F, O),
    ("workshops:detail", "GET", "/admin/participation/workshops/{workshop}/", L, L, L, L, O, F, O),
    ("workshops:detail", "POST", "/admin/participation/workshops/{workshop}/", L, L, L, L, O, F, O),
    ("partner_organisations:index", "GET", "/admin/participation/organisations/", L, L, L, L, O, F, O),
    ("partner_organisations:detail", "GET", "/admin/participation/organisations/{a_org}/", L, L, L, L, O, F, O),
    ("partner_organisations:verify", "POST", "/admin/participation/organisations/{a_org}/verify/", L, L, L, L, O, F, O),
    ("partner_organisations:refuse", "POST", "/admin/participation/organisations/{a_org}/refuse/", L, L, L, L, O, F, O),
    ("partner_organisations:suspend", "POST", "/admin/participation/organisations/{org}/suspend/", L, L, L, L, O, F, O),
    ("partner_pledges:index", "GET", "/admin/participation/pledges/", L, L, L, L, O, F, O),
    ("partner_pledges:detail", "GET", "/admin/participation/pledges/{pledge}/", L, L, L, L, O, F, O),
    ("partner_pledges:detail", "POST", "/admin/participation/pledges/{pledge}/", L, L, L, L, O, F, O),
    ("partner_interests:index", "GET", "/admin/participation/interests/", L, L, L, L, O, F, O),
    ("partner_interests:review", "GET", "/admin/participation/interests/{interest}/", L, L, L, L, O, F, O),
    ("partner_interests:review", "POST", "/admin/participation/interests/{interest}/", L, L, L, L, O, F, O),
    ("tax_revenue:index", "GET", "/admin/participation/tax-revenue/", L, L, L, L, O, F, O),
    ("tax_revenue:add", "GET", "/admin/participation/tax-revenue/add/", L, L, L, L, O, F, O),
    ("tax_revenue:add", "POST", "/admin/participation/tax-revenue/add/", L, L, L, L, O, F, O),
    ("tax_revenue:edit", "GET", "/admin/participation/tax-revenue/{tax_year}/", L, L, L, L, O, F, O),
    ("tax_revenue:edit", "POST", "/admin/participation/tax-revenue/{tax_year}/", L, L, L, L, O, F, O),
    ("delivery:index", "GET", "/admin/participation/delivery/", L, L, L, L, O, F, O),
    ("delivery:detail", "GET", "/admin/participation/delivery/{delivery}/", L, L, L, L, O, F, O),
    ("delivery:detail", "POST", "/admin/participation/delivery/{delivery}/", L, L, L, L, O, F, O),
    # Django's admin: superusers only (no group has is_staff).
    ("admin:index", "GET", "/django-admin/", L, L, L, L, L, L, O),
    ("admin:auth_user_changelist", "GET", "/django-admin/auth/user/", L, L, L, L, L, L, O),
    ("admin:auth_group_changelist", "GET", "/django-admin/auth/group/", L, L, L, L, L, L, O),
    ("admin:authtoken_tokenproxy_changelist", "GET", "/django-admin/authtoken/tokenproxy/", L, L, L, L, L, L, O),
    ("admin:account_emailaddress_changelist", "GET", "/django-admin/account/emailaddress/", L, L, L, L, L, L, O),
    ("admin:socialaccount_socialapp_changelist", "GET", "/django-admin/socialaccount/socialapp/", L, L, L, L, L, L, O),
    ("admin:socialaccount_socialtoken_changelist", "GET", "/django-admin/socialaccount/socialtoken/", L, L, L, L, L, L, O),
    ("admin:socialaccount_socialaccount_changelist", "GET", "/django-admin/socialaccount/socialaccount/", L, L, L, L, L, L, O),
    ("admin:wagtailimages_image_changelist", "GET", "/django-admin/wagtailimages/image/", L, L, L, L, L, L, O),
    ("admin:wagtaildocs_document_changelist", "GET", "/django-admin/wagtaildocs/document/", L, L, L, L, L, L, O),
    ("admin:taggit_tag_changelist", "GET", "/django-admin/taggit/tag/", L, L, L, L, L, L, O),
    ("admin:django_tasks_database_dbtaskresult_changelist", "GET", "/django-admin/django_tasks_database/dbtaskresult/", L, L, L, L, L, L, O),
]

# fmt: on
TABLE = {"site": SITE, "pages": PAGES, "api": API, "admin": ADMIN}


# The world the matrix runs in ------------------------------------------------------------------------------


def _round_page(budget_round, slug):
    home = HomePage.objects.get(locale__language_code="en")
    page = BudgetRoundPage(title=slug, slug=slug, intro="<p>x</p>", budget_round=budget_round)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def _preview_round():
    """A round counted by the desk whose result is not published yet (the desk's private preview)."""
    from ideas.voting import closing
    from ideas.voting.casting import cast

    budget_round = voters.voting_round(name="Matrix preview")
    idea = make_idea(budget_round, status="on_ballot", title="Previewed idea")
    cast(budget_round, voters.on_census("020280-10009"), channel=Channel.ONLINE, choices={idea.pk: 1})
    page = _round_page(budget_round, "matrix-preview")
    closing.close_voting(budget_round, None)
    job = closing.start_count(
        budget_round, "greedy", None, budget_round.test_private_key, in_background=False
    )
    return budget_round, page, job


class World:
    """People in every role, their objects, and the {names} the table's addresses take."""

    def __init__(self):
        from django.core.files.base import ContentFile
        from wagtail.documents import get_document_model
        from wagtail.models import get_page_models
        from wagtail_localize.models import TranslationSource

        from home.models import Department, SiteText
        from ideas import workshops
        from ideas.models import Area, Category, ReasonTemplate
        from ideas.participation import add_comment, report
        from ideas.partners import pledges
        from ideas.voting.casting import cast
        from tests.ideas.test_pledges import make_organisation

        self.res_a = voters.confirmed_resident("matrix-a", "010180-10001", email="matrix-a@example.test")
        self.res_b = voters.confirmed_resident("matrix-b", "010180-10002", email="matrix-b@example.test")
        self.biz = verified_resident("matrix-biz", email="matrix-biz@example.test")
        mod = verified_resident("matrix-mod", email="matrix-mod@example.test", groups=["Moderators"])
        editor = UserFactory(username="matrix-editor", groups=["Editors"])
        admin = UserFactory(username="matrix-admin", is_superuser=True, is_staff=True)
        self.users = {
            "anon": None,
            "res_a": self.res_a,
            "res_b": self.res_b,
            "biz": self.biz,
            "mod": mod,
            "edit": editor,
            "admin": admin,
        }

        submission = round_in_phase(Phase.SUBMISSION, name="Matrix submission")
        self.sub_page = _round_page(submission, "matrix-submission")
        support = round_in_phase(Phase.SUPPORT, name="Matrix support")
        self.sup_page = _round_page(support, "matrix-support")
        self.draft = make_idea(submission, author=self.res_a, status="draft", title="A's draft")
        submitted = make_idea(submission, author=self.res_a, status="submitted", title="A's submitted idea")
        self.idea = make_idea(support, author=self.res_a, status="published", title="A's published idea")
        other = make_idea(support, author=self.res_b, status="published", title="B's published idea")
        self.comment = add_comment(self.res_a, self.idea, "A's comment")
        report(self.res_b, self.comment, "B reports A's comment")
        self.org = make_organisation(self.biz, name="Matrix Business")
        self.a_org = make_organisation(self.res_a, name="A's pending organisation", state="pending")
        self.pledge = pledges.offer_pledge(self.biz, self.org, self.idea, kind="money", amount=Decimal("100"))
        interest = pledges.declare_interest(
            self.biz, self.org, other, kind="supplier", description="Benches."
        )

        voting = voters.voting_round(name="Matrix vote")
        self.vote_page = _round_page(voting, "matrix-vote")
        on_ballot = make_idea(voting, author=self.res_b, status="on_ballot", title="On the ballot")
        self.receipt = cast(
            voting,
            self.res_a.resident_profile.person_key,
            channel=Channel.ONLINE,
            choices={on_ballot.pk: 1},
            birth_year=1980,
        )
        preview_round, preview_page, preview_job = _preview_round()

        home = HomePage.objects.get(locale__language_code="en")
        partners = PartnersPage.objects.live().get(locale__language_code="en")
        event = EventPage.objects.live().filter(locale__language_code="en").first()
        result = RoundResult.objects.filter(published_at__isnull=False).order_by("pk").first()
        workshop = workshops.workshops().filter(live=True).first()
        registration = EventRegistration.objects.create(
            event=event, name="Anna", email=self.res_a.email, language="en", user=self.res_a
        )
        document = get_document_model().objects.create(
            title="Matrix document", file=ContentFile(b"%PDF-1.4\n", "matrix.pdf")
        )
        self.ids = {
            "sub": self.sub_page.url,
            "sup": self.sup_page.url,
            "vote": self.vote_page.url,
            "preview": preview_page.url,
            "partners": partners.url,
            "event": event.url,
            "draft": self.draft.pk,
            "submitted": submitted.pk,
            "idea": self.idea.pk,
            "comment": self.comment.pk,
            "report": Report.objects.get(comment=self.comment).pk,
            "org": self.org.pk,
            "org_slug": self.org.slug,
            "a_org": self.a_org.pk,
            "a_org_slug": self.a_org.slug,
            "pledge": self.pledge.pk,
            "interest": interest.pk,
            "support_round": support.pk,
            "voting_round": voting.pk,
            "result": result.pk,
            "result_round": result.round_id,
            "preview_round": preview_round.pk,
            "preview_job": preview_job.pk,
            "preview_result": RoundResult.objects.get(round=preview_round).pk,
            "token": uuid.uuid4(),
            "registration": registration.pk,
            "res_a": self.res_a.pk,
            "year": timezone.now().year,
            "doc": f"{document.pk}/{document.filename}",
            "workshop": workshop.pk,
            "delivery": Delivery.objects.order_by("pk").first().idea_id,
            "tax_year": TaxRevenue.objects.order_by("year").first().year,
            "area": Area.objects.filter(locale__language_code="lv").first().code,
            "category": Category.objects.filter(locale__language_code="lv").first().code,
            "area_pk": Area.objects.first().pk,
            "category_pk": Category.objects.first().pk,
            "reason_pk": ReasonTemplate.objects.first().pk,
            "department_pk": Department.objects.first().pk,
            "sitetext_pk": SiteText.objects.first().pk,
            "home_id": home.pk,
            "translation_source": TranslationSource.get_or_create_from_instance(home)[0].pk,
        }
        for model in get_page_models():
            found = model.objects.live().filter(locale__language_code="en").exact_type(model).first()
            if found is not None:
                self.ids[model.__name__] = found.url


@pytest.fixture
def world(db, settings):
    # Documents are in memory in tests (config/settings/test.py): Wagtail would look for a file on disk. Its
    # redirect serves them after the same checks.
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    return World()


@pytest.fixture
def clients(world):
    made = {}
    for role, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        made[role] = client
    return made


# Asking ----------------------------------------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/django-admin/login/")


def outcome(response):
    """What a response says about the permission gate (the letters of the table)."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"].split("?")[0]
        if location.endswith(LOGIN_PATHS):
            return L
        asked = response.request["PATH_INFO"]
        if location.rstrip("/").endswith("/admin") and asked.rstrip("/") != "/admin":
            # Wagtail's permission_denied(): back to the dashboard with "You do not have permission".
            return D
        return O
    if 200 <= status < 300 or status == 400:
        return O
    return str(status)


def ask(client, method, url):
    """One request whose writes are rolled back, so that every role meets the same world. Cookies are put
    back afterwards: a logout must not log the next request out."""
    saved = {key: morsel.value for key, morsel in client.cookies.items()}
    cache.clear()  # rate limits (ideas/limits.py, DRF throttles) count in the cache
    try:
        with transaction.atomic():
            if method in ("PUT", "PATCH", "DELETE"):
                response = getattr(client, method.lower())(url, data="{}", content_type="application/json")
            elif method == "POST":
                response = client.post(url, data={})
            else:
                response = client.get(url)
            transaction.set_rollback(True)
    finally:
        client.cookies.clear()
        for key, value in saved.items():
            client.cookies[key] = value
    return response


def _row(row):
    key, method, template, *expected = row
    assert len(expected) == len(ROLES), f"{key} {method} {template}: {len(expected)} outcomes for 7 roles"
    return key, method, template, dict(zip(ROLES, expected, strict=True))


# Tests -----------------------------------------------------------------------------------------------------


def test_every_route_has_an_expected_access():
    # Unnamed routes are keyed by their path, whose i18n prefix follows the active language: the default's has none.
    with translation.override(settings.LANGUAGE_CODE):
        found = all_routes()
    covered = {row[0] for rows in TABLE.values() for row in rows}
    missing = sorted(found - covered)
    stale = sorted(covered - found)
    assert not missing, "\n".join(f"route {key} has no expected access" for key in missing)
    assert not stale, "\n".join(f"the table names {key}, which is no route any more" for key in stale)


@pytest.mark.parametrize("part", TABLE)
def test_access_matrix(part, world, clients):
    """Every row of the table, for every role: no unexpected success, no unexpected refusal."""
    wrong = []
    for row in TABLE[part]:
        key, method, template, expected = _row(row)
        url = template.format(**world.ids)
        got = {role: outcome(ask(clients[role], method, url)) for role in ROLES}
        if got != expected:
            wrong.append(
                f"{key} {method} {url}: "
                + ", ".join(
                    f"{role} expected {expected[role]} got {got[role]}"
                    for role in ROLES
                    if got[role] != expected[role]
                )
            )
    assert not wrong, "\n".join(wrong)


# Resident B (and the others) acting on A's and the business's objects, with real data ------------------------


def test_b_cannot_edit_or_submit_as_draft(world, clients):
    draft = world.draft
    edit = f"{world.sub_page.url}{draft.pk}/edit/"
    data = {"title": "Taken over", "summary": "x", "description": "x", "save_draft": "1"}
    for role in ("res_b", "biz", "edit"):
        client = clients[role]
        assert client.post(edit, data).status_code == 404
        assert client.post(f"{world.sub_page.url}{draft.pk}/submit/").status_code == 404
        api = f"/api/v1/ideas/{draft.pk}/"
        assert client.patch(api, {"title": "Taken over"}, content_type="application/json").status_code == 404
        assert client.post(f"/api/v1/ideas/{draft.pk}/submit/").status_code == 404
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("A's draft", "draft")
    # The same data from A goes through: the refusals above were the gate, not the data.
    response = clients["res_a"].patch(
        f"/api/v1/ideas/{draft.pk}/", {"title": "A's better draft"}, content_type="application/json"
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "A's better draft"


def test_only_the_business_withdraws_its_pledge(world, clients):
    pledge = world.pledge
    web = f"{world.ids['partners']}pledges/{pledge.pk}/withdraw/"
    api = f"/api/v1/pledges/{pledge.pk}/withdraw/"
    for role in ("res_a", "res_b", "edit"):
        assert clients[role].post(web, {"reason": "Not ours to give"}).status_code == 404
        assert clients[role].post(api, {"reason": "Not ours to give"}).status_code == 404
        assert clients[role].get(f"/api/v1/pledges/{pledge.pk}/").status_code == 404
    assert clients["anon"].post(api, {"reason": "x"}).status_code == 403
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.OFFERED
    assert clients["biz"].post(web, {"reason": "Budget cut"}).status_code == 302
    pledge.refresh_from_db()
    assert pledge.state == Pledge.State.WITHDRAWN


def test_only_a_edits_her_organisation(world, clients):
    url = f"{world.ids['partners']}mine/{world.a_org.pk}/edit/"
    data = {
        "name": "Taken over",
        "registration_number": world.a_org.registration_number,
        "contact_name": "B",
        "contact_email": "b@example.test",
    }
    for role in ("res_b", "biz", "mod"):
        assert clients[role].post(url, data).status_code == 404
    assert Organisation.objects.get(pk=world.a_org.pk).name == "A's pending organisation"
    assert clients["res_a"].post(url, data).status_code == 302
    assert Organisation.objects.get(pk=world.a_org.pk).name == "Taken over"


def test_residents_cannot_hide_comments(world, clients):
    """Residents have no way to delete or hide a comment, their own or another's: the moderators' hide is
    the only one, in the admin."""
    url = f"/admin/participation/comments/{world.comment.pk}/hide/"
    for role in ("res_a", "res_b", "biz", "edit"):
        response = clients[role].post(url, {"reason": "Spam."})
        assert outcome(response) == (D if role == "edit" else L)
        world.comment.refresh_from_db()
        assert not world.comment.is_hidden, role
    clients["mod"].post(url, {"reason": "Spam."})
    world.comment.refresh_from_db()
    assert world.comment.is_hidden


def test_each_voter_sees_only_their_own_receipt(world, clients):
    code = world.receipt.code
    done = f"{world.vote_page.url}vote/done/"
    assert code in clients["res_a"].get(done).content.decode()
    assert (
        clients["res_a"].get(f"/api/v1/rounds/{world.ids['voting_round']}/ballot/").json()["receipt"] == code
    )
    for role in ("res_b", "biz", "mod", "edit", "admin"):
        assert code not in clients[role].get(done).content.decode(), role
        api = clients[role].get(f"/api/v1/rounds/{world.ids['voting_round']}/ballot/")
        assert api.status_code in (403, 404) and code not in api.content.decode(), role


def test_an_unverified_staff_account_cannot_start_an_idea_through_the_api(world, clients):
    data = {
        "round": world.sub_page.budget_round_id,
        "title": "Staff idea",
        "summary": "x",
        "description": "x",
        "estimated_cost": "1000",
        "category": world.ids["category"],
        "area": world.ids["area"],
    }
    assert clients["edit"].post("/api/v1/ideas/", data, content_type="application/json").status_code == 403
    assert clients["res_b"].post("/api/v1/ideas/", data, content_type="application/json").status_code == 201
    assert list(Idea.objects.filter(title="Staff idea").values_list("author__username", flat=True)) == [
        "matrix-b"
    ]


def test_private_things_stay_out_of_others_pages(world, clients):
    """A's draft, e-mail address and organisation do not show on B's pages, in search, the API or open data."""
    b = clients["res_b"]
    pages = {
        "my data": b.get("/en/accounts/profile/my-data/").content.decode(),
        "my ideas": b.get(f"{world.sub_page.url}mine/").content.decode(),
        "my organisations": b.get(f"{world.ids['partners']}mine/").content.decode(),
        "my pledges": b.get("/api/v1/pledges/mine/").content.decode(),
        "search": b.get("/en/search/?q=draft").content.decode(),
        "ideas API": b.get("/api/v1/ideas/?search=draft").content.decode(),
        "open data": b.get("/open-data/ideas.json").content.decode(),
        "round list": b.get(world.sub_page.url).content.decode(),
    }
    secrets = ("A's draft", "A&#x27;s draft", "A's submitted", "A&#x27;s submitted", world.res_a.email)
    leaks = {name: [secret for secret in secrets if secret in text] for name, text in pages.items()}
    assert {name: found for name, found in leaks.items() if found} == {}
    assert "A&#x27;s pending organisation" not in pages["my organisations"]
    assert "Matrix Business" not in pages["my pledges"]


def test_only_its_representatives_pledge_for_an_organisation(world, clients):
    data = {"organisation": world.org.pk, "idea": world.ids["idea"], "kind": "money", "amount": "50"}
    before = Pledge.objects.count()
    for role in ("res_a", "res_b", "mod", "edit"):
        response = clients[role].post("/api/v1/pledges/mine/", data, content_type="application/json")
        assert response.status_code in (400, 403, 404), (role, response.status_code)
    assert Pledge.objects.count() == before
    response = clients["biz"].post("/api/v1/pledges/mine/", data, content_type="application/json")
    assert response.status_code == 201
    assert Pledge.objects.count() == before + 1
