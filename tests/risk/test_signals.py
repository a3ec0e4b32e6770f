"""Each signal of the risk score: what raises it, with which figures and evidence, and what does not."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ledger.choices import Platform
from ledger.selectors import FollowerPoint
from ledger.services import snapshot_record
from pricing import figures
from pricing.models import MarketBenchmark
from reviews.choices import Verdict
from reviews.services import claim_verdict_set
from risk import signals
from tests.cases.factories import CaseFactory, LegalActionFactory
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory
from tests.risk.conftest import daily_series, reviews_every

pytestmark = pytest.mark.django_db


def points(counts: list[int]) -> list[FollowerPoint]:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    return [
        FollowerPoint(i, 1, start + timedelta(days=i, hours=4), c, start + timedelta(days=i), None)
        for i, c in enumerate(counts)
    ]


def by_name(found: list[signals.Signal]) -> dict[str, signals.Signal]:
    return {s.signal: s for s in found}


# --- the follower series (pure) ---------------------------------------------------


def test_regular_series_flags_gains_without_noise():
    counts = [100_000 + 800 * i for i in range(40)]  # +800 every day: coefficient of variation 0

    signal = signals.regular_series_signal(points(counts))

    assert signal.value == 1.0
    assert signal.figures["days"] == 39 and signal.figures["cv"] == 0.0 and signal.figures["mean_daily_gain"] == 800


def test_regular_series_leaves_organic_noise_alone():
    rng = random.Random(7)  # noqa: S311 - test data, not cryptography
    counts = [100_000]
    for _ in range(40):
        counts.append(counts[-1] + max(0, round(rng.gauss(300, 150))))

    signal = signals.regular_series_signal(points(counts))

    assert signal.value == 0.0
    assert signal.figures["cv"] > 0.1


def test_regular_series_needs_enough_days_and_gains():
    assert signals.regular_series_signal(points([1000 + 800 * i for i in range(10)])).value == 0.0
    flat = signals.regular_series_signal(points([5000] * 40))  # no growth: nothing to call regular
    assert flat.value == 0.0 and "cv" not in flat.figures


def test_regular_series_skips_gaps_between_days():
    counts = [100_000 + 800 * i for i in range(40)]
    series = points(counts)
    del series[20:25]  # five missing days: the jump over the gap is not a daily gain

    assert signals.daily_gains(series) == [800] * 33  # 35 days: 34 pairs, less the one across the gap


def halves(early_views: float, late_views: float, n: int = 4) -> signals.AudienceHalves:
    return signals.AudienceHalves(n, n, early_views, late_views, early_views * 0.05, late_views * 0.05)


def test_unexplained_growth_flags_followers_without_audience():
    counts = [100_000 + 500 * i for i in range(91)]  # +45 % over 90 days, every day up

    signal = signals.unexplained_growth_signal(points(counts), halves(20_000, 19_000))

    assert signal.value == 1.0  # unexplained growth 0.45 >= RISK_GROWTH_MIN
    assert signal.figures["follower_growth"] == 0.45
    assert signal.figures["views_per_review_growth"] == -0.05
    assert signal.figures["positive_days_share"] == 1.0


def test_unexplained_growth_accepts_growth_with_its_audience():
    counts = [100_000 + 500 * i for i in range(91)]

    signal = signals.unexplained_growth_signal(points(counts), halves(20_000, 30_000))  # views +50 %

    assert signal.value == 0.0


def test_unexplained_growth_needs_reviews_in_both_halves_and_real_growth():
    counts = [100_000 + 500 * i for i in range(91)]
    assert signals.unexplained_growth_signal(points(counts), halves(20_000, 19_000, n=2)).value == 0.0
    assert signals.unexplained_growth_signal(points(counts), None).value == 0.0
    small = [100_000 + 100 * i for i in range(91)]  # +9 %
    assert signals.unexplained_growth_signal(points(small), halves(20_000, 19_000)).value == 0.0


def test_score_is_the_sum_of_contributions_capped_at_100(settings):
    found = [signals.Signal(name, 1.0) for name in signals.ACCOUNT_SIGNALS]
    score, rows = signals.score_of(found)
    assert score == 100
    assert sum(r["contribution"] for r in rows) == sum(settings.RISK_WEIGHTS[n] for n in signals.ACCOUNT_SIGNALS)

    score, rows = signals.score_of([signals.Signal("ai_content", 0.5), signals.Signal("false_claims", 1.0)])
    assert score == 30  # 25 + 10 x 0.5
    assert [r["signal"] for r in rows] == ["false_claims", "ai_content"]
    assert rows[1] == {
        "signal": "ai_content",
        "weight": 10.0,
        "value": 0.5,
        "contribution": 5.0,
        "figures": {},
        "evidence": [],
    }


# --- signals read from the database -------------------------------------------------


def test_unexplained_growth_and_regular_series_from_the_database():
    account = AccountFactory()
    daily_series(account, [100_000 + 500 * i for i in range(91)])
    reviews_every(account, 10, [20_000] * 9)  # views flat while followers grow 45 %
    organic = AccountFactory()
    daily_series(organic, [100_000 + 500 * i + (i % 3) * 400 for i in range(91)])
    reviews_every(organic, 10, [20_000 + 2_000 * i for i in range(9)])  # views grow with the audience

    found = signals.account_signals([account.pk, organic.pk])

    planted = by_name(found[account.pk])
    assert planted["unexplained_growth"].value == 1.0
    assert planted["unexplained_growth"].figures["reviews_first_half"] == 5
    assert planted["unexplained_growth"].figures["reviews_second_half"] == 4
    assert planted["regular_series"].value == 1.0
    assert planted["unexplained_growth"].evidence == [
        f"/api/v1/snapshots/?account={account.pk}&since=2025-06-01T04:00:00%2B00:00"
    ]
    honest = by_name(found[organic.pk])
    assert honest["unexplained_growth"].value == 0.0
    assert honest["regular_series"].value == 0.0
    assert honest["unexplained_growth"].evidence == []


def test_follower_anomalies_count_jumps_with_their_evidence():
    account = AccountFactory()
    start = datetime(2025, 8, 1, 4, tzinfo=UTC)
    snapshot_record(account=account, captured_at=start, follower_count=100_000)
    snapshot_record(account=account, captured_at=start + timedelta(days=1), follower_count=160_000)  # +60 %
    snapshot_record(account=account, captured_at=start + timedelta(days=2), follower_count=161_000)
    other = AccountFactory()

    found = signals.follower_anomalies([account.pk, other.pk])

    anomaly = account.anomalies.get()
    assert found[account.pk].value == 0.5  # one of RISK_COUNT_FULL = 2
    assert found[account.pk].figures == {"anomaly_days": 1, "anomalies": 1}
    assert found[account.pk].evidence == [f"/api/v1/anomalies/{anomaly.pk}/"]
    assert found[other.pk].value == 0.0 and found[other.pk].evidence == []


def test_order_markup_counts_from_the_minimum_and_in_full_at_three_times():
    account = AccountFactory()
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    high = OrderFactory(account=account, agreed_price=Decimal("35000.00"))  # x3.5
    OrderFactory(account=account, agreed_price=Decimal("12000.00"))  # x1.2: below RISK_MARKUP_MIN
    mild = AccountFactory()
    QuoteFactory(account=mild, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    OrderFactory(account=mild, agreed_price=Decimal("20000.00"))  # x2: (2 - 1) / (3 - 1)

    found = signals.order_markup([account.pk, mild.pk])

    assert found[account.pk].value == 1.0
    assert found[account.pk].figures["max_markup"] == 3.5 and found[account.pk].figures["orders_over_min"] == 1
    assert found[account.pk].evidence == [f"/api/v1/orders/{high.pk}/"]
    assert found[mild.pk].value == 0.5


def test_quote_outliers_against_their_benchmark():
    account = AccountFactory(platform=Platform.DOUYIN)
    snapshot_record(account=account, captured_at=datetime(2025, 9, 1, tzinfo=UTC), follower_count=50_000)
    band = figures.follower_bands()[0]
    MarketBenchmark.objects.create(
        platform=Platform.DOUYIN,
        deliverable="short_video",
        tier=tier("s1_20"),
        currency="CNY",
        band=band.code,
        band_min=0,
        band_max=band.max_followers,
        count=20,
        p25=Decimal("1000"),
        median=Decimal("1500"),
        p75=Decimal("2000"),
        median_per_10k_followers=Decimal("300"),
        window_days=365,
        as_of=date(2025, 9, 30),
        computed_at=datetime(2025, 9, 30, tzinfo=UTC),
    )
    outlier = QuoteFactory(account=account, price=Decimal("9000.00"), observed_on=date(2025, 9, 12))  # > 3 x p75
    QuoteFactory(account=account, price=Decimal("1800.00"), observed_on=date(2025, 9, 13))

    found = signals.quote_outliers([account.pk])

    assert found[account.pk].figures == {"outlier_quotes": 1}
    assert found[account.pk].evidence == [f"/api/v1/quotes/{outlier.pk}/"]


def test_false_and_misleading_claims_count_but_not_accurate_ones():
    account = AccountFactory()
    review = ReviewFactory(account=account)
    for verdict in (Verdict.FALSE, Verdict.MISLEADING, Verdict.ACCURATE):
        claim = ClaimFactory(reviews=[review])
        claim_verdict_set(claim=claim, verdict=verdict, verdict_on=date(2025, 10, 1), verdict_by="CAC")
    ClaimFactory(reviews=[review])  # pending

    found = signals.false_claims([account.pk])

    assert found[account.pk].figures == {"claims": 2}
    assert found[account.pk].value == 1.0
    assert len(found[account.pk].evidence) == 2


def test_ai_and_undisclosed_ad_content():
    account = AccountFactory()
    ai = ReviewFactory(account=account, suspected_ai=True)
    ReviewFactory(account=account, undisclosed_ad=True)
    ReviewFactory(account=account, undisclosed_ad=True)
    ReviewFactory(account=account)

    found = by_name(signals.account_signals([account.pk])[account.pk])

    assert found["ai_content"].value == 0.5 and found["ai_content"].evidence == [f"/api/v1/reviews/{ai.pk}/"]
    assert found["undisclosed_ads"].value == 1.0 and found["undisclosed_ads"].figures == {"reviews": 2}


def test_legal_actions_name_the_account_or_its_influencer():
    account = AccountFactory()
    sibling = AccountFactory(influencer=account.influencer)
    on_account = LegalActionFactory()
    on_account.defendant_accounts.add(account)
    on_influencer = LegalActionFactory()
    on_influencer.defendant_influencers.add(account.influencer)
    bystander = AccountFactory()

    found = signals.legal_actions([account.pk, sibling.pk, bystander.pk])

    assert found[account.pk].figures == {"legal_actions": 2}
    assert sorted(found[account.pk].evidence) == sorted(
        [f"/api/v1/legal-actions/{on_account.pk}/", f"/api/v1/legal-actions/{on_influencer.pk}/"]
    )
    assert found[sibling.pk].evidence == [f"/api/v1/legal-actions/{on_influencer.pk}/"]
    assert found[bystander.pk].value == 0.0


def test_order_signals_read_its_markup_content_cases_and_account():
    account = AccountFactory(risk_score=50)
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    review = ReviewFactory(account=account, suspected_ai=True)
    order = OrderFactory(account=account, agreed_price=Decimal("40000.00"))
    order.reviews.add(review)
    case = CaseFactory()
    case.orders.add(order)
    action = LegalActionFactory(case=case)
    plain = OrderFactory(account=AccountFactory())

    found = signals.order_signals([order.pk, plain.pk])

    mine = by_name(found[order.pk])
    assert mine["account_risk"].value == 0.5 and mine["account_risk"].evidence == [f"/api/v1/accounts/{account.pk}/"]
    assert mine["order_markup"].value == 1.0
    assert mine["ai_content"].evidence == [f"/api/v1/reviews/{review.pk}/"]
    assert mine["legal_actions"].evidence == [f"/api/v1/legal-actions/{action.pk}/"]
    assert signals.score_of(found[plain.pk].copy())[0] == 0
