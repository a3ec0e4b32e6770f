"""The journal's models move into core (core 0001): the ledger app stops describing its tables.

Only Django's view of the models changes (``database_operations`` is empty): the tables,
their rows and triggers stay as they are, now described by core's models.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0022_journal_queue"),
        ("core", "0001_journal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="JournalEntry"),
                migrations.DeleteModel(name="JournalQueueItem"),
                migrations.DeleteModel(name="JournalTreeNode"),
                migrations.DeleteModel(name="SignedTreeHead"),
            ],
        ),
    ]
