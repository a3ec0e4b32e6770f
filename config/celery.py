"""The Celery application. Its settings are the ``CELERY_*`` names in config/settings.py."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

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
