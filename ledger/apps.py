from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Influencer ledger")

    def ready(self) -> None:
        from config.ops.metrics import scrape_registry
        from core import journal
        from ledger.metrics import LedgerCollector

        # Refresh attempts are an operational log.
        journal.register_app(self, exclude={"profilerefresh"}, personal={"influencer": {"legal_name"}})
        scrape_registry.register(LedgerCollector())
