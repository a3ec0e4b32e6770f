from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = _("Bulk ingest")

    def ready(self) -> None:
        """An "Import from a file" link on the admin list of each kind's rows, to the ingest's upload page."""
        from functools import partial

        from core.admin_export import register_import
        from ingest.admin import import_link
        from ingest.kinds import KINDS

        for kind, spec in KINDS.items():
            app_label, codename = spec.permission.split(".")
            register_import(apps.get_model(app_label, codename.removeprefix("add_")), partial(import_link, kind))
