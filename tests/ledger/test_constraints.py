"""Ledger invariants are enforced by the database itself, not only by forms and serializers.

Each test writes behind the ORM's validation (``.create``/``.update`` skip
``full_clean``) and expects the database to refuse. CI runs them on PostgreSQL.
"""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from ledger.models import Agency, FollowerSnapshot, Influencer, PlatformAccount
from tests.factories import AccountFactory, AgencyFactory, InfluencerFactory, SnapshotFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 9, 12, 4, 0, tzinfo=UTC)


def refused(fn) -> str:
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        fn()
    return str(info.value)


def test_platform_user_id_is_unique_per_platform():
    account = AccountFactory(platform="douyin", platform_uid="dy1")
    refused(lambda: AccountFactory(platform="douyin", platform_uid="dy1", influencer=account.influencer))
    # the same id on another platform is a different account
    AccountFactory(platform="kuaishou", platform_uid="dy1", influencer=account.influencer)
    assert PlatformAccount.objects.filter(platform_uid="dy1").count() == 2


def test_one_snapshot_per_account_and_instant():
    snap = SnapshotFactory(captured_at=T0)
    refused(lambda: SnapshotFactory(account=snap.account, captured_at=T0))
    assert FollowerSnapshot.objects.filter(account=snap.account).count() == 1


def test_snapshot_follower_count_never_negative():
    account = AccountFactory()
    refused(lambda: FollowerSnapshot.objects.create(account=account, captured_at=T0, follower_count=-1))
    assert not FollowerSnapshot.objects.exists()


def test_snapshot_follower_count_is_a_big_integer():
    account = AccountFactory()
    snap = FollowerSnapshot.objects.create(account=account, captured_at=T0, follower_count=5_000_000_000)
    snap.refresh_from_db()
    assert snap.follower_count == 5_000_000_000


def test_account_follower_count_never_negative_and_always_with_time():
    account = AccountFactory()
    refused(lambda: PlatformAccount.objects.filter(pk=account.pk).update(follower_count=-5, followers_captured_at=T0))
    refused(lambda: PlatformAccount.objects.filter(pk=account.pk).update(follower_count=5))
    account.refresh_from_db()
    assert account.follower_count is None


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        ("account", "platform", "myspace"),
        ("account", "status", "asleep"),
        ("influencer", "kind", "robot"),
        ("agency", "kind", "cartel"),
        ("snapshot", "source", "rumour"),
    ],
)
def test_unknown_choices_are_refused_by_the_database(model, field, value):
    objects = {
        "account": lambda: PlatformAccount.objects.filter(pk=AccountFactory().pk),
        "influencer": lambda: Influencer.objects.filter(pk=InfluencerFactory().pk),
        "agency": lambda: Agency.objects.filter(pk=AgencyFactory().pk),
        "snapshot": lambda: FollowerSnapshot.objects.filter(pk=SnapshotFactory().pk),
    }
    qs = objects[model]()
    refused(lambda: qs.update(**{field: value}))
    assert qs.get().__dict__[field] != value


def test_agency_uscc_format_and_uniqueness_in_the_database():
    agency = AgencyFactory(uscc="91110000600037341L")
    refused(lambda: Agency.objects.create(name="Copy", uscc="91110000600037341L"))
    refused(lambda: Agency.objects.filter(pk=agency.pk).update(uscc="not-a-code"))
    # many agencies may have no code at all
    Agency.objects.create(name="No code 1", uscc="")
    Agency.objects.create(name="No code 2", uscc="")
    assert Agency.objects.filter(uscc="").count() == 2


def test_snapshots_and_accounts_are_protected_from_cascading_deletes():
    snap = SnapshotFactory()
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        snap.account.delete()
    with pytest.raises(ProtectedError):
        snap.account.influencer.delete()
    assert FollowerSnapshot.objects.filter(pk=snap.pk).exists()
