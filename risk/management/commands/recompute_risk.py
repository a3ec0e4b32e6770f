"""Recompute the risk score of every account and order now, with a progress bar."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from core import journal
from ledger.models import PlatformAccount
from reviews.models import Order
from risk import services


class Command(BaseCommand):
    help = "Recompute the risk score of every account, then of every order."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, no_progress: bool = False, **options) -> None:
        total = PlatformAccount.objects.count() + Order.objects.count()
        with (
            journal.acting_as("command:recompute_risk"),
            tqdm(total=total, unit="score", disable=no_progress, file=self.stderr._out) as bar,
        ):
            run = services.risk_recompute_all(progress=bar.update)
        self.stdout.write(
            _("%(accounts)d accounts and %(orders)d orders scored; %(changed)d scores changed, %(events)d events.")
            % {"accounts": run.accounts, "orders": run.orders, "changed": run.changed, "events": run.events}
        )
