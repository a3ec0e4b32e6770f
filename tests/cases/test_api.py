"""The cases API: fields, validation errors with their field, permissions and list query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Authority, Case, LegalAction
from cases.services import case_note_add, case_transition
from tests.cases.factories import AuthorityFactory, CaseFactory, LegalActionFactory, record_evidence
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


# --- authorities ----------------------------------------------------------------


def test_authorities_are_read_by_all_groups_and_managed_by_admins(api, user_in_group, superuser):
    cac = AuthorityFactory(name="CAC", kind="regulator")
    regulator = user_in_group("regulator")
    for user in (regulator, user_in_group("analyst"), user_in_group("api_client")):
        api.force_authenticate(user)
        assert api.get(f"/api/v1/authorities/{cac.pk}/").data["kind"] == "regulator"
    api.force_authenticate(regulator)
    assert api.patch(f"/api/v1/authorities/{cac.pk}/", {"members": [regulator.pk]}).status_code == 403
    assert api.post("/api/v1/authorities/", {"name": "Police", "kind": "police"}).status_code == 403
    api.force_authenticate(superuser)
    response = api.patch(f"/api/v1/authorities/{cac.pk}/", {"members": [regulator.pk]})
    assert response.status_code == 200 and response.data["members"] == [regulator.pk]
    assert list(cac.members.all()) == [regulator]
    response = api.post("/api/v1/authorities/", {"name": "CAC", "kind": "court"})
    assert response.status_code == 400 and "name" in response.data
    response = api.post("/api/v1/authorities/", {"name": "Shanghai police", "kind": "army"})
    assert response.status_code == 400 and "kind" in response.data
    assert Authority.objects.count() == 1


def test_deleting_an_authority_with_cases_is_a_409(api, superuser, case):
    api.force_authenticate(superuser)
    assert api.delete(f"/api/v1/authorities/{case.authority_id}/").status_code == 409
    assert Authority.objects.filter(pk=case.authority_id).exists()


# --- cases ----------------------------------------------------------------------


def case_payload(authority, **extra):
    return {
        "reference": "CAC-2025-0042",
        "title": "Fabricated door-failure videos",
        "authority": authority.pk,
        "opened_on": "2025-09-20",
        "campaign": "Special rectification action, September-December 2025",
        **extra,
    }


def test_member_opens_a_case_with_its_subjects(as_member, member, case):
    account = AccountFactory()
    response = as_member.post(
        "/api/v1/cases/",
        case_payload(
            case.authority,
            influencers=[account.influencer_id],
            accounts=[account.pk],
            agencies=[account.influencer.agency_id],
            assignees=[member.pk],
        ),
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert (data["status"], data["closed_on"], data["timeline"]) == ("open", None, [])
    assert (data["accounts"], data["assignees"], data["shared_with"]) == ([account.pk], [member.pk], [])
    created = Case.objects.get(pk=data["id"])
    assert (created.reference, created.status, created.authority) == ("CAC-2025-0042", "open", case.authority)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"reference": "cac-2025-1"}, "reference"),
        ({"reference": "CAC 2025 0001"}, "reference"),
        ({"reference": "CAC-1899-0001"}, "reference"),
        ({"title": ""}, "title"),
        ({"opened_on": "2999-01-01"}, "opened_on"),
        ({"accounts": [999_999]}, "accounts"),
        ({"shared_with": [999_999]}, "shared_with"),
    ],
)
def test_bad_case_input_is_400_with_the_field_and_writes_nothing(as_member, case, extra, field):
    response = as_member.post("/api/v1/cases/", case_payload(case.authority, **extra))
    assert response.status_code == 400 and field in response.data, response.data
    assert Case.objects.count() == 1


def test_duplicate_reference_is_400(as_member, case):
    response = as_member.post("/api/v1/cases/", case_payload(case.authority, reference=case.reference))
    assert response.status_code == 400 and "reference" in response.data


def test_a_case_can_only_be_filed_under_ones_own_authority(as_member, case):
    foreign = AuthorityFactory()
    response = as_member.post("/api/v1/cases/", case_payload(foreign))
    assert response.status_code == 400 and "authority" in response.data
    assert Case.objects.count() == 1


def test_cases_are_never_deleted_through_the_api(api, superuser, case):
    api.force_authenticate(superuser)
    assert api.delete(f"/api/v1/cases/{case.pk}/").status_code == 405
    assert Case.objects.filter(pk=case.pk).exists()


def test_notes_are_listed_and_added(as_member, case, member):
    response = as_member.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "  Called the MCN.  "})
    assert response.status_code == 201
    assert (response.data["text"], response.data["author"]) == ("Called the MCN.", member.pk)
    assert as_member.post(f"/api/v1/cases/{case.pk}/notes/", {"text": ""}).status_code == 400
    notes = as_member.get(f"/api/v1/cases/{case.pk}/notes/").data
    assert [n["text"] for n in notes] == ["Called the MCN."]
    timeline = as_member.get(f"/api/v1/cases/{case.pk}/").data["timeline"]
    assert [(t["kind"], t["text"], t["actor"]) for t in timeline] == [
        ("note", "Called the MCN.", f"user:{member.username}")
    ]


# --- legal actions --------------------------------------------------------------


def test_a_carmakers_lawsuit_needs_no_case(as_member):
    account = AccountFactory()
    response = as_member.post(
        "/api/v1/legal-actions/",
        {
            "kind": "lawsuit",
            "plaintiff": "XIAOMI",
            "court_or_authority": "Beijing Internet Court",
            "defendant_accounts": [account.pk],
            "filed_on": "2025-10-01",
            "hearing_on": "2026-01-10",
            "status": "awaiting_hearing",
            "amount": "1200000.50",
        },
    )
    assert response.status_code == 201, response.data
    assert (response.data["case"], response.data["amount"]) == (None, "1200000.50")
    action = LegalAction.objects.get()
    assert action.amount == Decimal("1200000.50") and list(action.defendant_accounts.all()) == [account]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "lawsuit", "amount": "-1.00"}, "amount"),
        ({"kind": "duel"}, "kind"),
        ({"kind": "lawsuit", "status": "lost"}, "status"),
        ({"kind": "lawsuit", "filed_on": "2025-10-01", "hearing_on": "2025-09-01"}, "hearing_on"),
    ],
)
def test_bad_legal_action_input_is_400_with_the_field_and_writes_nothing(as_member, payload, field):
    response = as_member.post("/api/v1/legal-actions/", payload)
    assert response.status_code == 400 and field in response.data, response.data
    assert not LegalAction.objects.exists()


def test_read_only_groups_cannot_write_legal_actions(as_analyst):
    assert as_analyst.post("/api/v1/legal-actions/", {"kind": "lawsuit"}).status_code == 403
    assert not LegalAction.objects.exists()


# --- lists ----------------------------------------------------------------------


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["cases", "evidence", "legal-actions", "authorities"])
def test_list_query_count_does_not_depend_on_page_size(api, member, path):
    authority = AuthorityFactory(members=[member])
    for _ in range(12):
        case = CaseFactory(authority=authority)
        account = AccountFactory()
        case.accounts.add(account)
        case.influencers.add(account.influencer)
        case.shared_with.add(member)
        case_note_add(case=case, text="note")
        case_transition(case=case, status="investigating", reason="why")
        record_evidence(case)
        LegalActionFactory(case=case).defendant_accounts.add(account)
        AuthorityFactory(members=[member])
    api.force_authenticate(member)
    api.get(f"/api/v1/{path}/")  # warm up: loads the user's permissions once
    small = _queries(api, f"/api/v1/{path}/?page_size=2")
    large = _queries(api, f"/api/v1/{path}/?page_size=50")
    assert small == large


def test_case_filters(as_member, case):
    other = CaseFactory(authority=case.authority)
    account = AccountFactory()
    other.accounts.add(account)
    case_transition(case=case, status="investigating", reason="x")
    ids = lambda **params: {r["id"] for r in as_member.get("/api/v1/cases/", params).data["results"]}  # noqa: E731
    assert ids(status="investigating") == {case.pk}
    assert ids(account=account.pk) == {other.pk}
    assert ids(search=case.reference) == {case.pk}
    assert as_member.get("/api/v1/cases/", {"status": "archived"}).status_code == 400


def test_schema_describes_uploads_downloads_and_commands(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    upload = paths["/api/v1/evidence/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload and "application/json" not in upload
    binary = {"type": "string", "format": "binary"}
    assert paths["/api/v1/evidence/{id}/download/"]["get"]["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": binary}
    }
    assert paths["/api/v1/cases/{id}/bundle/"]["get"]["responses"]["200"]["content"] == {
        "application/zip": {"schema": binary}
    }
    assert set(paths["/api/v1/cases/{id}/transition/"]["post"]["responses"]) == {"200", "409"}
    assert "put" not in paths["/api/v1/evidence/{id}/"] and "delete" not in paths["/api/v1/cases/{id}/"]
    status = schema["components"]["schemas"]["CaseStatusEnum"]["enum"]
    assert status == ["open", "investigating", "closed", "referred"]
