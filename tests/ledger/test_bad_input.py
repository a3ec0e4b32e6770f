"""Issue 18.6: bad input answers 400, never 500 (time-zone offsets, NUL bytes, huge counts, deep JSON)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import django_filters
import pytest

from config.urls import api_router
from core import limits
from core.errors import DomainError
from ledger.models import FollowerAnomaly, FollowerSnapshot
from ledger.services import snapshot_record
from pricing.models import RateQuote
from tests.factories import AccountFactory, InfluencerFactory

pytestmark = pytest.mark.django_db


def time_filters() -> list[tuple[str, str]]:
    """(list path, parameter) of every time filter of every list in the API, found from the router."""
    found = []
    for prefix, viewset, _basename in api_router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, spec in (filterset.base_filters if filterset else {}).items():
            if isinstance(spec, django_filters.DateTimeFilter):
                found.append((f"/api/v1/{prefix}/", name))
    return found


def test_the_api_has_time_filters_to_check():
    assert ("/api/v1/campaigns/", "published_before") in time_filters()


# The last value is the one a fuzzer found: year 63 with an offset of +17:32.
@pytest.mark.parametrize(
    "value",
    [
        "2025-09-12T00:00:00+16:00",
        "2025-09-12T00:00:00+23:59",
        "2025-09-12T00:00:00-16:30",
        "0063-08-10T03:45:05.7+17:32",
    ],
)
@pytest.mark.parametrize(("path", "name"), time_filters())
def test_offsets_beyond_what_postgresql_takes_are_not_a_500(superuser, api, value, path, name):
    """Every time filter hands the database its time in UTC, so an offset PostgreSQL refuses is no 500."""
    api.force_authenticate(superuser)
    response = api.get(path, {name: value})
    assert response.status_code == 200, response.content


def test_history_since_with_a_far_offset_is_not_a_500(as_analyst):
    influencer = InfluencerFactory()
    response = as_analyst.get(f"/api/v1/influencers/{influencer.pk}/history/", {"since": "2025-09-12T00:00:00+23:00"})
    assert response.status_code in (200, 400), response.content


def test_an_overflowing_time_is_400(superuser, api):
    api.force_authenticate(superuser)
    assert api.get("/api/v1/snapshots/", {"since": "0001-01-01T00:00:00+15:00"}).status_code == 400


def test_a_nul_byte_in_a_path_is_400(as_regulator):
    response = as_regulator.get("/api/v1/tiers/s1%0020/")
    assert response.status_code == 400 and response.json()["code"] == "nul_character"
    assert as_regulator.get("/api/v1/tiers/", {"search": "a\x00b"}).status_code == 400


def test_a_nul_byte_in_a_body_is_400_and_writes_nothing(as_regulator):
    account = AccountFactory()
    payload = {
        "account": account.pk,
        "deliverable": "short_video",
        "tier": "s1_20\x00",
        "price": "1.00",
        "price_kind": "press_report",
        "observed_on": "2025-09-12",
    }
    response = as_regulator.post("/api/v1/quotes/", payload, format="json")
    assert response.status_code == 400, response.content
    response = as_regulator.post("/api/v1/quotes/", {**payload, "tier": "s1_20"}, format="multipart")
    assert response.status_code == 201  # the same without the NUL
    response = as_regulator.post("/api/v1/quotes/", payload, format="multipart")
    assert response.status_code == 400
    assert RateQuote.objects.count() == 1


def test_json_nested_100000_deep_is_400(as_regulator):
    body = "[" * 100_000 + "]" * 100_000
    response = as_regulator.post("/api/v1/agencies/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_millionfold_follower_jump_is_stored_with_its_anomaly():
    account = AccountFactory()
    t0 = datetime(2025, 9, 1, tzinfo=UTC)
    snapshot_record(account=account, captured_at=t0, follower_count=1)
    snapshot_record(account=account, captured_at=t0 + timedelta(days=1), follower_count=limits.MAX_COUNT - 1)
    anomaly = FollowerAnomaly.objects.get()
    assert anomaly.change == limits.MAX_COUNT - 2
    account.refresh_from_db()
    assert account.follower_count == limits.MAX_COUNT - 1


def test_a_follower_count_of_ten_to_the_fifteen_is_refused(as_regulator):
    account = AccountFactory()
    with pytest.raises(DomainError):
        snapshot_record(account=account, captured_at=datetime(2025, 9, 1, tzinfo=UTC), follower_count=10**15)
    payload = {"account": account.pk, "captured_at": "2025-09-12T12:00:00+08:00", "follower_count": 10**15}
    response = as_regulator.post("/api/v1/snapshots/", payload)
    assert response.status_code == 400 and "follower_count" in response.data
    assert not FollowerSnapshot.objects.exists()
