"""Monthly partitions of the follower snapshots: created ahead, detached for archive.

The table is partitioned by month of ``captured_at`` (UTC) since migration 0019, which
also installed ``ledger_snapshot_partition_create(month)``, the one place that knows how
a month's partition is made. See docs/scale.md and ADR 0006.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.utils import timezone

from core.errors import ConflictError
from ledger.choices import HistoryKind
from ledger.history import influencer_history, influencers_of_accounts
from ledger.models import FollowerAnomaly, FollowerSnapshot, ProfileRefresh

PARENT = FollowerSnapshot._meta.db_table
# How long creating or detaching a partition waits for its lock on the table before giving
# up (a later run tries again), so that a long read never queues every other query behind it.
LOCK_TIMEOUT = "10s"

_BOUND = re.compile(r"FROM \((?P<start>[^)]*)\) TO \((?P<end>[^)]*)\)")


@dataclass(frozen=True)
class Partition:
    """One attached partition: rows with ``start <= captured_at < end`` (``start`` None: no lower bound)."""

    name: str
    start: datetime | None
    end: datetime


def _moment(bound: str) -> datetime | None:
    if bound.upper() == "MINVALUE":
        return None
    return datetime.fromisoformat(bound.strip("'")).astimezone(UTC)


def month_start(moment: date | datetime) -> date:
    """The first day of the (UTC) month ``moment`` falls in."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def snapshot_partitions() -> list[Partition]:
    """The attached partitions of the follower snapshots, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [PARENT],
        )
        found = []
        for name, bound in cursor.fetchall():
            match = _BOUND.search(bound)
            found.append(Partition(name, _moment(match["start"]), _moment(match["end"])))
    return sorted(found, key=lambda p: p.end)


@transaction.atomic
def snapshot_partitions_create(
    *, months_ahead: int = 3, since: date | None = None, now: datetime | None = None
) -> list[str]:
    """Make sure a partition exists for this month and the ``months_ahead`` after it; the names created.

    Idempotent. Months between the newest partition and this one (the task did not run
    for a while) are created too, so no capture time of the past is left without one.
    ``since`` (a month) also gives the months from then on partitions of their own, taken
    from the partition of older rows (``..._before``), which must hold none of them yet:
    for a ledger about to import its history.
    """
    this_month = month_start(now or timezone.now())
    found = snapshot_partitions()
    newest = max((p.end for p in found), default=None)
    month = min(this_month, newest.date()) if newest else this_month
    last = this_month
    for _ in range(months_ahead):
        last = _next_month(last)
    created = []
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        oldest = found[0] if found and found[0].start is None else None
        if since is not None and oldest is not None and month_start(since) < oldest.end.date():
            created += _split_oldest(cursor, oldest, month_start(since))
        while month <= last:
            created += _create(cursor, month)
            month = _next_month(month)
    return created


def _create(cursor, month: date) -> list[str]:
    cursor.execute("SELECT to_regclass(%s) IS NULL, ledger_snapshot_partition_create(%s)", [_name(month), month])
    missing, name = cursor.fetchone()
    return [name] if missing else []


def _split_oldest(cursor, oldest: Partition, since: date) -> list[str]:
    """Monthly partitions from ``since`` up to where the partition of older rows ended; it then ends at ``since``."""
    cursor.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{oldest.name}"')
    cursor.execute(f'SELECT count(*) FROM "{oldest.name}" WHERE captured_at >= %s', [since])  # noqa: S608
    if cursor.fetchone()[0]:
        raise ConflictError(f"{oldest.name} already holds snapshots from {since:%Y-%m} on: it is not split.")
    created, month = [], since
    while month < oldest.end.date():
        created += _create(cursor, month)
        month = _next_month(month)
    cursor.execute(
        f'ALTER TABLE "{PARENT}" ATTACH PARTITION "{oldest.name}" FOR VALUES FROM (MINVALUE) TO (%s)',
        [datetime.combine(since, datetime.min.time(), tzinfo=UTC)],
    )
    return created


def _name(month: date) -> str:
    return f"{PARENT}_p{month:%Y_%m}"


@dataclass(frozen=True)
class Detached:
    """A partition taken out of the table for archive: still a table of its own, with ``rows`` rows."""

    name: str
    start: datetime | None
    end: datetime
    rows: int
    refreshes_unlinked: int


def _in(prefix: str, partition: Partition) -> dict:
    bounds = {f"{prefix}__lt": partition.end}
    if partition.start is not None:
        bounds[f"{prefix}__gte"] = partition.start
    return bounds


def snapshot_partitions_detach(*, before: date, dry_run: bool = False) -> list[Detached]:
    """Detach every partition whose months all lie before ``before`` (the first of a month), for archive.

    The detached partitions stay in the database as plain tables (``pg_dump -t NAME``,
    then ``DROP TABLE``); the ledger no longer reads them. Follower anomalies are evidence
    and keep their snapshots: a partition holding a snapshot an anomaly points to is not
    detached (ConflictError, nothing detached). Refresh attempts are an operational log:
    their link to an archived snapshot is cleared, as deleting the snapshot would, and the
    history's index drops their follower changes (the accounts' series are rebuilt).
    All partitions are detached in one transaction, or none.
    """
    chosen = [p for p in snapshot_partitions() if p.end.date() <= before]
    blocked = {
        p.name: n
        for p in chosen
        if (
            n := FollowerAnomaly.objects.filter(**_in("snapshot__captured_at", p)).count()
            + FollowerAnomaly.objects.filter(**_in("previous_snapshot__captured_at", p)).count()
        )
    }
    if blocked:
        listed = ", ".join(f"{name} ({n})" for name, n in blocked.items())
        raise ConflictError(f"Follower anomalies point to snapshots of these partitions: {listed}. Nothing detached.")
    out, archived = [], set()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        for p in chosen:
            cursor.execute(f'SELECT count(*) FROM "{p.name}"')  # noqa: S608 - a name from the catalog
            rows = cursor.fetchone()[0]
            unlinked = 0
            if not dry_run:
                unlinked = ProfileRefresh.objects.filter(**_in("snapshot__captured_at", p)).update(snapshot=None)
                cursor.execute(f'SELECT DISTINCT account_id FROM "{p.name}"')  # noqa: S608 - as above
                archived.update(account_id for (account_id,) in cursor.fetchall())
                cursor.execute(f'ALTER TABLE "{PARENT}" DETACH PARTITION "{p.name}"')
            out.append(Detached(p.name, p.start, p.end, rows, unlinked))
        if archived:
            # A detach changes no row the capture triggers see: the history's index learns of it here.
            influencer_history.reindex(set(influencers_of_accounts(archived)), [HistoryKind.FOLLOWER_CHANGE])
    return out
