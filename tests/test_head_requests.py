"""HEAD requests are authorised like the GET they stand for."""

import pytest

from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_head_of_an_action_needs_the_permissions_of_its_get(api, user_in_group):
    """GIVEN a user who may view a case but not its evidence WHEN they ask HEAD of its bundle THEN 403, like GET."""
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    case = CaseFactory(authority=AuthorityFactory(name="CAC", members=[user]))
    api.force_authenticate(user)
    assert api.get(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403
    assert api.head(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403
