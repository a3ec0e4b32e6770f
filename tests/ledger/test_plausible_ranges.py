"""Issue 18.1: every stored date lies in a plausible range; one odd row cannot break a history."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from cases.models import LegalAction
from core import limits
from ingest.services import IngestRejected
from ledger.models import FollowerSnapshot
from pricing.models import RateQuote
from reviews.models import Order, Payment
from tests.factories import AccountFactory, SnapshotFactory
from tests.ingest.conftest import ingest
from tests.pricing.factories import QuoteFactory
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("observed_on", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_an_implausible_quote_date_is_400_and_writes_nothing(as_regulator, observed_on):
    account = AccountFactory()
    payload = {
        "account": account.pk,
        "deliverable": "short_video",
        "tier": "s21_60",
        "price": "26000.00",
        "price_kind": "press_report",
        "observed_on": observed_on,
    }
    response = as_regulator.post("/api/v1/quotes/", payload)
    assert response.status_code == 400 and "observed_on" in response.data, response.data
    assert not RateQuote.objects.exists()


@pytest.mark.parametrize("ordered_on", ["0001-01-01", "1970-01-01"])
def test_an_implausible_order_date_is_400(as_regulator, ordered_on):
    payload = {
        "account": AccountFactory().pk,
        "client_name": "A PR contractor",
        "deliverable": "short_video",
        "tier": "s21_60",
        "agreed_price": "95000.00",
        "ordered_on": ordered_on,
    }
    response = as_regulator.post("/api/v1/orders/", payload)
    assert response.status_code == 400 and "ordered_on" in response.data, response.data
    assert not Order.objects.exists()


def test_an_implausible_payment_date_is_400(as_regulator):
    order = OrderFactory()
    payload = {"order": order.pk, "amount": "10.00", "paid_on": "0001-01-01", "channel": "alipay"}
    response = as_regulator.post("/api/v1/payments/", payload)
    assert response.status_code == 400 and "paid_on" in response.data, response.data
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("filed_on", "0001-01-01"), ("filed_on", "6955-01-01"), ("hearing_on", "2200-01-01")]
)
def test_an_implausible_legal_action_date_is_400(as_regulator, field, value):
    response = as_regulator.post("/api/v1/legal-actions/", {"kind": "lawsuit", field: value})
    assert response.status_code == 400 and field in response.data, response.data
    assert not LegalAction.objects.exists()


def test_a_snapshot_from_the_future_is_400_and_leaves_the_account_alone(as_regulator):
    account = AccountFactory()
    payload = {"account": account.pk, "captured_at": "2999-01-01T00:00:00+08:00", "follower_count": 10}
    response = as_regulator.post("/api/v1/snapshots/", payload)
    assert response.status_code == 400 and "captured_at" in response.data, response.data
    account.refresh_from_db()
    assert account.follower_count is None and not FollowerSnapshot.objects.exists()


def test_an_import_row_with_an_implausible_date_names_the_row():
    AccountFactory(platform="douyin", platform_uid="dy_1")
    with pytest.raises(IngestRejected) as caught:
        ingest(
            "quotes",
            "platform,platform_uid,deliverable,tier,price,currency,price_kind,observed_on\n"
            "douyin,dy_1,short_video,s1_20,18000,CNY,press_report,0001-01-01\n",
        )
    assert [(e.line, e.column) for e in caught.value.errors] == [(2, "observed_on")]
    assert not RateQuote.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda: QuoteFactory(observed_on=date(1, 1, 1)),
        lambda: QuoteFactory(observed_on=date(2100, 1, 1)),
        lambda: SnapshotFactory(captured_at=datetime(1999, 12, 31, 23, tzinfo=UTC)),
        lambda: SnapshotFactory(follower_count=limits.MAX_COUNT),
        lambda: OrderFactory(ordered_on=date(1, 1, 1)),
    ],
)
def test_the_database_refuses_what_slips_past_the_services(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_an_old_row_outside_the_range_does_not_break_the_history_or_its_csv(as_analyst):
    """GIVEN a quote dated 0001-01-01 written before the CHECK existed (the constraint is NOT VALID)
    WHEN anyone reads the influencer's history, as JSON or as CSV
    THEN the answer is 200 with every other event, and the CSV is complete."""
    with connection.cursor() as cursor:  # before any write: pending trigger events forbid ALTER TABLE
        cursor.execute("ALTER TABLE pricing_ratequote DROP CONSTRAINT ratequote_observed_on_plausible")
    account = AccountFactory()
    good = QuoteFactory(account=account, observed_on=date(2025, 9, 12))
    QuoteFactory(account=account, observed_on=date(1, 1, 1))
    url = f"/api/v1/influencers/{account.influencer_id}/history/"
    response = as_analyst.get(url)
    assert response.status_code == 200, response.content
    assert [e["object_id"] for e in response.json()["results"] if e["kind"] == "quote"] == [good.pk]
    response = as_analyst.get(url, {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [int(r["object_id"]) for r in rows if r["kind"] == "quote"] == [good.pk]
