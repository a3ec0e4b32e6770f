"""Real Celery workers against the real broker: worker processes, a producer and helpers.

These tests need Redis (``LEDGER_TEST_REDIS_URL``): they are skipped without it
and required in CI. The workers are other processes that use the test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("LEDGER_TEST_REDIS_URL")
    if not url:
        pytest.skip("needs Redis (set LEDGER_TEST_REDIS_URL)")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def producer(redis_url) -> Iterator[Celery]:
    """A Celery client that only sends messages to the broker, as the web process would."""
    app = Celery("producer", broker=redis_url)
    app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
    yield app
    app.close()


def _database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    auth = quote(s["USER"], safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else "")
    host = quote(s["HOST"] or "127.0.0.1", safe="")  # a Unix socket's folder is written percent-encoded
    return f"postgres://{auth}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A `celery worker` process in its own process group (so SIGKILL takes its children too)."""

    def __init__(self, *, name: str, env: dict[str, str], pool: str, concurrency: int, log: Path):
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                f"--hostname={name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a crash or an OOM kill would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._file.close()


@pytest.fixture
def start_worker(redis_url, simulator, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start worker processes wired to the test database, the broker and the simulator."""
    workers: list[Worker] = []

    def start(*, pool: str = "threads", concurrency: int = 4, **env_overrides: str) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": redis_url,
            "RATE_LIMIT_REDIS_URL": redis_url,
            "PLATFORM_DEFAULT_URL": simulator.url,
            "PLATFORM_DEFAULT_RPS": "1000",
            "PLATFORM_READ_TIMEOUT": "1",
            "REFRESH_MAX_RETRIES": "2",
            "REFRESH_RETRY_BACKOFF_SECONDS": "1",
            "REFRESH_RETRY_BACKOFF_MAX_SECONDS": "2",
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "LOG_LEVEL": "WARNING",
            **env_overrides,
        }
        worker = Worker(
            name=f"w{len(workers)}",
            env=env,
            pool=pool,
            concurrency=concurrency,
            log=tmp_path / f"worker{len(workers)}.log",
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, workers: list[Worker] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n".join(f"--- {w.log.name}\n{w.log.read_text()[-3000:]}" for w in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")
