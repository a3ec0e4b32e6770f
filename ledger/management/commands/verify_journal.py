from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ledger import journal
from ledger.models import JournalEntry


class Command(BaseCommand):
    help = (
        "Recompute the journal's hash chain from the first entry. Prints the head (seq and hash) when the "
        "chain holds; names the first entry that does not match and exits non-zero when it does not."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args, no_progress: bool, **options) -> None:
        total = JournalEntry.objects.count()
        with tqdm(total=total, unit="entry", disable=no_progress, file=self.stderr._out) as bar:
            result = journal.verify(progress=lambda n: bar.update(1))
        if not result.ok:
            raise CommandError(
                f"Journal broken at entry {result.first_bad_seq}: {result.reason}. "
                f"{result.checked} entries before it verified; last good head: seq {result.head_seq} "
                f"hash {result.head_hash}."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal intact: {result.checked} entries."))
        self.stdout.write(f"head seq {result.head_seq} hash {result.head_hash}")
