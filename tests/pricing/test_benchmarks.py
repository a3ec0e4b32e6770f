"""Market benchmarks: percentiles against hand-computed figures, the window, outliers, the task and command."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from core import journal
from core.models import JournalEntry
from pricing import selectors
from pricing.models import MarketBenchmark
from pricing.services import benchmarks_recompute
from pricing.tasks import recompute_benchmarks
from tests.factories import AccountFactory, SnapshotFactory
from tests.pricing.factories import QuoteFactory, tier

pytestmark = pytest.mark.django_db

AS_OF = date(2025, 9, 30)


def account_with(followers: int, platform: str = "douyin"):
    account = AccountFactory(platform=platform)
    SnapshotFactory(account=account, captured_at=datetime(2024, 1, 1, tzinfo=UTC), follower_count=followers)
    return account


def quotes(prices, *, followers=200_000, code="s21_60", observed_on=date(2025, 9, 1), **fields):
    made = []
    for price in prices:
        account = account_with(followers)
        quote = QuoteFactory(account=account, tier=tier(code), price=Decimal(price), observed_on=observed_on, **fields)
        made.append(quote)
    return made


def test_percentiles_match_a_hand_computed_case(as_analyst):
    """GIVEN four quotes of 100, 200, 300 and 400 CNY at 200,000 followers (per 10k: 5, 10, 15, 20)
    THEN p25 = 100 + 0.75 x 100 = 175, median = 250, p75 = 325 (linear interpolation) and the
    median per 10k followers is 12.50."""
    quotes(["100", "200", "300", "400"])
    run = benchmarks_recompute(as_of=AS_OF)
    assert (run.quotes, run.created) == (4, 1)
    data = as_analyst.get("/api/v1/benchmarks/").data["results"]
    assert data == [
        {
            "id": data[0]["id"],
            "platform": "douyin",
            "deliverable": "short_video",
            "tier": "s21_60",
            "currency": "CNY",
            "band": "100k_500k",
            "band_min": 100_000,
            "band_max": 500_000,
            "count": 4,
            "p25": "175.00",
            "median": "250.00",
            "p75": "325.00",
            "median_per_10k_followers": "12.50",
            "window_days": 365,
            "as_of": "2025-09-30",
            "computed_at": data[0]["computed_at"],
        }
    ]


def test_percentiles_of_an_odd_count_are_the_middle_values():
    quotes(["1000", "100", "400", "300", "200"])
    benchmarks_recompute(as_of=AS_OF)
    b = MarketBenchmark.objects.get()
    assert (b.count, b.p25, b.median, b.p75) == (5, Decimal("200.00"), Decimal("300.00"), Decimal("400.00"))


def test_one_benchmark_per_platform_deliverable_tier_band_and_currency(as_analyst):
    quotes(["100"], followers=50_000)  # under_100k
    quotes(["200"], followers=600_000)  # 500k_1m
    quotes(["300"], followers=600_000, code="s1_20")
    quotes(["400"], followers=600_000, currency="USD")
    QuoteFactory(account=account_with(600_000, "weibo"), deliverable="image_post", tier=None, price=Decimal("50"))
    benchmarks_recompute(as_of=AS_OF)
    rows = {
        (b.platform, b.deliverable, b.tier.code if b.tier else None, b.band, b.currency): b.median
        for b in MarketBenchmark.objects.all()
    }
    assert rows == {
        ("douyin", "short_video", "s21_60", "under_100k", "CNY"): Decimal("100.00"),
        ("douyin", "short_video", "s21_60", "500k_1m", "CNY"): Decimal("200.00"),
        ("douyin", "short_video", "s1_20", "500k_1m", "CNY"): Decimal("300.00"),
        ("douyin", "short_video", "s21_60", "500k_1m", "USD"): Decimal("400.00"),
        ("weibo", "image_post", None, "500k_1m", "CNY"): Decimal("50.00"),
    }
    results = as_analyst.get("/api/v1/benchmarks/?band=500k_1m&tier=s21_60&currency=CNY").data["results"]
    assert [r["median"] for r in results] == ["200.00"]
    assert as_analyst.get("/api/v1/benchmarks/?platform=weibo&deliverable=image_post").data["count"] == 1


def test_the_window_estimates_and_quotes_without_followers_are_left_out():
    quotes(["100"], observed_on=AS_OF - timedelta(days=364))  # first day of the 365-day window
    quotes(["200"], observed_on=AS_OF)  # last day
    quotes(["900"], observed_on=AS_OF - timedelta(days=365))  # a day too early
    quotes(["900"], observed_on=AS_OF + timedelta(days=1))  # after as_of
    quotes(["900"], price_kind="estimate")
    QuoteFactory(account=AccountFactory(), tier=tier("s21_60"), price=Decimal("900"), observed_on=date(2025, 9, 1))
    run = benchmarks_recompute(as_of=AS_OF)
    b = MarketBenchmark.objects.get()
    assert (run.quotes, b.count, b.p25, b.p75) == (2, 2, Decimal("125.00"), Decimal("175.00"))


def test_outliers_fall_outside_a_third_of_p25_and_three_times_p75(as_analyst):
    """GIVEN a benchmark with p25 = 175 and p75 = 325 THEN quotes under 58.33 or over 975 are outliers."""
    quotes(["100", "200", "300", "400"])
    benchmarks_recompute(as_of=AS_OF)
    low, edge, high = quotes(["58.33", "975", "975.01"], observed_on=date(2025, 9, 2))
    figures = {q.pk: (q.market_ratio, q.is_outlier) for q in selectors.quote_list()}
    assert figures[low.pk] == (Decimal("0.23"), True)
    assert figures[edge.pk] == (Decimal("3.90"), False)
    assert figures[high.pk] == (Decimal("3.90"), True)
    outliers = as_analyst.get("/api/v1/quotes/?is_outlier=true").data["results"]
    assert sorted(r["id"] for r in outliers) == sorted([low.pk, high.pk])
    assert as_analyst.get("/api/v1/quotes/?is_outlier=false").data["count"] == 5


def test_outlier_factor_is_configurable(settings):
    settings.PRICING_OUTLIER_FACTOR = Decimal("2")
    quotes(["100", "200", "300", "400"])
    benchmarks_recompute(as_of=AS_OF)
    (q,) = quotes(["700"], observed_on=date(2025, 9, 2))  # above 325 x 2 = 650
    assert selectors.quote_list().get(pk=q.pk).is_outlier is True


def test_follower_bands_are_configurable(settings):
    settings.PRICING_FOLLOWER_BANDS = [1_000_000]
    quotes(["100"], followers=200_000)
    quotes(["300"], followers=2_000_000)
    benchmarks_recompute(as_of=AS_OF)
    assert set(MarketBenchmark.objects.values_list("band", "band_min", "band_max")) == {
        ("under_1m", 0, 1_000_000),
        ("1m_plus", 1_000_000, None),
    }


def test_recompute_leaves_unchanged_rows_alone_and_journals_what_changes():
    quotes(["100", "200"])
    benchmarks_recompute(as_of=AS_OF)
    journal.integrate()
    entries = JournalEntry.objects.filter(object_type="pricing.marketbenchmark")
    assert [e.action for e in entries] == ["create"]

    run = benchmarks_recompute(as_of=AS_OF)
    journal.integrate()
    assert (run.created, run.updated, run.deleted, run.unchanged) == (0, 0, 0, 1)
    assert entries.count() == 1

    quotes(["600"])
    run = benchmarks_recompute(as_of=AS_OF)
    journal.integrate()
    assert (run.updated, MarketBenchmark.objects.get().median) == (1, Decimal("200.00"))
    assert entries.last().action == "update" and entries.last().changes["count"] == {"before": 2, "after": 3}

    run = benchmarks_recompute(as_of=date(2024, 1, 1))  # no quotes in that window
    journal.integrate()
    assert (run.deleted, MarketBenchmark.objects.count()) == (1, 0)
    assert entries.last().action == "delete"


def test_task_and_command_recompute(settings):
    quotes(["100", "200"])
    result = recompute_benchmarks.apply(kwargs={"as_of": "2025-09-30"}).get()
    assert result["created"] == 1 and result["as_of"] == "2025-09-30"
    journal.integrate()
    assert JournalEntry.objects.get(object_type="pricing.marketbenchmark").actor == "task:pricing.recompute_benchmarks"

    out = StringIO()
    call_command("recompute_benchmarks", "--as-of", "2024-01-01", stdout=out)
    assert "0 created, 0 updated, 1 deleted" in out.getvalue()
    journal.integrate()
    assert JournalEntry.objects.filter(object_type="pricing.marketbenchmark").last().actor == (
        "command:recompute_benchmarks"
    )


def test_recompute_is_scheduled_nightly_in_beat():
    task = PeriodicTask.objects.get(task="pricing.recompute_benchmarks")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("4", "0", "Asia/Shanghai")


def test_benchmarks_are_read_only_in_the_api(api, superuser):
    api.force_authenticate(superuser)
    assert api.post("/api/v1/benchmarks/", {}).status_code == 405
