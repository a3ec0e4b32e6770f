"""Follower and price charts: server-side SVG in the admin, with their data points."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.charts import Marker, Series, time_chart

pytestmark = pytest.mark.django_db


def svgs(html: str) -> list[str]:
    return re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="ledger-chart".*?</svg>', html, re.S)


def test_time_chart_places_every_point_and_marker():
    """GIVEN three counts over two days, THEN the line runs from the left to the right edge, low to high."""
    t0, t1, t2 = (datetime(2025, 9, d, 4, tzinfo=UTC) for d in (1, 2, 3))
    svg = time_chart(
        title="Followers",
        series=[Series("laok (Douyin)", [(t0, 100), (t1, 300), (t2, 200)])],
        markers=[Marker(at=t1, value=300, label="Jump: +200")],
        from_zero=True,
    )
    # the plot spans x 72..708 and y 212 (0 followers) .. 24 (300 followers), under one legend row:
    # 100 followers sit a third of the way up (212 - 188 / 3)
    assert 'points="72.0,149.3 390.0,24.0 708.0,86.7"' in svg
    assert 'data-count="3"' in svg and "<title>laok (Douyin)</title>" in svg
    assert re.findall(r'<circle class="marker" cx="([\d.]+)" cy="([\d.]+)"', svg) == [("390.0", "24.0")]
    assert 'data-at="2025-09-02T12:00:00+08:00" data-value="300"><title>Jump: +200</title>' in svg
    assert ">2025-09-01</text>" in svg and ">2025-09-03</text>" in svg  # the x axis: first and last day
    assert ">300</text>" in svg and ">0</text>" in svg  # the y axis


def test_time_chart_escapes_labels_and_says_when_empty():
    t0 = datetime(2025, 9, 1, tzinfo=UTC)
    svg = time_chart(title="<b>", series=[Series("<script>", [(t0, 1)])], dots=True)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "<b>" not in svg
    assert time_chart(title="x", series=[Series("a", [])], empty="No snapshots yet.") == "<p>No snapshots yet.</p>"


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_account_page_charts_followers_and_prices_with_anomalies(admin_client, timeline):
    html = admin_client.get(reverse("admin:ledger_platformaccount_change", args=[timeline.douyin.pk])).content.decode()
    [followers] = svgs(html)
    # the daily series of the douyin account: 09-01, 09-03, 09-08, 09-10 (the last count of each day)
    assert 'data-count="4"' in followers
    points = re.search(r'class="series"[^>]*points="([^"]+)"', followers).group(1).split()
    assert len(points) == 4 and points[0].startswith("72.0,") and points[-1].startswith("708.0,")
    assert re.findall(r'<circle class="marker"[^>]*data-at="([^"]+)" data-value="(\d+)"', followers) == [
        ("2025-09-08T12:00:00+08:00", "1500")
    ]
    assert "Jump (day-over-day increase): +300" in followers
    assert "<p>No quotes yet.</p>" in html  # the quote is on the other account: no price chart


def test_influencer_page_charts_every_account_and_its_quotes(admin_client, timeline):
    html = admin_client.get(reverse("admin:ledger_influencer_change", args=[timeline.influencer.pk])).content.decode()
    followers, prices = svgs(html)
    assert re.findall(r'data-label="([^"]+)" data-count="(\d+)"', followers) == [
        ("laok (Douyin)", "4"),
        ("laok_ks (Kuaishou)", "1"),
    ]
    assert re.findall(r'<circle class="point"[^>]*data-at="([^"]+)" data-value="([^"]+)"', prices) == [
        ("2025-09-05T00:00:00+08:00", "26000.00")
    ]
    assert prices.count('<line class="marker"') == 1  # the follower jump, as a dashed line
    assert "26,000.00" in prices


def test_price_chart_rings_outliers(admin_client, timeline):
    from pricing.models import MarketBenchmark
    from tests.pricing.factories import QuoteFactory, tier

    MarketBenchmark.objects.create(
        platform="douyin",
        deliverable="short_video",
        tier=tier("s1_20"),
        currency="CNY",
        band="under_100k",
        band_min=0,
        band_max=100_000,
        count=10,
        p25=Decimal("100.00"),
        median=Decimal("200.00"),
        p75=Decimal("300.00"),
        window_days=365,
        as_of=date(2025, 9, 30),
        computed_at=datetime(2025, 9, 30, tzinfo=UTC),
    )
    QuoteFactory(account=timeline.douyin, price=Decimal("90000.00"), observed_on=date(2025, 9, 12))
    html = admin_client.get(reverse("admin:ledger_platformaccount_change", args=[timeline.douyin.pk])).content.decode()
    prices = svgs(html)[1]
    assert re.findall(r'<circle class="marker"[^>]*data-value="([^"]+)"><title>([^<]+)<', prices) == [
        ("90000.00", "Outlier: 90,000.00 CNY, 450.00 x market")
    ]
