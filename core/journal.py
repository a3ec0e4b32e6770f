"""The journal: an append-only, verifiable record of every change to the ledger.

**Capture, in the database.** Each journaled table carries three statement-level
PostgreSQL triggers (``journal_capture_insert``/``_update``/``_delete``) whose
transition tables hold the rows a statement wrote. They copy each changed row,
before and after, with the actor, into the *unsequenced queue*
(:class:`~core.models.JournalQueueItem`), in the writer's own transaction: a
``save()``, ``bulk_create``, ``QuerySet.update``, COPY or raw SQL is journaled
without anyone remembering to, and a rolled-back change leaves nothing queued.
Writers never wait for each other on the journal: they only INSERT into the queue.
A many-to-many link table is journaled as an update of the owning row's field
(the set before and after).

Which tables are journaled is a registry: each app calls :func:`register_app`
from its ``AppConfig.ready()``; a ``post_migrate`` handler (:func:`install_triggers`)
creates or replaces the triggers of every registered table, so a new model or a
rebuilt table is covered by the next ``migrate``. ``verify_journal`` reports a
journaled table whose triggers are missing or disabled (:func:`missing_triggers`).

**The actor** travels to the triggers as the transaction-local setting
``ledger.actor`` (``set_config(..., true)``), sent by a connection wrapper before a
transaction's first statement whenever the current actor (request user, command,
task: :func:`current_actor`) differs from the one the database holds. A change made
outside the application (psql) is attributed to ``sql:<database role>``.

**The sequencer** (:func:`integrate`; Celery beat every JOURNAL_MERGE_DELAY_SECONDS,
and every read of the head) takes the queued rows that have committed, in queue
order, and appends them as entries: gap-free ``seq``, the chain hash, the RFC 9162
leaf hash. It is the only holder of the sequencer lock (an advisory lock no writer
takes). It digests personal data (:data:`PERSONAL_FIELDS`) with
JOURNAL_PERSONAL_DATA_KEY, which never enters the database, and deletes the queue
rows it integrated: raw personal values sit in the queue only until then.

Each entry's ``hash`` is SHA-256 over a canonical JSON encoding of the entry,
including the previous entry's hash, so editing, deleting or reordering any
entry breaks the chain from that point on (:func:`verify`). Each entry is also a
leaf of the journal's Merkle tree (``leaf_hash``); core/heads.py serves proofs
and signs tree heads (docs/journal.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from core import merkle

if TYPE_CHECKING:
    from django.apps import AppConfig
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

    from core.models import JournalEntry

# Fields holding personal data, by object type (filled by register_app). The journal never
# holds their values: it records a keyed digest (see personal_digest), so that neither the
# entry nor its public hash gives the value away, while the chain stays verifiable by anyone.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {}
PERSONAL_DIGEST_PREFIX = "hmac-sha256:"
GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that only sequencers take ("journal" in ASCII).
_SEQUENCER_LOCK = 0x6A6F75726E616C
QUEUE_TABLE = "ledger_journalqueue"

_actor: ContextVar[str | None] = ContextVar("journal_actor", default=None)
_request: ContextVar[HttpRequest | None] = ContextVar("journal_request", default=None)


# --- who is acting --------------------------------------------------------------


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Attribute the writes inside the block to ``label`` (e.g. ``command:seed_demo``)."""
    token = _actor.set(label)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> str:
    """The actor of the current write: a command or task, else the request's user, else ``system``."""
    label = _actor.get()
    if label:
        return label
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and user.is_authenticated:
        return f"user:{user.get_username()}"
    if request is not None:
        return "anonymous"
    return "system"


class JournalActorMiddleware:
    """Makes the request's user (resolved lazily, so API tokens count) the actor of its writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


_SET_ACTOR = "SELECT set_config('ledger.actor', %s, %s)"


class _ActorToken:
    """The actor set with ``set_config(..., true)`` in this transaction, valid while the token is queued.

    The token sits in ``connection.run_on_commit``: Django drops it on a rollback,
    including the rollback of the savepoint in which the setting was made, which
    PostgreSQL undoes too. So "our token is still queued" means "the database holds this actor".
    """

    def __init__(self, label: str):
        self.label = label

    def __call__(self) -> None:
        pass


def _queued(conn: BaseDatabaseWrapper, token: object) -> bool:
    return any(entry[1] is token for entry in reversed(conn.run_on_commit))  # (savepoints, callback, robust)


def _bound_actor(conn: BaseDatabaseWrapper) -> str | None:
    """The actor the database session holds now, as far as this connection knows."""
    token: _ActorToken | None = conn.__dict__.get("_journal_actor")
    if conn.in_atomic_block and token is not None and _queued(conn, token):
        return token.label
    session: tuple[object, str] | None = conn.__dict__.get("_journal_session_actor")
    return session[1] if session is not None and conn.connection is not None and session[0] is conn.connection else None


def bind_actor(conn: BaseDatabaseWrapper | None = None) -> None:
    """Make the database hold the current actor for the triggers (the connection wrapper calls this).

    Inside a transaction the setting is transaction-local; in autocommit, where each
    statement is its own transaction, it is set for the session. Call it yourself
    before a COPY, which no wrapper sees.
    """
    conn = conn if conn is not None else connections[DEFAULT_DB_ALIAS]
    label = current_actor()
    if _bound_actor(conn) == label:
        return
    local = conn.in_atomic_block
    conn.ensure_connection()
    with conn.connection.cursor() as cursor:  # the driver's own cursor: no wrapper, no query log
        cursor.execute(_SET_ACTOR, [label, local])
    if local:
        token = _ActorToken(label)
        conn.__dict__["_journal_actor"] = token
        conn.on_commit(token)
    else:
        conn.__dict__["_journal_session_actor"] = (conn.connection, label)


def _actor_wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """Connection wrapper: before a statement, hand the current actor to the database if it changed."""
    conn = context["connection"]
    state = conn.__dict__
    # current_actor() may read the user: no recursion; a broken transaction is Django's to report
    if not state.get("_journal_binding") and not conn.needs_rollback:
        state["_journal_binding"] = True
        try:
            bind_actor(conn)
        finally:
            state["_journal_binding"] = False
    return execute(sql, params, many, context)


def _on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.alias == DEFAULT_DB_ALIAS and _actor_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _actor_wrapper)


# --- canonical encoding and hashing ---------------------------------------------


def jsonable(value: Any) -> Any:
    """A JSON-native form of a field value, stable across databases."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds") if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def canonical_bytes(
    *,
    seq: int,
    occurred_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash is computed over (UTF-8 JSON, sorted keys, no spaces)."""
    body = {
        "seq": seq,
        "occurred_at": jsonable(occurred_at),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "changes": changes,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_bytes(entry: JournalEntry) -> bytes:
    """The entry's canonical encoding: its chain hash and its Merkle leaf are computed over these bytes."""
    return canonical_bytes(
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        changes=entry.changes,
        prev_hash=entry.prev_hash,
    )


def entry_hash(entry: JournalEntry) -> str:
    return hashlib.sha256(entry_bytes(entry)).hexdigest()


def entry_leaf_hash(entry: JournalEntry) -> str:
    """The entry's leaf hash in the journal's Merkle tree: SHA-256(0x00 || canonical bytes), hex."""
    return merkle.leaf_hash(entry_bytes(entry)).hex()


# --- the registry of journaled tables --------------------------------------------


@dataclass(frozen=True)
class _Link:
    """A many-to-many link table, journaled as updates of the owner's field."""

    table: str
    owner_type: str
    field: str
    owner_column: str
    target_column: str


_journaled: dict[str, type[models.Model]] = {}  # object type -> model
_links: dict[str, _Link] = {}  # table -> link
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def object_type(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def register(model: type[models.Model], *, personal: Iterable[str] = ()) -> None:
    """Journal every change to ``model``'s table (and its many-to-many link tables)."""
    name = object_type(model)
    _journaled[name] = model
    if personal:
        PERSONAL_FIELDS[name] = frozenset(personal)
    for field in model._meta.local_many_to_many:
        through = cast("type[models.Model]", field.remote_field.through)
        if not through._meta.auto_created:
            continue  # an explicit through model is a model of its own: register it
        _links[through._meta.db_table] = _Link(
            table=through._meta.db_table,
            owner_type=name,
            field=field.name,
            owner_column=field.m2m_column_name(),
            target_column=field.m2m_reverse_name(),
        )


def register_app(
    app_config: AppConfig, *, exclude: Iterable[str] = (), personal: dict[str, Iterable[str]] | None = None
) -> None:
    """Journal every model of an app (by model name, ``exclude``: operational tables), from its ``ready()``."""
    skip = set(exclude)
    for model in app_config.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.model_name in skip:
            continue
        register(model, personal=(personal or {}).get(meta.model_name or "", ()))


def journaled_models() -> list[type[models.Model]]:
    return list(_journaled.values())


def is_journaled(model: type[models.Model]) -> bool:
    return _journaled.get(object_type(model)) is model._meta.concrete_model


# --- the triggers ------------------------------------------------------------------

CAPTURE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION ledger_journal_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('ledger.actor', true), ''), 'sql:' || session_user)
$$;
CREATE OR REPLACE FUNCTION ledger_journal_capture() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: the object type, the primary key column. One queue row per changed row.
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO ledger_journalqueue (actor, action, object_type, object_id, new)
             SELECT ledger_journal_actor(), ''create'', $1, (n.%1$I)::text, to_jsonb(n) FROM new_rows n',
            TG_ARGV[1]) USING TG_ARGV[0];
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format(
            'INSERT INTO ledger_journalqueue (actor, action, object_type, object_id, old, new)
             SELECT ledger_journal_actor(), ''update'', $1, (n.%1$I)::text, o.j, n.j
             FROM (SELECT %1$I, to_jsonb(r) AS j FROM new_rows r) n
             JOIN (SELECT %1$I, to_jsonb(r) AS j FROM old_rows r) o USING (%1$I)
             WHERE o.j IS DISTINCT FROM n.j ORDER BY n.%1$I',
            TG_ARGV[1]) USING TG_ARGV[0];
    ELSE
        EXECUTE format(
            'INSERT INTO ledger_journalqueue (actor, action, object_type, object_id, old)
             SELECT ledger_journal_actor(), ''delete'', $1, (o.%1$I)::text, to_jsonb(o) FROM old_rows o',
            TG_ARGV[1]) USING TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION ledger_journal_capture_link() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: the owner's object type, its field, the owner column, the target column.
-- One queue row per owner: its set of targets before and after the statement.
DECLARE
    changed text := CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END;
    merge text := CASE TG_OP WHEN 'INSERT' THEN 'EXCEPT' ELSE 'UNION' END;
BEGIN
    EXECUTE format(
        'INSERT INTO ledger_journalqueue (actor, action, object_type, object_id, old, new)
         SELECT ledger_journal_actor(), ''update'', $1, o.owner::text,
                jsonb_build_object($2, (SELECT coalesce(jsonb_agg(t ORDER BY t), ''[]'') FROM (
                    SELECT %4$I AS t FROM %1$I WHERE %3$I = o.owner
                    %6$s SELECT %4$I FROM %5$I WHERE %3$I = o.owner) b)),
                jsonb_build_object($2, (SELECT coalesce(jsonb_agg(%4$I ORDER BY %4$I), ''[]'')
                    FROM %1$I WHERE %3$I = o.owner))
         FROM (SELECT DISTINCT %3$I AS owner FROM %5$I) o ORDER BY o.owner',
        TG_TABLE_NAME, NULL, TG_ARGV[2], TG_ARGV[3], changed, merge) USING TG_ARGV[0], TG_ARGV[1];
    RETURN NULL;
END
$$;
"""

TRIGGER_NAMES = ("journal_capture_insert", "journal_capture_update", "journal_capture_delete")
_EVENTS = (
    ("journal_capture_insert", "INSERT", "NEW TABLE AS new_rows"),
    ("journal_capture_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("journal_capture_delete", "DELETE", "OLD TABLE AS old_rows"),
)


def _literal(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError(f"not a plain name: {value!r}")
    return f"'{value}'"


def _trigger_sql(table: str, function: str, args: Iterable[str]) -> list[str]:
    quoted = connection.ops.quote_name(table)
    arguments = ", ".join(_literal(a) for a in args)
    return [
        f"CREATE OR REPLACE TRIGGER {name} AFTER {event} ON {quoted} REFERENCING {transition} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}({arguments})"
        for name, event, transition in _EVENTS
    ]


def journaled_tables() -> dict[str, list[str]]:
    """Every journaled table with the statements that install its triggers."""
    tables = {
        model._meta.db_table: _trigger_sql(
            model._meta.db_table, "ledger_journal_capture", [name, model._meta.pk.column]
        )
        for name, model in _journaled.items()
    }
    for link in _links.values():
        if link.owner_type in _journaled:
            tables[link.table] = _trigger_sql(
                link.table,
                "ledger_journal_capture_link",
                [link.owner_type, link.field, link.owner_column, link.target_column],
            )
    return tables


def install_triggers(*, app_label: str | None = None) -> int:
    """Create or replace the capture triggers of the journaled tables (of one app); returns the tables done."""
    tables = journaled_tables()
    if app_label is not None:
        mine = {m._meta.db_table for n, m in _journaled.items() if m._meta.app_label == app_label}
        mine |= {link.table for link in _links.values() if link.owner_type.split(".")[0] == app_label}
        tables = {t: sql for t, sql in tables.items() if t in mine}
    if not tables:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(CAPTURE_FUNCTIONS)
        cursor.execute("; ".join(s for statements in tables.values() for s in statements))
    return len(tables)


def _on_post_migrate(
    sender: Any, app_config: AppConfig | None = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """After ``migrate``: (re)install the triggers of this app's journaled tables, idempotently."""
    if using != DEFAULT_DB_ALIAS or app_config is None:
        return
    with transaction.atomic():
        install_triggers(app_label=app_config.label)


def missing_triggers() -> list[tuple[str, str]]:
    """``(table, trigger)`` for each capture trigger that a journaled table lacks or has disabled."""
    tables = list(journaled_tables())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = ANY(%s) AND t.tgname = ANY(%s) AND t.tgenabled <> 'D' "
            "AND c.relnamespace = to_regnamespace(current_schema())::oid",
            [tables, list(TRIGGER_NAMES)],
        )
        present = set(cursor.fetchall())
    return [(table, name) for table in sorted(tables) for name in TRIGGER_NAMES if (table, name) not in present]


def connect() -> None:
    """Connect the journal to Django and Celery (called once from the core app's ready())."""
    from celery.signals import task_postrun, task_prerun
    from django.db.backends.signals import connection_created
    from django.db.models.signals import post_migrate

    connection_created.connect(_on_connection_created, dispatch_uid="journal_actor_wrapper")
    post_migrate.connect(_on_post_migrate, dispatch_uid="journal_install_triggers")
    task_prerun.connect(_on_task_prerun, dispatch_uid="journal_task_prerun", weak=False)
    task_postrun.connect(_on_task_postrun, dispatch_uid="journal_task_postrun", weak=False)


_task_tokens: dict[str | None, Any] = {}


def _on_task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    _task_tokens[task_id] = _actor.set(f"task:{task.name}")


def _on_task_postrun(task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _actor.reset(token)


# --- explicit entries -----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A change to journal that no table write stands for (e.g. an ingest batch): what happened to which object."""

    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]


def append_many(items: Iterable[Change], *, actor: str | None = None) -> int:
    """Queue explicit changes in the current transaction; the sequencer integrates them like captured ones."""
    rows = [
        (actor or current_actor(), c.action, c.object_type, c.object_id, json.dumps(jsonable(c.changes))) for c in items
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {QUEUE_TABLE} (actor, action, object_type, object_id, changes) "  # noqa: S608 - constant
                "VALUES (%s, %s, %s, %s, %s::jsonb)",
                rows,
            )
    return len(rows)


def append(*, action: str, object_type: str, object_id: Any, changes: dict[str, Any]) -> int:
    return append_many([Change(action, object_type, str(object_id), changes)])


# --- the sequencer -------------------------------------------------------------------


def personal_digest(value: Any) -> Any:
    """``hmac-sha256:<hex>`` of a personal value under JOURNAL_PERSONAL_DATA_KEY (empty values stay empty).

    Without the key, a digest cannot be tested against guessed names; with it (a court
    may be given it), anyone can show that a digest is the digest of a given name.
    """
    if value in (None, ""):
        return value
    key = settings.JOURNAL_PERSONAL_DATA_KEY.encode()
    return PERSONAL_DIGEST_PREFIX + hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()


def field_values(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values, by field name (foreign keys as ids; personal data as digests)."""
    personal = PERSONAL_FIELDS.get(object_type(type(instance)), frozenset())
    return {
        f.name: personal_digest(value) if f.name in personal else value
        for f in instance._meta.concrete_fields
        for value in (jsonable(getattr(instance, f.attname)),)
    }


def _floats(value: Any) -> Any:
    """A JSON value read with exact decimals, back to what json.loads gives (for JSON fields)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    return value


class _Shape:
    """How a table's rows, as the capture trigger wrote them (``to_jsonb``), become field values."""

    def __init__(self, model: type[models.Model] | None, personal: frozenset[str]):
        self.columns = {f.column: f for f in model._meta.concrete_fields} if model is not None else {}
        self.personal = personal
        self.touched_only = {f.name for f in self.columns.values() if getattr(f, "auto_now", False)}

    def value(self, field: models.Field[Any, Any], raw: Any) -> Any:
        if raw is None:
            return None
        if isinstance(field, models.JSONField):
            return _floats(raw)
        if isinstance(field, models.BinaryField) and isinstance(raw, str):
            return bytes.fromhex(raw.removeprefix("\\x"))
        return jsonable(field.to_python(raw))

    def values(self, row: dict[str, Any] | None) -> dict[str, Any] | None:
        if row is None:
            return None
        out = {}
        for column, raw in row.items():
            field = self.columns.get(column)
            if field is None:
                if not self.columns or isinstance(raw, list):  # a link's set of ids, or a model we do not know
                    out[column] = raw
                continue
            value = jsonable(self.value(field, raw))
            out[field.name] = personal_digest(value) if field.name in self.personal else value
        return out


_shapes: dict[str, _Shape] = {}


def _shape(name: str) -> _Shape:
    shape = _shapes.get(name)
    if shape is None:
        shape = _shapes[name] = _Shape(_journaled.get(name), PERSONAL_FIELDS.get(name, frozenset()))
    return shape


def _changes(action: str, object_type_: str, old: str | None, new: str | None) -> dict[str, Any] | None:
    """The entry's ``changes`` for a captured row (None: nothing but ``auto_now`` fields changed)."""
    shape = _shape(object_type_)
    before = shape.values(json.loads(old, parse_float=Decimal) if old else None) or {}
    after = shape.values(json.loads(new, parse_float=Decimal) if new else None) or {}
    if action == "create":
        return {name: {"before": None, "after": value} for name, value in after.items()}
    if action == "delete":
        return {name: {"before": value, "after": None} for name, value in before.items()}
    diff = {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(after.keys() | before.keys())
        if before.get(name) != after.get(name)
    }
    if not diff or set(diff) <= shape.touched_only:
        return None
    return diff


def _head_for_update() -> tuple[int, str]:
    from core.models import JournalEntry

    newest = JournalEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return newest if newest else (0, GENESIS_HASH)


INTEGRATE_BATCH = 5000

# Entries are appended with COPY, the database's own bulk load: one statement per batch.
_COPY_ENTRIES = (
    "COPY ledger_journalentry "
    "(seq, occurred_at, actor, action, object_type, object_id, changes, prev_hash, hash, leaf_hash) FROM STDIN"
)


@dataclass(frozen=True)
class Captured:
    """A captured change as the sequencer hands it to the change feed's consumers: the rows as JSON text."""

    object_type: str
    object_id: str
    action: str
    old: str | None
    new: str | None

    def images(self) -> list[dict[str, Any]]:
        """The row before and after (those that exist), parsed; a link table's change gives ``{field: [ids]}``."""
        return [json.loads(text) for text in (self.old, self.new) if text]


# What derives from journaled rows (the timelines' index, core/history.py) and is kept current from the feed.
_consumers: list[Callable[[list[Captured]], None]] = []


def on_integrate(consumer: Callable[[list[Captured]], None]) -> None:
    """Hand every batch of changes the sequencer appends to ``consumer``, after the batch, in its transaction."""
    if consumer not in _consumers:
        _consumers.append(consumer)


def integrate(*, batch_size: int = INTEGRATE_BATCH, wait: bool = True) -> int:
    """Append every committed queued change to the journal, in queue order; returns the entries appended.

    Takes the sequencer lock (only sequencers do), so two sequencers never number
    the same entries; writers never wait for it. Runs in its own transaction, or in
    the caller's (tests read what they just wrote). Per batch of queue rows: one
    SELECT, the entries built as plain tuples (canonical bytes, chain hash, leaf
    hash), one COPY of them all into the journal and one DELETE of the queue rows; then the
    consumers of the change feed (:func:`on_integrate`) bring what derives from the rows up to date.
    Without ``wait``, it returns at once (0) when another sequencer holds the lock.
    """
    appended = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEQUENCER_LOCK])
            if not cursor.fetchone()[0]:
                return 0
        seq, prev_hash = _head_for_update()
        while True:
            cursor.execute(
                "SELECT id, occurred_at, actor, action, object_type, object_id, old::text, new::text, changes::text "  # noqa: S608 - constant
                f"FROM {QUEUE_TABLE} ORDER BY id LIMIT %s",
                [batch_size],
            )
            queued = cursor.fetchall()
            if not queued:
                break
            entries, captured = [], []
            for _id, occurred_at, actor, action, type_, object_id, old, new, given in queued:
                changes = json.loads(given) if given is not None else _changes(action, type_, old, new)
                if changes is None:
                    continue
                captured.append(Captured(type_, object_id, action, old, new))
                seq += 1
                actor = actor[:200]
                raw = canonical_bytes(
                    seq=seq,
                    occurred_at=occurred_at,
                    actor=actor,
                    action=action,
                    object_type=type_,
                    object_id=object_id,
                    changes=changes,
                    prev_hash=prev_hash,
                )
                hash_ = hashlib.sha256(raw).hexdigest()
                leaf = merkle.leaf_hash(raw).hex()
                entries.append(
                    (seq, occurred_at, actor, action, type_, object_id, json.dumps(changes), prev_hash, hash_, leaf)
                )
                prev_hash = hash_
            if entries:
                with cursor.copy(_COPY_ENTRIES) as copy:
                    for entry in entries:
                        copy.write_row(entry)
            cursor.execute(f"DELETE FROM {QUEUE_TABLE} WHERE id = ANY(%s)", [[row[0] for row in queued]])  # noqa: S608
            for consumer in _consumers:
                consumer(captured)
            appended += len(entries)
            if len(queued) < batch_size:
                break
    return appended


def catch_up() -> int:
    """:func:`integrate`, if changes committed so far wait in the queue: what a reader calls first.

    With an empty queue (the usual case between writes) it is one cheap query and takes
    no lock. Otherwise it sequences them, unless another sequencer is at it (the beat
    task, another reader, ``reindex_history``): the reader does not wait for it and reads
    what is sequenced, at most that sequencer's batch behind. A reader inside a request's
    transaction holds the lock until its request ends.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {QUEUE_TABLE})")  # noqa: S608 - a constant
        if not cursor.fetchone()[0]:
            return 0
    return integrate(wait=False)


def queue_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {QUEUE_TABLE}")  # noqa: S608 - constant
        return int(cursor.fetchone()[0])


def head() -> tuple[int, str]:
    """``(seq, hash)`` of the newest entry, after integrating the queue: what a regulator writes down."""
    integrate()
    return _head_for_update()


# --- verification ---------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""


def verify(*, progress: Callable[[int], object] | None = None) -> Verification:
    """Recompute the chain from the first entry and name the first entry that does not match."""
    from core.models import JournalEntry

    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return Verification(
                False, checked, expected_seq - 1, prev_hash, expected_seq,
                f"entry {expected_seq} is missing (next is {entry.seq})",
            )  # fmt: skip
        if entry.prev_hash != prev_hash:
            return Verification(
                False, checked, entry.seq - 1, prev_hash, entry.seq,
                "prev_hash does not match the hash of the entry before it",
            )  # fmt: skip
        if entry_hash(entry) != entry.hash:
            return Verification(
                False, checked, entry.seq - 1, prev_hash, entry.seq,
                "hash does not match the entry's contents",
            )  # fmt: skip
        if entry_leaf_hash(entry) != entry.leaf_hash:
            return Verification(
                False, checked, entry.seq - 1, prev_hash, entry.seq,
                "leaf_hash does not match the entry's contents",
            )  # fmt: skip
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if progress is not None:
            progress(checked)
    return Verification(True, checked, expected_seq - 1, prev_hash)


# --- live data against the journal ----------------------------------------------


@dataclass(frozen=True)
class RowMismatch:
    """A row whose live values differ from the journal's latest record of it (``field`` empty: the whole row)."""

    table: str
    object_id: str
    field: str
    journal_value: Any
    table_value: Any


def _same(field: models.Field[Any, Any], kept: Any, live: Any) -> bool:
    """Equal as the field understands its values (18000 and 18000.00, one instant in two offsets)."""
    if kept == live:
        return True
    try:
        return bool(field.to_python(kept) == field.to_python(live))
    except (ValidationError, TypeError, ValueError):  # a value the field cannot read is not the same
        return False


def _replayed(object_type_: str) -> dict[str, dict[str, Any] | None]:
    """The latest state of each object of a type, replayed from its entries (None: deleted)."""
    from core.models import JournalEntry

    state: dict[str, dict[str, Any] | None] = {}
    entries = JournalEntry.objects.filter(object_type=object_type_).order_by("seq")
    for object_id, action, changes in entries.values_list("object_id", "action", "changes").iterator(chunk_size=2000):
        if action == "delete":
            state[object_id] = None
            continue
        row = state.get(object_id) or {}
        for name, change in changes.items():
            row[name] = change.get("after") if isinstance(change, dict) else change
        state[object_id] = row
    return state


def verify_rows(*, limit: int = 1000) -> list[RowMismatch]:
    """Replay the journal's latest state of every journaled row and compare it with the table.

    Reports, by table, row and field, a value changed behind the journal's back
    (e.g. an UPDATE with the triggers disabled), a row the journal holds but the
    table lost, and a row the journal never saw (``journal_value`` None: default
    data made by migrations, or a row inserted behind the journal's back).
    ``auto_now`` fields are not compared: a save that only touches them is not
    journaled. Many-to-many sets are not compared either. Stops after ``limit``
    mismatches. Integrates the queue first: what writers committed is compared too.
    """
    integrate()
    found: list[RowMismatch] = []
    for model in journaled_models():
        table = model._meta.db_table
        state = _replayed(object_type(model))
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "auto_now", False)]
        personal = PERSONAL_FIELDS.get(object_type(model), frozenset())
        for instance in model._base_manager.order_by("pk").iterator(chunk_size=2000):
            live = field_values(instance)
            kept = state.pop(str(instance.pk), None)
            if kept is None:
                found.append(RowMismatch(table, str(instance.pk), "", None, "row not in the journal"))
            else:
                found.extend(
                    RowMismatch(table, str(instance.pk), f.name, kept.get(f.name), live[f.name])
                    for f in fields
                    if not _same(f, kept.get(f.name), live[f.name])
                    # a field made personal later: its entries from before hold the value in clear
                    and not (f.name in personal and kept.get(f.name) == jsonable(getattr(instance, f.attname)))
                )
            if len(found) >= limit:
                return found[:limit]
        found.extend(RowMismatch(table, oid, "", "row in the journal", None) for oid, kept in state.items() if kept)
    return found[:limit]


# Apps whose rows stand for files register a check of the files against their recorded
# hashes (cases: evidence); verify_journal runs them after the rows.
_file_checks: list[Callable[[], Iterable[RowMismatch]]] = []


def register_file_check(check: Callable[[], Iterable[RowMismatch]]) -> None:
    """Add a check that yields a ``RowMismatch`` (field ``file``) per stored file that no longer matches its row."""
    if check not in _file_checks:
        _file_checks.append(check)


def verify_files() -> list[RowMismatch]:
    return [mismatch for check in _file_checks for mismatch in check()]
