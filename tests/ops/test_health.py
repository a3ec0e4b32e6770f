"""/healthz answers without the database; /readyz names the check that fails, with 503."""

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from config.ops import health


def test_healthz_answers_without_touching_the_database(client):
    """GIVEN no database access allowed (no django_db mark: any query raises) WHEN /healthz THEN 200."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ready_with_database_and_migrations_and_no_broker(client, settings, monkeypatch):
    settings.CELERY_BROKER_CONFIGURED = False
    monkeypatch.setattr(health, "_migrations_applied", False)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "broker": "skipped", "migrations": "ok"},
    }


@pytest.mark.django_db
def test_readyz_checks_a_reachable_broker(client, settings):
    import os

    url = os.environ.get("LEDGER_TEST_REDIS_URL")
    if not url:
        pytest.skip("LEDGER_TEST_REDIS_URL is not set")
    settings.CELERY_BROKER_CONFIGURED, settings.CELERY_BROKER_URL = True, url
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_CONFIGURED, settings.CELERY_BROKER_URL = True, "redis://127.0.0.1:1/0"
    settings.READYZ_TIMEOUT_SECONDS = 1.0
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert "OperationalError" in body["checks"]["broker"]


@pytest.mark.django_db
def test_readyz_is_unavailable_when_the_database_is_unreachable(client, settings, monkeypatch):
    """GIVEN the default database pointing at a port where nothing listens WHEN /readyz THEN 503 naming it."""
    settings.CELERY_BROKER_CONFIGURED = False
    broken = {**connection.settings_dict, "PORT": "1", "HOST": "127.0.0.1"}
    monkeypatch.setattr(health, "connections", ConnectionHandler({"default": broken}))
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["migrations"] == "skipped"
    assert "OperationalError" in body["checks"]["database"]


@pytest.mark.django_db
def test_readyz_is_unavailable_while_a_migration_is_unapplied(client, settings, monkeypatch):
    """GIVEN the newest ledger migration recorded as not applied WHEN /readyz THEN 503 naming it."""
    settings.CELERY_BROKER_CONFIGURED = False
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM django_migrations WHERE app = 'ledger' ORDER BY name DESC LIMIT 1")
        (newest,) = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE app = 'ledger' AND name = %s", [newest])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"]
    assert f"ledger.{newest}" in body["checks"]["migrations"]
    assert "1 unapplied migration(s)" in body["checks"]["migrations"]


def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/").status_code == 301
