"""The account list's default order (platform, handle, id) read from an index, not sorted per page."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0020_snapshot_partitions_schedule")]

    operations = [
        migrations.AddIndex(
            model_name="platformaccount",
            index=models.Index(fields=["platform", "handle", "id"], name="account_default_order"),
        ),
    ]
