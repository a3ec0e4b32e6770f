"""How API clients authenticate: knox bearer tokens (see ``TokenAuthentication``)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth as knox_auth
from knox.signals import token_expired


class TokenAuthentication(knox_auth.TokenAuthentication):
    """Knox bearer tokens, checking only the token presented.

    Knox also reads every other token of the user on every request, to delete
    the expired ones: one more query per API call, for housekeeping. Here the
    presented token is handled as knox does (refused, and deleted, if expired);
    the user's other expired tokens are refused when they are presented, and
    :func:`delete_expired_tokens` (nightly, and ``manage.py revoke_tokens --expired``)
    deletes them all.
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


def delete_expired_tokens() -> int:
    """Delete every expired API token (refused anyway); returns how many."""
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


class TokenScheme(KnoxTokenScheme):
    """These tokens in the OpenAPI schema: knox's Bearer scheme, as before."""

    target_class = "config.api.authentication.TokenAuthentication"


class RevokeTokensOnPasswordChange:
    """A password "validator" that validates nothing: when a user's password changes, their API tokens go.

    Django calls ``password_changed`` of every validator in AUTH_PASSWORD_VALIDATORS
    after a new password is saved, wherever it was set (the admin, ``changepassword``,
    a password reset), so a token issued under the old password does not outlive it.
    """

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        from knox.models import AuthToken

        if user is not None and user.pk is not None:
            AuthToken.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return ""
