"""Give the default groups their permissions on reviews.

- regulator: reads everything; adds and changes targets, reviews, claims (and
  their verdicts), orders (and moves them, which needs ``change_order``) and
  payments. The order status history is written only by the transition, so it
  is read-only for them.
- analyst, api_client: read everything.

Deleting is left to superusers, as in the ledger.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

REVIEWS_MODELS = ["target", "review", "claim", "order", "orderstatuschange", "payment"]
EDITABLE = ["target", "review", "claim", "order", "payment"]


def forwards(apps, schema_editor):
    grant(apps, "reviews", REVIEWS_MODELS, {"regulator": ["view"], "analyst": ["view"], "api_client": ["view"]})
    grant(apps, "reviews", EDITABLE, {"regulator": ["add", "change"]})


def backwards(apps, schema_editor):
    revoke(apps, "reviews", REVIEWS_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_initial"),
        ("ledger", "0002_default_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
