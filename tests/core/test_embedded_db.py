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


def test_a_command_without_database_url_starts_the_server_for_itself_and_its_children(monkeypatch):
    """GIVEN no DATABASE_URL and no running server WHEN the settings ask for the URL
    THEN the server is started, stopped at exit, and its URL exported to child processes."""
    started, at_exit = [], []
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(embedded_db, "url_if_running", lambda *a: None)
    monkeypatch.setattr(embedded_db, "start", lambda *a: started.append(1) or "postgres://postgres@%2Fsock/ledger")
    monkeypatch.setattr(embedded_db.atexit, "register", at_exit.append)
    assert embedded_db.database_url() == "postgres://postgres@%2Fsock/ledger"
    assert started == [1] and at_exit == [embedded_db.stop]
    assert os.environ["DATABASE_URL"] == "postgres://postgres@%2Fsock/ledger"


def test_a_running_server_is_used_and_left_running(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(embedded_db, "url_if_running", lambda *a: "postgres://postgres@%2Frunning/ledger")
    monkeypatch.setattr(embedded_db, "start", lambda *a: (_ for _ in ()).throw(AssertionError("started")))
    monkeypatch.setattr(embedded_db.atexit, "register", lambda f: (_ for _ in ()).throw(AssertionError("stop")))
    assert embedded_db.database_url() == "postgres://postgres@%2Frunning/ledger"
