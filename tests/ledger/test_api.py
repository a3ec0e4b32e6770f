from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount
from ledger.services import snapshot_record
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 9, 12, 4, 0, tzinfo=UTC)


# --- permissions ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["agencies", "influencers", "accounts", "snapshots"])
def test_anonymous_requests_get_401_with_a_bearer_challenge(api, path):
    response = api.get(f"/api/v1/{path}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["agencies", "influencers", "accounts", "snapshots"])
def test_user_in_no_group_cannot_read(api, outsider, path):
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/{path}/").status_code == 403


def test_read_only_groups_can_read_but_not_write(api, user_in_group):
    influencer = InfluencerFactory()
    for group in ("analyst", "api_client"):
        api.force_authenticate(user_in_group(group))
        assert api.get("/api/v1/influencers/").status_code == 200
        assert api.post("/api/v1/agencies/", {"name": "X", "kind": "mcn"}).status_code == 403
        assert api.patch(f"/api/v1/influencers/{influencer.pk}/", {"notes": "x"}).status_code == 403
        assert api.delete(f"/api/v1/influencers/{influencer.pk}/").status_code == 403
    assert Agency.objects.count() == 1  # the influencer's own
    influencer.refresh_from_db()
    assert influencer.notes == ""


def test_regulator_can_create_and_change_but_not_delete(as_regulator):
    response = as_regulator.post(
        "/api/v1/agencies/", {"name": "Xingchi MCN", "kind": "mcn", "uscc": "91110000600037341L"}
    )
    assert response.status_code == 201, response.data
    agency_id = response.data["id"]
    assert as_regulator.patch(f"/api/v1/agencies/{agency_id}/", {"name": "Xingchi Media"}).status_code == 200
    assert as_regulator.delete(f"/api/v1/agencies/{agency_id}/").status_code == 403
    assert Agency.objects.get(pk=agency_id).name == "Xingchi Media"


# --- agencies -------------------------------------------------------------------


def test_agency_fields(as_analyst):
    agency = AgencyFactory(name="Xingchi", kind="pr_agency", uscc="91110000600037341L")
    data = as_analyst.get(f"/api/v1/agencies/{agency.pk}/").data
    assert {k: data[k] for k in ("id", "name", "kind", "uscc")} == {
        "id": agency.pk,
        "name": "Xingchi",
        "kind": "pr_agency",
        "uscc": "91110000600037341L",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "kind": "mcn", "uscc": "91110000600037341M"}, "uscc"),
        ({"name": "A", "kind": "cartel"}, "kind"),
        ({"kind": "mcn"}, "name"),
    ],
)
def test_agency_bad_input_is_400_with_the_field_and_writes_nothing(as_regulator, payload, field):
    response = as_regulator.post("/api/v1/agencies/", payload)
    assert response.status_code == 400
    assert field in response.data
    assert not Agency.objects.exists()


def test_agency_duplicate_uscc_is_400_on_the_field(as_regulator):
    AgencyFactory(uscc="91110000600037341L")
    response = as_regulator.post("/api/v1/agencies/", {"name": "B", "kind": "mcn", "uscc": "91110000600037341L"})
    assert response.status_code == 400
    assert "uscc" in response.data
    assert Agency.objects.count() == 1


def test_agency_search_and_kind_filter(as_analyst):
    AgencyFactory(name="Xingchi Media", kind="mcn")
    AgencyFactory(name="Bluewhale PR", kind="pr_agency")
    assert [a["name"] for a in as_analyst.get("/api/v1/agencies/?search=whale").data["results"]] == ["Bluewhale PR"]
    assert [a["name"] for a in as_analyst.get("/api/v1/agencies/?kind=mcn").data["results"]] == ["Xingchi Media"]


# --- influencers ----------------------------------------------------------------


def test_influencer_shows_accounts_totals_and_masks_a_persons_legal_name(as_analyst):
    person = InfluencerFactory(display_name="Lao K", legal_name="王建国", kind="person")
    a1 = AccountFactory(influencer=person, platform="douyin")
    a2 = AccountFactory(influencer=person, platform="kuaishou")
    snapshot_record(account=a1, captured_at=T0, follower_count=600_000)
    snapshot_record(account=a2, captured_at=T0, follower_count=142_000)
    org = InfluencerFactory(display_name="EV Lab", legal_name="Shenzhen EV Truth Co., Ltd.", kind="organisation")

    data = as_analyst.get(f"/api/v1/influencers/{person.pk}/").data
    assert data["legal_name"] == "王**"
    assert data["account_count"] == 2
    assert data["total_followers"] == 742_000
    assert sorted(a["id"] for a in data["accounts"]) == sorted([a1.pk, a2.pk])
    assert data["created_at"].endswith("+08:00")  # shown in Asia/Shanghai, with its offset
    assert "王建国" not in str(as_analyst.get("/api/v1/influencers/").content)

    assert as_analyst.get(f"/api/v1/influencers/{org.pk}/").data["legal_name"] == "Shenzhen EV Truth Co., Ltd."


def test_influencer_create_stores_the_full_legal_name_and_answers_masked(as_regulator):
    agency = AgencyFactory()
    response = as_regulator.post(
        "/api/v1/influencers/",
        {"display_name": "Speed Sister", "kind": "person", "legal_name": "李晓梅", "agency": agency.pk},
    )
    assert response.status_code == 201, response.data
    assert response.data["legal_name"] == "李**"
    assert response.data["account_count"] == 0
    assert Influencer.objects.get(pk=response.data["id"]).legal_name == "李晓梅"


def test_influencer_search_finds_by_account_handle_once(as_analyst):
    inf = InfluencerFactory(display_name="Lao K")
    AccountFactory(influencer=inf, handle="laok_douyin")
    AccountFactory(influencer=inf, handle="laok_kuaishou")
    InfluencerFactory(display_name="Other")
    results = as_analyst.get("/api/v1/influencers/?search=laok").data["results"]
    assert [r["id"] for r in results] == [inf.pk]


def test_deleting_an_influencer_with_accounts_is_a_409_conflict(api, superuser):
    api.force_authenticate(superuser)
    account = AccountFactory()
    response = api.delete(f"/api/v1/influencers/{account.influencer_id}/")
    assert response.status_code == 409
    assert Influencer.objects.filter(pk=account.influencer_id).exists()


# --- accounts -------------------------------------------------------------------


def test_account_create_and_read_only_follower_fields(as_regulator):
    inf = InfluencerFactory()
    response = as_regulator.post(
        "/api/v1/accounts/",
        {
            "influencer": inf.pk,
            "platform": "douyin",
            "handle": "laok",
            "platform_uid": "dy_1",
            "status": "active",
            "follower_count": 123,
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["follower_count"] is None
    assert response.data["followers_captured_at"] is None
    assert PlatformAccount.objects.get(pk=response.data["id"]).follower_count is None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"platform": "myspace"}, "platform"), ({"status": "asleep"}, "status"), ({"platform_uid": ""}, "platform_uid")],
)
def test_account_bad_input_is_400_with_the_field(as_regulator, change, field):
    inf = InfluencerFactory()
    payload = {"influencer": inf.pk, "platform": "douyin", "handle": "h", "platform_uid": "u1", **change}
    response = as_regulator.post("/api/v1/accounts/", payload)
    assert response.status_code == 400
    assert field in response.data
    assert not PlatformAccount.objects.exists()


def test_duplicate_platform_uid_on_the_same_platform_is_400_on_platform_uid(as_regulator):
    existing = AccountFactory(platform="douyin", platform_uid="dy_1")
    payload = {"influencer": existing.influencer_id, "platform": "douyin", "handle": "copy", "platform_uid": "dy_1"}
    response = as_regulator.post("/api/v1/accounts/", payload)
    assert response.status_code == 400
    assert "platform_uid" in response.data
    assert PlatformAccount.objects.count() == 1
    # same id on another platform is fine
    assert as_regulator.post("/api/v1/accounts/", {**payload, "platform": "weibo"}).status_code == 201


def test_account_update_may_keep_its_own_platform_uid(as_regulator):
    account = AccountFactory(platform="douyin", platform_uid="dy_1")
    response = as_regulator.patch(f"/api/v1/accounts/{account.pk}/", {"status": "banned"})
    assert response.status_code == 200
    account.refresh_from_db()
    assert account.status == "banned"


def test_account_filters(as_analyst):
    big_agency = AgencyFactory()
    big = AccountFactory(platform="douyin", influencer__agency=big_agency, handle="big_one")
    small = AccountFactory(platform="kuaishou", status="banned", handle="small_one")
    snapshot_record(account=big, captured_at=T0, follower_count=600_000)
    snapshot_record(account=small, captured_at=T0, follower_count=5_000)

    def ids(query: str) -> list[int]:
        response = as_analyst.get(f"/api/v1/accounts/?{query}")
        assert response.status_code == 200, response.data
        return [r["id"] for r in response.data["results"]]

    assert ids("platform=douyin") == [big.pk]
    assert ids("status=banned") == [small.pk]
    assert ids(f"influencer={small.influencer_id}") == [small.pk]
    assert ids(f"agency={big_agency.pk}") == [big.pk]
    assert ids("min_followers=100000") == [big.pk]
    assert ids("max_followers=100000") == [small.pk]
    assert ids("search=small_") == [small.pk]
    assert ids("ordering=-follower_count") == [big.pk, small.pk]
    assert ids("ordering=follower_count") == [small.pk, big.pk]


def test_unknown_filter_choice_is_400(as_analyst):
    response = as_analyst.get("/api/v1/accounts/?platform=myspace")
    assert response.status_code == 400
    assert "platform" in response.data


# --- snapshots ------------------------------------------------------------------


def test_snapshot_create_updates_the_account(as_regulator):
    account = AccountFactory()
    response = as_regulator.post(
        "/api/v1/snapshots/",
        {"account": account.pk, "captured_at": "2025-09-12T12:00:00+08:00", "follower_count": 600000},
    )
    assert response.status_code == 201, response.data
    assert response.data["source"] == "manual"
    account.refresh_from_db()
    assert account.follower_count == 600_000
    assert account.followers_captured_at == datetime(2025, 9, 12, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"follower_count": -1}, "follower_count"),
        ({"source": "rumour"}, "source"),
        ({"captured_at": "yesterday"}, "captured_at"),
    ],
)
def test_snapshot_bad_input_is_400_and_writes_nothing(as_regulator, change, field):
    account = AccountFactory()
    payload = {"account": account.pk, "captured_at": "2025-09-12T12:00:00+08:00", "follower_count": 10, **change}
    response = as_regulator.post("/api/v1/snapshots/", payload)
    assert response.status_code == 400
    assert field in response.data
    assert not FollowerSnapshot.objects.exists()
    account.refresh_from_db()
    assert account.follower_count is None


def test_snapshot_at_an_existing_instant_is_400_on_captured_at(as_regulator):
    snap = SnapshotFactory(captured_at=T0, follower_count=10)
    payload = {"account": snap.account_id, "captured_at": T0.isoformat(), "follower_count": 99}
    response = as_regulator.post("/api/v1/snapshots/", payload)
    assert response.status_code == 400
    assert "captured_at" in response.data
    assert FollowerSnapshot.objects.get().follower_count == 10


def test_snapshots_are_append_only(api, superuser):
    api.force_authenticate(superuser)
    snap = SnapshotFactory(follower_count=10)
    url = f"/api/v1/snapshots/{snap.pk}/"
    assert (
        api.put(url, {"account": snap.account_id, "captured_at": T0.isoformat(), "follower_count": 1}).status_code
        == 405
    )
    assert api.patch(url, {"follower_count": 1}).status_code == 405
    assert api.delete(url).status_code == 405
    snap.refresh_from_db()
    assert snap.follower_count == 10


def test_snapshot_filters(as_analyst):
    account = AccountFactory()
    other = AccountFactory()
    for d in range(5):
        SnapshotFactory(account=account, captured_at=T0 + timedelta(days=d), follower_count=100 + d)
    SnapshotFactory(account=other, captured_at=T0)
    query = {
        "account": account.pk,
        "since": (T0 + timedelta(days=1)).isoformat(),
        "until": (T0 + timedelta(days=3)).isoformat(),
    }
    response = as_analyst.get("/api/v1/snapshots/", query)
    assert response.status_code == 200, response.data
    assert [r["follower_count"] for r in response.data["results"]] == [103, 102, 101]  # newest first


# --- pagination and query counts ------------------------------------------------


def test_pagination_shape_and_page_size_cap(as_analyst, settings):
    settings.API_MAX_PAGE_SIZE = 3
    AgencyFactory.create_batch(5)
    data = as_analyst.get("/api/v1/agencies/?page_size=2").data
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 5 and len(data["results"]) == 2 and data["previous"] is None
    assert "page=2" in data["next"]
    assert len(as_analyst.get("/api/v1/agencies/?page_size=100").data["results"]) == 3
    assert len(as_analyst.get("/api/v1/agencies/?page=3&page_size=2").data["results"]) == 1


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["influencers", "accounts", "snapshots", "agencies"])
def test_list_query_count_does_not_depend_on_page_size(as_analyst, path):
    for _ in range(25):
        inf = InfluencerFactory()
        for platform in ("douyin", "weibo"):
            account = AccountFactory(influencer=inf, platform=platform)
            SnapshotFactory(account=account)
    as_analyst.get(f"/api/v1/{path}/")  # warm up: loads the user's permissions once
    small = _queries(as_analyst, f"/api/v1/{path}/?page_size=2")
    large = _queries(as_analyst, f"/api/v1/{path}/?page_size=50")
    assert small == large
