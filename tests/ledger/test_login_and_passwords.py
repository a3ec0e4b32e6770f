"""Issue 18.5: login lockout (admin and API login), password validators, tokens revoked on password change."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from knox.models import AuthToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("login_url", ["/admin/login/", "/api-auth/login/"])
def test_wrong_passwords_lock_the_login_out_even_for_the_right_one(client, settings, login_url):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="alice", is_staff=True)
    for _ in range(3):
        response = client.post(login_url, {"username": "alice", "password": "wrong"})
        assert "_auth_user_id" not in client.session
    response = client.post(login_url, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_right_password_before_the_limit_logs_in(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="bob", is_staff=True)
    client.post("/admin/login/", {"username": "bob", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize("password", ["short", "password1234", "12345678901234", "alice-example"])
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="alice-example", email="alice@example.invalid")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_password_change_revokes_every_api_token_of_the_user():
    user, other = UserFactory(), UserFactory()
    AuthToken.objects.create(user=user)
    AuthToken.objects.create(user=user)
    AuthToken.objects.create(user=other)
    user.set_password("a much longer new passphrase")
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    assert AuthToken.objects.filter(user=other).count() == 1
