from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from core import journal
from ingest.kinds import KINDS
from ingest.reading import FORMATS, format_of
from ingest.services import IngestRejected, ingest_file
from ledger.management.base import JournaledCommand


class Command(JournaledCommand):
    help = (
        "Ingest a file of accounts, snapshots, reviews or quotes (CSV, JSON Lines; quotes also XLSX; "
        ".gz read as such; - reads standard input). All rows or none: any bad row ingests nothing, "
        "names its line and column, and exits non-zero. Rows the ledger already holds with the same "
        "values are skipped; other values are conflicts, or replace the ledger's with --update. See docs/ingest.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", help="a .csv, .jsonl or .xlsx file, optionally .gz; - for standard input")
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help="the file's format (default: from its name; csv for -)"
        )
        parser.add_argument(
            "--update", action="store_true", help="replace the values of rows the ledger holds with other values"
        )
        parser.add_argument(
            "--no-follow-up", action="store_true", help="do not queue the follow-up task (follower figures, anomalies)"
        )

    def handle(
        self, *args, kind: str, file: str, format: str | None, update: bool, no_follow_up: bool, **options
    ) -> None:
        file_format = format or ("csv" if file == "-" else format_of(file))
        if not file_format:
            raise CommandError(f"{file}: not a .csv, .jsonl or .xlsx file (use --format).")
        try:
            source = sys.stdin.buffer if file == "-" else Path(file).open("rb")  # noqa: SIM115 - closed below
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file.") from exc
        try:
            job = ingest_file(
                kind=kind,
                source=source,
                file_format=file_format,
                actor=journal.current_actor(),
                file_name="(stdin)" if file == "-" else Path(file).name,
                update=update,
                follow_up=not no_follow_up,
            )
        except IngestRejected as exc:
            raise CommandError(exc.message) from exc
        finally:
            if file != "-":
                source.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ingested {kind} from {file} (job {job.pk}, sha256 {job.sha256}): {job.rows_total} rows, "
                f"{job.created} created, {job.updated} updated, {job.unchanged} unchanged."
            )
        )
