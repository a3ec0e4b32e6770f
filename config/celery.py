"""The Celery application. Its settings are the ``CELERY_*`` names in config/settings.py."""

import os
from functools import partial

from celery import Celery
from celery.signals import (
    task_failure,
    task_postrun,
    task_prerun,
    task_rejected,
    task_retry,
    task_revoked,
    task_success,
    worker_init,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("ledger")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _close_old_connections(sender=None, **kwargs) -> None:
    """Give a task the database connection life cycle of a request.

    Celery's Django fix-up closes every connection before and after each task
    unless CELERY_DB_REUSE_MAX is set, so each task would pay for a new PostgreSQL
    connection. With it set (see settings), this does what Django does around a
    request instead: drop a connection that is broken or older than CONN_MAX_AGE,
    and health-check the rest on first use (CONN_HEALTH_CHECKS). Eager tasks run
    inside the caller's transaction and leave its connection alone.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


task_prerun.connect(_close_old_connections, weak=False, dispatch_uid="ledger_task_prerun_connections")
task_postrun.connect(_close_old_connections, weak=False, dispatch_uid="ledger_task_postrun_connections")


# --- Metrics of task outcomes -------------------------------------------------------
# Counted in whichever process runs the task; a worker started with CELERY_METRICS_PORT
# serves them (summed over its pool processes through PROMETHEUS_MULTIPROC_DIR).


def _count(outcome: str, sender=None, message=None, **kwargs) -> None:
    from config.ops.metrics import celery_tasks_total

    # The sender is the task, except for a rejected message (the consumer): its headers name the task.
    name = getattr(sender, "name", None) or (getattr(message, "headers", None) or {}).get("task")
    celery_tasks_total.labels(task=str(name or "unknown"), outcome=outcome).inc()


def _serve_worker_metrics(sender=None, **kwargs):
    """Serve this worker's task metrics on CELERY_METRICS_PORT (unset: not served); returns (server, thread)."""
    port = os.environ.get("CELERY_METRICS_PORT", "").strip()
    if not port:
        return None
    from prometheus_client import start_http_server

    from config.ops.metrics import process_registry

    return start_http_server(
        int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "127.0.0.1"), registry=process_registry()
    )


task_success.connect(partial(_count, "success"), weak=False, dispatch_uid="ledger_metrics_task_success")
task_failure.connect(partial(_count, "failure"), weak=False, dispatch_uid="ledger_metrics_task_failure")
task_retry.connect(partial(_count, "retry"), weak=False, dispatch_uid="ledger_metrics_task_retry")
task_rejected.connect(partial(_count, "rejected"), weak=False, dispatch_uid="ledger_metrics_task_rejected")
task_revoked.connect(partial(_count, "revoked"), weak=False, dispatch_uid="ledger_metrics_task_revoked")
worker_init.connect(_serve_worker_metrics, weak=False, dispatch_uid="ledger_metrics_worker_http")
