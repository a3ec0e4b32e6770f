"""The cases admin: writes go through the services; evidence is added once and then read-only."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseNote, CaseStatusChange, Evidence
from tests.cases.factories import record_evidence

pytestmark = pytest.mark.django_db

M2M = ("influencers", "accounts", "agencies", "assignees", "shared_with")


def change_data(case, **extra) -> dict:
    data = {
        "reference": case.reference,
        "title": case.title,
        "authority": case.authority_id,
        "opened_on": case.opened_on.isoformat(),
        "campaign": case.campaign,
        "summary": case.summary,
        "transition_to": "",
        "transition_reason": "",
    }
    for prefix in ("status_changes", "notes", "evidence", "legal_actions"):
        count = {"status_changes": case.status_changes.count(), "notes": case.notes.count()}.get(prefix, 0)
        count = case.evidence.count() if prefix == "evidence" else count
        data.update({f"{prefix}-TOTAL_FORMS": str(count), f"{prefix}-INITIAL_FORMS": str(count)})
        if prefix in ("notes", "evidence"):
            for i, obj in enumerate(getattr(case, prefix).order_by("pk")):
                data.update({f"{prefix}-{i}-id": obj.pk, f"{prefix}-{i}-case": case.pk})
    data.update(extra)
    return data


def test_admin_refuses_a_move_the_case_cannot_make(client, superuser, case):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        change_data(case, transition_to="closed", transition_reason="x"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "A case cannot move from Open to Closed." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "open" and not CaseStatusChange.objects.exists()


def test_admin_adds_notes_and_evidence_through_the_services(client, superuser, case):
    client.force_login(superuser)
    content = b"screenshot bytes"
    data = change_data(
        case,
        **{
            "notes-TOTAL_FORMS": "1",
            "notes-0-case": case.pk,
            "notes-0-text": "Added in the admin.",
            "evidence-TOTAL_FORMS": "1",
            "evidence-0-case": case.pk,
            "evidence-0-file": SimpleUploadedFile("shot.png", content),
            "evidence-0-captured_at_0": "2025-09-12",
            "evidence-0-captured_at_1": "12:00:00",
            "evidence-0-description": "From the admin.",
        },
    )
    response = client.post(reverse("admin:cases_case_change", args=[case.pk]), data)
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert (note.text, note.author, note.actor) == ("Added in the admin.", superuser, f"user:{superuser.username}")
    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.size, evidence.captured_by) == (
        hashlib.sha256(content).hexdigest(),
        len(content),
        superuser,
    )
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert evidence.sha256 in page and "Added in the admin." in page


def test_admin_evidence_add_page_records_through_the_service(client, superuser, case):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:cases_evidence_add"),
        {
            "case": case.pk,
            "file": SimpleUploadedFile("capture.txt", b"abc"),
            "captured_at_0": "2025-09-12",
            "captured_at_1": "12:00:00",
            "source_url": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.sha256, evidence.media_type) == (hashlib.sha256(b"abc").hexdigest(), "text/plain")


def test_existing_notes_and_evidence_are_not_editable_in_the_case_page(client, superuser, case):
    record_evidence(case)
    client.force_login(superuser)
    form = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert 'name="evidence-0-description"' not in form
    assert 'name="evidence-0-DELETE"' not in form
