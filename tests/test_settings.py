"""Deployment promises: production refuses to start without secrets and passes `check --deploy`;
models and migrations agree."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "q8Vd2mXr5Tz1Lw9Hs4Ny7Kb3Pf6Jc0Ga8Ue2Yo5Ri1Wq7Mn4Bt9Zx3Cv6Dk0Fh",
    "ALLOWED_HOSTS": "kopa.example.lv",
    "DATABASE_URL": "sqlite:////tmp/kopa-check-deploy.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.lv:587",
    "WAGTAILADMIN_BASE_URL": "https://kopa.example.lv",
    "VOTING_KEY": "voting-key-for-the-deploy-check-only",
}


def manage(*args, env):
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment never has it (check async.E001).
    unwanted = {*PRODUCTION_ENV, "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {key: value for key, value in os.environ.items() if key not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "EMAIL_URL", "VOTING_KEY"]
)
def test_production_refuses_to_start_without_a_secret(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"Production settings need the environment variable {missing}" in result.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())
