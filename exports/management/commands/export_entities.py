"""Write the export of an influencer, a party, a case or a campaign as FollowTheMoney entities or a STIX 2.1 bundle."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from exports.documents import FORMATS, export_render
from exports.selectors import KINDS


class Command(BaseCommand):
    help = (
        "Export an influencer, a party, a case or a campaign with the records around it as FollowTheMoney entities "
        "(JSON lines) or a STIX 2.1 bundle. A person's legal name is masked unless --unmasked."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="what to export")
        parser.add_argument("id", type=int, help="its id")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            required=True,
            dest="fmt",
            help="ftm: FollowTheMoney entities; stix: a STIX 2.1 bundle",
        )
        parser.add_argument("-o", "--output", help="write to this file (default: standard output)")
        parser.add_argument(
            "--unmasked",
            action="store_true",
            help="include persons' full legal names (for a court or the police; the API always masks them)",
        )

    def handle(self, *args, kind: str, id: int, fmt: str, output: str | None, unmasked: bool, **options) -> None:
        # The command is an operator's (like the admin): it sees every record.
        result = export_render(kind=kind, pk=id, fmt=fmt, user=None, masked=not unmasked)
        if result is None:
            raise CommandError(_("No %(kind)s with id %(id)s.") % {"kind": kind, "id": id})
        _media_type, body = result
        if output:
            with open(output, "wb") as out:
                out.write(body)
            self.stderr.write(_("Wrote %(size)d bytes to %(file)s.") % {"size": len(body), "file": output})
        else:
            sys.stdout.flush()
            self.stdout.write(body.decode(), ending="")
