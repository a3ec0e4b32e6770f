"""On PostgreSQL, the database itself keeps recorded evidence as it was recorded.

A trigger refuses any UPDATE that changes an evidence row's file, sha256, size
or case, and any DELETE of an evidence row: only a database superuser who
disables the trigger could, and the journal would still hold the recorded hash.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cases_evidence_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'evidence is permanent: DELETE of evidence %% refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.file IS DISTINCT FROM OLD.file OR NEW.sha256 IS DISTINCT FROM OLD.sha256
       OR NEW.size IS DISTINCT FROM OLD.size OR NEW.case_id IS DISTINCT FROM OLD.case_id THEN
        RAISE EXCEPTION 'evidence is permanent: its file, sha256, size and case cannot change (evidence %%)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER cases_evidence_immutable
    BEFORE UPDATE OR DELETE ON cases_evidence
    FOR EACH ROW EXECUTE FUNCTION cases_evidence_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS cases_evidence_immutable ON cases_evidence;
DROP FUNCTION IF EXISTS cases_evidence_immutable();
"""


def forwards(apps, schema_editor):
    schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_default_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
