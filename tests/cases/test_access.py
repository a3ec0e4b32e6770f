"""Who sees a case: members of its authority, assignees, users it is shared with, superusers; nobody else."""

import pytest
from django.urls import reverse

from cases.models import CaseNote, Evidence, LegalAction
from cases.services import case_note_add
from core import journal
from core.models import JournalEntry
from tests.cases.factories import CaseFactory, LegalActionFactory, record_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_records(case, member):
    case_note_add(case=case, text="Seen the rate card.", author=member)
    evidence = record_evidence(case)
    action = LegalActionFactory(case=case, kind="administrative_penalty")
    return case, evidence, action


def case_urls(case, evidence, action) -> list[str]:
    return [
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/notes/",
        f"/api/v1/cases/{case.pk}/bundle/",
        f"/api/v1/evidence/{evidence.pk}/",
        f"/api/v1/evidence/{evidence.pk}/download/",
        f"/api/v1/legal-actions/{action.pk}/",
    ]


def listed(api, path: str) -> set[int]:
    response = api.get(f"/api/v1/{path}/")
    assert response.status_code == 200
    return {row["id"] for row in response.data["results"]}


def test_outsider_with_the_same_permissions_gets_404_everywhere_and_sees_nothing(
    api, case_with_records, other_regulator
):
    case, evidence, action = case_with_records
    api.force_authenticate(other_regulator)
    for url in case_urls(case, evidence, action):
        assert api.get(url).status_code == 404, url
    assert listed(api, "cases") == set()
    assert listed(api, "evidence") == set()
    assert listed(api, "legal-actions") == set()
    # and cannot write to it either
    assert api.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "x"}).status_code == 404
    assert (
        api.post(f"/api/v1/cases/{case.pk}/transition/", {"status": "investigating", "reason": "x"}).status_code == 404
    )
    assert api.patch(f"/api/v1/cases/{case.pk}/", {"title": "Mine now"}).status_code == 404
    assert CaseNote.objects.filter(case=case).count() == 1
    title = case.title
    case.refresh_from_db()
    assert (case.status, case.title) == ("open", title)


@pytest.mark.parametrize("how", ["member", "shared_with", "assignee", "superuser"])
def test_those_with_access_see_the_case_and_everything_on_it(api, case_with_records, user_in_group, superuser, how):
    case, evidence, action = case_with_records
    if how == "member":
        user = case.authority.members.get()
    elif how == "superuser":
        user = superuser
    else:
        user = user_in_group("regulator")
        getattr(case, "assignees" if how == "assignee" else how).add(user)
    api.force_authenticate(user)
    for url in case_urls(case, evidence, action):
        assert api.get(url).status_code == 200, url
    assert listed(api, "cases") == {case.pk}
    assert listed(api, "evidence") == {evidence.pk}
    assert listed(api, "legal-actions") == {action.pk}


def test_access_needs_the_model_permission_too(api, case, user_in_group):
    """Sharing a case with an analyst does not give them rights their group lacks."""
    analyst = user_in_group("analyst")
    case.shared_with.add(analyst)
    api.force_authenticate(analyst)
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 403
    assert api.get("/api/v1/evidence/").status_code == 403


def test_a_legal_action_without_a_case_is_visible_with_the_view_permission(api, case, as_analyst):
    lawsuit = LegalActionFactory(case=None, plaintiff="XPeng")
    LegalActionFactory(case=case)
    assert listed(as_analyst, "legal-actions") == {lawsuit.pk}
    assert as_analyst.get(f"/api/v1/legal-actions/{lawsuit.pk}/").data["plaintiff"] == "XPeng"
    assert as_analyst.get("/api/v1/cases/").status_code == 403


def test_a_hidden_case_cannot_be_named_in_writes_or_filters(api, case, other_regulator):
    """A hidden case answers like a missing one: the client cannot even learn that it exists."""
    api.force_authenticate(other_regulator)
    response = api.post("/api/v1/legal-actions/", {"kind": "lawsuit", "case": case.pk})
    assert response.status_code == 400 and "case" in response.data
    missing = api.post("/api/v1/legal-actions/", {"kind": "lawsuit", "case": 999_999})
    assert str(response.data["case"][0]).replace(str(case.pk), "N") == str(missing.data["case"][0]).replace(
        "999999", "N"
    )
    response = api.post(
        "/api/v1/evidence/",
        {"case": case.pk, "captured_at": "2025-09-12T12:00:00+08:00", "file": _upload()},
        format="multipart",
    )
    assert response.status_code == 400 and "case" in response.data
    assert api.get("/api/v1/evidence/", {"case": case.pk}).status_code == 400
    assert not LegalAction.objects.exists() and not Evidence.objects.exists()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.txt", b"x", content_type="text/plain")


# --- the journal ----------------------------------------------------------------


def test_journal_hides_entries_about_cases_the_reader_cannot_see(api, case_with_records, other_regulator, member):
    case, evidence, action = case_with_records
    LegalActionFactory(case=None)  # public: visible to every journal reader
    hidden_types = {"cases.case", "cases.casenote", "cases.evidence", "cases.legalaction"}
    journal.integrate()
    assert hidden_types <= set(JournalEntry.objects.values_list("object_type", flat=True))

    api.force_authenticate(other_regulator)
    seen = api.get("/api/v1/journal/", {"page_size": 500}).data["results"]
    seen_objects = {(e["object_type"], e["object_id"]) for e in seen}
    assert ("cases.case", str(case.pk)) not in seen_objects
    assert ("cases.evidence", str(evidence.pk)) not in seen_objects
    assert ("cases.legalaction", str(action.pk)) not in seen_objects
    assert {t for t, _ in seen_objects if t.startswith("cases.")} == {"cases.authority", "cases.legalaction"}
    assert case.reference not in api.get("/api/v1/journal/", {"page_size": 500}).content.decode()
    journal.integrate()
    hidden_seq = JournalEntry.objects.filter(object_type="cases.case").values_list("seq", flat=True).first()
    assert api.get(f"/api/v1/journal/{hidden_seq}/").status_code == 404

    api.force_authenticate(member)
    seen = api.get("/api/v1/journal/", {"page_size": 500}).data
    journal.integrate()
    assert seen["count"] == JournalEntry.objects.count()
    assert api.get(f"/api/v1/journal/{hidden_seq}/").status_code == 200


def test_journal_query_count_does_not_depend_on_the_number_of_cases(api, other_regulator, member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        c = CaseFactory()
        record_evidence(c)
    api.force_authenticate(other_regulator)
    api.get("/api/v1/journal/")
    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/journal/?page_size=2")
    with CaptureQueriesContext(connection) as large:
        api.get("/api/v1/journal/?page_size=100")
    assert len(small.captured_queries) == len(large.captured_queries)


# --- the admin ------------------------------------------------------------------


def test_admin_lists_and_opens_only_visible_cases(client, case_with_records, other_regulator, member, staff):
    case, evidence, action = case_with_records
    staff(other_regulator)
    client.force_login(other_regulator)
    page = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert case.reference not in page
    for name, obj in (("case", case), ("evidence", evidence), ("legalaction", action)):
        response = client.get(reverse(f"admin:cases_{name}_change", args=[obj.pk]))
        assert response.status_code == 302 and response["Location"] == reverse("admin:index"), name
        assert str(case.reference) not in client.get(reverse(f"admin:cases_{name}_changelist")).content.decode()
    page = client.get(reverse("admin:core_journalentry_changelist"), {"object_type": "cases.case"})
    assert page.status_code == 200 and '<tr class="data-row' not in page.content.decode()  # no entry listed

    staff(member)
    client.force_login(member)
    assert case.reference in client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    page = client.get(reverse("admin:core_journalentry_changelist"), {"object_type": "cases.case"}).content.decode()
    assert '<tr class="data-row' in page
