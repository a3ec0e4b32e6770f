"""Load benchmark: the API under concurrent clients, served by ``make serve`` (gunicorn) on loopback.

Creates a fresh PostgreSQL database (``ledger_bench_load``, or ``BENCH_DB``; dropped at
the end unless ``BENCH_KEEP=1``), fills it by set-based SQL (bench/fill.py: 2,000
influencers, 4,000 accounts with 30 daily snapshots each, the heavy influencer's 5
accounts with a year of them, 10,000 quotes and reviews), starts ``make serve`` with the
benchmark's settings (bench/load_settings.py: the production ones plus a baseline view)
on a free port (or ``BENCH_PORT``), and drives it with BENCH_CLIENTS client threads (httpx, keep-alive), each
endpoint for BENCH_SECONDS after a short warm-up:

- ``GET /bench/accounts/``: the baseline, a bare Django view returning the same JSON as the
  account list (bench/load_urls.py: ``values()`` and ``JsonResponse``, no DRF, no token);
- ``GET /api/v1/accounts/``: the account list (first page, 50 accounts), Bearer token;
- ``GET /api/v1/influencers/1/history/``: the heavy influencer's history (first page).

It prints requests/s, p50 and p99 and the errors of each, and the ratio of the account
list's requests/s to the baseline's; it fails if any request failed. The server runs with
its defaults (WEB_WORKERS = 2 x cores + 1, sync workers) unless WEB_* says otherwise.

    make bench-load
    BENCH_CLIENTS=16 BENCH_SECONDS=20 WEB_WORKERS=4 WEB_THREADS=4 make bench-load
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fill import Sizes, fill  # noqa: E402
from bench.server import server_url  # noqa: E402 - after the path is set

PG = server_url()
DB_NAME = os.environ.get("BENCH_DB", "ledger_bench_load")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP_SECONDS = 2.0
KEEP = os.environ.get("BENCH_KEEP") == "1"
SIZES = Sizes(influencers=2_000, accounts=4_000, days=30, heavy_days=365, quotes=10_000, reviews=10_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or free_port())  # a free loopback port unless BENCH_PORT says which
METRICS_DIR = Path(tempfile.mkdtemp(prefix="ledger-bench-load-")) / "metrics"
ENV = {
    **os.environ,
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "DJANGO_SETTINGS_MODULE": "bench.load_settings",
    "LOG_LEVEL": "WARNING",
    "LOG_REQUESTS_LEVEL": "WARNING",
    "WEB_BIND": f"127.0.0.1:{PORT}",
}
ENV.pop("CELERY_BROKER_URL", None)  # /readyz and the requests measured need no broker


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]


def admin_connection():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def prepare() -> str:
    """A fresh, filled database; returns an API token of a superuser."""
    import psycopg

    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    env = {**ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(f"{PG}/{DB_NAME}", autocommit=True) as conn, conn.cursor() as cursor:
        print(f"filled in {fill(cursor, SIZES):.1f} s", flush=True)
    subprocess.run(  # the history's index, built at once as after a restore
        [sys.executable, "manage.py", "reindex_history", "--no-progress"],
        cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    script = (
        "from django.contrib.auth.models import User; from knox.models import AuthToken; "
        "u = User.objects.create_superuser('bench', 'bench@example.invalid', None); "
        "print(AuthToken.objects.create(u)[1])"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        ["make", "--no-print-directory", "serve", f"PROMETHEUS_MULTIPROC_DIR={METRICS_DIR}"],  # noqa: S607
        cwd=ROOT,
        env=ENV,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"make serve exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("the server did not become ready within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)


def drive(path: str, headers: dict[str, str], seconds: float) -> Result:
    """CLIENTS threads, each with its own keep-alive connection, requesting ``path`` for ``seconds``."""
    result = Result()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client() -> None:
        latencies, errors = [], []
        with httpx.Client(base_url=f"http://127.0.0.1:{PORT}", headers=headers, timeout=30) as http:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    response = http.get(path)
                    response.read()
                    if response.status_code != 200:
                        errors.append(f"HTTP {response.status_code}")
                        continue
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors.extend(errors)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def main() -> int:
    print(f"setting up: database {DB_NAME}", flush=True)
    token = prepare()
    auth = {"Authorization": f"Bearer {token}"}
    server = start_server()
    try:
        page = httpx.get(f"http://127.0.0.1:{PORT}/api/v1/accounts/", headers=auth, timeout=30)
        page.raise_for_status()
        bare = httpx.get(f"http://127.0.0.1:{PORT}/bench/accounts/", timeout=30)
        bare.raise_for_status()
        if bare.json() != page.json():
            raise RuntimeError("the bare view does not return the same JSON as the account list")
        endpoints = [
            ("baseline: bare Django view, same JSON  GET /bench/accounts/", "/bench/accounts/", {}),
            ("account list  GET /api/v1/accounts/", "/api/v1/accounts/", auth),
            ("influencer history  GET /api/v1/influencers/1/history/", "/api/v1/influencers/1/history/", auth),
        ]
        workers = ENV.get("WEB_WORKERS", "default")
        print(
            f"server: make serve (gunicorn, WEB_WORKERS={workers}, WEB_THREADS={ENV.get('WEB_THREADS', '1')}); "
            f"{CLIENTS} clients, {SECONDS:.0f} s per endpoint, {len(page.content):,} bytes per list page"
        )
        results = {}
        for name, path, headers in endpoints:
            drive(path, headers, WARMUP_SECONDS)
            results[path] = result = drive(path, headers, SECONDS)
            print(
                f"{name}\n    {result.rps:8.1f} requests/s   p50 {result.percentile(50):6.1f} ms   "
                f"p99 {result.percentile(99):6.1f} ms   {len(result.latencies_ms):,} ok   {len(result.errors)} errors",
                flush=True,
            )
            for error in sorted(set(result.errors))[:5]:
                print(f"      error: {error}")
        ratio = results["/api/v1/accounts/"].rps / results["/bench/accounts/"].rps
        print(f"account list requests/s / baseline requests/s: {ratio:.2f}")
        errors = sum(len(r.errors) for r in results.values())
        print(f"errors: {errors}")
        return 1 if errors else 0
    finally:
        stop_server(server)
        shutil.rmtree(METRICS_DIR.parent, ignore_errors=True)
        if not KEEP:
            with admin_connection() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
