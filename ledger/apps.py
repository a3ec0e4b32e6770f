from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Influencer ledger")

    def ready(self) -> None:
        from config.ops.metrics import scrape_registry
        from ledger import journal
        from ledger.metrics import LedgerCollector

        journal.connect_signals()
        scrape_registry.register(LedgerCollector())
