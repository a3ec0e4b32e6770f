"""Follower and price charts: server-side SVG in the admin, with their data points."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.charts import Marker, Series, time_chart

pytestmark = pytest.mark.django_db


def x_ticks(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<text class="x-tick"[^>]*data-at="([^"]+)">([^<]+)</text>', svg)


def y_ticks(svg: str) -> list[str]:
    return re.findall(r'<text class="y-tick"[^>]*>([^<]+)</text>', svg)


def legend(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<g class="legend-item" data-label="([^"]+)" data-color="([^"]+)"', svg)


def drawn(svg: str) -> list[tuple[str, str, str]]:
    """(label, colour, number of points) of each series drawn."""
    return re.findall(r'<g class="series-group" data-label="([^"]+)" data-color="([^"]+)" data-count="(\d+)"', svg)


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
    # the x axis: each local midnight in the range, where the grid line crosses the line
    assert x_ticks(svg) == [("2025-09-02T00:00:00+08:00", "2025-09-02"), ("2025-09-03T00:00:00+08:00", "2025-09-03")]
    assert y_ticks(svg) == ["0", "100", "200", "300"]  # the y axis: 1-2-5 steps
    assert re.findall(r'<circle class="point"[^>]*data-value="(\d+)"', svg) == ["100", "300", "200"]  # short: points


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
    series = drawn(followers)
    assert [(label, count) for label, _, count in series] == [("laok (Douyin)", "4"), ("laok_ks (Kuaishou)", "1")]
    # one colour per series, the legend names each in that colour; the one-snapshot account is a point
    assert legend(followers) == [(label, color) for label, color, _ in series]
    assert len({color for _, color, _ in series}) == 2
    kuaishou = followers.split('data-label="laok_ks (Kuaishou)"')[1]
    assert re.match(r'[^>]*><circle class="point"', kuaishou)
    assert re.findall(r'<circle class="point"[^>]*data-at="([^"]+)" data-value="([^"]+)"', prices) == [
        ("2025-09-05T00:00:00+08:00", "26000.00")
    ]
    assert prices.count('<line class="marker"') == 1  # the follower jump, as a dashed line
    assert "26,000.00" in prices
    # the tier by its label, and the price as a step from its date to the right edge
    [(label, _, _)] = drawn(prices)
    assert label == "laok_ks: Short video 21-60 s (CNY)"
    steps = re.search(r'<polyline class="step"[^>]*points="([^"]+)"', prices).group(1).split()
    assert len(steps) == 2 and steps[-1].startswith("708.0,") and steps[0].split(",")[1] == steps[1].split(",")[1]


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
        ("90000.00", "Outlier: 90,000.00 CNY, 45,000% of the market median")
    ]


def test_value_axis_ticks_are_1_2_5_steps():
    """GIVEN counts from 10,392 to 628,768, THEN the axis reads 0 / 200,000 / ... / 800,000, not the data's own values."""
    from core.charts import nice_ticks

    assert [str(t) for t in nice_ticks(0, 628_768)] == ["0", "200000", "400000", "600000", "800000"]
    assert [str(t) for t in nice_ticks(10_392, 628_768)] == ["0", "200000", "400000", "600000", "800000"]
    assert [str(t) for t in nice_ticks(0, 300)] == ["0", "100", "200", "300"]
    assert [str(t) for t in nice_ticks(0, Decimal("0.95"))] == ["0", "0.2", "0.4", "0.6", "0.8", "1"]
    t0, t1 = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 11, 30, tzinfo=UTC)
    svg = time_chart(title="Followers", series=[Series("a", [(t0, 10_392), (t1, 628_768)])], from_zero=True)
    assert y_ticks(svg) == ["0", "200,000", "400,000", "600,000", "800,000"]


def test_time_axis_labels_several_dates():
    t0, t1 = datetime(2025, 9, 1, 4, tzinfo=UTC), datetime(2025, 9, 30, 4, tzinfo=UTC)
    svg = time_chart(title="x", series=[Series("a", [(t0, 1), (t1, 2)])])
    assert [label for _, label in x_ticks(svg)] == [
        "2025-09-02",
        "2025-09-09",
        "2025-09-16",
        "2025-09-23",
        "2025-09-30",
    ]
    t2 = datetime(2025, 12, 20, tzinfo=UTC)
    long = time_chart(title="x", series=[Series("a", [(datetime(2025, 1, 10, tzinfo=UTC), 1), (t2, 2)])])
    assert [label for _, label in x_ticks(long)] == ["2025-03", "2025-05", "2025-07", "2025-09", "2025-11"]


def test_every_series_has_its_own_colour_and_legend_entry_and_short_ones_are_drawn():
    """GIVEN three series, one of a single point, THEN each is drawn in its own colour, named in that colour
    in the legend, and the single point is a circle (a one-point line would draw nothing)."""
    t0, t1 = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 9, 5, tzinfo=UTC)
    svg = time_chart(
        title="Followers",
        series=[
            Series("a (Douyin)", [(t0, 100), (t1, 200)]),
            Series("b (Kuaishou)", [(t1, 150)]),
            Series("c (Weibo)", [(t0, 50), (t1, 60)]),
        ],
    )
    series = drawn(svg)
    assert [(label, count) for label, _, count in series] == [
        ("a (Douyin)", "2"),
        ("b (Kuaishou)", "1"),
        ("c (Weibo)", "2"),
    ]
    assert legend(svg) == [(label, color) for label, color, _ in series]
    assert len({color for _, color, _ in series}) == 3
    for label, color, count in series:
        group = re.search(rf'<g class="series-group" data-label="{re.escape(label)}".*?</g>', svg).group(0)
        assert group.count('<circle class="point" ') == int(count)
        assert set(re.findall(r'(?:fill|stroke)="(#[0-9a-f]{6})"', group)) == {color}


def test_a_price_of_one_date_is_a_step_with_dated_context():
    """GIVEN two quotes of one day, THEN each is a point with a step to the right edge, over a fortnight of dated
    axis and a value axis from zero: not a bare column of dots."""
    day = datetime(2025, 9, 5, tzinfo=UTC)
    svg = time_chart(
        title="Prices",
        series=[
            Series("Short video 1-20 s", [(day, Decimal("18000"))]),
            Series("Live stream", [(day, Decimal("38000"))]),
        ],
        step=True,
        from_zero=True,
    )
    assert y_ticks(svg) == ["0", "10,000", "20,000", "30,000", "40,000"]
    assert len(x_ticks(svg)) >= 3
    steps = re.findall(r'<polyline class="step"[^>]*points="([^"]+)"', svg)
    assert [s.split()[0].split(",")[0] for s in steps] == ["390.0", "390.0"]  # the date, in the middle
    assert all(s.split()[-1].startswith("708.0,") for s in steps)
    assert len(drawn(svg)) == len(legend(svg)) == 2


def test_follower_axis_in_chinese_counts_in_wan_as_the_lists_do():
    from django.utils import translation

    from core import numbers

    t0, t1 = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 9, 5, tzinfo=UTC)
    with translation.override("zh-hans"):
        svg = time_chart(
            title="粉丝",
            series=[Series("laok", [(t0, 10_392), (t1, 628_768)])],
            from_zero=True,
            value_format=numbers.compact,
            tick_format=numbers.compact,
        )
        assert numbers.followers(600_000) == '<span title="600,000">60万</span>'
    assert y_ticks(svg) == ["0", "20万", "40万", "60万", "80万"]
    assert "62.9万 (2025-09-05)" in svg  # the point's tooltip
