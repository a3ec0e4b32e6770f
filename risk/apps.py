from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk scores of accounts and orders from named signals (see docs/risk.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "risk"
    verbose_name = _("Risk")

    def ready(self) -> None:
        from risk import receivers

        receivers.connect()
