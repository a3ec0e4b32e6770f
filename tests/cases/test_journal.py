"""Case writes reach the journal from every write path, attributed to who made them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case, CaseNote, CaseStatusChange, Evidence
from core import journal
from core.models import JournalEntry

pytestmark = pytest.mark.django_db


def entries(obj) -> list[JournalEntry]:
    journal.integrate()
    return list(JournalEntry.objects.filter(object_type=journal.object_type(type(obj)), object_id=str(obj.pk)))


def test_api_writes_to_cases_are_journaled_as_the_user(as_member, member, case):
    actor = f"user:{member.username}"
    as_member.post(f"/api/v1/cases/{case.pk}/transition/", {"status": "investigating", "reason": "Evidence in."})
    as_member.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Called the MCN."})
    as_member.patch(f"/api/v1/cases/{case.pk}/", {"shared_with": [member.pk]})
    status_update, shared_update = entries(case)[1:]
    assert (status_update.actor, status_update.changes["status"]) == (
        actor,
        {"before": "open", "after": "investigating"},
    )
    assert (shared_update.actor, shared_update.changes) == (
        actor,
        {"shared_with": {"before": [], "after": [member.pk]}},
    )
    (change,) = entries(CaseStatusChange.objects.get())
    assert (change.actor, change.changes["reason"]["after"]) == (actor, "Evidence in.")
    (note,) = entries(CaseNote.objects.get())
    assert (note.action, note.actor, note.changes["text"]["after"]) == ("create", actor, "Called the MCN.")
    assert journal.verify().ok


def test_evidence_entry_holds_the_hash_and_the_stored_file_name(as_member, member, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_member.post(
        "/api/v1/evidence/",
        {"case": case.pk, "captured_at": "2025-09-12T12:00:00+08:00", "file": SimpleUploadedFile("a.txt", b"abc")},
        format="multipart",
    )
    evidence = Evidence.objects.get(pk=response.data["id"])
    (entry,) = entries(evidence)
    assert entry.actor == f"user:{member.username}"
    assert entry.changes["sha256"]["after"] == evidence.sha256
    assert entry.changes["file"]["after"] == evidence.file.name
    assert entry.changes["size"]["after"] == 3


def test_admin_writes_to_cases_are_journaled_as_the_admin_user(client, superuser, case):
    client.force_login(superuser)
    url = reverse("admin:cases_case_change", args=[case.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("transition_to", "transition_reason")}
    data.update({
        "title": "Renamed in the admin",
        "opened_on": "2025-09-15",
        "transition_to": "investigating",
        "transition_reason": "Moved in the admin.",
        **_empty_inlines(),
    })  # fmt: skip
    for m2m in ("influencers", "accounts", "agencies", "assignees", "shared_with"):
        data[m2m] = [o.pk for o in data.get(m2m, [])]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    case.refresh_from_db()
    assert (case.title, case.status) == ("Renamed in the admin", "investigating")
    actors = {e.actor for e in entries(case)[1:]}
    assert actors == {f"user:{superuser.username}"}
    assert entries(CaseStatusChange.objects.get())[0].actor == f"user:{superuser.username}"


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("status_changes", "notes", "evidence", "legal_actions"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_command_writes_to_cases_are_journaled_as_the_command(settings, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    journal.integrate()
    case_entries = JournalEntry.objects.filter(object_type__startswith="cases.")
    assert {e.actor for e in case_entries} == {"command:seed_demo"}
    assert set(case_entries.values_list("object_type", flat=True)) == {
        "cases.authority",
        "cases.case",
        "cases.casenote",
        "cases.casestatuschange",
        "cases.evidence",
        "cases.legalaction",
    }
    assert Case.objects.get(reference="CAC-2025-0001").status == "investigating"
    assert journal.verify().ok
