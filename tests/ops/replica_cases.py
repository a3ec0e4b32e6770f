"""Routing to a read replica, run by test_replica.py in a fresh process with DATABASE_REPLICA_URL set.

Not collected on its own (no ``test_`` prefix): the replica must exist in the settings
before the test databases are set up. There it is a TEST MIRROR of the default
database, a second connection to the same test database, so the tests are
transactional: what they write is committed and the replica connection sees it.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core import journal
from ledger.models import PlatformAccount
from tests.factories import AccountFactory, SnapshotFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def root() -> APIClient:
    api = APIClient()
    api.force_authenticate(User.objects.create_superuser("root", "root@example.invalid", "x-pass-1"))
    return api


def reads(context: CaptureQueriesContext, table: str) -> list[str]:
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].lstrip().startswith(("SELECT", "WITH")) and table in q["sql"]
    ]


def captured(fn):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = fn()
    return response, primary, replica


def test_the_replica_mirrors_the_default_database_in_tests():
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"
    assert connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]


def test_a_safe_api_request_reads_from_the_replica(root):
    with transaction.atomic():  # journaled writes need a transaction
        AccountFactory.create_batch(2)
    response, primary, replica = captured(lambda: root.get("/api/v1/accounts/"))
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert reads(replica, "ledger_platformaccount")
    assert not reads(primary, "ledger_platformaccount")


def test_hand_written_history_and_series_sql_reads_from_the_replica(root):
    with transaction.atomic():
        snapshot = SnapshotFactory()
    account = snapshot.account
    response, primary, replica = captured(lambda: root.get(f"/api/v1/accounts/{account.pk}/followers/"))
    assert response.status_code == 200
    assert [point["follower_count"] for point in response.json()] == [snapshot.follower_count]
    assert reads(replica, "ledger_followersnapshot")
    assert not reads(primary, "ledger_followersnapshot")

    journal.integrate()  # as the sequencer does in beat: the history's index is written on the primary
    response, primary, replica = captured(lambda: root.get(f"/api/v1/influencers/{account.influencer_id}/history/"))
    assert response.status_code == 200
    assert any(event["kind"] == "follower_change" for event in response.json()["results"])
    assert reads(replica, "core_timelineevent")
    assert not reads(primary, "core_timelineevent")


def test_a_write_request_never_touches_the_replica(root):
    response, primary, replica = captured(
        lambda: root.post("/api/v1/influencers/", {"display_name": "Replica test", "kind": "person"})
    )
    assert response.status_code == 201, response.content
    assert replica.captured_queries == []
    assert any(q["sql"].startswith("INSERT") for q in primary.captured_queries)


def test_the_admin_and_code_outside_requests_read_from_the_primary(root):
    user = User.objects.get(username="root")
    admin = APIClient()
    admin.force_login(user)
    response, primary, replica = captured(lambda: admin.get("/admin/ledger/platformaccount/"))
    assert response.status_code == 200
    assert replica.captured_queries == []
    assert reads(primary, "ledger_platformaccount")
    assert router.db_for_read(PlatformAccount) == "default"
