"""Schedule the nightly journal verification in Celery beat (editable in the admin)."""

from django.db import migrations

from core.beat_schedule import schedule, unschedule

TASK_NAME = "Verify the journal's hash chain (nightly)"


def forwards(apps, schema_editor):
    schedule(apps, name=TASK_NAME, task="ledger.verify_journal", at=(3, 30))


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_journal_append_only"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
