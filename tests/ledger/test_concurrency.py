"""Concurrent writers on PostgreSQL (real connections, one per thread)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections, transaction

from ledger.models import FollowerSnapshot, PlatformAccount
from ledger.services import snapshot_record
from tests.factories import AccountFactory

T0 = datetime(2025, 9, 1, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_concurrent_snapshots_leave_the_newest_on_the_account():
    """GIVEN 8 threads recording snapshots of one account at once WHEN all commit
    THEN every snapshot is stored and the account shows the one with the newest capture time."""
    with transaction.atomic():
        account = AccountFactory()
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def record(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            snapshot_record(
                account=PlatformAccount.objects.get(pk=account.pk),
                captured_at=T0 + timedelta(hours=i),
                follower_count=1000 + i,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # start the newest first so that late, older writers must not overwrite it
    threads = [threading.Thread(target=record, args=(i,)) for i in reversed(range(threads_n))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    account.refresh_from_db()
    assert FollowerSnapshot.objects.filter(account=account).count() == threads_n
    assert account.follower_count == 1000 + threads_n - 1
    assert account.followers_captured_at == T0 + timedelta(hours=threads_n - 1)
