"""The default duration tiers: 1-20 s, 21-60 s and 61 s and over (Douyin Xingtu's tiers).

Editable in the admin afterwards. Written with the historical model's
``bulk_create``, which sends no model signals, so these three rows have no
journal entries: like the default groups, they are part of the installed code
(this file, under version control), not a change someone made to the data, and
an empty database starts with an empty journal. Every later edit of a tier is
journaled as usual.
"""

from django.db import migrations

DEFAULT_TIERS = [
    ("s1_20", "1-20 s", 1, 20),
    ("s21_60", "21-60 s", 21, 60),
    ("s61_plus", "61 s and over", 61, None),
]


def forwards(apps, schema_editor):
    DurationTier = apps.get_model("pricing", "DurationTier")
    existing = set(DurationTier.objects.values_list("code", flat=True))
    DurationTier.objects.bulk_create(
        DurationTier(code=code, label=label, min_seconds=lo, max_seconds=hi)
        for code, label, lo, hi in DEFAULT_TIERS
        if code not in existing
    )


def backwards(apps, schema_editor):
    apps.get_model("pricing", "DurationTier").objects.filter(
        code__in=[code for code, *_ in DEFAULT_TIERS], quotes__isnull=True, benchmarks__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
