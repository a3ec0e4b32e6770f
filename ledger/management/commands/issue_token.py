from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.settings import knox_settings


class Command(BaseCommand):
    help = (
        "Issue an API bearer token for a user. The token is printed once and stored only as a hash; "
        "revoke it with revoke_tokens or in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument(
            "--days",
            type=int,
            help=f"days until the token expires (default {knox_settings.TOKEN_TTL.days}, from API_TOKEN_TTL_DAYS)",
        )
        # Kept so that old scripts get a clear refusal rather than "unrecognized arguments".
        expiry.add_argument("--no-expiry", action="store_true", help="refused: every token expires")

    def handle(self, *args, username: str, days: int | None, no_expiry: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as exc:
            raise CommandError(_("No user %(user)r.") % {"user": username}) from exc
        if not user.is_active:
            raise CommandError(_("User %(user)r is not active.") % {"user": username})
        if no_expiry:
            raise CommandError(
                _(
                    "Tokens that never expire are refused: a leaked one would work forever. Give --days "
                    "(at most %(max)d, API_TOKEN_MAX_DAYS) and renew the token in time."
                )
                % {"max": settings.API_TOKEN_MAX_DAYS}
            )
        if days is not None and not 0 < days <= settings.API_TOKEN_MAX_DAYS:
            raise CommandError(
                _("--days must be between 1 and %(max)d (API_TOKEN_MAX_DAYS).") % {"max": settings.API_TOKEN_MAX_DAYS}
            )
        expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
        instance, token = AuthToken.objects.create(user=user, expiry=expiry)
        until = instance.expiry.isoformat() if instance.expiry else _("never")
        self.stderr.write(
            _("Token for %(user)s (key %(key)s), expires: %(until)s. It is shown only once:")
            % {"user": username, "key": instance.token_key, "until": until}
        )
        self.stdout.write(token)
