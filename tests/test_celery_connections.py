"""Celery tasks keep their database connection between tasks, as requests do (config/celery.py)."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from config.celery import _close_old_connections
from config.celery import app as celery_app


def _task(*, eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _open_connection() -> object:
    connection.ensure_connection()
    return connection.connection


@pytest.mark.django_db(transaction=True)
def test_celery_fixup_does_not_close_connections_around_tasks():
    fixup = next(f for f in celery_app._fixups if type(f).__name__ == "DjangoFixup")
    worker_fixup = fixup.worker_fixup
    assert worker_fixup.db_reuse_max >= 1_000_000
    # Without CELERY_DB_REUSE_MAX the fix-up would close every connection here, before and after each task.
    raw = _open_connection()
    for _ in range(10):
        worker_fixup.on_task_prerun(_task(eager=False))
        worker_fixup.on_task_postrun(_task(eager=False))
    assert connection.connection is raw


@pytest.mark.django_db(transaction=True)
def test_a_healthy_connection_is_reused_by_the_next_task():
    raw = _open_connection()
    _close_old_connections(sender=_task(eager=False))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.connection is raw


@pytest.mark.django_db(transaction=True)
def test_a_connection_older_than_conn_max_age_is_replaced():
    raw = _open_connection()
    connection.close_at = time.monotonic() - 1
    _close_old_connections(sender=_task(eager=False))
    assert connection.connection is None
    assert _open_connection() is not raw


@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_replaced():
    raw = _open_connection()
    connection.errors_occurred = True
    raw.close()  # as if the server had gone away
    _close_old_connections(sender=_task(eager=False))
    assert connection.connection is None


@pytest.mark.django_db
def test_an_eager_task_leaves_the_callers_transaction_alone():
    with transaction.atomic():
        raw = _open_connection()
        _close_old_connections(sender=_task(eager=True))
        assert connection.connection is raw
        assert connection.in_atomic_block
