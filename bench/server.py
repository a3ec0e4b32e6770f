"""The PostgreSQL server a benchmark creates its throw-away database on.

``BENCH_POSTGRES`` (a URL without a database name), or else the server of
``DATABASE_URL``: the machine's, or the project's embedded one that the make
targets start.
"""

from __future__ import annotations

import os


def server_url() -> str:
    explicit = os.environ.get("BENCH_POSTGRES")
    if explicit:
        return explicit.rstrip("/")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL (or BENCH_POSTGRES), or run the benchmark through make.")
    scheme, rest = database_url.split("://", 1)
    server = rest.split("?", 1)[0].split("/", 1)[0]
    return f"{scheme}://{server}"
