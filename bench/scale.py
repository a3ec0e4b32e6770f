"""Scale benchmark: the read endpoints and the refresh fan-out on a scaled-down national ledger.

The national ledger of the issue holds 200,000 accounts, 20,000,000 follower snapshots
and 1,000,000 reviews. Filling and indexing that takes longer than the 30 minutes this
run may take on a shared 2-core machine, so the run scales it by ``BENCH_SCALE``
(default 0.1: 20,000 accounts with 100 daily snapshots each, i.e. 2,000,000 snapshots,
100,000 reviews, 10,000 influencers; ``BENCH_SCALE=1`` is the full size). In the same
run it fills a small ledger of the same shape, a hundredth of the national one (2,000
accounts, 200,000 snapshots: the same 100 days per account), and measures both:

- p50/p95 of the heavy influencer's history (``GET /api/v1/influencers/1/history/``:
  5 accounts with 3 years of daily snapshots on both databases),
- p50/p95 of the follower series of one of its accounts (``GET /api/v1/accounts/1/followers/``),
- p50/p95 of the filtered account list (``GET /api/v1/accounts/?platform=douyin&status=active
  &min_followers=N&ordering=-follower_count``, N the 75th percentile of douyin's counts
  in that database, so both select the same share, a full page and a count),

through Django's full request stack with a Bearer token, and prints the large/small
ratio of each; then, on each database, the time to find the due accounts and to fan out
one ``ledger.refresh_account`` message per due account to Redis (BENCH_REDIS_URL,
default ``redis://127.0.0.1:6379/10``; its Celery queue is purged before and after),
and the size on disk. Databases: ``BENCH_DB`` (default ``ledger_bench_scale``) and the
same name with ``_small``, dropped at the end unless ``BENCH_KEEP=1``. Rows are written
by set-based SQL (bench/fill.py), bypassing the journal.

    make bench-scale
    BENCH_SCALE=0.02 BENCH_RUNS=20 .venv/bin/python bench/scale.py   # a quick look
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill import Sizes, fill  # noqa: E402
from bench.server import server_url  # noqa: E402 - after the path is set

PG = server_url()
SCALE = float(os.environ.get("BENCH_SCALE", "0.1"))
RUNS = int(os.environ.get("BENCH_RUNS", "50"))
KEEP = os.environ.get("BENCH_KEEP") == "1"
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_scale")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
DAYS, HEAVY_DAYS = 100, 3 * 365


def national(scale: float) -> Sizes:
    accounts = max(100, round(200_000 * scale))
    return Sizes(
        influencers=accounts // 2,
        accounts=accounts,
        days=DAYS,  # 100 snapshots per account: 20,000,000 at full size
        heavy_days=HEAVY_DAYS,
        quotes=accounts,
        reviews=max(100, round(1_000_000 * scale)),
    )


LEDGERS = [
    ("small", f"{DB_NAME}_small", national(0.01)),
    (f"national x {SCALE:g}", DB_NAME, national(SCALE)),
]
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    "LOG_REQUESTS_LEVEL": "WARNING",
    "CELERY_BROKER_URL": REDIS,
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
ENV.pop("DATABASE_REPLICA_URL", None)
ENV.pop("PROMETHEUS_MULTIPROC_DIR", None)


def admin_connection():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def prepare(db: str, sizes: Sizes) -> float:
    import psycopg

    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    env = {**ENV, "DATABASE_URL": f"{PG}/{db}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    # The filled history (from 2022 on) gets monthly partitions, as a ledger about to import it would.
    subprocess.run(
        [sys.executable, "manage.py", "snapshot_partitions", "create", "--since", "2021-12"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with psycopg.connect(f"{PG}/{db}", autocommit=True) as conn, conn.cursor() as cursor:
        seconds = fill(cursor, sizes, log=lambda line: print(line, flush=True))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "reindex_history", "--no-progress"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"  the history's index (reindex_history) in {time.perf_counter() - started:.1f} s", flush=True)
    return seconds + time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), statistics.quantiles(samples, n=100, method="inclusive")[94]


def measure() -> dict:
    """In a process whose DATABASE_URL is the ledger to measure; returns the figures."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from knox.models import AuthToken

    from config.celery import app
    from ledger import services, tasks

    user = User.objects.create_superuser("bench", "bench@example.invalid", secrets.token_urlsafe(16))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user)[1]}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(0.75) WITHIN GROUP (ORDER BY follower_count) FROM ledger_platformaccount "
            "WHERE platform = 'douyin'"
        )
        (threshold,) = cursor.fetchone()
    endpoints = {
        "influencer history": ("/api/v1/influencers/1/history/", {}),
        "follower series": ("/api/v1/accounts/1/followers/", {}),
        "filtered account list": (
            "/api/v1/accounts/",
            {"platform": "douyin", "status": "active", "min_followers": threshold, "ordering": "-follower_count"},
        ),
    }
    figures: dict = {"latency": {}}
    for name, (path, params) in endpoints.items():
        response = client.get(path, params)  # warm up
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        samples = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path, params)
            samples.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        body = response.json()
        rows = len(body["results"]) if isinstance(body, dict) else len(body)
        figures["latency"][name] = (*percentiles(samples), rows)

    app.conf.task_always_eager = False
    app.control.purge()
    started = time.perf_counter()
    due = len(list(services.accounts_due().values_list("pk", flat=True).iterator(chunk_size=5000)))
    figures["find_due_s"] = time.perf_counter() - started
    started = time.perf_counter()
    sent = tasks.refresh_due_accounts.run()
    figures["fan_out_s"] = time.perf_counter() - started
    figures["due"], figures["sent"] = due, sent
    app.control.purge()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), "
            # a partitioned table has no storage of its own: its partitions' sizes, with their indexes
            "(SELECT sum(pg_total_relation_size(inhrelid))::bigint FROM pg_inherits "
            " WHERE inhparent = 'ledger_followersnapshot'::regclass), "
            "(SELECT count(*) FROM ledger_followersnapshot), (SELECT count(*) FROM ledger_platformaccount), "
            "(SELECT count(*) FROM reviews_review)"
        )
        keys = ("db_bytes", "snapshot_bytes", "snapshots", "accounts", "reviews")
        figures.update(zip(keys, cursor.fetchone(), strict=True))
    return figures


def main() -> None:
    started = time.perf_counter()
    results = {}
    for label, db, sizes in LEDGERS:
        snapshots = sizes.accounts * sizes.days
        print(f"{label}: filling {db} ({sizes.accounts:,} accounts, {snapshots:,} snapshots)", flush=True)
        print(f"  filled in {prepare(db, sizes):.0f} s", flush=True)
        out = subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--measure"],
            cwd=ROOT,
            env={**ENV, "DATABASE_URL": f"{PG}/{db}"},
            check=True,
            stdout=subprocess.PIPE,  # the figures; errors go to the console
            text=True,
        )
        results[label] = json.loads(out.stdout.strip().splitlines()[-1])
    try:
        report(results)
    finally:
        if not KEEP:
            with admin_connection() as conn:
                for _, db, _ in LEDGERS:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    print(f"whole run: {time.perf_counter() - started:.0f} s")


def report(results: dict) -> None:
    (small_label, small), (large_label, large) = results.items()
    print(f"\nscale factor {SCALE:g} of the national ledger (200,000 accounts, 20M snapshots, 1M reviews)")
    for label, r in results.items():
        print(
            f"{label}: {r['accounts']:,} accounts, {r['snapshots']:,} snapshots, {r['reviews']:,} reviews; "
            f"database {r['db_bytes'] / 2**20:,.0f} MiB (snapshots with indexes {r['snapshot_bytes'] / 2**20:,.0f} MiB)"
        )
    head = f"{small_label + ' p50/p95 ms':>24}{large_label + ' p50/p95 ms':>30}"
    print(f"\n{'endpoint':<24}{head}{'ratio p50':>11}{'p95':>7}")
    for name, (p50, p95, rows) in large["latency"].items():
        s50, s95, srows = small["latency"][name]
        print(
            f"{name:<24}{s50:>12.1f} /{s95:>7.1f} ({srows:>4}){p50:>16.1f} /{p95:>7.1f} ({rows:>4})"
            f"{p50 / s50:>10.2f}{p95 / s95:>7.2f}"
        )
    for label, r in results.items():
        rate = r["sent"] / r["fan_out_s"] if r["fan_out_s"] else 0
        print(
            f"due refreshes, {label}: {r['due']:,} due found in {r['find_due_s'] * 1000:,.0f} ms; "
            f"found and fanned out ({r['sent']:,} messages) in {r['fan_out_s']:.1f} s ({rate:,.0f}/s)"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--measure"]:
        print(json.dumps(measure()))
    else:
        main()
