from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("Parties and the money graph")

    def ready(self) -> None:
        from core import journal

        journal.register_app(self)
