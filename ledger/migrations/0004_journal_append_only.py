"""On PostgreSQL, the database itself refuses UPDATE, DELETE and TRUNCATE on the journal.

TRUNCATE is let through only where the database carries the setting
``ledger.allow_journal_truncate = on``, which the test suite sets on its own
throw-away database so that it can empty tables between tests. Production
databases never carry it.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

CREATE = """
CREATE OR REPLACE FUNCTION ledger_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('ledger.allow_journal_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the journal is append-only: %% on %% refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_journal_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_append_only();
CREATE TRIGGER ledger_journal_no_truncate
    BEFORE TRUNCATE ON ledger_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journal_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_journal_no_truncate ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_journal_no_update_delete ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_journal_append_only();
"""


def forwards(apps, schema_editor):
    schema_editor.execute(CREATE)
    grant(apps, "ledger", ["journalentry"], {"regulator": ["view"]})


def backwards(apps, schema_editor):
    schema_editor.execute(DROP)
    revoke(apps, "ledger", ["journalentry"], ["regulator"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_journal")]

    operations = [migrations.RunPython(forwards, backwards)]
