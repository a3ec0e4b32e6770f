"""Give the default groups read access to risk scores, and schedule the nightly recompute in Celery beat."""

from django.db import migrations

from core.permissions_setup import grant, revoke

RISK_MODELS = ["riskscore", "riskchange"]
TASK_NAME = "Recompute risk scores (nightly)"


def forwards(apps, schema_editor):
    grant(apps, "risk", RISK_MODELS, {"regulator": ["view"], "analyst": ["view"], "api_client": ["view"]})
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="4", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "risk.recompute_all", "crontab": nightly, "enabled": True}
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    revoke(apps, "risk", RISK_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        ("ledger", "0002_default_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
