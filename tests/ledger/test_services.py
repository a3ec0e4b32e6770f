from datetime import UTC, datetime, timedelta

import pytest

from core.errors import DomainError
from ledger.choices import SnapshotSource
from ledger.models import FollowerSnapshot
from ledger.services import account_followers_resync, snapshot_record
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 9, 1, 4, 0, tzinfo=UTC)


def test_newest_snapshot_by_capture_time_wins_whatever_the_arrival_order():
    """GIVEN snapshots arriving out of order WHEN each is recorded THEN the account shows the newest by capture time."""
    account = AccountFactory()
    snapshot_record(account=account, captured_at=T0 + timedelta(days=2), follower_count=300)
    assert (account.follower_count, account.followers_captured_at) == (300, T0 + timedelta(days=2))

    snapshot_record(account=account, captured_at=T0, follower_count=100)  # older, arrives late
    account.refresh_from_db()
    assert (account.follower_count, account.followers_captured_at) == (300, T0 + timedelta(days=2))

    snapshot_record(account=account, captured_at=T0 + timedelta(days=3), follower_count=250)  # newer, fewer
    account.refresh_from_db()
    assert (account.follower_count, account.followers_captured_at) == (250, T0 + timedelta(days=3))
    assert FollowerSnapshot.objects.filter(account=account).count() == 3


def test_duplicate_instant_is_refused_and_writes_nothing():
    account = AccountFactory()
    snapshot_record(account=account, captured_at=T0, follower_count=100)
    with pytest.raises(DomainError) as info:
        snapshot_record(account=account, captured_at=T0, follower_count=999)
    assert info.value.field == "captured_at"
    account.refresh_from_db()
    assert account.follower_count == 100
    assert FollowerSnapshot.objects.filter(account=account).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"follower_count": -1}, "follower_count"),
        ({"captured_at": datetime(2025, 9, 1)}, "captured_at"),  # naive
        ({"source": "rumour"}, "source"),
    ],
)
def test_bad_snapshot_input_names_the_field(kwargs, field):
    account = AccountFactory()
    args = {"account": account, "captured_at": T0, "follower_count": 10, "source": SnapshotSource.MANUAL, **kwargs}
    with pytest.raises(DomainError) as info:
        snapshot_record(**args)
    assert info.value.field == field
    assert not FollowerSnapshot.objects.exists()


def test_resync_takes_the_newest_snapshot_after_a_bulk_load():
    account = AccountFactory()
    FollowerSnapshot.objects.bulk_create(
        [
            FollowerSnapshot(account=account, captured_at=T0 + timedelta(days=d), follower_count=c)
            for d, c in [(5, 500), (1, 100), (3, 300)]
        ]
    )
    account_followers_resync(account=account)
    assert (account.follower_count, account.followers_captured_at) == (500, T0 + timedelta(days=5))
