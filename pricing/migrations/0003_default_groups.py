"""Pricing permissions for the default groups.

The regulator records and amends quotes and reads tiers and benchmarks; the
analyst and api_client groups read all three. Tiers are edited by admins;
benchmarks are written only by their recomputation.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

PRICING_MODELS = ["durationtier", "ratequote", "marketbenchmark"]


def forwards(apps, schema_editor):
    grant(apps, "pricing", ["ratequote"], {"regulator": ["view", "add", "change"]})
    grant(apps, "pricing", ["durationtier", "marketbenchmark"], {"regulator": ["view"]})
    grant(apps, "pricing", PRICING_MODELS, {"analyst": ["view"], "api_client": ["view"]})


def backwards(apps, schema_editor):
    revoke(apps, "pricing", PRICING_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0002_default_tiers"),
        ("ledger", "0002_default_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
