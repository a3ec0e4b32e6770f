"""Give the default groups their permissions on cases.

- regulator: reads all case models; opens and edits cases (and moves them, which
  needs ``change_case``), adds notes and evidence (never changes them), records
  and edits legal actions. Authorities and their members are managed by admins.
- analyst, api_client: read authorities and legal actions. A legal action with a
  case is still shown only to those who may see the case, so in practice they
  see the public part: lawsuits and penalties without a regulator's case.
  Cases, notes and evidence stay with the people working on them.

Deleting is left to superusers, as in the ledger.
"""

from django.db import migrations

from core.permissions_setup import grant, revoke

CASES_MODELS = ["authority", "case", "casenote", "casestatuschange", "evidence", "legalaction"]


def forwards(apps, schema_editor):
    grant(apps, "cases", CASES_MODELS, {"regulator": ["view"]})
    grant(apps, "cases", ["case", "legalaction"], {"regulator": ["add", "change"]})
    grant(apps, "cases", ["casenote", "evidence"], {"regulator": ["add"]})
    grant(apps, "cases", ["authority", "legalaction"], {"analyst": ["view"], "api_client": ["view"]})


def backwards(apps, schema_editor):
    revoke(apps, "cases", CASES_MODELS, ["regulator", "analyst", "api_client"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("ledger", "0002_default_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
