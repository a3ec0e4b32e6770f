"""Benchmark: the bulk ingest against a raw COPY of the same rows into the same table, in one run.

Creates a fresh PostgreSQL database (``ledger_bench_ingest``, or ``BENCH_DB``; dropped at
the end unless ``BENCH_KEEP=1``), fills it with 1,000 influencers and accounts and a
few targets (raw SQL: throw-away data), writes a CSV of ``BENCH_SNAPSHOTS`` (1,000,000)
follower snapshots and one of ``BENCH_REVIEWS`` (100,000) reviews, each with one target,
then for each file:

1. baseline: ``COPY`` of the same rows (account ids already resolved) straight into the
   same table, in a transaction that is rolled back (then ``VACUUM``);
2. ``manage.py ingest KIND FILE --no-follow-up`` in its own process: its time (the job's
   start to finish, also the process's wall time), rows/s, and its peak memory
   (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that process);
3. the same command again: every row is already there, nothing is created.

and prints ``ratio: X`` = ingest rows/s / COPY rows/s (aim >= 0.5) and the peak memory
(aim <= 200 MB).

    make bench-ingest
    BENCH_SNAPSHOTS=20000 BENCH_REVIEWS=5000 .venv/bin/python bench/ingest.py    # a quick run
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_ingest")
SNAPSHOTS = int(os.environ.get("BENCH_SNAPSHOTS", "1000000"))
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "100000"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
ACCOUNTS = 1_000
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "LOG_LEVEL": "WARNING",
}
NOW = "2025-01-01T00:00:00Z"
TARGET_PATHS = ["NIO > NIO ES6", "XIAOMI > XIAOMI SU7", "XPeng > XPeng G6", "Deepal"]


def run(*args: str) -> str:
    done = subprocess.run(args, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)  # noqa: S603 - our own commands
    return done.stdout


def measure_ingest(kind: str, path: Path) -> dict:
    """Run the ingest command in a process of its own (see ``_child``) and return what it reports."""
    started = time.perf_counter()
    out = run(sys.executable, str(Path(__file__)), "--child", kind, str(path))
    report = json.loads(out.strip().splitlines()[-1])
    report["wall"] = time.perf_counter() - started
    return report


def _child(kind: str, path: str) -> None:
    """In the ingest's own process: run the command, print its job's figures and this process's peak memory."""
    import resource

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from io import StringIO

    from django.core.management import call_command

    from ingest.models import IngestJob

    call_command("ingest", kind, path, "--no-follow-up", stdout=StringIO())
    job = IngestJob.objects.latest("pk")
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({
        "seconds": (job.finished_at - job.started_at).total_seconds(), "rows": job.rows_total,
        "created": job.created, "unchanged": job.unchanged, "status": job.status, "peak_mb": peak_kib / 1024,
    }))  # fmt: skip


def write_files(folder: Path) -> tuple[Path, Path, Path, Path]:
    """The two CSV files to ingest, and the same rows as the baseline COPY takes them (tab-separated, ids resolved)."""
    snapshots, snapshots_copy = folder / "snapshots.csv", folder / "snapshots.tsv"
    days = max(1, SNAPSHOTS // ACCOUNTS)
    with snapshots.open("w") as csv, snapshots_copy.open("w") as tsv:
        csv.write("platform,platform_uid,captured_at,follower_count,source\n")
        written = 0
        for day in range(days):
            when = f"2023-{1 + day // 28 % 12:02d}-{1 + day % 28:02d}T{day // 336 % 24:02d}:00:00+08:00"
            for account in range(1, ACCOUNTS + 1):
                if written == SNAPSHOTS:
                    break
                count = 100_000 * account + 50 * day
                csv.write(f"douyin,uid{account},{when},{count},import\n")
                tsv.write(f"{account}\t{when}\t{count}\timport\t{NOW}\n")
                written += 1
    reviews, reviews_copy = folder / "reviews.csv", folder / "reviews.tsv"
    with reviews.open("w") as csv, reviews_copy.open("w") as tsv:
        csv.write("platform,platform_uid,url,post_id,headline,published_at,duration_seconds,targets,views,"
                  "engagement_captured_at\n")  # fmt: skip
        for i in range(REVIEWS):
            account = 1 + i % ACCOUNTS
            url = f"https://example.invalid/bench/{i}"
            when = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00+08:00"
            headline = f"Bench review {i}: 车门打不开"
            csv.write(
                f"douyin,uid{account},{url},p{i},{headline},{when},{1 + i % 90},{TARGET_PATHS[i % 4]},{i},{when}\n"
            )
            fixed = f"{1 + i % 90}\tnegative\tf\tf\t{i}\t{when}\tlive\t{NOW}\t{NOW}"
            tsv.write(f"{account}\t{url}\tp{i}\t{headline}\t\t{when}\t{fixed}\n")
    return snapshots, snapshots_copy, reviews, reviews_copy


SNAPSHOT_COPY = "COPY ledger_followersnapshot (account_id, captured_at, follower_count, source, recorded_at) FROM STDIN"
REVIEW_COPY = (
    "COPY reviews_review (account_id, url, post_id, headline, text, published_at, duration_seconds, stance, "
    "suspected_ai, undisclosed_ad, views, engagement_captured_at, status, created_at, updated_at) FROM STDIN"
)


def baseline(conn, sql: str, path: Path) -> float:
    """Seconds for a raw COPY of the file's rows into the table (rolled back, then vacuumed)."""
    with conn.transaction(force_rollback=True), conn.cursor() as cursor:
        started = time.perf_counter()
        with cursor.copy(sql) as copy, path.open("rb") as rows:
            while block := rows.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
    conn.execute(f"VACUUM ANALYZE {sql.split()[1]}")
    return seconds


def main() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    try:
        print(f"database {DB_NAME}: migrating ...", flush=True)
        run(sys.executable, "manage.py", "migrate", "--no-input", "-v0")
        with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn:
            conn.execute(
                "INSERT INTO ledger_influencer (id, display_name, kind, legal_name, notes, created_at, updated_at) "
                "SELECT i, 'Bench blogger ' || i, 'person', '', '', now(), now() FROM generate_series(1, %s) i",
                [ACCOUNTS],
            )
            conn.execute(
                "INSERT INTO ledger_platformaccount (id, influencer_id, platform, handle, platform_uid, profile_url, "
                "status, created_at, updated_at) SELECT i, i, 'douyin', 'bench_' || i, 'uid' || i, '', 'active', "
                "now(), now() FROM generate_series(1, %s) i",
                [ACCOUNTS],
            )
            for path in TARGET_PATHS:
                parent = None
                for name in path.split(" > "):
                    found = conn.execute(
                        "SELECT id FROM reviews_target WHERE name = %s AND parent_id IS NOT DISTINCT FROM %s",
                        [name, parent],
                    ).fetchone()
                    parent = found[0] if found else conn.execute(
                        "INSERT INTO reviews_target (name, kind, parent_id, uscc, created_at, updated_at) "
                        "VALUES (%s, 'brand', %s, '', now(), now()) RETURNING id", [name, parent],
                    ).fetchone()[0]  # fmt: skip
            with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
                print(f"writing {SNAPSHOTS:,} snapshots and {REVIEWS:,} reviews ...", flush=True)
                snapshots, snapshots_copy, reviews, reviews_copy = write_files(Path(tmp))
                peaks = []
                for kind, path, sql, copy_path in (
                    ("snapshots", snapshots, SNAPSHOT_COPY, snapshots_copy),
                    ("reviews", reviews, REVIEW_COPY, reviews_copy),
                ):
                    copy_seconds = baseline(conn, sql, copy_path)
                    first = measure_ingest(kind, path)
                    again = measure_ingest(kind, path)
                    rows = first["rows"]
                    ratio = (rows / first["seconds"]) / (rows / copy_seconds)
                    peaks += [first["peak_mb"], again["peak_mb"]]
                    print(f"\n{kind}: {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB of CSV)")
                    copy_rate = rows / copy_seconds
                    print(f"  raw COPY (same rows, ids resolved):  {copy_seconds:7.2f} s  {copy_rate:>10,.0f} rows/s")
                    print(f"  ingest ({first['status']}, created {first['created']:,}): {first['seconds']:7.2f} s  "
                          f"{rows / first['seconds']:>10,.0f} rows/s  (process wall {first['wall']:.2f} s, "
                          f"peak {first['peak_mb']:.0f} MB)")  # fmt: skip
                    print(f"  ingest again (created {again['created']:,}, unchanged {again['unchanged']:,}): "
                          f"{again['seconds']:7.2f} s  (peak {again['peak_mb']:.0f} MB)")  # fmt: skip
                    print(f"  ratio: {ratio:.2f}  (ingest rows/s / COPY rows/s; aim >= 0.5)")
                print(f"\npeak memory of an ingest process: {max(peaks):.0f} MB (aim <= 200 MB)")
    finally:
        if not KEEP:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
    else:
        main()
