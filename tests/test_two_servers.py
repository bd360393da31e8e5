"""Two app servers share one PostgreSQL database and one Redis (README: REDIS_URL, "shared cache for several app
servers"), and what a person does on one is true on the other at once. Two gunicorn servers with production
settings on loopback (config.settings.production, started as tests/test_deploy.py starts one), A and B:

1. a login on A is valid on B (sessions in the database, read through the shared cache);
2. a ballot cast on A shows in the voting desk's counts on B (ideas/moderation/voting.py RoundDeskView);
3. a publish on A purges B's anonymous page cache (home/page_cache.py), so B serves the new title at once.

Setup, once for the module: a dedicated database (kopa_two_servers_<random>) migrated and loaded with the demo
(`load_demo` with development settings, the only ones that create the demo logins), the demo round moved into
voting through the desk's own front doors (lifecycle.build_ballot, closing.open_voting), `collectstatic` with
production settings, and Redis database 7 flushed. The finally block stops both servers (their process groups),
flushes Redis database 7 and drops the database. Every wait on a server is bounded by WAIT seconds.

Both servers are addressed with one Host, as behind one load balancer: the page cache's keys include the host.
Production cookies are Secure, which an HTTP client sends over HTTPS only, and these servers speak plain HTTP on
loopback, so each Visitor carries its cookies by hand.

Skipped unless the tests run on PostgreSQL (DATABASE_URL=postgres://..., as in CI) and Redis answers at
127.0.0.1:6379.
"""

import html
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote

import pytest
import requests  # installed with django-allauth[socialaccount] (a dependency)
from django.conf import settings

from .test_settings import PRODUCTION_ENV

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/7"  # not 0: a developer's own cache stays untouched
HOST = "127.0.0.1"
WAIT = 30  # seconds: the longest any one wait on a server (start, request, stop) may take
CACHE_STATE = "X-Kopa-Cache"
PROFILE = "/accounts/profile/"

# Run with `manage.py shell -c` on the new database: the demo round "Zaļāka apkaime 2026" (support phase) gets its
# feasible ideas on the ballot and opens for voting as staff would do it at the desk; the moderator reads the
# admin in English so that the desk's counts can be read. The last line printed is what the tests need.
PREPARE = """
import json
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile
from home.models import NewsIndexPage
from ideas.lifecycle import build_ballot
from ideas.models import BudgetRound, Idea
from ideas.statuses import Status
from ideas.voting.closing import open_voting

budget_round = BudgetRound.objects.get(name="Zaļāka apkaime 2026")
feasible = list(Idea.objects.filter(round=budget_round, status=Status.FEASIBLE))
build_ballot(budget_round, feasible, None, reason="two-server test")
open_voting(budget_round, None)
profile = UserProfile.get_for_user(get_user_model().objects.get(username="moderator"))
profile.preferred_language = "en"
profile.save()
cheapest = Idea.objects.filter(round=budget_round, status=Status.ON_BALLOT).order_by("estimated_cost").first()
news = NewsIndexPage.objects.get(locale__language_code="lv")
print(json.dumps({"round": budget_round.pk, "idea": cheapest.pk, "page": news.pk, "path": news.url,
                  "title": news.title}))
"""


# Services ---------------------------------------------------------------------------------------------------
def _missing(reason):
    """Skip on a developer's machine; in CI (which has both services) a missing service is a failure, so that the
    only check of a purge crossing servers is never dropped silently."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _postgres():
    """The test run's PostgreSQL server settings, or a skip."""
    database = settings.DATABASES["default"]
    if not database["ENGINE"].endswith("postgresql"):
        pytest.skip(
            "two servers share one PostgreSQL database: run with DATABASE_URL=postgres://... (CI does)"
        )
    return database


def _maintenance(database):
    """An autocommit connection to the server's `postgres` database, for CREATE and DROP DATABASE."""
    import psycopg

    try:
        return psycopg.connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            user=database["USER"] or None,
            password=database["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.OperationalError as error:
        _missing(f"PostgreSQL is unreachable: {error}")


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        _missing(f"two servers share one Redis at 127.0.0.1:6379, which is unreachable: {error}")
    return client


def _database_url(database, name):
    user = quote(database["USER"] or "", safe="")
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"


def _clean_environ():
    unwanted = {
        *PRODUCTION_ENV,
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "REDIS_URL",
        "KOPA_PAGE_CACHE",
        "KOPA_PAGE_CACHE_SECONDS",
        "TASKS_BACKEND",
        "STATIC_ROOT",
        "MEDIA_ROOT",
        "SECURE_SSL_REDIRECT",
    }
    return {key: value for key, value in os.environ.items() if key not in unwanted}


def _manage(env, *args, timeout=600):
    """Run manage.py; its stdout. Setup commands (migrate, load_demo) get minutes on a busy machine."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"manage.py {args[0]} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result.stdout


class Server:
    """One gunicorn master and its worker in their own process group, on a free loopback port (port 0: the kernel
    picks it), logging to a file."""

    def __init__(self, name, env, folder):
        self.name = name
        self.log_path = folder / f"gunicorn-{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"{HOST}:0",
                "-w",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = None

    def output(self):
        return self.log_path.read_text()

    def wait_until_ready(self):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline and self.process.poll() is None:
            match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.output())
            if match:
                # The worker imports Django after the master binds; ready once it answers.
                try:
                    left = max(1.0, deadline - time.monotonic())
                    response = Visitor().get(match.group(1), "/robots.txt", timeout=left)
                except requests.RequestException:
                    response = None
                if response is not None and response.status_code == 200:
                    self.base = match.group(1)
                    return
            time.sleep(0.3)
        pytest.fail(f"gunicorn {self.name} did not answer within {WAIT} s:\n{self.output()[-4000:]}")

    def stop(self):
        """INT to the whole group, gunicorn's quick shutdown (after a TERM a sync worker sits up to half its
        --timeout in its accept loop before it notices); KILL if that takes longer than WAIT."""
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            self.process.wait(timeout=WAIT)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=WAIT)
        finally:
            self.log.close()


@dataclass
class TwoServers:
    a: str
    b: str
    demo: dict
    servers: list

    def assert_no_server_errors(self):
        for server in self.servers:
            assert "Traceback" not in server.output(), server.output()[-6000:]


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    database = _postgres()
    admin = _maintenance(database)
    cache = _redis()
    name = f"kopa_two_servers_{secrets.token_hex(4)}"
    folder = tmp_path_factory.mktemp("two-servers")
    servers = []
    created = False
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        created = True
        url = _database_url(database, name)
        clean = _clean_environ()
        # The keyed hashes of the census list are made with VOTING_KEY: setup and servers must use the same key.
        setup_env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DEBUG": "false",
            "DATABASE_URL": url,
            "VOTING_KEY": PRODUCTION_ENV["VOTING_KEY"],
        }
        _manage(setup_env, "migrate", "--noinput")
        _manage(setup_env, "load_demo")
        demo = json.loads(_manage(setup_env, "shell", "-c", PREPARE).strip().splitlines()[-1])
        server_env = {
            **clean,
            **PRODUCTION_ENV,
            "ALLOWED_HOSTS": HOST,
            "DATABASE_URL": url,
            "EMAIL_URL": "consolemail://",
            "WAGTAILADMIN_BASE_URL": f"http://{HOST}",
            # Plain HTTP on loopback: no proxy sets X-Forwarded-Proto here.
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_ROOT": str(folder / "static"),
            "MEDIA_ROOT": str(folder / "media"),
            "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "REDIS_URL": REDIS_URL,
        }
        _manage(server_env, "collectstatic", "--noinput", timeout=300)
        cache.flushdb()
        servers = [Server("A", server_env, folder), Server("B", server_env, folder)]
        for server in servers:
            server.wait_until_ready()
        yield TwoServers(a=servers[0].base, b=servers[1].base, demo=demo, servers=servers)
    finally:
        for server in servers:
            server.stop()
        cache.flushdb()
        cache.close()
        if created:
            # FORCE ends any connection a killed worker left behind.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# A person with a browser ------------------------------------------------------------------------------------
class Visitor:
    """One person's cookies across both servers, every request bounded by WAIT and sent with the one Host."""

    def __init__(self):
        self.cookies = {}
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: no proxy from the environment

    def request(self, method, server, path, headers=None, timeout=WAIT, **kwargs):
        response = self.http.request(
            method,
            server + path,
            cookies=dict(self.cookies),
            headers={"Host": HOST, **(headers or {})},
            allow_redirects=False,
            timeout=timeout,
            **kwargs,
        )
        self.http.cookies.clear()
        for header in response.raw.headers.getlist("Set-Cookie"):
            for morsel in SimpleCookie(header).values():
                if morsel["max-age"] == "0":
                    self.cookies.pop(morsel.key, None)
                else:
                    self.cookies[morsel.key] = morsel.value
        return response

    def get(self, server, path, **kwargs):
        return self.request("GET", server, path, **kwargs)

    def post(self, server, path, **kwargs):
        return self.request("POST", server, path, **kwargs)

    def log_in(self, server, form_path, **fields):
        """Fill in a login form with its CSRF token, as a browser would."""
        form = self.get(server, form_path)
        assert form.status_code == 200, form.text[:2000]
        response = self.post(server, form_path, data={**fields, "csrfmiddlewaretoken": csrf_token(form.text)})
        assert response.status_code == 302, f"login refused on {server}:\n{response.text[:3000]}"
        assert "sessionid" in self.cookies


def csrf_token(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the form has no CSRF token"
    return match.group(1)


def title_of(page):
    match = re.search(r"<title>(.*?)</title>", page, re.DOTALL)
    assert match, "the page has no <title>"
    return html.unescape(match.group(1)).strip()


class FormFields(HTMLParser):
    """The (name, value) pairs a browser submits for the form with id `form_id`, before any script runs."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))
        elif not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "reset", "file", "range"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value") or "on"))
                return
            self.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = {"name": attrs["name"], "options": [], "multiple": "multiple" in attrs}

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # A browser drops the newline that Django writes after <textarea>.
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            options = self._select["options"]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self._select["multiple"]:
                chosen = [options[0][0]]
            self.fields.extend((self._select["name"], value) for value in chosen)
            self._select = None


def form_fields(page, form_id):
    parser = FormFields(form_id)
    parser.feed(page)
    assert parser.fields, f"no form #{form_id} on the page"
    return parser.fields


def desk_counts(page):
    """Voters in the register (all channels) and sealed ballots in the box, as the round's desk shows them."""
    voters = re.search(r"All channels</th><td>(\d+)</td>", page)
    sealed = re.search(r"(\d+) sealed ballots? (?:is|are) in the ballot box", page)
    assert voters and sealed, f"the desk shows no counts:\n{page[:3000]}"
    return {"voters": int(voters.group(1)), "sealed": int(sealed.group(1))}


# The promises -----------------------------------------------------------------------------------------------
def test_a_login_on_server_a_is_valid_on_server_b(two_servers):
    a, b = two_servers.a, two_servers.b
    stranger = Visitor().get(b, PROFILE)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]

    resident = Visitor()
    resident.log_in(a, "/accounts/login/", login="resident", password="kopa-resident-2026")
    profile = resident.get(b, PROFILE)

    assert profile.status_code == 200, profile.headers.get("Location")
    assert "Anna Bērziņa" in profile.text
    two_servers.assert_no_server_errors()


def test_a_ballot_cast_on_a_shows_in_the_voting_desk_counts_on_b(two_servers):
    a, b, demo = two_servers.a, two_servers.b, two_servers.demo
    desk = f"/admin/participation/voting/{demo['round']}/"
    moderator = Visitor()
    moderator.log_in(b, "/admin/login/", username="moderator", password="kopa-moderator-2026")
    shown = moderator.get(b, desk)
    assert shown.status_code == 200, shown.headers.get("Location")
    before = desk_counts(shown.text)

    resident = Visitor()
    resident.log_in(a, "/accounts/login/", login="resident", password="kopa-resident-2026")
    ballot = f"/api/v1/rounds/{demo['round']}/ballot/"
    cast = resident.request(
        "PUT",
        a,
        ballot,
        json={"choices": [{"idea": demo["idea"]}]},
        headers={"X-CSRFToken": resident.cookies["csrftoken"]},
    )
    assert cast.status_code == 200, cast.text

    assert desk_counts(moderator.get(b, desk).text) == {
        "voters": before["voters"] + 1,
        "sealed": before["sealed"] + 1,
    }
    assert resident.get(b, ballot).json()["receipt"] == cast.json()["receipt"]
    two_servers.assert_no_server_errors()


def test_a_publish_on_a_purges_the_page_cache_of_b(two_servers):
    a, b, demo = two_servers.a, two_servers.b, two_servers.demo
    path = demo["path"]
    visitor = Visitor()
    first, second = visitor.get(b, path), visitor.get(b, path)
    assert (first.status_code, first.headers.get(CACHE_STATE)) == (200, "miss")
    assert (second.status_code, second.headers.get(CACHE_STATE)) == (200, "hit")
    assert title_of(second.text).startswith(demo["title"])
    # What B stored, A serves: one cache behind both.
    assert visitor.get(a, path).headers.get(CACHE_STATE) == "hit"

    moderator = Visitor()
    moderator.log_in(a, "/admin/login/", username="moderator", password="kopa-moderator-2026")
    edit_path = f"/admin/pages/{demo['page']}/edit/"
    edit = moderator.get(a, edit_path)
    assert edit.status_code == 200, edit.headers.get("Location")
    fields = form_fields(edit.text, "page-edit-form")
    assert ("title", demo["title"]) in fields
    new_title = f"{demo['title']} {secrets.token_hex(3)}"
    changed = [(name, new_title if name == "title" else value) for name, value in fields]
    published = moderator.post(a, edit_path, data=[*changed, ("action-publish", "action-publish")])
    assert published.status_code == 302, published.text[:3000]

    fresh = visitor.get(b, path)
    assert (fresh.status_code, fresh.headers.get(CACHE_STATE)) == (200, "miss")
    assert title_of(fresh.text).startswith(new_title)
    again = visitor.get(b, path)
    assert again.headers.get(CACHE_STATE) == "hit" and title_of(again.text).startswith(new_title)
    two_servers.assert_no_server_errors()
