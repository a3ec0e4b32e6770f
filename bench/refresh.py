"""Benchmark: refresh 1,000 accounts through Redis and a real worker against the simulator.

Prints refreshes per second, the ideal (worker concurrency / simulator latency,
capped by the platform's rate limit) and, on its last line, ``ratio: X``.
Not part of the test suite. Needs PostgreSQL and Redis (defaults: the local ones).

    make bench-refresh
    BENCH_POOL=threads BENCH_CONCURRENCY=4 BENCH_WORKERS=1 .venv/bin/python bench/refresh.py

Workers are started with ``make worker`` (the recommended settings); BENCH_POOL and
BENCH_CONCURRENCY override its WORKER_POOL and WORKER_CONCURRENCY.

The measured span runs from the first attempt's start to the last attempt's end
(as recorded by the workers), so worker start-up is not counted.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import server_url  # noqa: E402 - after the path is set

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "1000"))
PROCESSES = int(os.environ.get("BENCH_WORKERS", "1"))  # worker processes
LATENCY_MS = float(os.environ.get("BENCH_LATENCY_MS", "50"))
RPS = float(os.environ.get("BENCH_RPS", "1000"))  # the platform's rate limit
PG = server_url()
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
SIM_PORT = int(os.environ.get("BENCH_SIM_PORT", "8799"))

ENV = {
    **os.environ,
    # Production settings: with DEBUG on, Django keeps every query it runs in memory.
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "CELERY_BROKER_URL": REDIS,
    "PLATFORM_DEFAULT_URL": f"http://127.0.0.1:{SIM_PORT}",
    "PLATFORM_DEFAULT_RPS": str(RPS),
    "LOG_LEVEL": "WARNING",
}


def worker_command(n: int) -> list[str]:
    """``make worker`` with the benchmark's overrides."""
    command = ["make", "--no-print-directory", "-s", "worker", f"WORKER_ARGS=--hostname=bench{n}@%h"]
    for env, var in (("BENCH_POOL", "WORKER_POOL"), ("BENCH_CONCURRENCY", "WORKER_CONCURRENCY")):
        if os.environ.get(env):
            command.append(f"{var}={os.environ[env]}")
    return command


def worker_settings() -> tuple[str, str, int]:
    """The celery command line ``make worker`` runs, its pool and its concurrency."""
    dry = subprocess.run([*worker_command(0), "-n"], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603
    line = " ".join(dry.stdout.replace("\\\n", " ").split())
    pool = re.search(r"--pool=(\S+)", line)
    concurrency = re.search(r"--concurrency=(\d+)", line)
    if not (pool and concurrency):
        raise SystemExit(f"cannot read the worker settings from: {line}")
    return line, pool[1], int(concurrency[1])


def run(*args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, env=ENV, check=True)  # noqa: S603


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    run("manage.py", "migrate", "-v0")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its threads, plus its children's (prefork pool processes)."""
    import glob

    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in [f"/proc/{pid}/stat", *glob.glob(f"/proc/{pid}/task/*/children")][:1]:
        fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return total + sum(_cpu_seconds(int(child)) for child in children)


def main() -> None:
    print(f"setting up: database {DB_NAME}, {ACCOUNTS} accounts", flush=True)
    fresh_database()
    os.environ.update(ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import redis
    from celery import Celery
    from django.db import transaction
    from django.db.models import Max, Min

    from ledger.models import FollowerSnapshot, Influencer, PlatformAccount, ProfileRefresh

    redis.Redis.from_url(REDIS).flushdb()
    with transaction.atomic():
        influencers = Influencer.objects.bulk_create(
            [Influencer(display_name=f"Bench blogger {i}") for i in range(ACCOUNTS // 5)]
        )
        PlatformAccount.objects.bulk_create(
            [
                PlatformAccount(
                    influencer=influencers[i % len(influencers)],
                    platform="douyin",
                    handle=f"b{i}",
                    platform_uid=f"b{i}",
                )
                for i in range(ACCOUNTS)
            ],
        )

    sim = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "simulate_platform", "--port", str(SIM_PORT), "--latency-ms", str(LATENCY_MS)],
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    line, pool, concurrency = worker_settings()
    print(f"worker: {line}", flush=True)
    logs = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    print(f"worker logs: {logs}", flush=True)
    workers = [
        subprocess.Popen(  # noqa: S603
            worker_command(n),
            cwd=ROOT,
            env=ENV,
            start_new_session=True,
            stdout=(logs / f"worker{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for n in range(PROCESSES)
    ]
    try:
        time.sleep(3)  # let the simulator and the worker start
        producer = Celery("bench", broker=REDIS)
        producer.conf.task_serializer = "json"
        producer.send_task("ledger.refresh_due_accounts")
        deadline = time.monotonic() + 600
        done = 0
        while done < ACCOUNTS and time.monotonic() < deadline:
            time.sleep(1)
            done = FollowerSnapshot.objects.filter(source="refresh").count()
            print(f"  {done}/{ACCOUNTS} refreshed", flush=True)
        if done < ACCOUNTS:
            raise SystemExit(f"only {done} of {ACCOUNTS} refreshed within 10 minutes")
        span = ProfileRefresh.objects.aggregate(start=Min("started_at"), end=Max("finished_at"))
        outcomes = dict(ProfileRefresh.objects.values_list("outcome").annotate(n=Min("id")).values_list("outcome", "n"))
        failed = ProfileRefresh.objects.exclude(outcome="success").count()
        cpu = {
            "workers": sum(_cpu_seconds(w.pid) for w in workers),
            "simulator": _cpu_seconds(sim.pid),
        }
    finally:
        for proc in (*workers, sim):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    seconds = (span["end"] - span["start"]).total_seconds()
    rate = ACCOUNTS / seconds
    ideal = min(PROCESSES * concurrency / (LATENCY_MS / 1000), RPS)
    print(
        f"{PROCESSES} worker process(es): --pool={pool} --concurrency={concurrency}; "
        f"simulator latency {LATENCY_MS:g} ms; limit {RPS:g}/s"
    )
    print(f"attempts other than success: {failed} ({sorted(outcomes)})")
    print(f"refreshed {ACCOUNTS} accounts in {seconds:.2f} s")
    per = ", ".join(f"{name} {1000 * value / ACCOUNTS:.1f} ms" for name, value in cpu.items())
    print(f"CPU per refresh (whole run, start-up included): {per}")
    print(f"refreshes per second: {rate:.1f}")
    print(f"ideal per second: {ideal:.1f}")
    print(f"ratio: {rate / ideal:.2f}")


if __name__ == "__main__":
    main()
