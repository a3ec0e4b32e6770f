from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Infrastructure")

    def ready(self) -> None:
        from core import journal
        from core.registry import app_modules

        # The journal's capture triggers, actor and post_migrate handler; the apps register their tables.
        journal.connect()
        # Each app's history sources register themselves when their module is imported.
        app_modules("history")
