from datetime import UTC, datetime

import pytest
from django.urls import reverse

from ledger import services
from ledger.models import FollowerSnapshot, ProfileRefresh
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_refreshes_endpoint_lists_attempts_newest_first(as_analyst, simulator):
    account = AccountFactory()
    other = AccountFactory()
    services.profile_refresh(account_id=account.pk, slot=datetime(2026, 1, 1, tzinfo=UTC))
    services.profile_refresh(account_id=account.pk, slot=datetime(2026, 1, 2, tzinfo=UTC))
    services.profile_refresh(account_id=other.pk, slot=datetime(2026, 1, 1, tzinfo=UTC))
    data = as_analyst.get(f"/api/v1/accounts/{account.pk}/refreshes/").data
    assert data["count"] == 2
    first = data["results"][0]
    assert first["slot"].startswith("2026-01-02T08:00:00+08:00")
    assert (first["outcome"], first["http_status"]) == ("success", 200)
    assert set(first) >= {"started_at", "finished_at", "error", "latency_ms"}
    account_data = as_analyst.get(f"/api/v1/accounts/{account.pk}/").data
    assert account_data["last_refreshed_at"] is not None


def test_refresh_now_needs_change_permission_and_answers_202(api, analyst, regulator, simulator):
    account = AccountFactory()
    api.force_authenticate(analyst)
    assert api.post(f"/api/v1/accounts/{account.pk}/refresh/").status_code == 403
    api.force_authenticate(regulator)
    response = api.post(f"/api/v1/accounts/{account.pk}/refresh/")
    assert response.status_code == 202
    assert response.data["account"] == account.pk
    assert response.data["slot"].endswith("+08:00")  # shown in Asia/Shanghai like every time
    # in-process (eager) mode: the task runs once the request's transaction commits


def test_refresh_now_in_process_writes_a_snapshot(api, regulator, simulator, django_capture_on_commit_callbacks):
    account = AccountFactory()
    api.force_authenticate(regulator)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/accounts/{account.pk}/refresh/").status_code == 202
    assert FollowerSnapshot.objects.filter(account=account, source="refresh").count() == 1
    assert ProfileRefresh.objects.get(account=account).outcome == "success"


def test_admin_refresh_action_and_pages(client, superuser, simulator, django_capture_on_commit_callbacks):
    account = AccountFactory()
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:ledger_platformaccount_changelist"),
            {"action": "queue_refresh", "_selected_action": [account.pk]},
        )
    assert response.status_code == 302
    assert ProfileRefresh.objects.get(account=account).outcome == "success"
    page = client.get(reverse("admin:ledger_platformaccount_change", args=[account.pk])).content.decode()
    assert "Success" in page and "Recent refresh attempts" in page
    assert client.get(reverse("admin:ledger_profilerefresh_changelist")).status_code == 200
    assert client.get(reverse("admin:ledger_followeranomaly_changelist")).status_code == 200
