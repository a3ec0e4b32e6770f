from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from knox.models import AuthToken

from config.api.authentication import delete_expired_tokens


class Command(BaseCommand):
    help = (
        "Revoke API tokens: one by its key (the first characters shown when issued), all of a user's, "
        "or delete every expired one."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--key", help="the token key printed by issue_token")
        which.add_argument("--user", help="revoke every token of this user")
        which.add_argument("--expired", action="store_true", help="delete every expired token (refused anyway)")

    def handle(self, *args, key: str | None, user: str | None, expired: bool, **options) -> None:
        if expired:
            deleted = delete_expired_tokens()
            self.stdout.write(_("Deleted %(n)d expired token(s).") % {"n": deleted})
            return
        if key:
            tokens = AuthToken.objects.filter(token_key=key)
        else:
            User = get_user_model()
            if not User.objects.filter(**{User.USERNAME_FIELD: user}).exists():
                raise CommandError(_("No user %(user)r.") % {"user": user})
            tokens = AuthToken.objects.filter(**{f"user__{User.USERNAME_FIELD}": user})
        deleted, _by_model = tokens.delete()
        if not deleted:
            raise CommandError(_("No matching token."))
        self.stdout.write(_("Revoked %(n)d token(s).") % {"n": deleted})
