"""The journal's Merkle tree (a leaf hash per entry, a cache of subtree hashes) and signed tree heads.

Existing entries get their leaf hash, computed from the same canonical encoding
as their chain hash; the append-only trigger is set aside for that one UPDATE,
inside this migration's transaction. Signed tree heads are append-only as the
journal is: the database refuses UPDATE, DELETE and TRUNCATE.
"""

from django.db import migrations, models

HEADS_APPEND_ONLY = """
CREATE TRIGGER ledger_tree_head_no_update_delete
    BEFORE UPDATE OR DELETE ON ledger_signedtreehead
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_append_only();
CREATE TRIGGER ledger_tree_head_no_truncate
    BEFORE TRUNCATE ON ledger_signedtreehead
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_journal_append_only();
"""
HEADS_APPEND_ONLY_DROP = """
DROP TRIGGER IF EXISTS ledger_tree_head_no_truncate ON ledger_signedtreehead;
DROP TRIGGER IF EXISTS ledger_tree_head_no_update_delete ON ledger_signedtreehead;
"""


def fill_leaf_hashes(apps, schema_editor):
    from core.journal import canonical_bytes
    from core.merkle import leaf_hash

    JournalEntry = apps.get_model("ledger", "JournalEntry")
    schema_editor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER ledger_journal_no_update_delete")
    batch = []
    fields = ("seq", "occurred_at", "actor", "action", "object_type", "object_id", "changes", "prev_hash")
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        raw = canonical_bytes(**{name: getattr(entry, name) for name in fields})
        entry.leaf_hash = leaf_hash(raw).hex()
        batch.append(entry)
        if len(batch) == 2000:
            JournalEntry.objects.bulk_update(batch, ["leaf_hash"])
            batch = []
    JournalEntry.objects.bulk_update(batch, ["leaf_hash"])
    schema_editor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER ledger_journal_no_update_delete")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0011_chinese_names_search_and_sort"),
    ]

    operations = [
        migrations.CreateModel(
            name="JournalTreeNode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                ("index", models.BigIntegerField(verbose_name="index")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
            ],
            options={
                "verbose_name": "journal tree node",
                "verbose_name_plural": "journal tree nodes",
            },
        ),
        migrations.CreateModel(
            name="SignedTreeHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tree_size", models.BigIntegerField(verbose_name="tree size")),
                ("root_hash", models.CharField(max_length=64, verbose_name="root hash")),
                ("timestamp", models.DateTimeField(verbose_name="timestamp")),
                ("signature", models.CharField(help_text="Ed25519, base64", max_length=100, verbose_name="signature")),
                (
                    "key_id",
                    models.CharField(
                        help_text="SHA-256 of the raw public key, hex", max_length=64, verbose_name="key id"
                    ),
                ),
            ],
            options={
                "verbose_name": "signed tree head",
                "verbose_name_plural": "signed tree heads",
                "ordering": ["-tree_size", "-id"],
            },
        ),
        migrations.AddField(
            model_name="journalentry",
            name="leaf_hash",
            field=models.CharField(
                default="",
                help_text="SHA-256 of 0x00 and the canonical encoding: the entry's leaf in the Merkle tree",
                max_length=64,
                verbose_name="leaf hash",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_leaf_hashes, migrations.RunPython.noop),
        migrations.RunSQL(HEADS_APPEND_ONLY, HEADS_APPEND_ONLY_DROP),
        migrations.AddConstraint(
            model_name="journalentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("leaf_hash__regex", "^[0-9a-f]{64}$")), name="journal_leaf_hash_format"
            ),
        ),
        migrations.AddConstraint(
            model_name="journaltreenode",
            constraint=models.UniqueConstraint(fields=("level", "index"), name="journal_tree_node_unique"),
        ),
        migrations.AddConstraint(
            model_name="journaltreenode",
            constraint=models.CheckConstraint(
                condition=models.Q(("index__gte", 0), ("level__gte", 1)), name="journal_tree_node_position"
            ),
        ),
        migrations.AddIndex(
            model_name="signedtreehead",
            index=models.Index(fields=["tree_size", "id"], name="tree_head_size"),
        ),
        migrations.AddConstraint(
            model_name="signedtreehead",
            constraint=models.CheckConstraint(
                condition=models.Q(("tree_size__gte", 0)), name="tree_head_size_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="signedtreehead",
            constraint=models.CheckConstraint(
                condition=models.Q(("root_hash__regex", "^[0-9a-f]{64}$")), name="tree_head_root_format"
            ),
        ),
    ]
