"""``manage.py create_regulator USERNAME --authority CODE``: a regulator's login in one step."""

from __future__ import annotations

import secrets
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cases import services
from core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create a regulator's login: a staff user in the regulator group and a member of the authority. "
        "The password is read from standard input (--password-stdin) or generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--authority", required=True, help="the authority: its id, its name, or a part of its name")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (otherwise one is generated)",
        )

    def handle(self, *args, username: str, authority: str, email: str, password_stdin: bool, **options) -> None:
        generated = not password_stdin
        password = secrets.token_urlsafe(18) if generated else sys.stdin.readline().rstrip("\r\n")
        try:
            found = services.authority_find(code=authority)
            user = services.regulator_create(username=username, authority=found, email=email, password=password)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            _("Created %(user)s: staff, in the regulator group, member of %(authority)s.")
            % {"user": user.get_username(), "authority": found.name}
        )
        if generated:
            self.stderr.write(_("The password is shown only once:"))
            self.stdout.write(password)
