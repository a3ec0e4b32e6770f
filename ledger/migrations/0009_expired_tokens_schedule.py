"""Schedule the nightly sweep of expired API tokens in Celery beat (editable in the admin)."""

from django.db import migrations

from core.beat_schedule import schedule, unschedule

TASK_NAME = "Delete expired API tokens (nightly)"


def forwards(apps, schema_editor):
    schedule(apps, name=TASK_NAME, task="ledger.delete_expired_tokens", at=(3, 10))


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0008_refuse_resident_ids"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
