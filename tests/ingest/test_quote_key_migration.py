"""Migration pricing.0005 copes with quotes recorded twice before the natural key became unique."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from core import journal
from core.models import JournalEntry
from pricing.models import RateQuote
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory

BEFORE = [("pricing", "0004_recompute_benchmarks_schedule")]
AFTER = [("pricing", "0005_quote_one_per_observation")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_later_copies_of_an_observation_are_deleted_and_journaled(capsys, monkeypatch):
    # Back at pricing 0004 the apps that depend on it (the risk scores among them) are unmigrated:
    # their reactions to the quotes written below have no tables to write to.
    monkeypatch.setattr("risk.receivers._mark", lambda *args, **kwargs: None)
    migrate(BEFORE)
    try:
        with transaction.atomic():  # journaled writes need a transaction
            # Untiered (an earlier transactional test may have flushed the tiers): a missing tier counts as equal.
            first = QuoteFactory(
                account=AccountFactory(), deliverable="live_stream", tier=None, source_url="https://example.invalid/a"
            )
            copy = QuoteFactory(
                account=first.account, tier=first.tier, deliverable=first.deliverable, price_kind=first.price_kind,
                observed_on=first.observed_on, source_url=first.source_url,
            )  # fmt: skip
            other = QuoteFactory(
                account=first.account, deliverable="live_stream", tier=None, source_url="https://example.invalid/b"
            )
    finally:
        migrate(AFTER)
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # back to the latest schema
    assert set(RateQuote.objects.values_list("pk", flat=True)) == {first.pk, other.pk}
    journal.integrate()
    deletion = JournalEntry.objects.get(object_type="pricing.ratequote", action="delete")
    assert (deletion.object_id, deletion.actor) == (str(copy.pk), "migration:pricing.0005_quote_one_per_observation")
    assert "deleted 1 duplicate quote(s)" in capsys.readouterr().out
    with pytest.raises(IntegrityError), transaction.atomic():
        QuoteFactory(
            account=first.account, tier=first.tier, deliverable=first.deliverable, price_kind=first.price_kind,
            observed_on=first.observed_on, source_url=first.source_url,
        )  # fmt: skip
