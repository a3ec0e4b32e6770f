"""The journal: an append-only, hash-chained record of every change to the ledger.

Every create, update and delete of a model in ``JOURNALED_APPS`` is appended
as one :class:`~ledger.models.JournalEntry`, whatever made it: the admin, the
API, a command, an import or a Celery task. Capture is generic (model signals),
so a new model is journaled without anyone remembering to; writes that bypass
model signals (``bulk_create``, ``QuerySet.update``) must go through
:func:`bulk_create` here or call :func:`append` themselves.

Each entry's ``hash`` is SHA-256 over a canonical JSON encoding of the entry,
including the previous entry's hash, so editing, deleting or reordering any
entry breaks the chain from that point on (:func:`verify`). Appends take a lock
(a PostgreSQL advisory lock), so ``seq`` is
gap-free and the chain stays linear under concurrent writers. The entry is
written in the same transaction as the change: if the change rolls back, so
does its entry.

Each entry is also a leaf of the journal's Merkle tree (``leaf_hash``, RFC 9162);
ledger/heads.py serves proofs and signs tree heads, so that a kept head proves
later that no entry was rewritten (docs/journal.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from ledger import merkle

if TYPE_CHECKING:
    from django.http import HttpRequest

    from ledger.models import JournalEntry

JOURNALED_APPS = frozenset({"ledger", "pricing", "parties", "reviews", "cases"})
# Fields holding personal data, by object type. The journal never holds their values:
# it records a keyed digest (see personal_digest), so that neither the entry nor its
# public hash gives the value away, while the chain stays verifiable by anyone.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {"ledger.influencer": frozenset({"legal_name"})}
PERSONAL_DIGEST_PREFIX = "hmac-sha256:"
GENESIS_HASH = "0" * 64
# Key of the PostgreSQL advisory lock that serialises appends ("journal" in ASCII).
_LOCK_KEY = 0x6A6F75726E616C

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

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


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


# --- appending ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One change to append: what happened to which object."""

    action: str
    object_type: str
    object_id: str
    changes: dict[str, Any]


class JournalOutsideTransaction(RuntimeError):
    """A journaled model was written outside ``transaction.atomic()``."""


def lock() -> None:
    """Take the journal lock for the rest of the current transaction.

    The lock serialises appends. Every journaled write takes it *before* it
    touches its row (in pre_save/pre_delete), and services take it before
    ``select_for_update``, so all writers acquire locks in one order (journal,
    then rows) and cannot deadlock.
    """
    if not connection.in_atomic_block:
        raise JournalOutsideTransaction(
            "Journaled models must be written inside transaction.atomic(), so that a change and its "
            "journal entry commit or roll back together."
        )
    if _lock_held():
        return
    from ledger.models import JournalEntry

    # One round trip: the lock, then (a statement that starts once the lock is held, so it
    # sees every committed entry) the head, which no one else can move until we commit.
    table = connection.ops.quote_name(JournalEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_advisory_xact_lock({_LOCK_KEY:d}); SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1"  # noqa: S608 - constants
        )
        cursor.nextset()
        head = cursor.fetchone()
    _remember_lock()
    _remember_head(*(head or (0, GENESIS_HASH)))


class _LockToken:
    """Marks, through Django's on-commit list, the transaction that holds the journal lock.

    The token sits in ``connection.run_on_commit`` from the moment the lock is taken:
    it runs (and is forgotten) on commit, and Django drops it on a rollback, including
    the rollback of a savepoint in which the lock was taken, which releases the lock too.
    So "our token is still queued" means "this transaction holds the lock".
    """

    def __call__(self) -> None:
        _state().pop("_journal_lock_token", None)


def _lock_held() -> bool:
    token = _state().get("_journal_lock_token")
    return token is not None and _queued(token)


def _remember_lock() -> None:
    token = _LockToken()
    _state()["_journal_lock_token"] = token
    connection.on_commit(token)


def _state() -> dict[str, Any]:
    """Where this thread's connection keeps the journal's per-transaction tokens.

    ``connection`` is a proxy shared by every thread; ``connections[...]`` is this
    thread's own connection object.
    """
    return connections[DEFAULT_DB_ALIAS].__dict__


def _queued(token: object) -> bool:
    """True while ``token`` waits in this transaction's on-commit list (newest first: tokens sit at the end)."""
    return any(callback is token for _, callback, _ in reversed(connection.run_on_commit))


class _HeadToken:
    """The head this transaction last appended, valid while the token is queued (see _LockToken)."""

    def __init__(self, seq: int, hash_: str):
        self.seq, self.hash = seq, hash_

    def __call__(self) -> None:
        if _state().get("_journal_head") is self:
            del _state()["_journal_head"]


def _lock_and_head() -> tuple[int, str]:
    from ledger.models import JournalEntry

    lock()
    cached = _state().get("_journal_head")
    if cached is not None and _queued(cached):  # appended earlier in this transaction, not rolled back
        return cached.seq, cached.hash
    head = JournalEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return head if head else (0, GENESIS_HASH)


def _remember_head(seq: int, hash_: str) -> None:
    token = _HeadToken(seq, hash_)
    _state()["_journal_head"] = token
    connection.on_commit(token)


def append_many(items: Iterable[Change], *, actor: str | None = None) -> list[JournalEntry]:
    """Append changes to the journal, in order, in the current transaction."""
    from ledger.models import JournalEntry

    items = list(items)
    if not items:
        return []
    who = actor or current_actor()
    with transaction.atomic(savepoint=False):  # lock() insists on an enclosing transaction
        seq, prev_hash = _lock_and_head()
        now = timezone.now()
        entries = []
        for item in items:
            seq += 1
            entry = JournalEntry(
                seq=seq,
                occurred_at=now,
                actor=who,
                action=item.action,
                object_type=item.object_type,
                object_id=item.object_id,
                changes=jsonable(item.changes),
                prev_hash=prev_hash,
            )
            raw = entry_bytes(entry)
            entry.hash = prev_hash = hashlib.sha256(raw).hexdigest()
            entry.leaf_hash = merkle.leaf_hash(raw).hex()
            entries.append(entry)
        _insert(entries)
        _remember_head(seq, prev_hash)
    return entries


_INSERT_BATCH = 500


def _insert(entries: list[JournalEntry]) -> None:
    """INSERT the entries, one statement per batch.

    What ``bulk_create`` would send, without its per-call overhead: every journaled
    write comes through here. Values are prepared by the model's own fields.
    """
    from ledger.models import JournalEntry

    fields = JournalEntry._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(JournalEntry._meta.db_table)} ({columns}) VALUES "  # noqa: S608 - model names
    row = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(entries), _INSERT_BATCH):
            batch = entries[start : start + _INSERT_BATCH]
            params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for entry in batch for f in fields]
            cursor.execute(head + ", ".join([row] * len(batch)), params)
    for entry in entries:
        entry._state.adding, entry._state.db = False, connection.alias


def append(*, action: str, object_type: str, object_id: Any, changes: dict[str, Any]) -> JournalEntry:
    """Append one change to the journal."""
    return append_many([Change(action, object_type, str(object_id), changes)])[0]


def head() -> tuple[int, str]:
    """``(seq, hash)`` of the newest entry: what a regulator writes down to prove history later."""
    from ledger.models import JournalEntry

    newest = JournalEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return newest if newest else (0, GENESIS_HASH)


# --- capture from model signals -------------------------------------------------


# Operational logs, not ledger records: the refresh attempt log would otherwise add
# two entries per attempt of a machine process and serialise every worker on the journal.
# A review's MinHash signature is derived from the review's journaled content. The journal's
# own tree and signed heads describe the journal: journaling them would grow the tree with
# every head that signs it.
NOT_JOURNALED = frozenset(
    {
        "ledger.journalentry",
        "ledger.profilerefresh",
        "ledger.journaltreenode",
        "ledger.signedtreehead",
        "reviews.reviewsignature",
    }
)


def is_journaled(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.app_label in JOURNALED_APPS and not meta.proxy and object_type(model) not in NOT_JOURNALED


def object_type(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


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


def _created_changes(instance: models.Model) -> dict[str, Any]:
    return {name: {"before": None, "after": value} for name, value in field_values(instance).items()}


def remember_before(instance: models.Model) -> None:
    """Record an instance's current values as the "before" of its next save.

    For a row just read with ``select_for_update``: its values are the database's,
    so the save need not read them again.
    """
    instance._journal_before = field_values(instance)


def _on_pre_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not is_journaled(sender):
        return
    lock()
    if instance._state.adding or instance.pk is None:
        return
    if getattr(instance, "_journal_before", None) is not None:  # see remember_before
        return
    attnames = {f.attname: f.name for f in sender._meta.concrete_fields}
    row = sender._base_manager.filter(pk=instance.pk).values(*attnames).first()
    personal = PERSONAL_FIELDS.get(object_type(sender), frozenset())
    instance._journal_before = (
        None
        if row is None
        else {
            attnames[k]: personal_digest(jsonable(v)) if attnames[k] in personal else jsonable(v)
            for k, v in row.items()
        }
    )


def creation_change(instance: models.Model) -> Change:
    """The journal's record of a row just inserted (what the post_save capture appends)."""
    return Change("create", object_type(type(instance)), str(instance.pk), _created_changes(instance))


def update_change(instance: models.Model, update_fields: Iterable[str] | None = None) -> Change | None:
    """The journal's record of a saved instance against its remembered values (None if nothing changed).

    Consumes the "before" taken in pre_save or by :func:`remember_before`; without one,
    the row counts as created.
    """
    before = getattr(instance, "_journal_before", None)
    instance._journal_before = None
    if before is None:
        return creation_change(instance)
    model = type(instance)
    after = field_values(instance)
    names = set(after) if update_fields is None else {model._meta.get_field(n).name for n in update_fields}
    diff = {n: {"before": before.get(n), "after": after[n]} for n in sorted(names) if before.get(n) != after[n]}
    touched_only = {f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    if not diff or set(diff) <= touched_only:  # a save that changed nothing but updated_at is no change
        return None
    return Change("update", object_type(model), str(instance.pk), diff)


def _on_post_save(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not is_journaled(sender):
        return
    if created:
        instance._journal_before = None
    change = update_change(instance, update_fields)
    if change is not None:
        append_many([change])


def _on_pre_delete(sender, instance, **kwargs) -> None:
    if is_journaled(sender):
        lock()


def _on_post_delete(sender, instance, **kwargs) -> None:
    if not is_journaled(sender):
        return
    changes = {name: {"before": value, "after": None} for name, value in field_values(instance).items()}
    append(action="delete", object_type=object_type(sender), object_id=instance.pk, changes=changes)


def _m2m_field(sender, model) -> models.ManyToManyField | None:
    for field in model._meta.many_to_many:
        if field.remote_field.through is sender:
            return field
    return None


def _on_m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """Record a change to a many-to-many set as an update of the owning object."""
    if reverse:
        # e.g. influencer.cases.add(case): record the change on each case, the owner of the field
        field = _m2m_field(sender, model)
        if field is None or not is_journaled(model):
            return
        if action.startswith("pre_"):
            lock()
        if action == "pre_clear":
            owner_ids = model._base_manager.filter(**{field.name: instance}).values_list("pk", flat=True)
            instance._journal_m2m_owners = list(owner_ids)
            return
        if action not in {"post_add", "post_remove", "post_clear"}:
            return
        owner_ids = pk_set if action != "post_clear" else getattr(instance, "_journal_m2m_owners", [])
        for owner in model._base_manager.filter(pk__in=list(owner_ids or [])):
            ids = set(getattr(owner, field.name).values_list("pk", flat=True))
            before = ids - {instance.pk} if action == "post_add" else ids | {instance.pk}
            append(
                action="update",
                object_type=object_type(model),
                object_id=owner.pk,
                changes={field.name: {"before": sorted(before), "after": sorted(ids)}},
            )
        return
    owner_model = type(instance)
    if not is_journaled(owner_model):
        return
    field = _m2m_field(sender, owner_model)
    if field is None:
        return
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        lock()  # before reading "before", so that a concurrent change cannot slip in between
    current = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    if action in {"pre_add", "pre_remove", "pre_clear"}:
        instance._journal_m2m_before = current
        return
    if action in {"post_add", "post_remove", "post_clear"}:
        before = getattr(instance, "_journal_m2m_before", None)
        instance._journal_m2m_before = None
        if before is not None and before != current:
            append(
                action="update",
                object_type=object_type(owner_model),
                object_id=instance.pk,
                changes={field.name: {"before": before, "after": current}},
            )


_task_tokens: dict[str, Any] = {}


def _on_task_prerun(task_id=None, task=None, **kwargs) -> None:
    _task_tokens[task_id] = _actor.set(f"task:{task.name}")


def _on_task_postrun(task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _actor.reset(token)


def connect_signals() -> None:
    """Connect the capture handlers (called once from the ledger app's ready())."""
    from celery.signals import task_postrun, task_prerun

    pre_save.connect(_on_pre_save, dispatch_uid="journal_pre_save")
    post_save.connect(_on_post_save, dispatch_uid="journal_post_save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="journal_pre_delete")
    post_delete.connect(_on_post_delete, dispatch_uid="journal_post_delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="journal_m2m_changed")
    task_prerun.connect(_on_task_prerun, dispatch_uid="journal_task_prerun", weak=False)
    task_postrun.connect(_on_task_postrun, dispatch_uid="journal_task_postrun", weak=False)


# --- bulk writes ----------------------------------------------------------------


def bulk_create(model: type[models.Model], objs: list[models.Model], *, batch_size: int = 1000) -> list[models.Model]:
    """``Model.objects.bulk_create`` with one journal entry per created row."""
    with transaction.atomic():
        lock()
        created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        append_many(Change("create", object_type(model), str(obj.pk), _created_changes(obj)) for obj in created)
    return created


# --- verification ---------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str = ""


def verify(*, progress=None) -> Verification:
    """Recompute the chain from the first entry and name the first entry that does not match."""
    from ledger.models import JournalEntry

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


def _same(field: models.Field, kept: Any, live: Any) -> bool:
    """Equal as the field understands its values (18000 and 18000.00, one instant in two offsets)."""
    if kept == live:
        return True
    try:
        return field.to_python(kept) == field.to_python(live)
    except (ValidationError, TypeError, ValueError):  # a value the field cannot read is not the same
        return False


def _replayed(object_type_: str) -> dict[str, dict[str, Any] | None]:
    """The latest state of each object of a type, replayed from its entries (None: deleted)."""
    from ledger.models import JournalEntry

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
    mismatches.
    """
    from django.apps import apps

    found: list[RowMismatch] = []
    for model in apps.get_models():
        if not is_journaled(model):
            continue
        table = model._meta.db_table
        state = _replayed(object_type(model))
        fields = [f for f in model._meta.concrete_fields if not getattr(f, "auto_now", False)]
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
