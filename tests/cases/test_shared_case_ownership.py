"""A user a case is only shared with may edit it but not move it to another authority or share it further."""

import pytest

from cases.models import Case
from tests.cases.factories import AuthorityFactory, CaseFactory

pytestmark = pytest.mark.django_db


def test_a_user_the_case_is_shared_with_cannot_move_it_or_share_it_further(api, user_in_group):
    owner = user_in_group("regulator")
    outsider_authority_member = user_in_group("regulator")
    other = AuthorityFactory(name="Other", members=[outsider_authority_member])
    case = CaseFactory(authority=AuthorityFactory(name="CAC", members=[owner]))
    case.shared_with.add(outsider_authority_member)
    api.force_authenticate(outsider_authority_member)
    url = f"/api/v1/cases/{case.pk}/"
    response = api.patch(url, {"authority": other.pk}, format="json")
    assert response.status_code == 400 and "authority" in response.data
    response = api.patch(url, {"shared_with": [outsider_authority_member.pk, owner.pk]}, format="json")
    assert response.status_code == 400 and "shared_with" in response.data
    assert api.patch(url, {"title": "Better title"}, format="json").status_code == 200  # other fields: fine
    case.refresh_from_db()
    assert (case.authority_id, case.title) == (case.authority.pk, "Better title")
    assert set(case.shared_with.all()) == {outsider_authority_member}
    api.force_authenticate(owner)
    assert api.patch(url, {"shared_with": []}, format="json").status_code == 200
    assert not Case.objects.get(pk=case.pk).shared_with.exists()
