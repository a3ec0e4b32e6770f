"""The embedded PostgreSQL wrapper: how it finds a running server and when it starts one.

Starting and stopping the real server is proven by CI's quick-start check
(.ci/smoke), which runs ``make run`` with no DATABASE_URL.
"""

import os
import sys
from pathlib import Path

from core import embedded_db


def _postmaster_pid(pgdata: Path, *, pid: int, status: str = "ready") -> None:
    lines = [str(pid), str(pgdata), "1700000000", "5432", str(pgdata), "", "0 0", status]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")


def test_no_server_without_a_postmaster_file(tmp_path):
    assert embedded_db.url_if_running(tmp_path) is None


def test_a_running_server_is_reached_through_its_socket_folder(tmp_path):
    _postmaster_pid(tmp_path, pid=os.getpid())
    url = embedded_db.url_if_running(tmp_path)
    assert url == f"postgres://postgres@{str(tmp_path).replace('/', '%2F')}/ledger"


def test_a_stale_or_starting_server_is_not_used(tmp_path):
    _postmaster_pid(tmp_path, pid=2**22 + 12345)  # above the kernel's pid range
    assert embedded_db.url_if_running(tmp_path) is None
    _postmaster_pid(tmp_path, pid=os.getpid(), status="starting")
    assert embedded_db.url_if_running(tmp_path) is None


def test_with_database_url_set_the_command_runs_without_a_server(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/elsewhere")
    monkeypatch.setattr(embedded_db, "start", lambda *a, **k: (_ for _ in ()).throw(AssertionError("started")))
    out = tmp_path / "out"
    code = embedded_db.run(
        [sys.executable, "-c", f"import os; open({str(out)!r}, 'w').write(os.environ['DATABASE_URL'])"]
    )
    assert code == 0
    assert out.read_text() == "postgres://postgres@127.0.0.1:5432/elsewhere"
