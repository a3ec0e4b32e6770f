from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import heads


class Command(BaseCommand):
    help = (
        "Create the Ed25519 key that signs the journal's tree heads, as a PEM file readable by its owner only. "
        "Keep it outside the repository and point JOURNAL_SIGNING_KEY_FILE at it. Refuses to overwrite a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="where to write the private key (PEM)")

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            public = heads.key_create(path=path)
        except FileExistsError:
            raise CommandError(f"{path} exists: a signing key is never overwritten.") from None
        self.stdout.write(self.style.SUCCESS(f"Signing key written to {path}."))
        self.stdout.write(f"key_id {heads.key_id(public)}")
        self.stdout.write(f"public_key {base64.b64encode(heads.public_key_raw(public)).decode()}")
        self.stdout.write(f"Set JOURNAL_SIGNING_KEY_FILE={path.resolve()} and publish the key id.")
