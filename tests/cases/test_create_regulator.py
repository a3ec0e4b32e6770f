"""``create_regulator``: a regulator's login (staff, group, authority membership) in one step."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.cases.factories import AuthorityFactory, CaseFactory

pytestmark = pytest.mark.django_db


def test_creates_a_staff_regulator_of_the_authority_with_a_generated_password(client):
    cac = AuthorityFactory(name="Cyberspace Administration of China (国家互联网信息办公室)")
    other = AuthorityFactory(name="MIIT")
    theirs, not_theirs = CaseFactory(authority=cac), CaseFactory(authority=other)
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_regulator", "wang.li", "--authority", "cyberspace", "--email", "wl@example.cn", stdout=out, stderr=err
    )
    password = out.getvalue().strip()
    user = User.objects.get(username="wang.li")
    assert user.is_staff and not user.is_superuser and user.email == "wl@example.cn"
    assert list(user.groups.values_list("name", flat=True)) == ["regulator"]
    assert list(user.authorities.all()) == [cac]
    assert len(password) >= 20 and user.check_password(password)
    assert "shown only once" in err.getvalue()
    # the login works in the admin, and shows the authority's cases only
    response = client.post(reverse("admin:login"), {"username": "wang.li", "password": password, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert theirs.reference in page and not_theirs.reference not in page


def test_reads_the_password_from_stdin(monkeypatch):
    authority = AuthorityFactory(name="MIIT")
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase 42\n"))
    out = io.StringIO()
    call_command(
        "create_regulator",
        "zhao",
        "--authority",
        str(authority.pk),
        "--password-stdin",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue() == ""  # nothing printed: the password was the caller's
    assert User.objects.get(username="zhao").check_password("a long enough passphrase 42")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--authority", "nowhere"], "", "No authority matches 'nowhere'"),
        (["--authority", "Ministry"], "", "More than one authority matches 'Ministry'"),
        (["--authority", "MIIT", "--password-stdin"], "short\n", "This password is too short"),
    ],
)
def test_refuses_and_writes_nothing(monkeypatch, args, stdin, message):
    AuthorityFactory(name="Ministry of Industry (MIIT)")
    AuthorityFactory(name="Ministry of Public Security")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("create_regulator", "li", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert not User.objects.filter(username="li").exists()


def test_refuses_an_existing_username(regulator):
    AuthorityFactory(name="MIIT")
    with pytest.raises(CommandError, match="exists already"):
        call_command(
            "create_regulator",
            regulator.username.upper(),
            "--authority",
            "MIIT",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
