"""Gauges of the ledger, read from the database whenever /metrics is scraped."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ledger import selectors


class LedgerCollector(Collector):
    """Refresh lag and due accounts (the refresh schedule keeping up?), journal size."""

    def describe(self) -> list[GaugeMetricFamily]:
        # The names without their values: registering the collector reads no database.
        return [
            GaugeMetricFamily("ledger_refresh_lag_seconds", ""),
            GaugeMetricFamily("ledger_refresh_due_accounts", ""),
            GaugeMetricFamily("ledger_journal_entries", ""),
        ]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog = selectors.refresh_backlog(now=timezone.now())
        yield GaugeMetricFamily(
            "ledger_refresh_lag_seconds",
            "How long the longest-waiting due account has been due for its profile refresh (0: none due).",
            value=backlog.lag.total_seconds(),
        )
        yield GaugeMetricFamily(
            "ledger_refresh_due_accounts", "Accounts due for a profile refresh now.", value=backlog.due
        )
        yield GaugeMetricFamily(
            "ledger_journal_entries",
            "Entries in the journal (its sequence number is gap-free).",
            value=selectors.journal_size(),
        )
