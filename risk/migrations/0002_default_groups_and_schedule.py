"""Give the default groups read access to risk scores, and schedule the nightly recompute in Celery beat."""

from django.db import migrations

from core.beat_schedule import schedule, unschedule
from core.permissions_setup import grant, revoke

RISK_MODELS = ["riskscore", "riskchange"]
TASK_NAME = "Recompute risk scores (nightly)"


def forwards(apps, schema_editor):
    grant(apps, "risk", RISK_MODELS, {"regulator": ["view"], "analyst": ["view"], "api_client": ["view"]})
    schedule(apps, name=TASK_NAME, task="risk.recompute_all", at=(4, 30))


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)
    revoke(apps, "risk", RISK_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        ("ledger", "0002_default_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
