"""Benchmark: what journaling costs writers, and how fast the sequencer integrates.

Creates a fresh PostgreSQL database (``ledger_bench_journal``, or ``BENCH_DB``; dropped at
the end unless ``BENCH_KEEP=1``), migrates it (which installs the capture triggers) and
makes ``BENCH_WRITERS`` (8) accounts. Then:

1. writers: ``BENCH_WRITERS`` processes, each with its own connection, insert
   ``BENCH_WRITES`` (1,000) follower snapshots each through the ORM, one transaction per
   snapshot, all at once; once with the journal's capture triggers on the snapshot table
   disabled, once with them on (alternating, ``BENCH_ROUNDS`` (2) rounds each, best of each).
   ``writers ratio`` = snapshots/s journaled / snapshots/s not journaled (aim >= 0.7).
2. sequencer: ``journal.integrate()`` over the queue the journaled round left, against
   ``hashlib.sha256`` over the canonical bytes of the same entries.
   ``sequencer ratio`` = entries/s integrated / entries/s hashed (aim >= 0.5). For scale it
   also prints the rate of a bare COPY of the same finished entries into an empty table
   like the journal's (same indexes and checks): what storing them costs, with nothing built.

    make bench-journal
    BENCH_WRITES=300 .venv/bin/python bench/journal.py      # a quick run
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_journal")
WRITERS = int(os.environ.get("BENCH_WRITERS", "8"))
WRITES = int(os.environ.get("BENCH_WRITES", "1000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "LOG_LEVEL": "WARNING",
    # the risk app enqueues a recomputation per snapshot: an in-memory broker takes it at once
    "CELERY_BROKER_URL": "memory://",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
TRIGGERS = ("journal_capture_insert", "journal_capture_update", "journal_capture_delete")


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup() -> None:
    admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
    admin_sql(f'CREATE DATABASE "{DB_NAME}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
    )


def django_ready() -> None:
    os.environ.update(ENV)
    import django

    django.setup()


def writer(index: int, round_: int, start, results) -> None:
    """One writer: its own connection, one snapshot per transaction."""
    django_ready()
    from datetime import UTC, datetime, timedelta

    from django.db import connection, transaction

    from ledger.models import FollowerSnapshot, PlatformAccount

    account = PlatformAccount.objects.order_by("pk")[index]
    base = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=400 * round_)
    connection.ensure_connection()
    start.wait()
    began = time.perf_counter()
    for i in range(WRITES):
        with transaction.atomic():
            FollowerSnapshot.objects.create(
                account=account, captured_at=base + timedelta(minutes=i), follower_count=1000 + i, source="import"
            )
    results.put(time.perf_counter() - began)


def run_writers(round_: int) -> float:
    """Snapshots per second of all writers together (total rows / wall time of the slowest)."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(WRITERS + 1), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(i, round_, start, results)) for i in range(WRITERS)]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    times = [results.get(timeout=3600) for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    return WRITERS * WRITES / max(wall, max(times))


def set_triggers(enabled: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name in TRIGGERS:
            verb = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE ledger_followersnapshot {verb} TRIGGER {name}")


def copy_rate(first: int) -> float:
    """Entries/s of a bare COPY of the finished entries from ``first`` on into an empty table like the journal."""
    from django.db import connection, transaction

    columns = "seq, occurred_at, actor, action, object_type, object_id, changes, prev_hash, hash, leaf_hash"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM ledger_journalentry WHERE seq >= %s ORDER BY seq", [first])  # noqa: S608
        rows = cursor.fetchall()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_entries (LIKE ledger_journalentry INCLUDING ALL) ON COMMIT DROP")
        began = time.perf_counter()
        with cursor.copy(f"COPY bench_entries ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return len(rows) / (time.perf_counter() - began)


def main() -> None:
    setup()
    try:
        django_ready()
        from django.db import connection, transaction

        from core import journal
        from core.models import JournalEntry
        from ledger.models import Influencer, PlatformAccount

        with transaction.atomic():
            people = Influencer.objects.bulk_create([Influencer(display_name=f"Bench {i}") for i in range(WRITERS)])
            PlatformAccount.objects.bulk_create(
                [
                    PlatformAccount(influencer=p, platform="douyin", handle=f"b{i}", platform_uid=f"bench{i}")
                    for i, p in enumerate(people)
                ]
            )
        journal.integrate()
        connection.close()

        plain, journaled, integrate_rates, hash_rates, copy_rates = [], [], [], [], []
        for r in range(ROUNDS):
            set_triggers(False)
            connection.close()
            plain.append(run_writers(2 * r))
            print(f"round {r + 1}: writers without journal {plain[-1]:,.0f}/s", flush=True)
            set_triggers(True)
            connection.close()
            journaled.append(run_writers(2 * r + 1))
            queued = journal.queue_size()
            first = (JournalEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
            began = time.perf_counter()
            appended = journal.integrate()
            integrate_rates.append(appended / (time.perf_counter() - began))
            if not appended == queued == WRITERS * WRITES:
                raise SystemExit(f"integrated {appended} of {queued} queued changes")
            blobs = [journal.entry_bytes(e) for e in JournalEntry.objects.filter(seq__gte=first).order_by("seq")]
            began = time.perf_counter()
            for blob in blobs:
                hashlib.sha256(blob).digest()
            hash_rates.append(len(blobs) / (time.perf_counter() - began))
            copy_rates.append(copy_rate(first))
            print(
                f"round {r + 1}: writers without journal {plain[-1]:,.0f}/s, with journal {journaled[-1]:,.0f}/s; "
                f"sequencer {integrate_rates[-1]:,.0f} entries/s, sha256 {hash_rates[-1]:,.0f} entries/s "
                f"({sum(map(len, blobs)) / len(blobs):.0f} bytes each), bare COPY {copy_rates[-1]:,.0f} entries/s"
            )
        print(f"writers: {WRITERS} connections x {WRITES} snapshots, one transaction each")
        print(f"  without journal triggers: {max(plain):,.0f} snapshots/s")
        print(f"  with journal triggers:    {max(journaled):,.0f} snapshots/s")
        print(f"  writers ratio: {max(journaled) / max(plain):.2f} (aim >= 0.7)")
        print(
            f"sequencer: {max(integrate_rates):,.0f} entries/s; hashlib.sha256 of the same bytes: "
            f"{max(hash_rates):,.0f} entries/s"
        )
        print(f"  sequencer ratio: {max(integrate_rates) / max(hash_rates):.3f} (aim >= 0.5)")
        print(
            f"  for scale: a bare COPY of the same entries into a table like the journal's: "
            f"{max(copy_rates):,.0f} entries/s (sequencer / COPY {max(integrate_rates) / max(copy_rates):.2f})"
        )
        if not journal.verify().ok:
            raise SystemExit("the journal does not verify")
        connection.close()
    finally:
        if not KEEP:
            admin_sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
