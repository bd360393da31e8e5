"""What the HTTP benchmarks share (bench/pages.py, bench/ballots_load.py): the site served as in production
(README "Deployment": production settings, collectstatic, gunicorn with 2 workers, PostgreSQL, Redis) on a free
loopback port, over plain HTTP as tests/test_deploy.py does, and a throwaway copy of the demo database.

The demo database is built once (migrate and `load_demo`, a few minutes) into the PostgreSQL database
`kopa_bench_demo` and kept as a template; each run works on a copy of it (`CREATE DATABASE ... TEMPLATE`, under a
second), migrated if the code has newer migrations, and dropped at the end. `--fresh` rebuilds the template
(after changes to the demo). Uploads of the template live in var/bench/media, collected static files in
var/bench/static.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VAR = ROOT / "var" / "bench"
TEMPLATE = "kopa_bench_demo"

# Throwaway secrets: the bench server is on loopback and its database is dropped at the end.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "bench-only-Xw3Lr8Tq1Vz6Kp9Ns2Hd5Jm7Gc4Fb0Ya8Ue3Ro6Wi1Qt9Mx2Nk5Dv",
    "ALLOWED_HOSTS": "127.0.0.1",
    "EMAIL_URL": "consolemail://",
    "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
    "VOTING_KEY": "bench-only-voting-key",
    # Plain HTTP on loopback: no proxy sets X-Forwarded-Proto here.
    "SECURE_SSL_REDIRECT": "false",
    "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
}


def add_server_arguments(parser, redis_db):
    """The options both benchmarks take to find PostgreSQL and Redis."""
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL maintenance database URL, used to copy and drop the bench databases",
    )
    parser.add_argument(
        "--database-url",
        help="serve this existing database instead of a copy of the demo (nothing is dropped)",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo template database first")
    parser.add_argument(
        "--redis-url",
        default=f"redis://127.0.0.1:6379/{redis_db}",
        help=f"the cache (default Redis database {redis_db})",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (default 2, as in production)"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="serve with persistent database connections (DATABASE_URL ?conn_max_age=N); default: as configured",
    )


def with_conn_max_age(database_url, seconds):
    """DATABASE_URL with django-environ's conn_max_age option (CONN_MAX_AGE), unchanged when seconds is None."""
    if seconds is None:
        return database_url
    parts = urllib.parse.urlsplit(database_url)
    query = urllib.parse.parse_qsl(parts.query)
    query = [(key, value) for key, value in query if key != "conn_max_age"] + [("conn_max_age", str(seconds))]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def server_env(database_url, redis_url, **extra):
    """The environment of manage.py and gunicorn: production settings, nothing inherited that changes them."""
    unwanted = {
        "DEBUG",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
        "REDIS_URL",
        "KOPA_PAGE_CACHE",
        "KOPA_FRAGMENT_CACHE",
    }
    clean = {key: value for key, value in os.environ.items() if key not in unwanted}
    return {
        **clean,
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(VAR / "static"),
        "MEDIA_ROOT": str(VAR / "media"),
        **extra,
    }


def _database_url(admin_url, name):
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin(admin_url, *statements):
    import psycopg

    results = []
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for statement in statements:
            cursor = connection.execute(statement)
            results.append(cursor.fetchall() if cursor.description else None)
    return results


def _exists(admin_url, name):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        return bool(connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall())


def manage(env, *args, timeout=1800):
    """Run manage.py with `env`; stops the benchmark with its output when it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _build_template(admin_url, redis_url):
    """migrate and load_demo into a new database, renamed to the template only once complete."""
    building = f"{TEMPLATE}_building"
    print(f"Building the demo template database {TEMPLATE} (migrate, load_demo: a few minutes, once) ...")
    started = time.monotonic()
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)', f'CREATE DATABASE "{building}"')
    shutil.rmtree(VAR / "media", ignore_errors=True)  # the uploads of the template being replaced
    env = server_env(_database_url(admin_url, building), redis_url)
    # load_demo writes the demo round's private key to var/demo-counting-key-round-ID.txt, where a developer's
    # own demo keeps its key under the same name: put back what was there.
    keys_before = {path: path.read_bytes() for path in (ROOT / "var").glob("demo-counting-key-round-*.txt")}
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
    finally:
        for path in (ROOT / "var").glob("demo-counting-key-round-*.txt"):
            if path not in keys_before:
                path.unlink()
        for path, content in keys_before.items():
            path.write_bytes(content)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    _admin(
        admin_url,
        f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)',
        f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE}"',
        f"COMMENT ON DATABASE \"{TEMPLATE}\" IS 'kopa bench demo, built {stamp}'",
    )
    print(f"  built in {time.monotonic() - started:.0f} s")


def copy_of_demo(admin_url, redis_url, fresh=False):
    """The URL of a new copy of the demo template (built first when missing or `fresh`)."""
    if fresh or not _exists(admin_url, TEMPLATE):
        _build_template(admin_url, redis_url)
    name = f"kopa_bench_run_{os.getpid()}"
    (comment,) = _admin(
        admin_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"',
        f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{TEMPLATE}'",
    )[2:]
    print(f"Database: {name}, a copy of {TEMPLATE} ({comment[0][0] or 'no date'}; --fresh rebuilds it)")
    return _database_url(admin_url, name)


def drop_copy(admin_url, database_url):
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if name.startswith("kopa_bench_run_"):
        _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(env):
    """Django in this process with the server's settings (same database, cache and VOTING_KEY), migrated."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if connection.vendor != "postgresql":
        sys.exit("The database must be PostgreSQL.")
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("  the database lacks newer migrations; migrating (--fresh makes this unnecessary next time)")
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)


def collectstatic(env):
    """collectstatic into var/bench/static, skipped when its manifest is newer than every static file the
    finders see (a no-op collectstatic still post-processes everything: 20 s on a busy machine)."""
    from django.contrib.staticfiles import finders

    manifest = VAR / "static" / "staticfiles.json"
    if manifest.exists():
        sources = (
            os.path.getmtime(storage.path(path))
            for finder in finders.get_finders()
            for path, storage in finder.list(["CVS", ".*", "*~"])
        )
        if max(sources, default=0) < manifest.stat().st_mtime:
            return
    manage(env, "collectstatic", "--noinput", timeout=600)


def start_gunicorn(env, workers, log_path, bare=False):
    """gunicorn on a free loopback port (port 0: the kernel picks it), answering once both workers do;
    returns (process, base URL). `bare` serves bench/bare_app.py: the site plus the bare baseline view."""
    app = ["--pythonpath", str(BENCH), "bare_app:application"] if bare else ["config.wsgi"]
    log = open(log_path, "w+")  # noqa: SIM115 (closed in stop_gunicorn)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *app, "-b", "127.0.0.1:0", "-w", str(workers), "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", Path(log_path).read_text())
        if match:
            base = match.group(1)
            booted = 0
            while time.monotonic() < deadline and process.poll() is None:
                booted = len(re.findall(r"Booting worker", Path(log_path).read_text()))
                try:
                    if booted >= workers and get(base + "/robots.txt")[0] == 200:
                        return process, base
                except OSError:
                    pass
                time.sleep(0.3)
            break
        time.sleep(0.2)
    stop_gunicorn(process)
    sys.exit("gunicorn did not start:\n" + Path(log_path).read_text())


def stop_gunicorn(process):
    """Stop the gunicorn this benchmark started (its own process group: master and workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def server_cpu_seconds(process):
    """CPU seconds (user + system) used so far by a gunicorn master and its workers, from Linux's /proc. Unlike
    requests per second it hardly depends on what else the machine runs; the database's share is not in it."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if process.pid in (int(stat.parent.name), int(fields[1])):  # the master, or one of its workers
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_errors(log_path):
    """Tracebacks and worker timeouts in the gunicorn log (the production logging writes errors there)."""
    text = Path(log_path).read_text()
    return text.count("Traceback") + text.count("WORKER TIMEOUT")


def machine_load():
    """The load average (1, 5, 15 min) and the cores: a shared machine makes absolute figures noisy."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


def get(url, headers=None):
    """(status, headers, body) without following redirects, bounded in time."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def on_demo_copy(options, run):
    """Call run(options, database_url) on the given database, or else on a fresh copy of the demo that is
    dropped afterwards; print the total time and return what run returned."""
    started = time.monotonic()
    database_url = options.database_url or copy_of_demo(options.postgres, options.redis_url, options.fresh)
    try:
        return run(options, database_url)
    finally:
        if not options.database_url:
            drop_copy(options.postgres, database_url)
        print(f"total time {time.monotonic() - started:.0f} s")
