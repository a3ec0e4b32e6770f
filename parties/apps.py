from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "parties"
    verbose_name = _("Parties and the money graph")

    def ready(self) -> None:
        from core import journal

        # Any party may be a person (kind "person", or "unknown" until someone finds out), so
        # its names, and the keys derived from them, reach the journal only as digests.
        names = {"name", "key", "pinyin", "initials"}
        journal.register_app(self, personal={"party": {"name"}, "partyalias": names})
