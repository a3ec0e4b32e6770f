from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
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
                _(
                    "Journal broken at entry %(seq)s: %(reason)s. %(checked)d entries before it verified; "
                    "last good head: seq %(head_seq)s hash %(head_hash)s."
                )
                % {
                    "seq": result.first_bad_seq,
                    "reason": result.reason,
                    "checked": result.checked,
                    "head_seq": result.head_seq,
                    "head_hash": result.head_hash,
                }
            )
        self.stdout.write(self.style.SUCCESS(_("Journal intact: %(n)d entries.") % {"n": result.checked}))
        self.stdout.write(_("head seq %(seq)s hash %(hash)s") % {"seq": result.head_seq, "hash": result.head_hash})
