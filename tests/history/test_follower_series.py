"""GET /api/v1/accounts/{id}/followers/: the follower series aggregated in the database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger import selectors
from tests.factories import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    """GIVEN snapshots around the Asia/Shanghai boundaries of days, weeks and months.

    2025-09-30 17:00 UTC is already 2025-10-01 01:00 in Asia/Shanghai.
    """
    account = AccountFactory()
    for captured_at, count in [
        (datetime(2025, 9, 28, 4, tzinfo=UTC), 100),  # Sunday 09-28 (week of 09-22)
        (datetime(2025, 9, 29, 4, tzinfo=UTC), 110),  # Monday 09-29
        (datetime(2025, 9, 29, 10, tzinfo=UTC), 120),  # the same day, later: last of 09-29
        (datetime(2025, 9, 30, 17, tzinfo=UTC), 150),  # 10-01 01:00 in Shanghai
        (datetime(2025, 10, 6, 4, tzinfo=UTC), 140),  # Monday 10-06
    ]:
        SnapshotFactory(account=account, captured_at=captured_at, follower_count=count)
    return account


def series(api, account, **params):
    response = api.get(f"/api/v1/accounts/{account.pk}/followers/", params)
    assert response.status_code == 200, response.content
    return [(p["period_start"], p["follower_count"], p["change"]) for p in response.json()]


def test_daily_series_takes_the_last_count_of_each_local_day(as_analyst, account):
    assert series(as_analyst, account) == [
        ("2025-09-28T00:00:00+08:00", 100, None),
        ("2025-09-29T00:00:00+08:00", 120, 20),
        ("2025-10-01T00:00:00+08:00", 150, 30),
        ("2025-10-06T00:00:00+08:00", 140, -10),
    ]


def test_weekly_series_starts_on_monday(as_analyst, account):
    assert series(as_analyst, account, interval="week") == [
        ("2025-09-22T00:00:00+08:00", 100, None),
        ("2025-09-29T00:00:00+08:00", 150, 50),
        ("2025-10-06T00:00:00+08:00", 140, -10),
    ]


def test_monthly_series_uses_the_local_month(as_analyst, account):
    assert series(as_analyst, account, interval="month") == [
        ("2025-09-01T00:00:00+08:00", 120, None),
        ("2025-10-01T00:00:00+08:00", 140, 20),
    ]


def test_point_fields(as_analyst, account):
    first = as_analyst.get(f"/api/v1/accounts/{account.pk}/followers/").json()[0]
    assert first == {
        "period_start": "2025-09-28T00:00:00+08:00",
        "captured_at": "2025-09-28T12:00:00+08:00",
        "follower_count": 100,
        "change": None,
    }


def test_since_and_until_bound_the_snapshots_and_change_still_looks_back(as_analyst, account):
    """The first period after ``since`` still shows its change; the last is cut at ``until``."""
    assert series(
        as_analyst, account, interval="month", since="2025-09-29T00:00:00+08:00", until="2025-10-05T00:00:00+08:00"
    ) == [
        ("2025-09-01T00:00:00+08:00", 120, None),
        ("2025-10-01T00:00:00+08:00", 150, 30),
    ]
    assert series(as_analyst, account, since="2025-09-29T18:00:01+08:00") == [
        ("2025-10-01T00:00:00+08:00", 150, 30),
        ("2025-10-06T00:00:00+08:00", 140, -10),
    ]


def test_other_accounts_do_not_mix_in(as_analyst, account):
    SnapshotFactory(account=AccountFactory(), captured_at=datetime(2025, 9, 29, 12, tzinfo=UTC), follower_count=9)
    assert series(as_analyst, account, interval="week")[1] == ("2025-09-29T00:00:00+08:00", 150, 50)


def test_bad_interval_is_400(as_analyst, account):
    response = as_analyst.get(f"/api/v1/accounts/{account.pk}/followers/", {"interval": "hour"})
    assert response.status_code == 400 and list(response.json()) == ["interval"]


def test_needs_the_snapshots_view_permission(api, outsider, account):
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/accounts/{account.pk}/followers/").status_code == 403


def test_series_is_one_query_whatever_its_length(account):
    with CaptureQueriesContext(connection) as ctx:
        points = list(selectors.follower_series(account_ids=[account.pk], interval="day"))
    assert len(points) == 4 and len(ctx.captured_queries) == 1
