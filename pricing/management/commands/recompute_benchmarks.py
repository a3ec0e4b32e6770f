from __future__ import annotations

import argparse
from datetime import date

from django.utils.translation import gettext as _

from ledger.management.base import JournaledCommand
from pricing import services


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


class Command(JournaledCommand):
    help = (
        "Recompute the market benchmarks from the quotes of the trailing window ending today "
        "(Asia/Shanghai), or on --as-of DATE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=_date, default=None, help="last day of the window (YYYY-MM-DD)")
        parser.add_argument(
            "--window-days", type=int, default=None, help="length of the window (default PRICING_BENCHMARK_WINDOW_DAYS)"
        )

    def handle(self, *args, as_of: date | None, window_days: int | None, **options) -> None:
        run = services.benchmarks_recompute(as_of=as_of, window_days=window_days)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Benchmarks as of %(as_of)s over %(days)d days from %(quotes)d quotes: %(created)d created, "
                    "%(updated)d updated, %(deleted)d deleted, %(unchanged)d unchanged."
                )
                % {
                    "as_of": run.as_of,
                    "days": run.window_days,
                    "quotes": run.quotes,
                    "created": run.created,
                    "updated": run.updated,
                    "deleted": run.deleted,
                    "unchanged": run.unchanged,
                }
            )
        )
