"""Liveness (``/healthz``) and readiness (``/readyz``) for load balancers and process managers.

``/healthz`` answers as long as the process serves requests: it touches neither the
database nor the broker, so a database outage does not get every web process restarted.
``/readyz`` says whether this process can do useful work: the database answers, the
broker answers (only when CELERY_BROKER_URL is set), and every migration is applied.
Failing checks make it answer 503 with the checks in a JSON body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
SKIPPED = "skipped"
_migrations_applied = False  # once true it stays true for the life of the process: code and schema only move forward


def check_database() -> str:
    """The default database answers a query."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def check_broker() -> str:
    """The Celery broker accepts a connection (skipped when tasks run in-process)."""
    if not settings.CELERY_BROKER_CONFIGURED:
        return SKIPPED
    from kombu import Connection

    timeout = settings.READYZ_TIMEOUT_SECONDS
    with Connection(
        settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options={"socket_timeout": timeout}
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
    return OK


def check_migrations() -> str:
    """No migration of the code this process runs is left unapplied on the database."""
    global _migrations_applied
    if _migrations_applied:
        return OK
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _backwards in plan[:5])
        raise RuntimeError(_("%(count)d unapplied migration(s): %(names)s") % {"count": len(plan), "names": names})
    _migrations_applied = True
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "migrations": check_migrations,
}


@transaction.non_atomic_requests
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@transaction.non_atomic_requests
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Run every check; 200 when all pass, 503 naming the failing ones otherwise."""
    results: dict[str, str] = {}
    failing: list[str] = []
    for name, check in CHECKS.items():
        if name == "migrations" and "database" in failing:
            results[name] = SKIPPED  # it needs the database
            continue
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"{type(exc).__name__}: {exc}"[:500]
            failing.append(name)
    if failing:
        return JsonResponse({"status": "unavailable", "failing": failing, "checks": results}, status=503)
    return JsonResponse({"status": "ready", "checks": results})
