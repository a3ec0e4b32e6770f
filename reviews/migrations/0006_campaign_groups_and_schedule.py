"""Campaign permissions for the default groups, and the nightly campaign detection in Celery beat.

- regulator: reads campaigns and their members and status history; changes a
  campaign (``change_campaign``), which is what confirming or dismissing it needs.
- analyst, api_client: read campaigns, their members and status history.

The schedule is editable in the admin (django-celery-beat).
"""

from django.db import migrations

from core.beat_schedule import schedule, unschedule
from core.permissions_setup import grant, revoke

CAMPAIGN_MODELS = ["campaign", "campaignmember", "campaignstatuschange"]
TASK_NAME = "Detect coordinated campaigns (nightly)"


def forwards(apps, schema_editor):
    grant(apps, "reviews", CAMPAIGN_MODELS, {"regulator": ["view"], "analyst": ["view"], "api_client": ["view"]})
    grant(apps, "reviews", ["campaign"], {"regulator": ["change"]})
    schedule(apps, name=TASK_NAME, task="reviews.detect_campaigns", at=(2, 40))


def backwards(apps, schema_editor):
    unschedule(apps, name=TASK_NAME)
    revoke(apps, "reviews", CAMPAIGN_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_campaigns"),
        ("ledger", "0002_default_groups"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
