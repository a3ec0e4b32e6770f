"""The journal's and the heads' append-only triggers no longer listen to any session setting.

Before, ``SET ledger.allow_journal_truncate = on`` (which any role may set) let
TRUNCATE through. Now only what the tables' owner or a superuser can do switches
a protection off (``ALTER TABLE ... DISABLE TRIGGER``): the test suite does that
on its own throw-away database, and the application runs as a role that owns
nothing (docs/journal.md).
"""

from django.db import migrations

STRICT = """
CREATE OR REPLACE FUNCTION ledger_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

WITH_SESSION_SWITCH = """
CREATE OR REPLACE FUNCTION ledger_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('ledger.allow_journal_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_journal_merkle_tree_and_signed_heads")]

    operations = [migrations.RunSQL(STRICT, WITH_SESSION_SWITCH)]
