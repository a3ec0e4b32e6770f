"""The journal's tables move from the ledger app into core, where the journal's code lives.

The tables keep their names (``ledger_journalentry``, ...), their rows, indexes, constraints
and triggers: this migration only tells Django that core's models describe them
(``database_operations`` is empty); ledger 0023 removes them from the ledger app's models.
The content types follow the models, so their permissions (``core.view_journalentry``)
and every group's grant of them stay attached.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

JOURNAL_MODELS = ("journalentry", "journaltreenode", "signedtreehead", "journalqueueitem")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in JOURNAL_MODELS:
        if ContentType.objects.filter(app_label=target, model=model).exists():
            continue  # already there (made by an earlier migrate): leave the other one to remove_stale_contenttypes
        ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def content_types_to_core(apps, schema_editor):
    _move_content_types(apps, "ledger", "core")


def content_types_to_ledger(apps, schema_editor):
    _move_content_types(apps, "core", "ledger")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        # The last migration that changed the journal's tables while the ledger app held them.
        ("ledger", "0022_journal_queue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="JournalEntry",
                    fields=[
                        (
                            "seq",
                            models.BigIntegerField(primary_key=True, serialize=False, verbose_name="sequence number"),
                        ),
                        ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                        (
                            "actor",
                            models.CharField(
                                help_text="user:NAME, command:NAME or task:NAME", max_length=200, verbose_name="actor"
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[("create", "create"), ("update", "update"), ("delete", "delete")],
                                max_length=10,
                                verbose_name="action",
                            ),
                        ),
                        (
                            "object_type",
                            models.CharField(help_text="app_label.model", max_length=100, verbose_name="object type"),
                        ),
                        ("object_id", models.CharField(max_length=64, verbose_name="object id")),
                        ("changes", models.JSONField(help_text="field: {before, after}", verbose_name="changes")),
                        ("prev_hash", models.CharField(max_length=64, verbose_name="previous hash")),
                        ("hash", models.CharField(max_length=64, unique=True, verbose_name="hash")),
                        (
                            "leaf_hash",
                            models.CharField(
                                help_text="SHA-256 of 0x00 and the canonical encoding: the entry's leaf in the Merkle tree",
                                max_length=64,
                                verbose_name="leaf hash",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "journal entry",
                        "verbose_name_plural": "journal entries",
                        "db_table": "ledger_journalentry",
                        "ordering": ["seq"],
                        "indexes": [
                            models.Index(fields=["object_type", "object_id", "seq"], name="journal_object"),
                            models.Index(fields=["actor", "seq"], name="journal_actor"),
                            models.Index(fields=["occurred_at"], name="journal_occurred_at"),
                        ],
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("seq__gte", 1)), name="journal_seq_positive"),
                            models.CheckConstraint(
                                condition=models.Q(("action__in", ["create", "update", "delete"])),
                                name="journal_action_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("hash__regex", "^[0-9a-f]{64}$")), name="journal_hash_format"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("prev_hash__regex", "^[0-9a-f]{64}$")),
                                name="journal_prev_hash_format",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("leaf_hash__regex", "^[0-9a-f]{64}$")),
                                name="journal_leaf_hash_format",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="JournalQueueItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "occurred_at",
                            models.DateTimeField(
                                db_default=django.db.models.functions.datetime.Now(), verbose_name="occurred at"
                            ),
                        ),
                        ("actor", models.TextField(verbose_name="actor")),
                        ("action", models.CharField(max_length=10, verbose_name="action")),
                        ("object_type", models.CharField(max_length=100, verbose_name="object type")),
                        ("object_id", models.TextField(verbose_name="object id")),
                        ("old", models.JSONField(null=True, verbose_name="row before")),
                        ("new", models.JSONField(null=True, verbose_name="row after")),
                        (
                            "changes",
                            models.JSONField(
                                help_text="given as is, for changes no row stands for",
                                null=True,
                                verbose_name="changes",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "queued journal change",
                        "verbose_name_plural": "queued journal changes",
                        "db_table": "ledger_journalqueue",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("action__in", ["create", "update", "delete"])),
                                name="journal_queue_action_valid",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="JournalTreeNode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                        ("index", models.BigIntegerField(verbose_name="index")),
                        ("hash", models.CharField(max_length=64, verbose_name="hash")),
                    ],
                    options={
                        "verbose_name": "journal tree node",
                        "verbose_name_plural": "journal tree nodes",
                        "db_table": "ledger_journaltreenode",
                        "constraints": [
                            models.UniqueConstraint(fields=("level", "index"), name="journal_tree_node_unique"),
                            models.CheckConstraint(
                                condition=models.Q(("index__gte", 0), ("level__gte", 1)),
                                name="journal_tree_node_position",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SignedTreeHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("tree_size", models.BigIntegerField(verbose_name="tree size")),
                        ("root_hash", models.CharField(max_length=64, verbose_name="root hash")),
                        ("timestamp", models.DateTimeField(verbose_name="timestamp")),
                        (
                            "signature",
                            models.CharField(help_text="Ed25519, base64", max_length=100, verbose_name="signature"),
                        ),
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
                        "db_table": "ledger_signedtreehead",
                        "ordering": ["-tree_size", "-id"],
                        "indexes": [models.Index(fields=["tree_size", "id"], name="tree_head_size")],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("tree_size__gte", 0)), name="tree_head_size_not_negative"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("root_hash__regex", "^[0-9a-f]{64}$")), name="tree_head_root_format"
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_to_core, content_types_to_ledger),
    ]
