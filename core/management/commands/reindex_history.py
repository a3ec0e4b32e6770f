from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from core import journal
from core.history import timelines


class Command(BaseCommand):
    help = (
        "Rebuild the timelines' index (the influencer history) from its sources, in one transaction; "
        "with --check, change nothing and report, per kind, the rows missing from the index and those the "
        "sources no longer give (exits non-zero if there are any; on a live ledger, rows written while it runs "
        "may be named: run it again). Holds the journal's sequencer until it is done."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 if a row differs")
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")

    def handle(self, *args: Any, check: bool, no_progress: bool, **options: Any) -> None:
        work = [(timeline, kind) for timeline in timelines() for kind in timeline.sources()]
        differing = 0
        with (
            transaction.atomic(),
            tqdm(total=len(work), unit="kind", disable=no_progress, file=self.stderr._out) as bar,
        ):
            # What writers committed so far is sequenced first, and the sequencer's lock is held to the end:
            # no sequencer updates the index while it is rebuilt (readers do not wait for it).
            journal.integrate()
            for timeline, kind in work:
                started = time.perf_counter()
                if check:
                    missing, extra = timeline.differences(kind)
                    differing += missing + extra
                    line = _("%(timeline)s %(kind)s: %(missing)d rows missing, %(extra)d rows not from the source") % {
                        "timeline": timeline.name,
                        "kind": kind,
                        "missing": missing,
                        "extra": extra,
                    }
                else:
                    (count,) = timeline.reindex(None, [kind]).values()
                    line = _("%(timeline)s %(kind)s: %(count)d rows") % {
                        "timeline": timeline.name,
                        "kind": kind,
                        "count": count,
                    }
                bar.write(f"{line} ({time.perf_counter() - started:.1f} s)", file=self.stdout._out)
                bar.update(1)
        if differing:
            raise CommandError(
                _(
                    "The index differs from its sources in %(count)d rows (a changed row counts as one missing and "
                    "one not from the source): run reindex_history to rebuild it."
                )
                % {"count": differing}
            )
