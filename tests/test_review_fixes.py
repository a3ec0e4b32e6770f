"""Guards found missing in review: ownership of a case, a masked name sent back, an order's currency."""

from datetime import date
from decimal import Decimal

import pytest

from cases.models import Case
from ledger.models import Influencer
from reviews.choices import PaymentChannel
from reviews.services import payment_record
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.factories import InfluencerFactory, UserFactory
from tests.reviews.factories import OrderFactory

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


def test_sending_back_a_masked_legal_name_keeps_the_stored_one(as_regulator):
    person = InfluencerFactory(legal_name="王建国", kind="person")
    data = as_regulator.get(f"/api/v1/influencers/{person.pk}/").data
    assert data["legal_name"] == "王**"
    response = as_regulator.put(
        f"/api/v1/influencers/{person.pk}/",
        {"display_name": "Lao K", "kind": "person", "legal_name": data["legal_name"], "agency": data["agency"]},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert Influencer.objects.get(pk=person.pk).legal_name == "王建国"


def test_an_order_with_payments_keeps_its_currency(as_regulator):
    order = OrderFactory(agreed_price=Decimal("95000.00"))
    payment_record(order=order, amount=Decimal("1000.00"), paid_on=date(2025, 9, 13), channel=PaymentChannel.ALIPAY)
    response = as_regulator.patch(f"/api/v1/orders/{order.pk}/", {"currency": "USD"}, format="json")
    assert response.status_code == 400 and "currency" in response.data
    order.refresh_from_db()
    assert order.currency == "CNY"


RESIDENT_ID = "11010519491231002X"  # the standard's own example number


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/api/v1/influencers/", {"display_name": "X", "kind": "person", "notes": f"ID {RESIDENT_ID}"}, "notes"),
        (
            "/api/v1/legal-actions/",
            {"kind": "lawsuit", "plaintiff": "NIO", "defendants_text": f"张三 {RESIDENT_ID}"},
            "defendants_text",
        ),
    ],
)
def test_free_text_with_a_resident_identity_number_is_refused(as_regulator, path, payload, field):
    from core.identifiers import is_valid_resident_id

    assert is_valid_resident_id(RESIDENT_ID)
    response = as_regulator.post(path, payload, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert "resident identity" in str(response.data[field])


def test_case_notes_with_a_resident_identity_number_are_refused():
    from cases.models import CaseNote
    from cases.services import case_note_add
    from core.errors import DomainError

    case = CaseFactory()
    with pytest.raises(DomainError) as info:
        case_note_add(case=case, text=f"Suspect {RESIDENT_ID}")
    assert info.value.field == "text"
    assert not CaseNote.objects.filter(case=case).exists()


def test_head_of_an_action_needs_the_permissions_of_its_get(api, user_in_group):
    """GIVEN a user who may view a case but not its evidence WHEN they ask HEAD of its bundle THEN 403, like GET."""
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_case"))
    case = CaseFactory(authority=AuthorityFactory(name="CAC", members=[user]))
    api.force_authenticate(user)
    assert api.get(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403
    assert api.head(f"/api/v1/cases/{case.pk}/bundle/").status_code == 403
