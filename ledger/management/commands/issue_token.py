from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
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
            raise CommandError(f"No user {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active.")
        if no_expiry:
            raise CommandError(
                "Tokens that never expire are refused: a leaked one would work forever. "
                f"Give --days (at most {settings.API_TOKEN_MAX_DAYS}, API_TOKEN_MAX_DAYS) and renew the token in time."
            )
        if days is not None and not 0 < days <= settings.API_TOKEN_MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {settings.API_TOKEN_MAX_DAYS} (API_TOKEN_MAX_DAYS).")
        expiry = timedelta(days=days) if days else knox_settings.TOKEN_TTL
        instance, token = AuthToken.objects.create(user=user, expiry=expiry)
        until = instance.expiry.isoformat() if instance.expiry else "never"
        self.stderr.write(f"Token for {username} (key {instance.token_key}), expires: {until}. It is shown only once:")
        self.stdout.write(token)
