from __future__ import annotations

from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core import heads


class Command(BaseCommand):
    help = (
        "Hand the journal's latest signed tree head (signed now if the journal has grown) to a witness outside "
        "the database: a JSON file in a folder, or an HTTP POST of the JSON to a URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="a folder, or an http:// or https:// URL")
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the URL (default 10)")

    def handle(self, *args: Any, target: str, timeout: float, **options: Any) -> None:
        try:
            record, where = heads.head_publish(target=target, timeout=timeout)
        except heads.SigningKeyMissing as exc:
            raise CommandError(exc.message) from None
        except (httpx.HTTPError, OSError) as exc:
            raise CommandError(f"The head could not be handed to {target}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Tree head {record['tree_size']} {record['root_hash']} -> {where}"))
