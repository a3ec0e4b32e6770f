"""Follower snapshots partitioned by month of capture (PostgreSQL declarative partitioning).

The table becomes ``PARTITION BY RANGE (captured_at)`` with one partition per calendar
month (UTC) and one partition ``..._before`` for everything older than the first month.
Existing rows are copied into the new partitions (see docs/adr/0006 for the cost on a
large table). Django's model state is unchanged where it can be: ``id`` stays the
model's primary key, while the database key is ``(id, captured_at)``, because a primary
key of a partitioned table must hold the partition key.

- The three references to a snapshot (an anomaly's two, a refresh's one) become
  composite foreign keys ``(snapshot_id, snapshot_captured_at)``. The second column is
  filled by the database from the id (a BEFORE trigger), so that no writer changes; in
  Django's state the relations keep working as before, with ``db_constraint=False``
  (the constraint is this migration's, not Django's).
- One snapshot per account and instant stays a unique constraint (it holds the key).
- One refresh per account and slot cannot be a unique index of the snapshots any more
  (it lacks the capture time): it becomes a unique constraint on the successful
  refresh attempts, written in the same transaction as the snapshot.
- The account's own index on ``account_id`` goes: the unique ``(account_id,
  captured_at)`` serves every read by account.
- ``ledger_snapshot_partition_create(month)`` creates one month's partition (idempotent);
  the beat task ``ledger.snapshot_partitions_create`` calls it for months ahead.
"""

from django.db import migrations, models
from django.db.models import Q

# Months of existing data that get a monthly partition of their own at most; older rows
# go to the partition ``ledger_followersnapshot_before``.
MONTHS_BACK = 60
# Months created ahead of the current one (the beat task keeps this many ahead).
MONTHS_AHEAD = 3

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_snapshot_partition_create(month date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    first timestamptz := date_trunc('month', month)::timestamp AT TIME ZONE 'UTC';
    name text := 'ledger_followersnapshot_p' || to_char(date_trunc('month', month), 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN name;  -- there already (attached, or detached for archive: left alone)
    END IF;
    -- Created apart and then attached: ATTACH takes a lock that lets reads and writes of
    -- the other partitions go on, where CREATE TABLE ... PARTITION OF would stop them.
    EXECUTE format('CREATE TABLE %I (LIKE ledger_followersnapshot INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format(
        'ALTER TABLE ledger_followersnapshot ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        name, first, first + interval '1 month'
    );
    RETURN name;
END $$;
"""

FILL_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_snapshot_reference_fill() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The second half of a snapshot's key, for the composite foreign key: NULL when the
    -- id is NULL or names no snapshot (then the MATCH FULL foreign key refuses the row).
    NEW.snapshot_captured_at := (SELECT captured_at FROM ledger_followersnapshot WHERE id = NEW.snapshot_id);
    IF TG_TABLE_NAME = 'ledger_followeranomaly' THEN
        NEW.previous_snapshot_captured_at :=
            (SELECT captured_at FROM ledger_followersnapshot WHERE id = NEW.previous_snapshot_id);
    END IF;
    RETURN NEW;
END $$;
"""

FORWARDS = f"""
SET CONSTRAINTS ALL IMMEDIATE;  -- no deferred checks pending when the tables are altered
-- 1. Referencing rows carry the snapshot's capture time; the old foreign keys go.
ALTER TABLE ledger_followeranomaly
    ADD COLUMN snapshot_captured_at timestamptz, ADD COLUMN previous_snapshot_captured_at timestamptz;
ALTER TABLE ledger_profilerefresh ADD COLUMN snapshot_captured_at timestamptz;
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
             WHERE confrelid = 'ledger_followersnapshot'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tbl, c.conname);
    END LOOP;
END $$;
UPDATE ledger_followeranomaly a SET snapshot_captured_at = s.captured_at
    FROM ledger_followersnapshot s WHERE s.id = a.snapshot_id;
UPDATE ledger_followeranomaly a SET previous_snapshot_captured_at = s.captured_at
    FROM ledger_followersnapshot s WHERE s.id = a.previous_snapshot_id;
UPDATE ledger_profilerefresh r SET snapshot_captured_at = s.captured_at
    FROM ledger_followersnapshot s WHERE s.id = r.snapshot_id;

-- 2. The partitioned table, with the old one's columns, defaults and identity.
ALTER TABLE ledger_followersnapshot RENAME TO ledger_followersnapshot_unpartitioned;
CREATE TABLE ledger_followersnapshot (
    LIKE ledger_followersnapshot_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY
) PARTITION BY RANGE (captured_at);
DO $$
DECLARE c record;
BEGIN
    -- CHECK constraints (NOT VALID ones stay NOT VALID) and the account's foreign key.
    FOR c IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = 'ledger_followersnapshot_unpartitioned'::regclass AND contype IN ('c', 'f')
             ORDER BY contype, conname LOOP
        EXECUTE format('ALTER TABLE ledger_followersnapshot ADD CONSTRAINT %I %s', c.conname, c.def);
    END LOOP;
END $$;
ALTER TABLE ledger_followersnapshot_unpartitioned
    DROP CONSTRAINT ledger_followersnapshot_pkey, DROP CONSTRAINT snapshot_one_per_account_instant;
ALTER TABLE ledger_followersnapshot ADD CONSTRAINT ledger_followersnapshot_pkey PRIMARY KEY (id, captured_at);
ALTER TABLE ledger_followersnapshot
    ADD CONSTRAINT snapshot_one_per_account_instant UNIQUE (account_id, captured_at);
CREATE INDEX snapshot_account_refresh_slot ON ledger_followersnapshot (account_id, refresh_slot)
    WHERE refresh_slot IS NOT NULL;

-- 3. Partitions: monthly from the oldest data (at most {MONTHS_BACK} months back) to {MONTHS_AHEAD} ahead.
{CREATE_FUNCTION}
DO $$
DECLARE
    this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    oldest date := (SELECT date_trunc('month', min(captured_at) AT TIME ZONE 'UTC')::date
                    FROM ledger_followersnapshot_unpartitioned);
    first date := greatest(least(coalesce(oldest, this_month), this_month),
                           (this_month - interval '{MONTHS_BACK} months')::date);
    month date := first;
BEGIN
    EXECUTE format(
        'CREATE TABLE ledger_followersnapshot_before PARTITION OF ledger_followersnapshot '
        'FOR VALUES FROM (MINVALUE) TO (%L)', first::timestamp AT TIME ZONE 'UTC'
    );
    WHILE month <= this_month + interval '{MONTHS_AHEAD} months' LOOP
        PERFORM ledger_snapshot_partition_create(month);
        month := month + interval '1 month';
    END LOOP;
END $$;

-- 4. The rows, and the identity continues after them.
INSERT INTO ledger_followersnapshot SELECT * FROM ledger_followersnapshot_unpartitioned;
SELECT setval(pg_get_serial_sequence('ledger_followersnapshot', 'id'),
              coalesce((SELECT max(id) FROM ledger_followersnapshot), 0) + 1, false);
DROP TABLE ledger_followersnapshot_unpartitioned;

-- 5. The references, by the whole key.
{FILL_FUNCTION}
CREATE TRIGGER snapshot_reference_fill BEFORE INSERT OR UPDATE OF snapshot_id, previous_snapshot_id
    ON ledger_followeranomaly FOR EACH ROW EXECUTE FUNCTION ledger_snapshot_reference_fill();
CREATE TRIGGER snapshot_reference_fill BEFORE INSERT OR UPDATE OF snapshot_id
    ON ledger_profilerefresh FOR EACH ROW EXECUTE FUNCTION ledger_snapshot_reference_fill();
ALTER TABLE ledger_followeranomaly
    ADD CONSTRAINT anomaly_snapshot_fk FOREIGN KEY (snapshot_id, snapshot_captured_at)
        REFERENCES ledger_followersnapshot (id, captured_at) MATCH FULL DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT anomaly_previous_snapshot_fk FOREIGN KEY (previous_snapshot_id, previous_snapshot_captured_at)
        REFERENCES ledger_followersnapshot (id, captured_at) MATCH FULL DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ledger_profilerefresh
    ADD CONSTRAINT refresh_snapshot_fk FOREIGN KEY (snapshot_id, snapshot_captured_at)
        REFERENCES ledger_followersnapshot (id, captured_at) MATCH FULL DEFERRABLE INITIALLY DEFERRED;
"""  # noqa: S608 - built from this module's constants

BACKWARDS = """
SET CONSTRAINTS ALL IMMEDIATE;
DROP TRIGGER snapshot_reference_fill ON ledger_followeranomaly;
DROP TRIGGER snapshot_reference_fill ON ledger_profilerefresh;
DROP FUNCTION ledger_snapshot_reference_fill();
ALTER TABLE ledger_followeranomaly DROP COLUMN snapshot_captured_at, DROP COLUMN previous_snapshot_captured_at;
ALTER TABLE ledger_profilerefresh DROP COLUMN snapshot_captured_at;
ALTER TABLE ledger_followersnapshot RENAME TO ledger_followersnapshot_partitioned;
CREATE TABLE ledger_followersnapshot (
    LIKE ledger_followersnapshot_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS
);
INSERT INTO ledger_followersnapshot SELECT * FROM ledger_followersnapshot_partitioned;
SELECT setval(pg_get_serial_sequence('ledger_followersnapshot', 'id'),
              coalesce((SELECT max(id) FROM ledger_followersnapshot), 0) + 1, false);
ALTER TABLE ledger_followersnapshot
    ADD CONSTRAINT ledger_followersnaps_account_id_362a4bb3_fk_ledger_pl FOREIGN KEY (account_id)
        REFERENCES ledger_platformaccount (id) DEFERRABLE INITIALLY DEFERRED;
DROP TABLE ledger_followersnapshot_partitioned CASCADE;
DROP FUNCTION ledger_snapshot_partition_create(date);
ALTER TABLE ledger_followersnapshot ADD CONSTRAINT ledger_followersnapshot_pkey PRIMARY KEY (id);
ALTER TABLE ledger_followersnapshot
    ADD CONSTRAINT snapshot_one_per_account_instant UNIQUE (account_id, captured_at);
CREATE UNIQUE INDEX snapshot_one_per_account_refresh_slot ON ledger_followersnapshot (account_id, refresh_slot)
    WHERE refresh_slot IS NOT NULL;
CREATE INDEX ledger_followersnapshot_account_id_362a4bb3 ON ledger_followersnapshot (account_id);
ALTER TABLE ledger_followeranomaly
    ADD CONSTRAINT ledger_followeranoma_snapshot_id_48e74b3b_fk_ledger_fo FOREIGN KEY (snapshot_id)
        REFERENCES ledger_followersnapshot (id) DEFERRABLE INITIALLY DEFERRED,
    ADD CONSTRAINT ledger_followeranoma_previous_snapshot_id_2ce93c01_fk_ledger_fo FOREIGN KEY (previous_snapshot_id)
        REFERENCES ledger_followersnapshot (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ledger_profilerefresh
    ADD CONSTRAINT ledger_profilerefres_snapshot_id_c5cefc81_fk_ledger_fo FOREIGN KEY (snapshot_id)
        REFERENCES ledger_followersnapshot (id) DEFERRABLE INITIALLY DEFERRED;
"""


def _snapshot_reference(related_name: str, verbose_name: str, on_delete, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        "ledger.followersnapshot",
        db_constraint=False,
        on_delete=on_delete,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0018_risk_score_default")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARDS, BACKWARDS)],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="followersnapshot", name="snapshot_one_per_account_refresh_slot"
                ),
                migrations.AddIndex(
                    model_name="followersnapshot",
                    index=models.Index(
                        condition=Q(refresh_slot__isnull=False),
                        fields=["account", "refresh_slot"],
                        name="snapshot_account_refresh_slot",
                    ),
                ),
                migrations.AlterField(
                    model_name="followersnapshot",
                    name="account",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="snapshots",
                        to="ledger.platformaccount",
                        verbose_name="account",
                    ),
                ),
                migrations.AlterField(
                    model_name="followeranomaly",
                    name="snapshot",
                    field=_snapshot_reference("anomalies", "snapshot", models.deletion.PROTECT),
                ),
                migrations.AlterField(
                    model_name="followeranomaly",
                    name="previous_snapshot",
                    field=_snapshot_reference("+", "previous snapshot", models.deletion.PROTECT),
                ),
                migrations.AlterField(
                    model_name="profilerefresh",
                    name="snapshot",
                    field=_snapshot_reference("+", "snapshot", models.deletion.SET_NULL, null=True, blank=True),
                ),
            ],
        ),
        # One successful refresh per account and slot: what made a redelivered refresh harmless.
        migrations.AddConstraint(
            model_name="profilerefresh",
            constraint=models.UniqueConstraint(
                condition=Q(outcome="success"),
                fields=["account", "slot"],
                name="refresh_one_success_per_account_slot",
            ),
        ),
    ]
