"""Every ledger admin page opens, search and filters work, and no page runs a query per row."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ledger.models import FollowerSnapshot, Influencer, PlatformAccount
from ledger.services import snapshot_record
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

MODELS = ["agency", "influencer", "platformaccount", "followersnapshot"]


@pytest.fixture
def admin_client_with_data(client, superuser):
    client.force_login(superuser)
    account = AccountFactory()
    snap = snapshot_record(account=account, captured_at=datetime(2025, 9, 12, 4, tzinfo=UTC), follower_count=600_000)
    return client, snap


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_open(admin_client_with_data, model):
    client, snap = admin_client_with_data
    objects = {
        "agency": snap.account.influencer.agency,
        "influencer": snap.account.influencer,
        "platformaccount": snap.account,
        "followersnapshot": snap,
    }
    assert client.get(reverse(f"admin:ledger_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:ledger_{model}_add")).status_code == 200
    assert client.get(reverse(f"admin:ledger_{model}_change", args=[objects[model].pk])).status_code == 200


def test_changelist_search_and_filters(admin_client_with_data):
    client, snap = admin_client_with_data
    AccountFactory(handle="someone_else", platform="weibo")
    url = reverse("admin:ledger_platformaccount_changelist")
    page = client.get(url, {"q": snap.account.platform_uid}).content.decode()
    assert snap.account.handle in page and "someone_else" not in page
    page = client.get(url, {"platform__exact": "weibo"}).content.decode()
    assert "someone_else" in page and snap.account.handle not in page
    page = client.get(url, {"influencer__agency__id__exact": snap.account.influencer.agency_id}).content.decode()
    assert snap.account.handle in page and "someone_else" not in page


def test_influencer_list_shows_account_count_and_total_followers(admin_client_with_data):
    client, snap = admin_client_with_data
    AccountFactory(influencer=snap.account.influencer)
    page = client.get(reverse("admin:ledger_influencer_changelist")).content.decode()
    assert "600,000" in page
    assert re.search(r'<td class="field-account_count[^"]*"[^>]*>\s*2\s*</td>', page)


def test_account_page_shows_recent_snapshots(admin_client_with_data):
    client, snap = admin_client_with_data
    page = client.get(reverse("admin:ledger_platformaccount_change", args=[snap.account.pk])).content.decode()
    assert "600,000" in page and "Manual entry" in page


def test_influencer_page_has_accounts_inline(admin_client_with_data):
    client, snap = admin_client_with_data
    page = client.get(reverse("admin:ledger_influencer_change", args=[snap.account.influencer.pk])).content.decode()
    assert snap.account.platform_uid in page


def test_adding_a_snapshot_in_the_admin_goes_through_the_service(admin_client_with_data):
    client, snap = admin_client_with_data
    response = client.post(
        reverse("admin:ledger_followersnapshot_add"),
        {
            "account": snap.account.pk,
            "captured_at_0": "2026-01-01",
            "captured_at_1": "12:00:00",
            "follower_count": 700000,
            "source": "manual",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = PlatformAccount.objects.get(pk=snap.account.pk)
    assert account.follower_count == 700_000
    assert account.followers_captured_at == datetime(2026, 1, 1, 4, 0, tzinfo=UTC)  # entered in Asia/Shanghai


def test_negative_snapshot_in_the_admin_is_refused(admin_client_with_data):
    client, snap = admin_client_with_data
    response = client.post(
        reverse("admin:ledger_followersnapshot_add"),
        {
            "account": snap.account.pk,
            "captured_at_0": "2026-01-01",
            "captured_at_1": "12:00:00",
            "follower_count": -5,
            "source": "manual",
        },
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.content.decode()
    assert FollowerSnapshot.objects.count() == 1


def test_snapshots_cannot_be_changed_or_deleted_in_the_admin(admin_client_with_data):
    client, snap = admin_client_with_data
    client.post(
        reverse("admin:ledger_followersnapshot_change", args=[snap.pk]),
        {
            "account": snap.account.pk,
            "captured_at_0": "2026-01-01",
            "captured_at_1": "12:00:00",
            "follower_count": 1,
            "source": "manual",
        },
    )
    assert (
        client.post(reverse("admin:ledger_followersnapshot_delete", args=[snap.pk]), {"post": "yes"}).status_code == 403
    )
    snap.refresh_from_db()
    assert snap.follower_count == 600_000


def test_bad_uscc_in_the_admin_is_refused(admin_client_with_data):
    client, _ = admin_client_with_data
    response = client.post(
        reverse("admin:ledger_agency_add"), {"name": "X", "kind": "mcn", "uscc": "91110000600037341M"}
    )
    assert response.status_code == 200
    assert "Check character" in response.content.decode()


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("model", MODELS)
def test_changelists_do_not_run_a_query_per_row(client, superuser, model):
    client.force_login(superuser)
    url = reverse(f"admin:ledger_{model}_changelist")
    agency = AgencyFactory()
    for _ in range(2):
        SnapshotFactory(account=AccountFactory(influencer=InfluencerFactory(agency=agency)))
    few = _count(client, url)
    for _ in range(20):
        SnapshotFactory(account=AccountFactory(influencer=InfluencerFactory(agency=agency)))
    many = _count(client, url)
    assert few == many
    assert Influencer.objects.count() == 22
