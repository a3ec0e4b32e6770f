"""Configuration from the environment, checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-" + "x7Qp9" * 12


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["check"], DEBUG="0", ALLOWED_HOSTS="ledger.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = run(["check"], DEBUG="0", SECRET_KEY="django-insecure-whatever", ALLOWED_HOSTS="ledger.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_in_production_configuration():
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="ledger.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_is_a_clear_error():
    result = run(["check"], DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_durations_in_seconds_accept_fractions():
    result = run(
        ["shell", "-c", "from django.conf import settings; print(settings.REFRESH_RETRY_BACKOFF_SECONDS)"],
        REFRESH_RETRY_BACKOFF_SECONDS="0.2",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0.2"


def test_a_database_url_other_than_postgres_is_refused():
    result = run(["check"], DATABASE_URL="mysql://root@127.0.0.1:3306/ledger")
    assert result.returncode != 0
    assert "DATABASE_URL must be a postgres:// URL" in result.stderr
