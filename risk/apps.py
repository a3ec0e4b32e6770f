from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk scores of accounts and orders from named signals (see docs/risk.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from core import journal
        from risk import receivers
        from risk.models import RiskChange

        receivers.connect()
        # A score's large moves are events of the influencer history, kept current from the journal's feed;
        # the scores themselves are recomputed from the signals at will and are not journaled.
        journal.register(RiskChange)
