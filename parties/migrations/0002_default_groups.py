"""Party permissions for the default groups.

- regulator: reads parties, names and merges; adds and changes parties and names (merge and split need
  ``change_party``).
- analyst, api_client: read them.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

MODELS = ["party", "partyalias", "partymerge"]


def forwards(apps, schema_editor):
    grant(apps, "parties", MODELS, {"regulator": ["view"], "analyst": ["view"], "api_client": ["view"]})
    grant(apps, "parties", ["party", "partyalias"], {"regulator": ["add", "change"]})


def backwards(apps, schema_editor):
    revoke(apps, "parties", MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
        ("ledger", "0002_default_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
