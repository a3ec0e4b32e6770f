"""Read-only API traffic to a read replica (DATABASE_REPLICA_URL), everything else to the primary.

``ReadReplicaMiddleware`` marks API requests with a safe method (GET, HEAD, OPTIONS)
while they are served; ``ReplicaRouter`` sends the reads of a marked request to the
``replica`` database and every write, migration and unmarked read (the admin, forms,
tasks, commands) to ``default``. A replica lags its primary by its replication delay,
so a client that writes and reads back at once may read the old state for that long;
requests that write never read from the replica. Without DATABASE_REPLICA_URL
there is no ``replica`` database and nothing changes.

Hand-written SQL reads the connection of :func:`read_connection` so that it follows
the same routing as the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_read_only_request: ContextVar[bool] = ContextVar("read_only_request", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReadReplicaMiddleware:
    """Mark safe-method requests under REPLICA_PATH_PREFIXES (the API) as read-only for the router."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        read_only = request.method in SAFE_METHODS and request.path.startswith(tuple(settings.REPLICA_PATH_PREFIXES))
        token = _read_only_request.set(read_only)
        try:
            return self.get_response(request)
        finally:
            _read_only_request.reset(token)


class ReplicaRouter:
    """Reads of read-only API requests from the replica; all the rest from the primary."""

    def db_for_read(self, model: type[Model], **hints) -> str | None:
        if _read_only_request.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: type[Model], **hints) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints) -> bool | None:
        # Both hold the same data: an object read from the replica may be related to one from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return db != REPLICA  # the replica follows the primary's schema by replication


def read_connection(model: type[Model]) -> BaseDatabaseWrapper:
    """The connection that reads of ``model`` use in the current request (for hand-written SQL)."""
    return connections[router.db_for_read(model)]
