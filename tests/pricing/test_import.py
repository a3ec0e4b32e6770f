"""Quote import: CSV and XLSX, all rows or none, errors naming row and column."""

from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from ledger.models import JournalEntry
from pricing.models import RateQuote
from pricing.services import QuoteImportError, quotes_import
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

HEADER = "platform,platform_uid,deliverable,tier,price,currency,price_kind,observed_on,valid_until,source_url,notes"
GOOD_ROWS = [
    "douyin,dy_1,short_video,s1_20,18000,CNY,press_report,2025-09-12,,https://example.invalid/r,reported",
    "douyin,dy_1,short_video,s21_60,26000.00,CNY,press_report,2025-09-12,2025-12-31,,",
    "kuaishou,ks_1,live_stream,,5200.5,,broker_quote,2025-09-13,,,",
]


@pytest.fixture
def accounts():
    return AccountFactory(platform="douyin", platform_uid="dy_1"), AccountFactory(
        platform="kuaishou", platform_uid="ks_1"
    )


def csv_file(*rows: str, header: str = HEADER) -> BytesIO:
    return BytesIO("\n".join([header, *rows]).encode("utf-8"))


def run(source: BytesIO, file_format: str = "csv") -> int:
    return quotes_import(source=source, file_format=file_format).created


def test_csv_import_writes_every_row_and_journals_each(accounts):
    assert run(csv_file(*GOOD_ROWS)) == 3
    douyin, kuaishou = accounts
    first = RateQuote.objects.get(account=douyin, tier__code="s1_20")
    assert (str(first.price), first.currency, first.source_url, first.notes) == (
        "18000.00", "CNY", "https://example.invalid/r", "reported",
    )  # fmt: skip
    stream = RateQuote.objects.get(account=kuaishou)
    assert (stream.tier, str(stream.price), stream.currency) == (None, "5200.50", "CNY")  # blank currency: CNY
    assert JournalEntry.objects.filter(object_type="pricing.ratequote", action="create").count() == 3


def test_xlsx_import_reads_typed_cells(accounts):
    from datetime import date

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["douyin", "dy_1", "short_video", "s61_plus", 38000, "CNY", "press_report", date(2025, 9, 12)])
    sheet.append(["kuaishou", "ks_1", "article", None, 1234.56, "CNY", "estimate", "2025-09-12"])
    buffer = BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert run(buffer, "xlsx") == 2
    assert sorted(str(p) for p in RateQuote.objects.values_list("price", flat=True)) == ["1234.56", "38000.00"]


def test_one_bad_row_imports_nothing_and_names_its_row_and_column(accounts):
    rows = [*GOOD_ROWS, "douyin,dy_1,short_video,s1_20,-5,CNY,press_report,2025-09-12,,,"]
    with pytest.raises(QuoteImportError) as info:
        run(csv_file(*rows))
    assert [(e.row, e.column) for e in info.value.errors] == [(5, "price")]  # header is row 1
    assert "row 5, column price" in info.value.message
    assert not RateQuote.objects.exists()
    assert not JournalEntry.objects.filter(object_type="pricing.ratequote").exists()


def test_every_error_is_reported_by_row_and_column(accounts):
    rows = [
        "douyin,dy_404,short_video,s1_20,100,CNY,press_report,2025-09-12",  # row 2: unknown account
        "douyin,dy_1,short_video,,100,CNY,press_report,2025-09-12",  # row 3: tier missing
        "douyin,dy_1,live_stream,s1_20,100,CNY,press_report,2025-09-12",  # row 4: tier refused
        "myspace,dy_1,short_video,s1_20,lots,usd,gossip,12.09.2025",  # row 5: five problems
        "douyin,dy_1,short_video,s9,100,CNY,press_report,2025-09-12,2025-01-01,ftp://x,",  # row 6
    ]
    with pytest.raises(QuoteImportError) as info:
        run(csv_file(*rows))
    assert [(e.row, e.column) for e in info.value.errors] == [
        (2, "platform_uid"),
        (3, "tier"),
        (4, "tier"),
        (5, "platform"),
        (5, "price"),
        (5, "observed_on"),
        (5, "currency"),
        (5, "price_kind"),
        (6, "tier"),
        (6, "valid_until"),
        (6, "source_url"),
    ]
    assert not RateQuote.objects.exists()


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("platform,platform_uid,deliverable,tier,price,currency,price_kind", "observed_on"),
        (HEADER + ",colour", "colour"),
    ],
)
def test_a_wrong_header_imports_nothing(accounts, header, column):
    with pytest.raises(QuoteImportError) as info:
        run(csv_file(GOOD_ROWS[0], header=header))
    assert [(e.row, e.column) for e in info.value.errors] == [(1, column)]
    assert not RateQuote.objects.exists()


def test_an_unreadable_xlsx_file_is_an_error_not_a_crash():
    with pytest.raises(QuoteImportError) as info:
        run(BytesIO(b"not a zip"), "xlsx")
    assert info.value.errors[0].row == 1


def test_command_imports_and_exits_non_zero_on_a_bad_file(accounts, tmp_path: Path):
    good = tmp_path / "quotes.csv"
    good.write_text("\n".join([HEADER, *GOOD_ROWS]), encoding="utf-8")
    out = StringIO()
    call_command("import_quotes", str(good), "--no-progress", stdout=out, stderr=StringIO())
    assert "Imported 3 quotes" in out.getvalue()
    assert set(RateQuote.objects.values_list("recorded_by", flat=True)) == {"command:import_quotes"}

    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([HEADER, GOOD_ROWS[0], "douyin,dy_1,short_video,s1_20,x,CNY,press_report,2025-09-12"]))
    with pytest.raises(CommandError, match="row 3, column price"):
        call_command("import_quotes", str(bad), "--no-progress", stdout=StringIO(), stderr=StringIO())
    assert RateQuote.objects.count() == 3


def test_the_example_file_imports_against_the_demo_data():
    call_command("seed_demo", stdout=StringIO())
    before = RateQuote.objects.count()
    example = Path(__file__).resolve().parents[2] / "examples" / "quotes.csv"
    call_command("import_quotes", str(example), "--no-progress", stdout=StringIO(), stderr=StringIO())
    assert RateQuote.objects.count() > before


# --- the admin page -----------------------------------------------------------------------


def test_admin_import_page_imports_a_file(client, superuser, accounts):
    client.force_login(superuser)
    url = reverse("admin:pricing_ratequote_import")
    assert client.get(url).status_code == 200
    upload = csv_file(*GOOD_ROWS)
    upload.name = "quotes.csv"
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert RateQuote.objects.count() == 3
    assert set(RateQuote.objects.values_list("recorded_by", flat=True)) == {f"user:{superuser.username}"}


def test_admin_import_page_lists_the_errors_and_imports_nothing(client, superuser, accounts):
    client.force_login(superuser)
    upload = csv_file(GOOD_ROWS[0], "douyin,dy_1,short_video,s1_20,-1,CNY,press_report,2025-09-12")
    upload.name = "quotes.csv"
    response = client.post(reverse("admin:pricing_ratequote_import"), {"file": upload})
    assert response.status_code == 200
    assert "row 3, column price: A price cannot be negative." in response.content.decode()
    assert not RateQuote.objects.exists()


def test_admin_import_needs_the_add_permission(client, analyst):
    analyst.is_staff = True
    analyst.save()
    client.force_login(analyst)
    assert client.get(reverse("admin:pricing_ratequote_import")).status_code == 403
