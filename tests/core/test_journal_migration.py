"""Migrations core 0001 and ledger 0023 move the journal's models from the ledger app into core.

GIVEN a journal and the regulator's grant to read it, taken back to before the move (the
models in the ledger app, their content types ``ledger.*``), WHEN the migrations run,
THEN the tables and their entries are untouched, the content types are core's (the same
rows), and the regulator still holds ``core.view_journalentry``.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core import journal
from core.models import JournalEntry
from tests.factories import AgencyFactory
from tests.migrating import migrate, migrate_to_latest

BEFORE = [("core", None)]  # core's migrations unapplied: ledger 0022 is the newest, as before the move
JOURNAL_MODELS = ["journalentry", "journaltreenode", "signedtreehead", "journalqueueitem"]


def content_types() -> dict[str, tuple[str, int]]:
    rows = ContentType.objects.filter(model__in=JOURNAL_MODELS).values_list("model", "app_label", "pk")
    return {model: (app_label, pk) for model, app_label, pk in rows}


@pytest.mark.django_db(transaction=True)
def test_the_journal_moves_into_core_with_its_entries_permissions_and_grants():
    AgencyFactory()
    head = journal.head()
    regulator, _ = Group.objects.get_or_create(name="regulator")
    regulator.permissions.add(Permission.objects.get(content_type__app_label="core", codename="view_journalentry"))
    moved = content_types()
    assert {label for label, _pk in moved.values()} == {"core"}
    try:
        migrate(BEFORE)
        ContentType.objects.clear_cache()
        assert content_types() == {model: ("ledger", pk) for model, (_label, pk) in moved.items()}
        assert regulator.permissions.filter(content_type__app_label="ledger", codename="view_journalentry").exists()
        with connection.cursor() as cursor:
            cursor.execute("SELECT max(seq) FROM ledger_journalentry")
            assert cursor.fetchone()[0] == head[0]
    finally:
        migrate_to_latest()
        ContentType.objects.clear_cache()
    assert content_types() == moved
    assert regulator.permissions.filter(content_type__app_label="core", codename="view_journalentry").exists()
    assert journal.head() == head
    assert JournalEntry.objects.count() == head[0]
    assert journal.verify().ok
    assert journal.missing_triggers() == []
