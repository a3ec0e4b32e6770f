from __future__ import annotations

from ingest.management.commands.ingest import Command as IngestCommand


class Command(IngestCommand):
    help = "Same as `manage.py ingest quotes FILE` (kept for existing scripts)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .jsonl or .xlsx file of quotes, optionally .gz; - for standard input")
        parser.add_argument("--format", choices=("csv", "jsonl", "xlsx"), default=None)
        parser.add_argument("--update", action="store_true")
        parser.add_argument("--no-follow-up", action="store_true")
        parser.add_argument("--no-progress", action="store_true", help="(ignored; kept for existing scripts)")

    def handle(self, *args, **options) -> None:
        super().handle(*args, kind="quotes", **options)
