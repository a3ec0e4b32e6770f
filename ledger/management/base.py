from __future__ import annotations

from django.core.management.base import BaseCommand

from core import journal


class JournaledCommand(BaseCommand):
    """A management command whose writes are journaled with ``command:<name>`` as the actor."""

    def execute(self, *args, **options):
        name = type(self).__module__.rsplit(".", 1)[-1]
        with journal.acting_as(f"command:{name}"):
            return super().execute(*args, **options)
