from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and evidence")

    def ready(self) -> None:
        from cases import graph, selectors, services
        from core import journal
        from core import selectors as core_selectors

        journal.register_app(self)
        journal.register_file_check(services.evidence_file_mismatches)
        # Journal entries about case records only for who may see the case.
        core_selectors.journal_filters.append(selectors.journal_visible_to)
        graph.register()  # case nodes in the money graph (parties.graph)
