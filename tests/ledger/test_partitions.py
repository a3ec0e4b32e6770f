"""Follower snapshots partitioned by month: created ahead, detached for archive, read and written across months."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core import journal
from core.errors import ConflictError
from ledger import partitions, services
from ledger.choices import AnomalyKind, RefreshOutcome
from ledger.models import FollowerAnomaly, FollowerSnapshot, ProfileRefresh
from ledger.partitions import PARENT, month_start
from tests.factories import AccountFactory, SnapshotFactory
from tests.ingest.conftest import ingest

pytestmark = pytest.mark.django_db


def _boundary() -> datetime:
    """Where the first monthly partition starts: this (UTC) month in a test database migrated this month."""
    return partitions.snapshot_partitions()[0].end


def _just_after_boundary() -> datetime:
    now = timezone.now()
    return _boundary() + (now - _boundary()) / 2


def _partition_of(snapshot: FollowerSnapshot) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {PARENT} WHERE id = %s", [snapshot.pk])  # noqa: S608
        return cursor.fetchone()[0]


def _table_count(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{name}"')  # noqa: S608
        return cursor.fetchone()[0]


def test_the_table_is_partitioned_with_months_ahead():
    found = partitions.snapshot_partitions()
    assert found[0].name == f"{PARENT}_before" and found[0].start is None
    month = month_start(timezone.now())
    for _ in range(4):  # this month and three ahead, made by the migration
        assert f"{PARENT}_p{month:%Y_%m}" in [p.name for p in found[1:]]
        month = month_start(month + timedelta(days=31))
    assert all(a.end == b.start for a, b in itertools.pairwise(found))  # no gap


def test_creating_ahead_is_idempotent():
    """GIVEN the migration's partitions WHEN the task asks for six months ahead twice THEN the second run creates none."""
    first = partitions.snapshot_partitions_create(months_ahead=6)
    assert len(first) == 3  # months 4, 5 and 6 ahead
    count = len(partitions.snapshot_partitions())
    assert partitions.snapshot_partitions_create(months_ahead=6) == []
    assert partitions.snapshot_partitions_create(months_ahead=2) == []
    assert len(partitions.snapshot_partitions()) == count


def test_creating_fills_the_months_since_the_newest_partition():
    """GIVEN a task that did not run for months WHEN it runs THEN the months in between get their partitions too."""
    later = timezone.now() + timedelta(days=31 * 8)
    created = partitions.snapshot_partitions_create(months_ahead=0, now=later)
    now, then = month_start(timezone.now()), month_start(later)
    assert len(created) == (then.year - now.year) * 12 + then.month - now.month - 3  # all after the three ahead
    assert created[-1] == f"{PARENT}_p{then:%Y_%m}"
    ends = [p.end for p in partitions.snapshot_partitions()]
    assert ends == sorted(set(ends))


def test_the_beat_task_creates_ahead():
    from ledger.tasks import snapshot_partitions_create

    assert len(snapshot_partitions_create(months_ahead=4)) == 1
    assert snapshot_partitions_create(months_ahead=4) == []


def test_the_orm_reads_and_writes_a_series_across_a_month_boundary():
    account = AccountFactory()
    before = services.snapshot_record(account=account, captured_at=_boundary() - timedelta(hours=1), follower_count=10)
    after = services.snapshot_record(account=account, captured_at=_just_after_boundary(), follower_count=12)
    assert _partition_of(before) == f"{PARENT}_before"
    assert _partition_of(after) == f"{PARENT}_p{_boundary():%Y_%m}"
    series = FollowerSnapshot.objects.filter(account=account).order_by("captured_at")
    assert [s.follower_count for s in series] == [10, 12]
    newest = FollowerSnapshot.objects.filter(account=account).order_by("-captured_at").first()
    assert newest.pk == after.pk and FollowerSnapshot.objects.get(pk=before.pk).follower_count == 10
    account.refresh_from_db()
    assert account.follower_count == 12
    # one snapshot per account and instant still holds, whichever month
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowerSnapshot.objects.create(account=account, captured_at=before.captured_at, follower_count=11)
    # ids stay unique across partitions (one identity sequence)
    assert before.pk != after.pk


def test_a_reference_to_a_snapshot_holds_its_whole_key():
    """The database fills the capture time of a referenced snapshot and refuses a reference to none."""
    account = AccountFactory()
    old = SnapshotFactory(account=account, captured_at=_boundary() - timedelta(days=3), follower_count=100)
    new = SnapshotFactory(account=account, captured_at=_just_after_boundary(), follower_count=900)
    anomaly = FollowerAnomaly.objects.create(
        account=account, snapshot=new, previous_snapshot=old, kind=AnomalyKind.JUMP, change=800,
        change_per_day=Decimal("2.5"), reason="jump",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snapshot_captured_at, previous_snapshot_captured_at FROM ledger_followeranomaly WHERE id = %s",
            [anomaly.pk],
        )
        assert cursor.fetchone() == (new.captured_at, old.captured_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowerAnomaly.objects.create(
            account=account, snapshot_id=new.pk + 1000, previous_snapshot=old, kind=AnomalyKind.DROP, change=-1,
            change_per_day=Decimal("-0.5"), reason="none",
        )  # fmt: skip
        connection.check_constraints()


def test_one_successful_refresh_per_account_and_slot():
    account = AccountFactory()
    slot = services.refresh_slot_for(timezone.now())
    values = {"account": account, "slot": slot, "started_at": timezone.now(), "outcome": RefreshOutcome.SUCCESS}
    ProfileRefresh.objects.create(**values)
    ProfileRefresh.objects.create(**{**values, "outcome": RefreshOutcome.DUPLICATE})
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfileRefresh.objects.create(**values)


def test_detach_leaves_the_rows_in_a_table_of_their_own():
    """GIVEN snapshots before this month, one linked from a refresh attempt
    WHEN the partitions before this month are detached
    THEN the ledger no longer reads them, the detached table still holds them, and the attempt's link is cleared."""
    boundary = _boundary()
    account = AccountFactory()
    old = SnapshotFactory(account=account, captured_at=_boundary() - timedelta(days=40))
    SnapshotFactory(account=account, captured_at=_boundary() - timedelta(days=2))
    kept = SnapshotFactory(account=account, captured_at=_just_after_boundary())
    attempt = ProfileRefresh.objects.create(
        account=account, slot=old.captured_at, started_at=old.captured_at, snapshot=old
    )
    journal.integrate()  # the history's index holds the snapshots to archive: the detach must take them out
    out = StringIO()
    call_command("snapshot_partitions", "detach", "--before", f"{_boundary():%Y-%m}", stdout=out)
    assert f"detached {PARENT}_before: 2 snapshot(s); 1 refresh attempt(s) unlinked" in out.getvalue()
    assert list(FollowerSnapshot.objects.values_list("pk", flat=True)) == [kept.pk]
    assert _table_count(f"{PARENT}_before") == 2
    attempt.refresh_from_db()
    assert attempt.snapshot_id is None
    assert partitions.snapshot_partitions()[0].start == boundary


def test_a_dry_run_detaches_nothing():
    SnapshotFactory(captured_at=_boundary() - timedelta(days=2))
    out = StringIO()
    before = f"{_boundary():%Y-%m}"
    call_command("snapshot_partitions", "detach", "--before", before, "--dry-run", stdout=out)
    assert f"would detach {PARENT}_before: 1 snapshot(s)" in out.getvalue()
    assert FollowerSnapshot.objects.count() == 1


def test_detach_refuses_a_month_whose_snapshots_anomalies_point_to():
    account = AccountFactory()
    old = SnapshotFactory(account=account, captured_at=_boundary() - timedelta(days=3))
    new = SnapshotFactory(account=account, captured_at=_just_after_boundary(), follower_count=9000)
    FollowerAnomaly.objects.create(
        account=account, snapshot=new, previous_snapshot=old, kind=AnomalyKind.JUMP, change=8000,
        change_per_day=Decimal("8"), reason="jump",
    )  # fmt: skip
    with pytest.raises(ConflictError, match=f"{PARENT}_before \\(1\\)"):
        partitions.snapshot_partitions_detach(before=_boundary().date())
    assert FollowerSnapshot.objects.count() == 2
    with pytest.raises(CommandError, match="Nothing detached"):
        call_command("snapshot_partitions", "detach", "--before", f"{_boundary():%Y-%m}")


def test_the_command_lists_and_creates():
    out = StringIO()
    call_command("snapshot_partitions", "create", "--months-ahead", "3", stdout=out)
    assert "none (all there)" in out.getvalue()
    call_command("snapshot_partitions", "list", stdout=out)
    assert f"{PARENT}_before\t...\t{_boundary().date().isoformat()}" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("snapshot_partitions", "detach", "--before", "last year")


def test_the_bulk_ingest_copies_into_the_partitions():
    """The ingest's COPY and set-based INSERT ... ON CONFLICT land rows of two months in their partitions."""
    account = AccountFactory(platform="douyin", platform_uid="dy_1")
    before, after = _boundary() - timedelta(hours=2), _just_after_boundary()
    text = (
        "platform,platform_uid,captured_at,follower_count,source\n"
        f"douyin,dy_1,{before.isoformat()},1000,import\n"
        f"douyin,dy_1,{after.isoformat()},1100,import\n"
    )
    job = ingest("snapshots", text)
    assert (job.status, job.created) == ("succeeded", 2)
    assert ingest("snapshots", text).unchanged == 2  # the unique (account, captured_at) still says "already there"
    rows = FollowerSnapshot.objects.filter(account=account).order_by("captured_at")
    assert [_partition_of(s) for s in rows] == [f"{PARENT}_before", f"{PARENT}_p{month_start(after):%Y_%m}"]


def test_months_of_history_get_partitions_of_their_own_before_an_import():
    """GIVEN a fresh ledger (older rows go to one partition) WHEN partitions are made since a past month
    THEN every month from then on has its own, and the partition of older rows ends there."""
    boundary = _boundary()
    since = month_start(boundary - timedelta(days=40))  # two months back
    created = partitions.snapshot_partitions_create(since=since)
    assert created[0] == f"{PARENT}_p{since:%Y_%m}" and len(created) == 2
    found = partitions.snapshot_partitions()
    assert (found[0].name, found[0].end.date()) == (f"{PARENT}_before", since)
    snapshot = SnapshotFactory(captured_at=boundary - timedelta(days=20))
    assert _partition_of(snapshot) == f"{PARENT}_p{month_start(snapshot.captured_at):%Y_%m}"
    SnapshotFactory(captured_at=datetime.combine(since, datetime.min.time(), tzinfo=UTC) - timedelta(days=400))
    earlier = month_start(boundary - timedelta(days=800))
    with pytest.raises(CommandError, match="already holds snapshots"):
        call_command("snapshot_partitions", "create", "--since", f"{earlier:%Y-%m}")
