"""The read-replica router: unit checks here, and the routing against a TEST MIRROR replica in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from config.replica import ReadReplicaMiddleware, ReplicaRouter, _read_only_request
from ledger.models import PlatformAccount

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("method", "path", "read_only"),
    [
        ("get", "/api/v1/accounts/", True),
        ("head", "/api/v1/accounts/", True),
        ("options", "/api/v1/accounts/", True),
        ("post", "/api/v1/accounts/", False),
        ("patch", "/api/v1/accounts/1/", False),
        ("get", "/admin/ledger/platformaccount/", False),
    ],
)
def test_only_safe_api_requests_are_marked_read_only(method, path, read_only):
    seen = []
    middleware = ReadReplicaMiddleware(lambda request: seen.append(_read_only_request.get()) or HttpResponse())
    middleware(getattr(RequestFactory(), method)(path))
    assert seen == [read_only]
    assert _read_only_request.get() is False  # reset after the request


def test_without_a_replica_every_read_goes_to_the_primary(settings):
    assert "replica" not in settings.DATABASES
    token = _read_only_request.set(True)
    try:
        assert ReplicaRouter().db_for_read(PlatformAccount) is None
    finally:
        _read_only_request.reset(token)


def test_the_replica_is_never_migrated():
    assert ReplicaRouter().allow_migrate("replica", "ledger") is False
    assert ReplicaRouter().allow_migrate("default", "ledger") is True


@pytest.mark.django_db
def test_routing_against_a_mirrored_replica_in_a_fresh_process():
    """GIVEN DATABASE_REPLICA_URL set (a TEST MIRROR of default) WHEN the routing cases run THEN they all pass."""
    conf = connection.settings_dict
    auth = quote(conf["USER"] or "", safe="") + (f":{quote(conf['PASSWORD'], safe='')}" if conf["PASSWORD"] else "")
    host = quote(conf["HOST"] or "127.0.0.1", safe="")
    url = f"postgres://{auth}@{host}:{conf['PORT'] or 5432}/{conf['NAME']}_replica"
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", "tests/ops/replica_cases.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout
