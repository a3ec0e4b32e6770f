"""verify_journal replays the journal's latest state of every journaled row and compares it with the table."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import journal
from ledger.models import Agency
from ledger.services import snapshot_record
from tests.factories import AccountFactory, AgencyFactory

pytestmark = pytest.mark.django_db


def behind_the_journals_back(table: str, sql: str, params: list | None = None) -> None:
    """Run SQL with the table's triggers disabled (what the tables' owner or a superuser could do)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check may be pending for ALTER TABLE
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def ledger_rows():
    """Rows written the ways the application writes them: factories, saves, a service, a delete."""
    account = AccountFactory(platform_uid="dy_61000001")
    account.influencer.legal_name = "王建国"  # personal data: journaled as a digest
    account.influencer.save()
    snapshot_record(
        account=account, follower_count=600_000, captured_at=datetime(2026, 11, 1, tzinfo=UTC), source="manual"
    )
    AgencyFactory().delete()
    assert journal.verify_rows() == DEFAULT_DATA
    return account


# Made by data migrations before anything was journaled: listed, never a failure.
DEFAULT_DATA = [
    journal.RowMismatch("pricing_durationtier", str(pk), "", None, "row not in the journal") for pk in (1, 2, 3)
]


def reported() -> list[journal.RowMismatch]:
    return [m for m in journal.verify_rows() if m not in DEFAULT_DATA]


def test_the_demo_data_matches_its_journal():
    call_command("seed_demo", stdout=StringIO())
    assert journal.verify_rows() == DEFAULT_DATA
    out = StringIO()
    call_command("verify_journal", "--no-progress", stdout=out)
    assert "every journaled row matches" in out.getvalue()
    assert "table pricing_durationtier row 1: never journaled" in out.getvalue()


def test_an_update_with_the_journal_bypassed_is_reported_by_table_row_and_field(ledger_rows):
    agency = ledger_rows.influencer.agency
    behind_the_journals_back("ledger_agency", "UPDATE ledger_agency SET name = 'Renamed' WHERE id = %s", [agency.pk])
    Agency.objects.filter(pk=agency.pk).update(kind="broker")  # journaled by the trigger: not reported
    mismatches = reported()
    assert {(m.table, m.object_id, m.field) for m in mismatches} == {("ledger_agency", str(agency.pk), "name")}
    name = next(m for m in mismatches if m.field == "name")
    assert (name.journal_value, name.table_value) == (agency.name, "Renamed")
    with pytest.raises(CommandError, match=f"table ledger_agency row {agency.pk} field name"):
        call_command("verify_journal", "--no-progress", stdout=StringIO())


def test_a_changed_personal_value_is_reported_without_showing_it(ledger_rows):
    influencer = ledger_rows.influencer
    behind_the_journals_back(
        "ledger_influencer", "UPDATE ledger_influencer SET legal_name = '李四' WHERE id = %s", [influencer.pk]
    )
    (mismatch,) = reported()
    assert (mismatch.table, mismatch.field) == ("ledger_influencer", "legal_name")
    assert mismatch.table_value.startswith(journal.PERSONAL_DIGEST_PREFIX) and "李四" not in str(mismatch)


def test_entries_from_before_a_field_was_made_personal_still_match(ledger_rows, monkeypatch):
    """GIVEN an agency whose name was journaled in clear WHEN its name becomes personal data
    (digested from then on) THEN the row still matches its clear entry; a name changed behind
    the journal's back is still reported, as a digest."""
    agency = ledger_rows.influencer.agency
    monkeypatch.setitem(journal.PERSONAL_FIELDS, "ledger.agency", frozenset({"name"}))
    assert reported() == []
    behind_the_journals_back("ledger_agency", "UPDATE ledger_agency SET name = '李四' WHERE id = %s", [agency.pk])
    (mismatch,) = reported()
    assert (mismatch.table, mismatch.field, mismatch.journal_value) == ("ledger_agency", "name", agency.name)
    assert mismatch.table_value == journal.personal_digest("李四")


@pytest.mark.bypasses_journal
def test_rows_deleted_or_inserted_behind_the_journals_back_are_reported(ledger_rows):
    snapshot = ledger_rows.snapshots.get()
    behind_the_journals_back(
        "ledger_followersnapshot", "DELETE FROM ledger_followersnapshot WHERE id = %s", [snapshot.pk]
    )
    behind_the_journals_back(
        "ledger_agency",
        "INSERT INTO ledger_agency (name, kind, uscc, search_initials, created_at, updated_at) "
        "VALUES ('Ghost', 'mcn', '', 'ghost', now(), now())",
    )
    ghost = Agency.objects.get(name="Ghost")
    found = {(m.table, m.object_id, m.journal_value, m.table_value) for m in reported()}
    assert found == {
        ("ledger_followersnapshot", str(snapshot.pk), "row in the journal", None),
        ("ledger_agency", str(ghost.pk), None, "row not in the journal"),
    }
    with pytest.raises(CommandError, match=f"table ledger_followersnapshot row {snapshot.pk}: row in the journal"):
        call_command("verify_journal", "--no-progress", stdout=StringIO())
    out = StringIO()
    call_command("verify_journal", "--no-progress", "--skip-rows", stdout=out)  # the chain itself holds
    assert "Journal intact" in out.getvalue()


def test_a_journaled_table_without_its_trigger_is_reported(ledger_rows):
    """GIVEN a journaled table whose capture trigger was disabled WHEN verify_journal runs THEN it names the table."""
    assert journal.missing_triggers() == []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE ledger_agency DISABLE TRIGGER journal_capture_update")
    assert journal.missing_triggers() == [("ledger_agency", "journal_capture_update")]
    with pytest.raises(CommandError, match="table ledger_agency: trigger journal_capture_update missing or disabled"):
        call_command("verify_journal", "--no-progress", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE ledger_agency ENABLE TRIGGER journal_capture_update")


def test_migrate_installs_the_triggers_of_a_rebuilt_table(ledger_rows):
    """GIVEN a journaled table rebuilt without its triggers (as a migration that recreates a table leaves it)
    WHEN migrate runs THEN its post_migrate handler installs them again, and writes are journaled."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name in journal.TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER {name} ON ledger_followersnapshot")
    assert {t for t, _ in journal.missing_triggers()} == {"ledger_followersnapshot"}
    call_command("migrate", verbosity=0)
    assert journal.missing_triggers() == []
