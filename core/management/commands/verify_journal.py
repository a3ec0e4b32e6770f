from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from core import heads, journal
from core.errors import DomainError
from core.models import JournalEntry, SignedTreeHead


class Command(BaseCommand):
    help = (
        "Recompute the journal's hash chain and leaf hashes from the first entry, and the Merkle root of every "
        "signed tree head from the entries, checking each head's signature; check that every journaled table "
        "has its capture triggers; compare every journaled row with the journal's latest state of it. "
        "With --against HEAD.json, also prove "
        "that the journal still extends a head kept outside the database. Prints the head when all holds; names "
        "the first problem and exits non-zero when not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
        parser.add_argument(
            "--against", type=Path, action="append", default=[], metavar="HEAD.json", help="a signed head kept earlier"
        )
        parser.add_argument(
            "--skip-rows",
            action="store_true",
            help="do not compare the tables with the journal's latest state, nor files with their hashes",
        )
        parser.add_argument(
            "--public-key", help="base64 Ed25519 public key to check heads with (default: the configured key's)"
        )

    def handle(
        self,
        *args: Any,
        no_progress: bool,
        against: list[Path],
        public_key: str | None,
        skip_rows: bool,
        **options: Any,
    ) -> None:
        journal.integrate()  # what writers committed so far is part of what is checked
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
        try:
            key = heads.public_key_from_base64(public_key) if public_key else heads.configured_public_key()
        except DomainError as exc:
            raise CommandError(exc.message) from None
        kept = []
        for path in against:
            try:
                kept.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: not a readable head ({exc})") from None
        stored = [heads.head_record(h) for h in SignedTreeHead.objects.order_by("tree_size", "id")]
        problems = heads.check_heads(stored, public_key=key).problems
        for path, record in zip(against, kept, strict=True):
            problems += [
                heads.HeadProblem({**p.head, "file": str(path)}, p.reason)
                for p in heads.check_against(record, public_key=key)
            ]
        missing = journal.missing_triggers()
        if missing:
            lines = [f"- table {table}: trigger {trigger} missing or disabled" for table, trigger in missing]
            raise CommandError("Journaled tables whose changes are not captured:\n" + "\n".join(lines))
        unjournaled = []
        if not skip_rows:
            mismatches = journal.verify_rows()
            # rows the journal never saw: default data made by migrations, or inserted behind its back
            unjournaled = [m for m in mismatches if not m.field and m.journal_value is None]
            mismatches = [m for m in mismatches if m not in unjournaled] + journal.verify_files()
            if mismatches:
                lines = [
                    f"- table {m.table} row {m.object_id}"
                    + (f" field {m.field}: journal {m.journal_value!r}, table {m.table_value!r}" if m.field else "")
                    + ("" if m.field else f": {m.table_value or m.journal_value}")
                    for m in mismatches
                ]
                raise CommandError("Tables differ from the journal's latest state:\n" + "\n".join(lines))
        if problems:
            lines = [
                f"- head {p.head.get('tree_size')} {p.head.get('root_hash')}"
                f"{' (' + p.head['file'] + ')' if 'file' in p.head else ''}: {p.reason}"
                for p in problems
            ]
            raise CommandError("Journal does not match its signed heads:\n" + "\n".join(lines))
        self.stdout.write(self.style.SUCCESS(_("Journal intact: %(n)d entries.") % {"n": result.checked}))
        self.stdout.write(_("head seq %(seq)s hash %(hash)s") % {"seq": result.head_seq, "hash": result.head_hash})
        self.stdout.write(f"{len(stored)} signed head(s) match the entries")
        if not skip_rows:
            self.stdout.write("every journaled row matches the journal's latest state, every file its hash")
        for m in unjournaled:
            self.stdout.write(self.style.WARNING(f"table {m.table} row {m.object_id}: never journaled"))
        for path in against:
            self.stdout.write(f"consistent with {path}")
