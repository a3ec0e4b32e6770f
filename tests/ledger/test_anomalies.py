"""Follower anomaly detection: the rules, the service after each snapshot, the demo spike and the API."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from ledger.anomalies import Point, Thresholds, detect, robust_z
from ledger.models import FollowerAnomaly, PlatformAccount
from ledger.services import snapshot_record
from tests.factories import AccountFactory

T0 = datetime(2025, 1, 1, 4, tzinfo=UTC)
RULES = Thresholds(daily_change=0.10, min_change=1000, z_threshold=6.0, history=timedelta(days=60))


def series(counts: list[int], step=timedelta(days=1)) -> list[Point]:
    return [Point(i + 1, T0 + i * step, c) for i, c in enumerate(counts)]


def steady(n: int, start: int = 100_000) -> list[int]:
    """Daily growth alternating 0.1 % and 0.2 % (a small, non-zero spread)."""
    counts = [start]
    for i in range(n - 1):
        counts.append(round(counts[-1] * (1.001 if i % 2 else 1.002)))
    return counts


def kinds(findings) -> list[str]:
    return sorted(f.kind for f in findings)


def test_day_over_day_jump_and_drop():
    assert kinds(detect(series([100_000, 112_000]), 1, RULES)) == ["jump"]
    assert kinds(detect(series([100_000, 89_000]), 1, RULES)) == ["drop"]
    assert detect(series([100_000, 109_000]), 1, RULES) == []  # 9 % is below the threshold


def test_small_accounts_need_a_minimum_absolute_change():
    assert detect(series([1_000, 1_500]), 1, RULES) == []  # +50 % but only 500 followers


def test_changes_are_compared_per_day():
    # +20 % over 4 days is 5 % a day: no jump
    assert detect(series([100_000, 120_000], step=timedelta(days=4)), 1, RULES) == []
    # +12 % within one hour counts as one day
    assert kinds(detect(series([100_000, 112_000], step=timedelta(hours=1)), 1, RULES)) == ["jump"]


def test_robust_z_flags_a_change_far_outside_the_accounts_own_history():
    counts = steady(40)
    counts.append(round(counts[-1] * 1.03))  # +3 %: under 10 %, far outside 0.1-0.2 %
    findings = detect(series(counts), 40, RULES)
    assert kinds(findings) == ["outlier"]
    assert findings[0].z_score > 6
    assert detect(series(steady(41)), 40, RULES) == []


def test_robust_z_needs_history_and_spread():
    assert robust_z(0.5, [0.001] * 30) is None  # MAD 0
    assert robust_z(0.5, [0.001, 0.002] * 5) is None  # fewer than 14
    assert robust_z(0.003, [0.001, 0.002] * 10) == pytest.approx(0.6745 * (0.003 - 0.0015) / 0.0005)


@pytest.mark.django_db
def test_each_new_snapshot_is_checked_once():
    account = AccountFactory()
    for i, count in enumerate([100_000, 101_000, 150_000]):
        snapshot_record(account=account, captured_at=T0 + timedelta(days=i), follower_count=count)
    (anomaly,) = FollowerAnomaly.objects.all()
    assert (anomaly.kind, anomaly.change, anomaly.previous_snapshot.follower_count) == ("jump", 49_000, 101_000)
    assert float(anomaly.change_per_day) == pytest.approx(49_000 / 101_000, abs=1e-6)
    assert "day-over-day" in anomaly.reason


@pytest.mark.django_db
def test_the_demo_has_a_bought_follower_spike_and_no_false_alarm():
    call_command("seed_demo", stdout=StringIO())
    spiky = PlatformAccount.objects.get(platform_uid="dy_60000002")
    assert set(FollowerAnomaly.objects.values_list("account_id", flat=True)) == {spiky.pk}
    assert set(spiky.anomalies.values_list("kind", flat=True)) == {"jump", "outlier"}
    (jump,) = spiky.anomalies.filter(kind="jump")
    assert jump.snapshot.captured_at.date() == datetime(2025, 8, 3).date()  # 40 days before 2025-09-12
    call_command("seed_demo", stdout=StringIO())
    assert FollowerAnomaly.objects.count() == 2  # idempotent


@pytest.mark.django_db
def test_anomaly_api_filters(as_analyst):
    call_command("seed_demo", stdout=StringIO())
    spiky = PlatformAccount.objects.get(platform_uid="dy_60000002")
    data = as_analyst.get("/api/v1/anomalies/", {"kind": "jump"}).data
    (row,) = data["results"]
    assert (row["account"], row["influencer"], row["platform"], row["kind"]) == (
        spiky.pk,
        spiky.influencer_id,
        "douyin",
        "jump",
    )
    assert row["follower_count"] - row["previous_follower_count"] == row["change"]
    assert as_analyst.get("/api/v1/anomalies/", {"account": spiky.pk}).data["count"] == 2
    assert as_analyst.get("/api/v1/anomalies/", {"influencer": spiky.influencer_id}).data["count"] == 2
    assert as_analyst.get("/api/v1/anomalies/", {"platform": "weibo"}).data["count"] == 0
    assert as_analyst.get("/api/v1/anomalies/", {"since": "2025-09-01T00:00:00+08:00"}).data["count"] == 0
    assert as_analyst.get("/api/v1/anomalies/", {"since": "2025-08-01T00:00:00+08:00"}).data["count"] == 2
