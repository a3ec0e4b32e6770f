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
