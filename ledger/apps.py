from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _register_sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite has no time zones: give it the functions ``ledger.history`` needs."""
    if connection.vendor == "sqlite":
        from ledger.history import sqlite_start_of_day

        connection.connection.create_function("ledger_start_of_day", 2, sqlite_start_of_day, deterministic=True)


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Influencer ledger")

    def ready(self) -> None:
        from config.ops.metrics import scrape_registry
        from ledger import journal
        from ledger.metrics import LedgerCollector

        journal.connect_signals()
        scrape_registry.register(LedgerCollector())
        connection_created.connect(_register_sqlite_functions, dispatch_uid="ledger_sqlite_functions")
