"""Bulk ingest: a file of accounts, snapshots, reviews or quotes into the ledger, all or nothing.

The file streams through Python once: each row's cells are parsed and checked
(the rules that only Python can check, see ``ingest.values``) and COPYed into the
TEMP table ``ingest_stage`` with its line number. Then, in one transaction that
set-based SQL checks every
row against the ledger (``ingest.kinds``), and only if no row is bad, writes the
rows with ``INSERT ... SELECT`` (rows the ledger already holds with the same
values are skipped; when some rows were not created, those the ledger holds with
other values are conflicts, which roll the write back); the tables' triggers journal
every row, and one batch entry names the file. Memory stays
flat: no model instance per row, errors kept to the first ``MAX_REPORTED_ERRORS``.
"""

from __future__ import annotations

import contextlib
import heapq
import logging
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from django.core.files import File
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from core import journal
from core.errors import DomainError
from core.users import AnyUser
from ingest import reading
from ingest.kinds import KINDS, Kind, Written
from ingest.models import IngestJob, IngestStatus
from ingest.reading import FileUnreadable, RowError

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 100
PROGRESS_EVERY = 50_000  # rows per COPY statement; the job's progress is saved between them
_TEMP_TABLES = ("ingest_stage", "ingest_error", "ingest_stage_target", "ingest_created")


class IngestRejected(DomainError):
    """The file was not ingested: ``errors`` (the first ones, by line) name each bad row and column."""

    def __init__(self, errors: list[RowError], total: int):
        self.errors, self.total = errors, total
        more = _(" (and %d more)") % (total - len(errors)) if total > len(errors) else ""
        lines = "\n".join(str(e) for e in errors)
        super().__init__(
            _("The file was not ingested: %(n)d error(s)%(more)s; nothing was written.\n%(lines)s")
            % {"n": total, "more": more, "lines": lines},
            field="file",
        )


# --- the journal --------------------------------------------------------------------------


def journal_batch(*, job: IngestJob, written: Written) -> None:
    """Record the ingest in the journal as ONE batch entry: the file's digest, kind, counts and actor.

    The rows themselves are journaled one entry each by the tables' triggers; this
    entry names the job, whose file and digest prove what was ingested.
    """
    counts = {"created": written.created, "updated": written.updated, "unchanged": job.unchanged, **written.extra}
    changes = {
        "kind": job.kind,
        "file_name": job.file_name,
        "sha256": job.sha256,
        "rows": job.rows_total,
        **counts,
        "update": job.update,
    }
    journal.append_many(
        [
            journal.Change(
                "create", "ingest.batch", str(job.pk), {k: {"before": None, "after": v} for k, v in changes.items()}
            )
        ],
        actor=job.actor,
    )


# --- running a job ------------------------------------------------------------------------


def ingest_job_create(
    *,
    kind: str,
    file_format: str,
    actor: str,
    file_name: str = "",
    update: bool = False,
    user: AnyUser | None = None,
    upload: File[bytes] | None = None,
) -> IngestJob:
    """A queued job for a file (``upload``: the file to keep for a worker, if any)."""
    if kind not in KINDS:
        raise DomainError(_("Unknown kind %r: use accounts, snapshots, reviews or quotes.") % kind, field="kind")
    if file_format not in KINDS[kind].formats:
        raise DomainError(
            _("%(kind)s are read from %(formats)s files.") % {"kind": kind, "formats": ", ".join(KINDS[kind].formats)},
            field="file",
        )
    job = IngestJob(
        kind=kind,
        file_format=file_format,
        file_name=file_name[:300],
        actor=actor,
        update=update,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    if upload is not None:
        job.file.save(file_name or f"upload.{file_format}", upload, save=False)
    job.save()
    return job


def ingest_job_run(*, job: IngestJob, source: IO[bytes], follow_up: bool = True) -> IngestJob:
    """Ingest ``source`` (plain or gzip) for ``job``: every row or none. Returns the finished job.

    A bad file leaves the job ``failed`` with its errors and raises :class:`IngestRejected`.
    """
    kind = KINDS[job.kind]
    _save(job, status=IngestStatus.RUNNING, started_at=timezone.now(), phase="reading")
    hashing = reading.HashingReader(source)
    try:
        _drop_temp_tables()
        with connection.cursor() as cursor:
            python_errors, python_error_total = _stage(cursor, kind, job, reading.decompressed(hashing))
            _save(job, phase="checking", sha256=hashing.sha256.hexdigest())
            with transaction.atomic(), journal.acting_as(job.actor):  # the rows' journal entries name the job's actor
                if kind.prepare is not None:
                    kind.prepare(cursor)
                _check(cursor, kind)
                _reject_if_errors(cursor, python_errors, python_error_total)
                _save(job, phase="writing")
                written = kind.write(cursor, job.update, job.actor)
                if not job.update and written.created < job.rows_total:
                    # Some rows were there already: those with other values are conflicts (and roll all back).
                    kind.conflicts(cursor)
                    _reject_if_errors(cursor, [], 0)
                job.created, job.updated = written.created, written.updated
                job.unchanged = job.rows_total - written.created - written.updated
                job.account_ids = sorted(written.account_ids)
                journal_batch(job=job, written=written)
                _save(job, status=IngestStatus.SUCCEEDED, phase="", finished_at=timezone.now())
                if follow_up:
                    from ingest.tasks import ingest_follow_up

                    ingest_follow_up.delay_on_commit(job.pk)
    except FileUnreadable as exc:
        _fail(job, exc.errors, len(exc.errors))
        raise IngestRejected(exc.errors, len(exc.errors)) from exc
    except IngestRejected as exc:
        _fail(job, exc.errors, exc.total)
        raise
    except Exception:
        # Not the file's fault (the database went away, a bug): the job must not stay "running".
        with contextlib.suppress(DatabaseError):
            if not connection.needs_rollback:
                _fail(job, [RowError(0, "", _("The ingest stopped on an internal error; nothing was written."))], 1)
        raise
    finally:
        _drop_temp_tables()
    return job


def _save(job: IngestJob, **values: Any) -> None:
    """Save the job's progress at once (outside the ingest's transaction, so others see it)."""
    for name, value in values.items():
        setattr(job, name, value)
    IngestJob.objects.filter(pk=job.pk).update(**{**values, **_counts(job)})


def _counts(job: IngestJob) -> dict[str, Any]:
    names = ("rows_read", "rows_total", "created", "updated", "unchanged", "account_ids")
    return {name: getattr(job, name) for name in names}


def _fail(job: IngestJob, errors: list[RowError], total: int) -> None:
    job.created = job.updated = job.unchanged = 0
    job.account_ids = []
    _save(
        job,
        status=IngestStatus.FAILED,
        phase="",
        finished_at=timezone.now(),
        error_count=total,
        errors=[e.as_dict() for e in errors],
    )


def _drop_temp_tables() -> None:
    if connection.needs_rollback:
        return  # the caller's transaction is being rolled back: its temporary tables go with it
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TEMP_TABLES)}")


# --- staging ------------------------------------------------------------------------------


def _stage(cursor: CursorWrapper, kind: Kind, job: IngestJob, source: IO[bytes]) -> tuple[list[RowError], int]:
    """COPY every good row of the file into ``ingest_stage``; return the first errors and their count."""
    definitions = ", ".join(f"{c.name} {c.sql_type}" for c in kind.columns)
    cursor.execute(f"CREATE TEMP TABLE ingest_stage (line integer NOT NULL, {definitions})")
    cursor.execute("CREATE TEMP TABLE ingest_error (line integer NOT NULL, col text NOT NULL, message text NOT NULL)")
    copy_sql = f"COPY ingest_stage (line, {', '.join(kind.names)}) FROM STDIN"
    errors: list[RowError] = []
    error_total = rows_total = 0
    parsed = _parsed_rows(kind, reading.rows(source, job.file_format), header=job.file_format != "jsonl")
    unreadable = None
    while True:
        chunk_rows = 0
        with cursor.copy(copy_sql) as copy:
            try:
                for row, row_errors in islice(parsed, PROGRESS_EVERY):
                    chunk_rows += 1
                    if row_errors:
                        error_total += len(row_errors)
                        errors.extend(row_errors[: MAX_REPORTED_ERRORS - len(errors)])
                    else:
                        copy.write_row(row)
            except FileUnreadable as exc:  # end the COPY cleanly: an aborted one would abort the transaction
                unreadable = exc
        if unreadable is not None:
            raise unreadable
        rows_total += chunk_rows
        job.rows_read = job.rows_total = rows_total
        _save(job)
        if chunk_rows < PROGRESS_EVERY:
            break
    if rows_total == 0:
        raise FileUnreadable([RowError(2, "", _("The file holds no rows."))])
    # Statistics for the planner, of the columns the checks and writes join on only (wide text is costly to sample).
    joined = [name for name in ("platform", "platform_uid", *kind.key) if name in kind.names]
    cursor.execute(f"ANALYZE ingest_stage (line, {', '.join(dict.fromkeys(joined))})")
    return errors, error_total


def _parsed_rows(
    kind: Kind, rows: Iterator[tuple[int, dict[str, Any]]], *, header: bool
) -> Iterator[tuple[tuple[Any, ...], list[RowError]]]:
    """Each row as the tuple to COPY (line first), with the problems found in it.

    ``header``: the file has a header row (CSV, XLSX), checked with the first row; without
    one (JSON Lines) each row's keys are checked. Parsers get text already stripped.
    The loop runs once per row of the file: it is kept lean.
    """
    specs = [(c.name, c.parse, c.required, c.default) for c in kind.columns]
    known = frozenset(kind.names)
    check_keys = not header
    row_check, names = kind.row_check, kind.names
    required = _("Required.")
    for line, cells in rows:
        if header:
            _check_header(kind, cells)
            header = False
        if "" in cells:
            yield (), [RowError(line, "", str(cells[""]))]
            continue
        values: list[Any] = [line]
        problems: list[RowError] = []
        for name, parse, is_required, default in specs:
            raw: Any = cells.get(name)
            if raw.__class__ is str:
                raw = raw.strip() or None
            if raw is None:
                if is_required:
                    problems.append(RowError(line, name, required))
                values.append(default)
                continue
            try:
                values.append(parse(raw))
            except ValueError as exc:
                problems.append(RowError(line, name, str(exc)))
                values.append(None)
        if check_keys and not cells.keys() <= known:
            problems.extend(RowError(line, name, _("Unknown column.")) for name in sorted(set(cells) - known, key=str))
        if len(problems) > 1:
            problems.sort(key=lambda e: e.column)  # errors are reported by line, then column
        if not problems and row_check is not None:
            problems = [RowError(line, f, m) for f, m in row_check(dict(zip(names, values[1:], strict=True)))]
        yield tuple(values), problems


def _check_header(kind: Kind, cells: dict[str, Any]) -> None:
    """A CSV or XLSX header names every required column and no unknown one."""
    if "" in cells:
        return
    unknown = sorted(set(cells) - set(kind.names), key=str)
    missing = [c.name for c in kind.columns if c.required and c.name not in cells]
    problems = [RowError(1, name, _("Unknown column.")) for name in unknown]
    if missing:
        problems.append(RowError(1, ", ".join(missing), _("Required column missing.")))
    if problems:
        raise FileUnreadable(problems)


# --- checks -------------------------------------------------------------------------------


def _reject_if_errors(cursor: CursorWrapper, python_errors: list[RowError], python_total: int) -> None:
    errors, total = _errors(cursor, python_errors, python_total)
    if total:
        raise IngestRejected(errors, total)


def _check(cursor: CursorWrapper, kind: Kind) -> None:
    """Every set-based check: duplicates within the file, then the kind's own."""
    keys = ", ".join(kind.key)
    cursor.execute(
        "INSERT INTO ingest_error (line, col, message) SELECT line, %s, format(%s, first_line) FROM "  # noqa: S608
        f"(SELECT line, min(line) OVER (PARTITION BY {keys}) AS first_line FROM ingest_stage) d "
        "WHERE line <> first_line",
        [kind.key[-1], _("Duplicate of line %1$s (same %2$s).").replace("%2$s", keys)],
    )
    kind.check(cursor)


def _errors(cursor: CursorWrapper, python_errors: list[RowError], python_total: int) -> tuple[list[RowError], int]:
    """The first errors by line (found in Python while reading, and in SQL), and how many there are."""
    cursor.execute("SELECT count(*) FROM ingest_error")
    total = python_total + cursor.fetchone()[0]
    if not total:
        return [], 0
    cursor.execute("SELECT line, col, message FROM ingest_error ORDER BY line, col LIMIT %s", [MAX_REPORTED_ERRORS])
    from_sql = [RowError(*row) for row in cursor.fetchall()]
    merged = heapq.merge(python_errors, from_sql, key=lambda e: (e.line, e.column))
    return list(islice(merged, MAX_REPORTED_ERRORS)), total


def ingest_file(
    *,
    kind: str,
    source: IO[bytes],
    file_format: str,
    actor: str,
    file_name: str = "",
    update: bool = False,
    follow_up: bool = True,
) -> IngestJob:
    """Ingest a file at once (the command): a job is created and run in this process."""  # fmt: skip
    job = ingest_job_create(kind=kind, file_format=file_format, actor=actor, file_name=file_name, update=update)
    return ingest_job_run(job=job, source=source, follow_up=follow_up)
