from __future__ import annotations

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from ledger import services, tasks
from ledger.choices import AccountStatus, Platform, RefreshOutcome
from ledger.management.base import JournaledCommand
from ledger.models import PlatformAccount


class Command(JournaledCommand):
    help = (
        "Refresh account profiles from their platforms: the accounts due (default), --all, or those named. "
        "Runs in this process with a progress bar, retrying transient errors; --enqueue sends them to the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--platform", choices=Platform.values, help="only accounts on this platform")
        parser.add_argument("--account", type=int, action="append", default=[], help="an account id (repeatable)")
        parser.add_argument("--all", action="store_true", help="every account that is not deleted, due or not")
        parser.add_argument("--enqueue", action="store_true", help="queue refresh tasks for the workers instead")

    def handle(self, *args, platform: str | None, account: list[int], all: bool, enqueue: bool, **options) -> None:
        if account:
            queryset = PlatformAccount.objects.filter(pk__in=account)
            missing = set(account) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(_("No account with id %(ids)s.") % {"ids": ", ".join(map(str, sorted(missing)))})
        elif all:
            queryset = PlatformAccount.objects.exclude(status=AccountStatus.DELETED)
        else:
            queryset = services.accounts_due()
        if platform:
            queryset = queryset.filter(platform=platform)
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        slot = services.refresh_slot_for(timezone.now())
        outcomes: dict[str, int] = {}
        if enqueue:
            if ids:
                outcomes["queued"] = tasks.send_refreshes(ids, slot.isoformat())
        else:
            with tqdm(total=len(ids), unit="account", file=self.stderr._out, disable=not ids) as bar:
                for account_id in ids:
                    outcome = tasks.refresh_in_process(account_id, slot) or "gone"
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    bar.update(1)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or _("nothing to do")
        self.stdout.write(_("%(n)d account(s): %(summary)s.") % {"n": len(ids), "summary": summary})
        if outcomes.get(RefreshOutcome.FAILED):
            raise CommandError(
                _("%(n)d refresh(es) failed; see the refresh attempts.") % {"n": outcomes[RefreshOutcome.FAILED]}
            )
