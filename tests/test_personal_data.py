"""Personal data through the API: a masked name sent back keeps the stored one; resident identity
numbers are refused in free text (API and services)."""

import pytest

from ledger.models import Influencer
from tests.cases.factories import CaseFactory
from tests.factories import InfluencerFactory
from tests.reviews.factories import person_paid_order

pytestmark = pytest.mark.django_db


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


def test_names_recorded_beside_a_persons_party_are_masked_as_the_party_is(as_regulator):
    """GIVEN a person who ordered and paid another person, each named as a party and as recorded
    WHEN the API shows the order, the payment and the party, and the journal shows their entries
    THEN no full name appears: masked as the party's name is, digested in the journal."""
    from core import journal

    order, payment = person_paid_order()
    shown = as_regulator.get(f"/api/v1/payments/{payment.pk}/").data
    assert (shown["payer_name"], shown["payee_name"]) == ("王**", "李**")
    assert as_regulator.get(f"/api/v1/orders/{order.pk}/").data["client_name"] == "王**"
    listed = as_regulator.get("/api/v1/payments/", {"order": order.pk}).content.decode()
    assert "王建国" not in listed and "李小红" not in listed
    journal.integrate()
    entries = as_regulator.get("/api/v1/journal/", {"object_type": "reviews.payment"}).content.decode()
    entries += as_regulator.get("/api/v1/journal/", {"object_type": "reviews.order"}).content.decode()
    assert "王建国" not in entries and "李小红" not in entries


def test_sending_back_a_masked_client_name_keeps_the_stored_one(as_regulator):
    from reviews.models import Order

    order, _ = person_paid_order()
    response = as_regulator.patch(f"/api/v1/orders/{order.pk}/", {"client_name": "王**"}, format="json")
    assert response.status_code == 200, response.data
    assert Order.objects.get(pk=order.pk).client_name == "王建国"


@pytest.mark.parametrize("fmt", ["ftm", "stix"])
def test_exports_mask_a_person_as_the_api_does(as_regulator, fmt):
    """A person named only as a party (no influencer behind him) and the names recorded beside him
    are masked in the exports, as in the API."""
    order, _ = person_paid_order()
    response = as_regulator.get(f"/api/v1/parties/{order.client_id}/export/", {"format": fmt})
    assert response.status_code == 200
    text = response.content.decode()
    assert "王**" in text
    assert "王建国" not in text and "李小红" not in text


def test_the_history_names_a_person_client_masked(as_regulator):
    """The influencer history's order summary names the client as the API does: a person masked."""
    order, _ = person_paid_order()
    influencer = order.account.influencer_id
    text = as_regulator.get(f"/api/v1/influencers/{influencer}/history/", {"kinds": "order"}).content.decode()
    assert "from 王**" in text and "王建国" not in text


@pytest.mark.parametrize("name", ["王建国", " 李四 ", "\t李四", "\u3000李四\u3000", "A", "", "   ", "\u3000"])
def test_the_database_masks_a_name_as_python_does(name):
    from django.db.models import CharField, Value

    from core.privacy import mask_name, masked_name
    from ledger.models import Agency

    Agency.objects.create(name="Any agency", kind="mcn")
    shown = (
        Agency.objects.annotate(label=Value(name, output_field=CharField()))
        .annotate(shown=masked_name("label"))
        .values_list("shown", flat=True)
        .get()
    )
    assert shown == mask_name(name)
