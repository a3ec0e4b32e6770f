"""Schedule the hourly search for accounts due a profile refresh (editable in the admin), and
let the default groups read refresh attempts and follower anomalies."""

from django.db import migrations

from core.permissions_setup import grant, revoke

TASK_NAME = "Refresh due profiles (hourly)"


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME, defaults={"task": "ledger.refresh_due_accounts", "interval": hourly, "enabled": True}
    )
    grant(
        apps,
        "ledger",
        ["profilerefresh", "followeranomaly"],
        {g: ["view"] for g in ("regulator", "analyst", "api_client")},
    )


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    revoke(apps, "ledger", ["profilerefresh", "followeranomaly"], ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_profile_refresh"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
