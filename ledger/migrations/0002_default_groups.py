"""Default groups: "regulator" (reads and writes the ledger), "analyst" and "api_client" (read-only).

Later apps grant their own models to these groups in their own migrations
with ``core.permissions_setup.grant``.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

LEDGER_MODELS = ["agency", "influencer", "platformaccount", "followersnapshot"]


def forwards(apps, schema_editor):
    # Snapshots are append-only: nobody changes or deletes them.
    grant(apps, "ledger", ["agency", "influencer", "platformaccount"], {"regulator": ["view", "add", "change"]})
    grant(apps, "ledger", ["followersnapshot"], {"regulator": ["view", "add"]})
    grant(apps, "ledger", LEDGER_MODELS, {"analyst": ["view"], "api_client": ["view"]})


def backwards(apps, schema_editor):
    revoke(apps, "ledger", LEDGER_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
