"""API bearer tokens: issued by a command, stored only as hashes, expiring and revocable."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import CONSTANTS

pytestmark = pytest.mark.django_db


def issue(username: str, *args: str) -> str:
    out = StringIO()
    call_command("issue_token", username, *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def bearer(api, token: str):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def test_issued_token_authenticates_a_read_only_client(api, user_in_group):
    user = user_in_group("api_client")
    token = issue(user.username)
    assert token.startswith("prl_") and len(token) > 40
    assert bearer(api, token).get("/api/v1/influencers/").status_code == 200
    assert api.post("/api/v1/agencies/", {"name": "x", "kind": "mcn"}).status_code == 403


def test_token_is_stored_only_as_a_hash(user_in_group):
    user = user_in_group("analyst")
    token = issue(user.username)
    stored = AuthToken.objects.get(user=user)
    assert stored.digest != token and token not in stored.digest
    assert len(stored.digest) == 128  # SHA-512 hex
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, token_key FROM knox_authtoken")
        for digest, key in cursor.fetchall():
            assert token not in (digest, key)
            assert len(key) < len(token)


def test_wrong_or_malformed_token_is_401(api, analyst):
    issue(analyst.username)
    assert bearer(api, "prl_" + "0" * 64).get("/api/v1/influencers/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer")
    assert api.get("/api/v1/influencers/").status_code == 401


def test_expired_token_is_refused(api, analyst):
    token = issue(analyst.username, "--days", "1")
    AuthToken.objects.filter(user=analyst).update(expiry=timezone.now() - timedelta(seconds=1))
    assert bearer(api, token).get("/api/v1/influencers/").status_code == 401


def test_default_expiry_comes_from_settings_and_cannot_be_disabled(analyst):
    issue(analyst.username)
    with pytest.raises(CommandError, match="never expire"):
        issue(analyst.username, "--no-expiry")
    with pytest.raises(CommandError, match="--days must be between"):
        issue(analyst.username, "--days", "100000")
    (expiry,) = AuthToken.objects.filter(user=analyst).values_list("expiry", flat=True)
    assert timedelta(days=89) < expiry - timezone.now() <= timedelta(days=90)


def test_client_can_revoke_its_own_token(api, analyst):
    token = issue(analyst.username)
    other = issue(analyst.username)
    assert bearer(api, token).post("/api/v1/auth/revoke/").status_code == 204
    assert api.get("/api/v1/influencers/").status_code == 401
    assert bearer(api, other).get("/api/v1/influencers/").status_code == 200
    assert bearer(api, other).post("/api/v1/auth/revoke-all/").status_code == 204
    assert not AuthToken.objects.filter(user=analyst).exists()


def test_revoke_command_by_key_and_by_user(api, analyst):
    token = issue(analyst.username)
    call_command("revoke_tokens", "--key", AuthToken.objects.get(user=analyst).token_key, stdout=StringIO())
    assert bearer(api, token).get("/api/v1/influencers/").status_code == 401
    issue(analyst.username)
    issue(analyst.username)
    out = StringIO()
    call_command("revoke_tokens", "--user", analyst.username, stdout=out)
    assert "Revoked 2" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("revoke_tokens", "--user", analyst.username, stdout=StringIO())


def test_issue_token_refuses_unknown_or_inactive_users(analyst):
    with pytest.raises(CommandError, match="No user"):
        issue("nobody")
    analyst.is_active = False
    analyst.save()
    with pytest.raises(CommandError, match="not active"):
        issue(analyst.username)
    assert not AuthToken.objects.exists()


def test_a_request_reads_only_the_presented_token(api, analyst):
    """GIVEN a user with several tokens, one of them expired
    WHEN a request is authenticated with another
    THEN one query reads the presented token (with its user); the expired one is still refused.
    """
    token = issue(analyst.username)
    expired = issue(analyst.username, "--days", "1")
    issue(analyst.username)
    AuthToken.objects.filter(token_key=expired[: CONSTANTS.TOKEN_KEY_LENGTH]).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    with CaptureQueriesContext(connection) as queries:
        assert bearer(api, token).get("/api/v1/influencers/").status_code == 200
    assert len([q for q in queries.captured_queries if "knox_authtoken" in q["sql"]]) == 1
    assert AuthToken.objects.filter(user=analyst).count() == 3
    assert bearer(api, expired).get("/api/v1/influencers/").status_code == 401


def test_revoke_command_deletes_expired_tokens_only(api, analyst):
    token = issue(analyst.username)
    issue(analyst.username, "--days", "1")
    issue(analyst.username, "--days", "365")
    AuthToken.objects.filter(user=analyst, expiry__lt=timezone.now() + timedelta(days=2)).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()
    call_command("revoke_tokens", "--expired", stdout=out)
    assert "Deleted 1 expired" in out.getvalue()
    assert AuthToken.objects.filter(user=analyst).count() == 2
    assert bearer(api, token).get("/api/v1/influencers/").status_code == 200


def test_expired_tokens_are_swept_nightly_by_beat(analyst):
    """GIVEN expired and live tokens WHEN the nightly task runs THEN only the expired ones are gone,
    and the task is on beat's schedule (editable in the admin)."""
    from django_celery_beat.models import PeriodicTask

    from ledger import tasks

    issue(analyst.username, "--days", "1")
    issue(analyst.username, "--days", "30")
    AuthToken.objects.filter(user=analyst, expiry__lt=timezone.now() + timedelta(days=2)).update(
        expiry=timezone.now() - timedelta(seconds=1)
    )
    assert tasks.delete_expired_tokens.delay().get() == 1
    assert AuthToken.objects.filter(user=analyst).count() == 1
    assert PeriodicTask.objects.get(task="ledger.delete_expired_tokens").enabled
