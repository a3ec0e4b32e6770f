"""Issue 18.2: a legal action follows its case's authority; the admin obeys the API's case rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, LegalAction
from tests.cases.factories import AuthorityFactory, CaseFactory, LegalActionFactory
from tests.cases.test_admin import change_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharer(user_in_group):
    """A regulator of another authority, with his own case, with whom ``case`` is only shared."""
    user = user_in_group("regulator")
    user.own_case = CaseFactory(authority=AuthorityFactory(members=[user]))
    return user


@pytest.fixture
def shared_case(case, sharer):
    case.shared_with.add(sharer)
    return case


def test_a_user_the_case_is_shared_with_cannot_move_its_legal_action_to_his_case(api, shared_case, sharer):
    action = LegalActionFactory(case=shared_case)
    api.force_authenticate(sharer)
    response = api.patch(f"/api/v1/legal-actions/{action.pk}/", {"case": sharer.own_case.pk})
    assert response.status_code == 400 and "case" in response.data, response.data
    assert LegalAction.objects.get(pk=action.pk).case_id == shared_case.pk


def test_a_user_the_case_is_shared_with_cannot_publish_its_legal_action(api, shared_case, sharer):
    action = LegalActionFactory(case=shared_case)
    api.force_authenticate(sharer)
    response = api.patch(f"/api/v1/legal-actions/{action.pk}/", {"case": None})
    assert response.status_code == 400 and "case" in response.data, response.data
    assert LegalAction.objects.get(pk=action.pk).case_id == shared_case.pk


def test_a_regulator_cannot_hide_a_caseless_legal_action_in_his_case(as_member, case):
    action = LegalActionFactory(case=None)
    response = as_member.patch(f"/api/v1/legal-actions/{action.pk}/", {"case": case.pk})
    assert response.status_code == 400 and "case" in response.data, response.data
    assert LegalAction.objects.get(pk=action.pk).case_id is None


def test_a_member_may_move_an_action_between_cases_of_his_authority_and_edit_it(as_member, case):
    other = CaseFactory(authority=case.authority)
    action = LegalActionFactory(case=case)
    response = as_member.patch(f"/api/v1/legal-actions/{action.pk}/", {"case": other.pk, "outcome": "Fined."})
    assert response.status_code == 200, response.data
    assert LegalAction.objects.get(pk=action.pk).case_id == other.pk


def test_admin_refuses_a_shared_user_moving_a_legal_action(client, staff, shared_case, sharer):
    action = LegalActionFactory(case=shared_case)
    client.force_login(staff(sharer))
    data = {"kind": action.kind, "case": sharer.own_case.pk, "status": action.status, "amount": ""}
    response = client.post(reverse("admin:cases_legalaction_change", args=[action.pk]), data)
    assert response.status_code == 200, response.status_code  # the form again, with the error
    assert LegalAction.objects.get(pk=action.pk).case_id == shared_case.pk


def test_admin_refuses_a_shared_user_moving_the_case_to_his_authority(client, staff, shared_case, sharer):
    client.force_login(staff(sharer))
    data = change_data(shared_case, authority=sharer.own_case.authority_id)
    response = client.post(reverse("admin:cases_case_change", args=[shared_case.pk]), data)
    assert response.status_code == 200
    assert "Only members of the case" in response.content.decode()
    assert Case.objects.get(pk=shared_case.pk).authority_id == shared_case.authority_id


def test_admin_refuses_a_case_opened_in_the_future(client, superuser, case):
    client.force_login(superuser)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("admin:cases_case_change", args=[case.pk]), change_data(case, opened_on=tomorrow))
    assert response.status_code == 200
    assert "A case cannot open in the future." in response.content.decode()
    assert Case.objects.get(pk=case.pk).opened_on == case.opened_on
