"""Personal data through the API: a masked name sent back keeps the stored one; resident identity
numbers are refused in free text (API and services)."""

import pytest

from ledger.models import Influencer
from tests.cases.factories import CaseFactory
from tests.factories import InfluencerFactory

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
