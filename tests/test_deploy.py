"""The site deploys as README "Deployment" says: `collectstatic` with production settings (the hashed manifest
of whitenoise) succeeds, and gunicorn serves config.wsgi with DEBUG off: pages, hashed static files, the admin
login and a 404, never a 500.

The served database is a copy of the test database (the demo loaded once per session), so the pages are real.
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.utils.html import escape
from wagtail.models import Page

from .test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "site" / "static" / "vendor"

# Django's ManifestStaticFilesStorage follows these comments (js: `//# sourceMappingURL=x`, css:
# `/*# sourceMappingURL=x */`) and stops collectstatic with MissingFileError when x is not there.
SOURCE_MAP = re.compile(r"^\s*(?://|/\*)#\s*sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$", re.MULTILINE)


def test_vendored_files_reference_no_missing_source_maps():
    """A vendored file that names a source map we do not ship breaks collectstatic (Leaflet's leaflet.js.map
    did); strip the comment (and say so in the vendor README) or ship the map."""
    assert VENDOR.is_dir()
    missing = []
    for path in sorted(VENDOR.rglob("*")):
        if path.suffix not in {".js", ".css", ".mjs"}:
            continue
        for target in SOURCE_MAP.findall(path.read_text(encoding="utf-8", errors="replace")):
            if target.startswith("data:"):
                continue
            if not (path.parent / target.split("?")[0].split("#")[0]).is_file():
                missing.append(f"{path.relative_to(ROOT)} -> {target}")
    assert not missing, "source maps referenced but not shipped: " + ", ".join(missing)


def _production_env(tmp_path, database_url):
    unwanted = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    clean = {key: value for key, value in os.environ.items() if key not in unwanted}
    return {
        **clean,
        **PRODUCTION_ENV,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "EMAIL_URL": "consolemail://",
        "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
        # Plain HTTP on loopback: no proxy sets X-Forwarded-Proto here.
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }


def _served_database_url(tmp_path):
    """A DATABASE_URL the gunicorn workers can open that holds the demo: on SQLite a file copy of the in-memory
    test database, on PostgreSQL the test database itself (the demo is committed there once per session)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        target = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{target}"
    if connection.vendor == "postgresql":
        user = settings["USER"] or ""
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        return f"postgres://{auth}{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    pytest.skip(f"no recipe to share a {connection.vendor} test database with gunicorn")


def _get(url):
    """(status, body) without following redirects, bounded in time."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _start_gunicorn(env, log):
    """gunicorn on a free loopback port (port 0: the kernel picks it); returns (process, base URL)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", "127.0.0.1:0", "-w", "2", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", Path(log.name).read_text())
        if match:
            base = match.group(1)
            # The workers import Django after the master binds; wait until one answers.
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    _get(base + "/robots.txt")
                    return process, base
                except OSError:
                    time.sleep(0.3)
            break
        time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    pytest.fail("gunicorn did not start:\n" + Path(log.name).read_text())


@pytest.mark.django_db
def test_collectstatic_and_gunicorn_serve_the_site_with_production_settings(tmp_path):
    pytest.importorskip("gunicorn", reason="gunicorn is not installed (pip install -e '.[dev]')")
    english_page = (
        Page.objects.live()
        .filter(locale__language_code="en", depth__gt=2)
        .exclude(url_path__contains="__")
        .order_by("path")
        .first()
        .specific
    )
    english_url = english_page.get_url()
    assert english_url.startswith("/en/")
    env = _production_env(tmp_path, _served_database_url(tmp_path))

    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stdout + collect.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["css/kopa.css"]
    assert hashed_css != "css/kopa.css"

    with open(tmp_path / "gunicorn.log", "w+") as log:
        process, base = _start_gunicorn(env, log)
        try:
            responses = {
                path: _get(base + path)
                for path in (
                    "/",
                    "/en/",
                    english_url,
                    f"/static/{hashed_css}",
                    "/admin/login/",
                    "/no-such-page/",
                )
            }
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        served_log = Path(log.name).read_text()

    statuses = {path: status for path, (status, _body) in responses.items()}
    assert statuses == {
        "/": 200,
        "/en/": 200,
        english_url: 200,
        f"/static/{hashed_css}": 200,
        "/admin/login/": 200,
        "/no-such-page/": 404,
    }, served_log
    home = responses["/"][1].decode()
    # Pages link the hashed copies that whitenoise serves with far-future caching, proving the manifest is used.
    assert f"/static/{hashed_css}" in home
    assert escape(english_page.title) in responses[english_url][1].decode()
    assert "Traceback" not in served_log, served_log
    shutil.rmtree(tmp_path / "static", ignore_errors=True)
