from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and evidence")

    def ready(self) -> None:
        from cases import services
        from ledger import journal

        journal.register_app(self)
        journal.register_file_check(services.evidence_file_mismatches)
