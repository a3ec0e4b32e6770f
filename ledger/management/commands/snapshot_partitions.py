from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from config.api.errors import ConflictError
from ledger import partitions


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise CommandError(f"{value!r} is not a month (YYYY-MM)") from None


class Command(BaseCommand):
    help = (
        "The monthly partitions of the follower snapshots: list them, create them ahead "
        "(what the daily beat task does), or detach the old ones for archive."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="the attached partitions and their rows")
        create = actions.add_parser("create", help="create this month's partition and the next ones (idempotent)")
        create.add_argument("--months-ahead", type=int, default=3)
        create.add_argument(
            "--since", type=_month, help="YYYY-MM: months from then on get partitions of their own (before an import)"
        )
        detach = actions.add_parser(
            "detach",
            help="detach every partition before a month: it stays a table of its own, for pg_dump and DROP TABLE",
        )
        detach.add_argument("--before", required=True, type=_month, help="YYYY-MM: partitions ending by then")
        detach.add_argument("--dry-run", action="store_true", help="say what would be detached")

    def handle(self, *args, action: str, **options) -> None:
        if action == "list":
            for p in partitions.snapshot_partitions():
                start = p.start.date().isoformat() if p.start else "..."
                self.stdout.write(f"{p.name}\t{start}\t{p.end.date().isoformat()}")
        elif action == "create":
            try:
                created = partitions.snapshot_partitions_create(
                    months_ahead=options["months_ahead"], since=options["since"]
                )
            except ConflictError as exc:
                raise CommandError(str(exc.message)) from None
            self.stdout.write(self.style.SUCCESS(f"created: {', '.join(created) or 'none (all there)'}"))
        else:
            try:
                detached = partitions.snapshot_partitions_detach(before=options["before"], dry_run=options["dry_run"])
            except ConflictError as exc:
                raise CommandError(str(exc.message)) from None
            verb = "would detach" if options["dry_run"] else "detached"
            for d in detached:
                self.stdout.write(
                    f"{verb} {d.name}: {d.rows} snapshot(s); {d.refreshes_unlinked} refresh attempt(s) unlinked"
                )
            if not detached:
                self.stdout.write("nothing to detach")
