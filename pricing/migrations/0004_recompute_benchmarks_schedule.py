"""Schedule the nightly recomputation of the market benchmarks in Celery beat (editable in the admin)."""

from django.db import migrations

from core.beat_schedule import schedule, unschedule

TASK_NAME = "Recompute the market benchmarks (nightly)"


def forwards(apps, schema_editor):
    schedule(apps, name=TASK_NAME, task="pricing.recompute_benchmarks", at=(4, 0))


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_default_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
