"""The application's database role cannot switch the journal's protections off, whatever it sets.

GIVEN a role that does not own the tables (as docs/journal.md shows how to run the
application), with every table privilege it could be given by mistake
WHEN it sets the old session switch, or tries to disable triggers
THEN every change to the journal or its heads is refused, and appending,
signing and verifying still work under it.
"""

from uuid import uuid4

import pytest
from django.db import DatabaseError, connection, transaction

from core import heads, journal
from core.models import JournalEntry, SignedTreeHead
from ledger.models import Agency
from tests.core.test_merkle import append

pytestmark = pytest.mark.django_db

ATTEMPTS = [
    "SET ledger.allow_journal_truncate = on; TRUNCATE ledger_journalentry",
    "SET ledger.allow_journal_truncate = on; TRUNCATE ledger_signedtreehead",
    "UPDATE ledger_journalentry SET actor = 'x'",
    "DELETE FROM ledger_journalentry",
    "UPDATE ledger_signedtreehead SET tree_size = 99",
    "DELETE FROM ledger_signedtreehead",
    "ALTER TABLE ledger_journalentry DISABLE TRIGGER USER",
    "ALTER TABLE ledger_signedtreehead DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "ALTER TABLE ledger_agency DISABLE TRIGGER journal_capture_update",
    "DROP TRIGGER journal_capture_insert ON ledger_agency",
    "CREATE OR REPLACE FUNCTION ledger_journal_capture() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$",
]


@pytest.fixture
def app_role():
    """A role like the application's, for the rest of the test's transaction (roles roll back too)."""
    name = f"ledger_app_{uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        # as in production: the suite disabled these on its throw-away database
        cursor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER ledger_journal_no_truncate")
        cursor.execute("ALTER TABLE ledger_signedtreehead ENABLE TRIGGER ledger_tree_head_no_truncate")
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {name}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
        cursor.execute(f"SET LOCAL ROLE {name}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.mark.parametrize("statement", ATTEMPTS)
def test_no_setting_lets_the_application_role_change_the_journal(app_role, statement):
    append(3)
    heads.head_sign()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        for part in statement.split("; "):
            cursor.execute(part)
    journal.integrate()
    assert JournalEntry.objects.count() == 3 and SignedTreeHead.objects.count() == 1
    assert journal.verify().ok


def test_the_application_role_appends_signs_and_verifies(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
    append(20)
    head = heads.head_record(heads.head_sign())
    assert head["tree_size"] == 20
    assert journal.verify().ok
    assert heads.check_against(head, public_key=heads.configured_public_key()) == []


def test_the_application_roles_writes_are_captured_and_checked(app_role):
    """GIVEN the application role WHEN it writes through the ORM on every path THEN the triggers queue the changes,
    the sequencer integrates them, and the tables match the journal's latest state."""
    made = Agency.objects.bulk_create([Agency(name=f"Role {i}") for i in range(3)])
    Agency.objects.filter(pk=made[0].pk).update(name="Renamed")
    made[1].delete()
    assert journal.integrate() == 5
    actions = list(JournalEntry.objects.filter(object_type="ledger.agency").values_list("action", flat=True))
    assert actions == ["create", "create", "create", "update", "delete"]
    assert journal.verify().ok
    assert journal.missing_triggers() == []
    assert [m for m in journal.verify_rows() if m.table != "pricing_durationtier"] == []
