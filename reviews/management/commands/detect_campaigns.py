from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from tqdm import tqdm

from ledger.management.base import JournaledCommand
from reviews import services


def parse_since(value: str) -> datetime:
    """A date (midnight in the project's time zone) or an ISO date-time."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(f"--since {value!r} is not a date (YYYY-MM-DD) or an ISO date-time.")
        moment = datetime.combine(day, time.min)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(JournaledCommand):
    help = (
        "Find coordinated campaigns over all reviews, or those published since --since, and bring the stored "
        "suspected campaigns up to date. Running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only reviews published on or after this date (YYYY-MM-DD) or time")

    def handle(self, *args, since: str | None, **options) -> None:
        when = parse_since(since) if since else None
        bars: list[tqdm] = []

        def progress(stage: str, total: int) -> Callable[[int], None]:
            bar = tqdm(total=total, desc=stage, unit="review", file=self.stderr._out, disable=not total)
            bars.append(bar)
            return bar.update

        try:
            outcome = services.campaigns_detect(since=when, progress=progress)
        finally:
            for bar in bars:
                bar.close()
        self.stdout.write(
            f"{outcome.scope} review(s) considered, {outcome.signatures} signature(s) computed: "
            f"{outcome.created} campaign(s) created, {outcome.updated} updated, {outcome.deleted} deleted, "
            f"{outcome.unchanged} unchanged."
        )
