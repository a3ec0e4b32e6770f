"""/metrics: django-prometheus figures, the ledger's gauges, task outcomes, and who may read them."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from config.celery import app as celery_app
from core import journal
from core.models import JournalEntry
from ledger.models import PlatformAccount
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def sample(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in the metrics"
    return float(found.group(1))


def test_metrics_hold_requests_database_and_ledger_gauges(client, settings):
    settings.PLATFORM_DEFAULT_REFRESH_HOURS = 24
    settings.PLATFORM_SETTINGS = {}
    account = AccountFactory(platform="douyin")
    PlatformAccount.objects.filter(pk=account.pk).update(last_refreshed_at=timezone.now() - timedelta(hours=30))
    AccountFactory(platform="douyin")  # refreshed just now: not due
    PlatformAccount.objects.exclude(pk=account.pk).update(last_refreshed_at=timezone.now())
    journal.integrate()
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert sample(text, 'django_http_requests_total_by_method_total{method="GET"}') >= 1
    assert 'django_http_requests_latency_seconds_by_view_method_bucket{le="0.01",method="GET",view="healthz"}' in text
    assert sample(text, 'django_db_execute_total{alias="default",vendor="postgresql"}') >= 1
    assert sample(text, "ledger_refresh_due_accounts") == 1
    assert 6 * 3600 - 60 <= sample(text, "ledger_refresh_lag_seconds") <= 6 * 3600 + 60
    assert sample(text, "ledger_journal_entries") == JournalEntry.objects.count() >= 2  # both accounts journaled


def test_metrics_are_refused_to_other_addresses(client, settings):
    settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN = ["10.0.0.0/8"], ""
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_metrics_token_lets_any_address_in(client, settings):
    settings.METRICS_ALLOWED_IPS, settings.METRICS_TOKEN = [], "s3cret-scrape"
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer s3cret-scrape")
    assert ok.status_code == 200
    assert b"ledger_journal_entries" in ok.content


@celery_app.task(name="tests.ops.succeeds")
def succeeds() -> int:
    return 1


@celery_app.task(name="tests.ops.fails")
def fails() -> None:
    raise RuntimeError("no")


def count(task: str, outcome: str) -> float:
    return REGISTRY.get_sample_value("ledger_celery_tasks_total", {"task": task, "outcome": outcome}) or 0.0


def test_task_outcomes_are_counted_by_name_and_outcome():
    before = (count("tests.ops.succeeds", "success"), count("tests.ops.fails", "failure"))
    succeeds.apply()
    succeeds.apply()
    fails.apply()
    assert count("tests.ops.succeeds", "success") == before[0] + 2
    assert count("tests.ops.fails", "failure") == before[1] + 1
    assert count("tests.ops.succeeds", "failure") == 0


def test_a_worker_serves_its_task_metrics_on_its_port(monkeypatch):
    """GIVEN CELERY_METRICS_PORT WHEN the worker starts (worker_init) THEN its counters are served there."""
    import socket

    import httpx

    from config.celery import _serve_worker_metrics

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("CELERY_METRICS_PORT", str(port))
    succeeds.apply()
    server, thread = _serve_worker_metrics()
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert sample(text, 'ledger_celery_tasks_total{outcome="success",task="tests.ops.succeeds"}') >= 1


def test_no_worker_metrics_server_without_a_port(monkeypatch):
    from config.celery import _serve_worker_metrics

    monkeypatch.delenv("CELERY_METRICS_PORT", raising=False)
    assert _serve_worker_metrics() is None
