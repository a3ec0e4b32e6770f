from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and evidence")

    def ready(self) -> None:
        from cases import graph, services
        from ledger import journal

        journal.register_file_check(services.evidence_file_mismatches)
        graph.register()  # case nodes in the money graph (parties.graph)
