"""ledger.rows: one-table statements that must read and write exactly as the ORM does, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from ledger import rows
from ledger.models import FollowerSnapshot, PlatformAccount, ProfileRefresh
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

SLOT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_insert_fills_defaults_and_returns_the_key():
    account = AccountFactory()
    pk = rows.insert(ProfileRefresh, account_id=account.pk, slot=SLOT, task_id="t", started_at=SLOT)
    record = ProfileRefresh.objects.get(pk=pk)
    assert (record.account_id, record.slot, record.started_at) == (account.pk, SLOT, SLOT)
    assert (record.outcome, record.attempt, record.error, record.finished_at) == ("running", 1, "", None)


def test_update_writes_the_named_fields_of_one_row():
    account = AccountFactory()
    first = rows.insert(ProfileRefresh, account_id=account.pk, slot=SLOT, started_at=SLOT)
    other = rows.insert(ProfileRefresh, account_id=account.pk, slot=SLOT, started_at=SLOT)
    finished = SLOT + timedelta(seconds=1)
    assert rows.update(ProfileRefresh, first, outcome="success", finished_at=finished, http_status=200) == 1
    assert ProfileRefresh.objects.values_list("outcome", "finished_at", "http_status").get(pk=first) == (
        "success",
        finished,
        200,
    )
    assert ProfileRefresh.objects.get(pk=other).outcome == "running"


def test_select_returns_aware_datetimes_and_compares_as_the_orm_does():
    account = AccountFactory()
    for day in range(3):
        rows.insert(ProfileRefresh, account_id=account.pk, slot=SLOT + timedelta(days=day), started_at=SLOT)
    since = rows.param(ProfileRefresh, "slot", SLOT + timedelta(days=1))
    found = rows.select(ProfileRefresh, ["slot", "attempt"], "account_id = %s AND slot >= %s", [account.pk, since])
    assert sorted(found) == [(SLOT + timedelta(days=1), 1), (SLOT + timedelta(days=2), 1)]
    assert all(slot.tzinfo is not None for slot, _ in found)
    assert rows.select(ProfileRefresh, ["id"], "account_id = %s", [-1]) == []


def test_a_constraint_violation_is_the_databases_error():
    from django.db import IntegrityError, transaction

    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert(ProfileRefresh, account_id=account.pk, slot=SLOT, started_at=SLOT, attempt=0)


@pytest.mark.parametrize("model", [PlatformAccount, FollowerSnapshot])
def test_journaled_models_cannot_be_written_past_the_journal(model):
    with pytest.raises(TypeError, match="journaled"):
        rows.insert(model, id=1)
    with pytest.raises(TypeError, match="journaled"):
        rows.update(model, 1, follower_count=1)


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="unknown fields"):
        rows.insert(ProfileRefresh, slot=SLOT, started_at=SLOT, colour="red")


# --- journaled writes: the same rows and the same journal entries as save() -------------------


def test_get_for_update_reads_the_row_as_the_orm_does():
    from django.db import transaction

    from ledger import journal

    account = AccountFactory(refresh_interval=timedelta(hours=6), follower_count=10, followers_captured_at=SLOT)
    with transaction.atomic():
        locked = rows.get_for_update(PlatformAccount, account.pk)
        assert journal.field_values(locked) == journal.field_values(PlatformAccount.objects.get(pk=account.pk))
        assert locked.refresh_interval == timedelta(hours=6) and locked.followers_captured_at == SLOT
        assert not locked._state.adding and locked._journal_before == journal.field_values(locked)
        with pytest.raises(PlatformAccount.DoesNotExist):
            rows.get_for_update(PlatformAccount, -1)


def test_snapshot_record_journals_what_it_stored():
    """GIVEN an account WHEN a snapshot is recorded (the refresh's write path, through ledger.rows)
    THEN the journal holds the snapshot's creation and the account's update exactly as stored, in one chain."""
    from ledger import journal, services
    from ledger.models import JournalEntry

    account = AccountFactory()
    before = journal.field_values(PlatformAccount.objects.get(pk=account.pk))
    head = JournalEntry.objects.order_by("-seq").first().seq
    snapshot = services.snapshot_record(
        account=account, captured_at=SLOT, follower_count=1234, source="refresh", refresh_slot=SLOT
    )
    created, updated = JournalEntry.objects.filter(seq__gt=head).order_by("seq")
    stored = FollowerSnapshot.objects.get(pk=snapshot.pk)
    assert (created.action, created.object_type, created.object_id) == (
        "create",
        "ledger.followersnapshot",
        str(stored.pk),
    )
    assert created.changes == {k: {"before": None, "after": v} for k, v in journal.field_values(stored).items()}
    after = journal.field_values(PlatformAccount.objects.get(pk=account.pk))
    assert (updated.action, updated.object_type, updated.object_id) == (
        "update",
        "ledger.platformaccount",
        str(account.pk),
    )
    assert set(updated.changes) == {"follower_count", "followers_captured_at", "updated_at"}
    assert all(updated.changes[k] == {"before": before[k], "after": after[k]} for k in updated.changes)
    assert after["follower_count"] == 1234 and stored.recorded_at is not None
    assert journal.verify().ok


def test_save_fields_needs_the_values_before_the_change():
    from django.db import transaction

    account = AccountFactory()
    with transaction.atomic(), pytest.raises(ValueError, match="before the change"):
        rows.save_fields(PlatformAccount.objects.get(pk=account.pk), ["status"])


def test_save_fields_of_an_unchanged_row_records_nothing_but_touches_updated_at():
    from django.db import transaction

    account = AccountFactory()
    with transaction.atomic():
        locked = rows.get_for_update(PlatformAccount, account.pk)
        assert rows.save_fields(locked, ["status"]) is None
    assert PlatformAccount.objects.get(pk=account.pk).updated_at > account.updated_at
