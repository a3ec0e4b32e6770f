"""Issue 18.4: no CSV the ledger writes carries a formula; imported quote notes are neutralised."""

from __future__ import annotations

import csv
import io

import pytest

from core.spreadsheet import safe_cell
from pricing.models import RateQuote
from tests.factories import AccountFactory
from tests.ingest.conftest import ingest
from tests.pricing.factories import QuoteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_formula_handle_is_text_in_the_history_csv(as_analyst):
    account = AccountFactory(handle='=HYPERLINK("http://evil.invalid","x")')
    QuoteFactory(account=account)
    response = as_analyst.get(f"/api/v1/influencers/{account.influencer_id}/history/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_imported_quote_notes_are_never_formulas():
    AccountFactory(platform="douyin", platform_uid="dy_1")
    ingest(
        "quotes",
        "platform,platform_uid,deliverable,tier,price,currency,price_kind,observed_on,notes\n"
        'douyin,dy_1,short_video,s1_20,18000,CNY,press_report,2025-09-12,"=HYPERLINK(""http://x"")"\n',
    )
    assert RateQuote.objects.get().notes == '\'=HYPERLINK("http://x")'
