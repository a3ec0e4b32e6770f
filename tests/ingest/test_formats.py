"""The command: CSV, JSON Lines, XLSX (quotes), gzip and standard input; import_quotes is its alias."""

from __future__ import annotations

import gzip
import io
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from ledger.models import FollowerSnapshot
from pricing.models import RateQuote
from tests.ingest.test_kinds import QUOTES, SNAPSHOTS

pytestmark = pytest.mark.django_db


def command(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--no-follow-up", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_gzip_file(tmp_path, accounts):
    path = tmp_path / "snapshots.csv.gz"
    path.write_bytes(gzip.compress(SNAPSHOTS.encode()))
    assert "3 created" in command("ingest", "snapshots", str(path))
    assert FollowerSnapshot.objects.count() == 3
    assert "0 created, 0 updated, 3 unchanged" in command("ingest", "snapshots", str(path))


def test_standard_input(monkeypatch, accounts):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(SNAPSHOTS.encode())))
    assert "3 created" in command("ingest", "snapshots", "-")
    assert FollowerSnapshot.objects.count() == 3


def test_jsonl_snapshots(tmp_path, accounts):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"platform": "douyin", "platform_uid": "dy_1", "captured_at": "2025-09-01T08:00:00+08:00", "follower_count": 7}\n'
    )
    command("ingest", "snapshots", str(path))
    assert FollowerSnapshot.objects.get().follower_count == 7


def test_xlsx_quotes_with_typed_cells(tmp_path, accounts):
    book = Workbook()
    sheet = book.active
    sheet.append(QUOTES.split("\n")[0].split(","))
    sheet.append(["douyin", "dy_1", "short_video", "s61_plus", 38000, "CNY", "press_report", date(2025, 9, 12)])
    sheet.append(["kuaishou", 1.0, "article", None, 1234.56, "CNY", "estimate", "2025-09-12"])
    path = tmp_path / "quotes.xlsx"
    book.save(path)
    with pytest.raises(CommandError) as info:  # ks uid "1" does not exist
        command("ingest", "quotes", str(path))
    assert "line 3, column platform_uid" in str(info.value)
    sheet.delete_rows(3)
    book.save(path)
    command("ingest", "quotes", str(path))
    quote = RateQuote.objects.get()
    assert (quote.tier.code, str(quote.price), quote.observed_on) == ("s61_plus", "38000.00", date(2025, 9, 12))


def test_a_bad_file_exits_non_zero_and_writes_nothing(tmp_path, accounts):
    path = tmp_path / "s.csv"
    path.write_text(SNAPSHOTS.replace("kuaishou", "myspace"))
    with pytest.raises(CommandError) as info:
        command("ingest", "snapshots", str(path))
    assert "line 4, column platform" in str(info.value)
    assert FollowerSnapshot.objects.count() == 0


def test_import_quotes_is_ingest_quotes(tmp_path, accounts):
    path = tmp_path / "q.csv"
    path.write_text(QUOTES)
    command("import_quotes", str(path))
    assert set(RateQuote.objects.values_list("recorded_by", flat=True)) == {"command:import_quotes"}
    command("import_quotes", str(path))
    assert RateQuote.objects.count() == 3


def test_the_example_files_go_in(db):
    from pathlib import Path

    from django.conf import settings

    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    examples = Path(settings.BASE_DIR) / "examples"
    for kind, name in [("accounts", "accounts.csv"), ("snapshots", "snapshots.csv"), ("reviews", "reviews.jsonl"),
                       ("reviews", "reviews.csv"), ("quotes", "quotes.csv")]:  # fmt: skip
        assert "rows" in command("ingest", kind, str(examples / name))
