"""Rate quotes: rules in the service, the API and the database; derived figures; filters; permissions."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import journal
from core.errors import DomainError
from core.models import JournalEntry
from ledger.services import snapshot_record
from pricing import selectors
from pricing.models import RateQuote
from pricing.services import quote_record
from tests.factories import AccountFactory, SnapshotFactory
from tests.pricing.factories import QuoteFactory, tier

pytestmark = pytest.mark.django_db

SEPT_12 = date(2025, 9, 12)


def payload(account, **change):
    return {
        "account": account.pk,
        "deliverable": "short_video",
        "tier": "s21_60",
        "price": "26000.00",
        "price_kind": "press_report",
        "observed_on": "2025-09-12",
        **change,
    }


# --- the database refuses what breaks a rule --------------------------------------------


def refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteFactory(**fields)


def test_negative_price_is_refused_by_the_database():
    refused(price=Decimal("-0.01"))
    assert not RateQuote.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"deliverable": "short_video", "tier": None},
        {"deliverable": "live_stream"},  # keeps the factory's tier
        {"currency": "cny"},
        {"currency": "C1Y"},
        {"deliverable": "podcast", "tier": None},
        {"price_kind": "rumour"},
        {"valid_until": date(2025, 9, 11)},
    ],
)
def test_quote_rules_are_enforced_by_the_database(fields):
    refused(**fields)
    assert not RateQuote.objects.exists()


def test_quote_record_refuses_a_negative_price_naming_the_field():
    with pytest.raises(DomainError) as info:
        quote_record(
            account=AccountFactory(),
            deliverable="short_video",
            tier=tier("s1_20"),
            price=Decimal("-1"),
            price_kind="broker_quote",
            observed_on=SEPT_12,
        )
    assert info.value.field == "price"
    assert not RateQuote.objects.exists()


# --- API: create, validation, immutability ---------------------------------------------


def test_regulator_records_a_quote_with_who_recorded_it(as_regulator, regulator):
    account = AccountFactory()
    response = as_regulator.post("/api/v1/quotes/", payload(account, source_url="https://example.invalid/a"))
    assert response.status_code == 201, response.data
    assert response.data["price"] == "26000.00"
    assert response.data["currency"] == "CNY"
    assert response.data["tier"] == "s21_60"
    assert response.data["recorded_by"] == f"user:{regulator.username}"
    assert response.data["price_per_10k_followers"] is None  # no snapshot yet
    quote = RateQuote.objects.get()
    assert quote.price == Decimal("26000.00") and quote.tier.code == "s21_60"
    journal.integrate()
    (entry,) = JournalEntry.objects.filter(object_type="pricing.ratequote")
    assert entry.action == "create" and entry.actor == f"user:{regulator.username}"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": "1.001"}, "price"),
        ({"tier": None}, "tier"),
        ({"tier": "s99"}, "tier"),
        ({"deliverable": "live_stream"}, "tier"),  # a tier is refused for a live stream
        ({"deliverable": "podcast"}, "deliverable"),
        ({"price_kind": "rumour"}, "price_kind"),
        ({"currency": "cny"}, "currency"),
        ({"observed_on": "12/09/2025"}, "observed_on"),
        ({"valid_until": "2025-09-01"}, "valid_until"),
        ({"source_url": "not a url"}, "source_url"),
    ],
)
def test_bad_quote_is_400_naming_the_field_and_writes_nothing(as_regulator, change, field):
    response = as_regulator.post("/api/v1/quotes/", payload(AccountFactory(), **change))
    assert response.status_code == 400
    assert field in response.data, response.data
    assert not RateQuote.objects.exists()
    journal.integrate()
    assert not JournalEntry.objects.filter(object_type="pricing.ratequote").exists()


def test_a_live_stream_has_no_tier(as_regulator):
    response = as_regulator.post(
        "/api/v1/quotes/", payload(AccountFactory(), deliverable="live_stream", tier=None, currency="USD")
    )
    assert response.status_code == 201, response.data
    assert response.data["tier"] is None and response.data["currency"] == "USD"


def test_the_observation_never_changes_only_its_notes(as_regulator):
    quote = QuoteFactory(price=Decimal("18000"))
    url = f"/api/v1/quotes/{quote.pk}/"
    response = as_regulator.patch(url, {"price": "99999.00"})
    assert response.status_code == 400 and "price" in response.data
    response = as_regulator.patch(url, {"notes": "seen again", "valid_until": "2025-12-31"})
    assert response.status_code == 200, response.data
    assert response.data["notes"] == "seen again"
    assert as_regulator.put(url, payload(quote.account)).status_code == 405
    quote.refresh_from_db()
    assert (quote.price, quote.notes, quote.valid_until) == (Decimal("18000.00"), "seen again", date(2025, 12, 31))


def test_quotes_are_not_deleted_through_the_api(api, superuser):
    api.force_authenticate(superuser)
    quote = QuoteFactory()
    assert api.delete(f"/api/v1/quotes/{quote.pk}/").status_code == 405
    assert RateQuote.objects.filter(pk=quote.pk).exists()


# --- permissions ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["quotes", "benchmarks"])
def test_reading_needs_the_view_permission(api, outsider, path):
    assert api.get(f"/api/v1/{path}/").status_code == 401
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/{path}/").status_code == 403


def test_read_only_groups_read_quotes_but_cannot_record_them(api, user_in_group):
    quote = QuoteFactory()
    for group in ("analyst", "api_client"):
        api.force_authenticate(user_in_group(group))
        assert api.get("/api/v1/quotes/").data["count"] == 1
        assert api.get("/api/v1/benchmarks/").status_code == 200
        assert api.post("/api/v1/quotes/", payload(quote.account)).status_code == 403
        assert api.patch(f"/api/v1/quotes/{quote.pk}/", {"notes": "x"}).status_code == 403
    assert RateQuote.objects.count() == 1
    quote.refresh_from_db()
    assert quote.notes == ""


# --- derived figures --------------------------------------------------------------------


def test_per_10k_uses_the_newest_snapshot_up_to_the_end_of_the_observation_day_in_shanghai(as_analyst):
    """GIVEN snapshots before, late on, and just after the observation day (Asia/Shanghai)
    THEN the per-10k figure uses the late one on the day, not the one after midnight."""
    account = AccountFactory()
    snapshot_record(account=account, captured_at=datetime(2025, 9, 1, tzinfo=UTC), follower_count=500_000)
    # 2025-09-12 23:30 in Shanghai
    snapshot_record(account=account, captured_at=datetime(2025, 9, 12, 15, 30, tzinfo=UTC), follower_count=600_000)
    # 2025-09-13 00:30 in Shanghai: the next day
    snapshot_record(account=account, captured_at=datetime(2025, 9, 12, 16, 30, tzinfo=UTC), follower_count=900_000)
    quote = QuoteFactory(account=account, price=Decimal("26000"), observed_on=SEPT_12)
    data = as_analyst.get(f"/api/v1/quotes/{quote.pk}/").data
    assert data["followers_at_observation"] == 600_000
    assert data["follower_band"] == "500k_1m"
    assert data["price_per_10k_followers"] == "433.33"


def test_no_snapshot_by_the_observation_day_means_no_per_10k_figure():
    account = AccountFactory()
    SnapshotFactory(account=account, captured_at=datetime(2025, 9, 13, tzinfo=UTC), follower_count=10)
    QuoteFactory(account=account, observed_on=SEPT_12)
    quote = selectors.quote_list().get()
    assert quote.followers_at_observation is None
    assert quote.price_per_10k_followers is None
    assert quote.market_ratio is None and quote.is_outlier is None


# --- filters, ordering, query count -----------------------------------------------------


def test_quote_filters_and_ordering(as_analyst):
    a = AccountFactory(platform="douyin")
    b = AccountFactory(platform="kuaishou")
    q1 = QuoteFactory(account=a, price=Decimal("100"), observed_on=date(2025, 1, 1), tier=tier("s1_20"))
    q2 = QuoteFactory(account=a, price=Decimal("500"), observed_on=date(2025, 6, 1), tier=tier("s61_plus"))
    q3 = QuoteFactory(
        account=b, price=Decimal("300"), observed_on=date(2025, 9, 1), deliverable="article", tier=None,
        price_kind="seized_record",
    )  # fmt: skip

    def ids(query: str) -> list[int]:
        response = as_analyst.get(f"/api/v1/quotes/?{query}")
        assert response.status_code == 200, response.data
        return [r["id"] for r in response.data["results"]]

    assert ids("") == [q3.pk, q2.pk, q1.pk]  # newest observation first
    assert ids(f"account={a.pk}&ordering=price") == [q1.pk, q2.pk]
    assert ids(f"influencer={b.influencer_id}") == [q3.pk]
    assert ids("platform=kuaishou") == [q3.pk]
    assert ids("tier=s61_plus") == [q2.pk]
    assert ids("deliverable=article") == [q3.pk]
    assert ids("price_kind=seized_record") == [q3.pk]
    assert ids("observed_after=2025-06-01") == [q3.pk, q2.pk]
    assert ids("observed_before=2025-06-01") == [q2.pk, q1.pk]
    assert ids("min_price=300&ordering=-price") == [q2.pk, q3.pk]
    assert ids("max_price=300&ordering=price") == [q1.pk, q3.pk]
    assert as_analyst.get("/api/v1/quotes/?tier=s99").status_code == 400
    assert as_analyst.get("/api/v1/quotes/?price_kind=rumour").status_code == 400


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["quotes", "benchmarks", "tiers"])
def test_list_query_count_does_not_depend_on_page_size(as_analyst, path):
    from pricing.services import benchmarks_recompute

    for i in range(30):
        account = AccountFactory(platform="douyin")
        SnapshotFactory(account=account, captured_at=datetime(2025, 1, 1, tzinfo=UTC), follower_count=10_000 * (i + 1))
        for code in ("s1_20", "s21_60"):
            QuoteFactory(account=account, tier=tier(code), price=Decimal(1000 + i))
    benchmarks_recompute(as_of=SEPT_12)
    as_analyst.get(f"/api/v1/{path}/")  # warm up: loads the user's permissions once
    small = _queries(as_analyst, f"/api/v1/{path}/?page_size=2")
    large = _queries(as_analyst, f"/api/v1/{path}/?page_size=50")
    assert small == large
