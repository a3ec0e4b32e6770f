from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.cases.factories import AuthorityFactory, CaseFactory


@pytest.fixture
def member(user_in_group) -> User:
    """A regulator who is a member of ``case``'s authority."""
    return user_in_group("regulator")


@pytest.fixture
def other_regulator(user_in_group) -> User:
    """A regulator of another authority: same permissions, no access to ``case``."""
    user = user_in_group("regulator")
    AuthorityFactory(members=[user])
    return user


@pytest.fixture
def case(member):
    return CaseFactory(authority=AuthorityFactory(members=[member]))


@pytest.fixture
def as_member(api, member):
    api.force_authenticate(member)
    return api


@pytest.fixture
def staff():
    """Make a user who may use the admin."""

    def make(user: User) -> User:
        user.is_staff = True
        user.save()
        return user

    return make
