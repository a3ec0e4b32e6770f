"""Schedule the hourly search for accounts due a profile refresh (editable in the admin), and
let the default groups read refresh attempts and follower anomalies."""

from django.db import migrations

from core.beat_schedule import schedule, unschedule
from core.permissions_setup import grant, revoke

TASK_NAME = "Refresh due profiles (hourly)"


def forwards(apps, schema_editor):
    schedule(apps, name=TASK_NAME, task="ledger.refresh_due_accounts", every_hours=1)
    grant(
        apps,
        "ledger",
        ["profilerefresh", "followeranomaly"],
        {g: ["view"] for g in ("regulator", "analyst", "api_client")},
    )


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)
    revoke(apps, "ledger", ["profilerefresh", "followeranomaly"], ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_profile_refresh"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
