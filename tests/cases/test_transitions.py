"""Case status moves only through the transition command, with its history (one at a time: tests/core/test_workflow.py)."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from cases.choices import CaseStatus
from cases.models import Case, CaseStatusChange
from cases.services import CASE_WORKFLOW, case_transition
from core.errors import ConflictError, DomainError

pytestmark = pytest.mark.django_db


def move(api, case, status, reason="Because."):
    return api.post(f"/api/v1/cases/{case.pk}/transition/", {"status": status, "reason": reason})


def test_the_allowed_path_records_who_when_and_why(as_member, case, member):
    assert case.status == "open"
    response = move(as_member, case, "investigating", "Rate card captured.")
    assert response.status_code == 200
    assert response.data["status"] == "investigating" and response.data["closed_on"] is None
    response = move(as_member, case, "closed", "Blogger fined; accounts banned.")
    assert response.status_code == 200
    assert response.data["status"] == "closed"
    assert response.data["closed_on"] == timezone.localdate().isoformat()
    history = list(CaseStatusChange.objects.filter(case=case).values_list("from_status", "to_status", "reason"))
    assert history == [
        ("open", "investigating", "Rate card captured."),
        ("investigating", "closed", "Blogger fined; accounts banned."),
    ]
    change = CaseStatusChange.objects.filter(case=case).last()
    assert (change.changed_by, change.actor) == (member, f"user:{member.username}")
    timeline = response.data["timeline"]
    assert [(t["kind"], t["to_status"], t["by"]) for t in timeline] == [
        ("status_change", "investigating", member.pk),
        ("status_change", "closed", member.pk),
    ]


def test_referral_is_the_other_way_out(as_member, case):
    move(as_member, case, "investigating")
    assert move(as_member, case, "referred", "Handed to the police.").data["status"] == "referred"
    case.refresh_from_db()
    assert case.closed_on is None


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "closed"),
        ([], "referred"),
        ([], "open"),
        (["investigating"], "investigating"),
        (["investigating"], "open"),
        (["investigating", "closed"], "investigating"),
        (["investigating", "closed"], "referred"),
        (["investigating", "referred"], "closed"),
    ],
)
def test_any_other_move_is_409_and_changes_nothing(as_member, case, path, target):
    for status in path:
        assert move(as_member, case, status).status_code == 200
    before = Case.objects.values().get(pk=case.pk)
    changes = CaseStatusChange.objects.count()
    response = move(as_member, case, target)
    assert response.status_code == 409
    assert response.data["status"] == [
        f"This case cannot move from {CaseStatus(before['status']).label} to {CaseStatus(target).label} "
        f"(allowed moves: {CASE_WORKFLOW.describe()})."
    ]
    assert Case.objects.values().get(pk=case.pk) == before
    assert CaseStatusChange.objects.count() == changes


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"status": "investigating", "reason": ""}, "reason"), ({"status": "archived", "reason": "x"}, "status")],
)
def test_bad_transition_input_is_400_with_the_field(as_member, case, payload, field):
    response = as_member.post(f"/api/v1/cases/{case.pk}/transition/", payload)
    assert response.status_code == 400 and field in response.data
    assert Case.objects.get(pk=case.pk).status == "open"
    assert not CaseStatusChange.objects.exists()


def test_status_and_closed_on_are_not_writable(as_member, case):
    response = as_member.patch(f"/api/v1/cases/{case.pk}/", {"status": "closed", "closed_on": "2025-12-01"})
    assert response.status_code == 200  # read-only fields are ignored...
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("open", None)  # ...and nothing changed
    assert not CaseStatusChange.objects.exists()


def test_transition_needs_the_change_permission(api, case, user_in_group):
    analyst = user_in_group("analyst")
    case.authority.members.add(analyst)
    api.force_authenticate(analyst)
    assert move(api, case, "investigating").status_code == 403
    assert Case.objects.get(pk=case.pk).status == "open"


def test_service_rules_for_commands_and_the_admin(case):
    with pytest.raises(DomainError) as err:
        case_transition(case=case, status="investigating", reason="   ")
    assert err.value.field == "reason"
    with pytest.raises(ConflictError):
        case_transition(case=case, status="closed", reason="Too early.")
    moved = case_transition(case=case, status="investigating", reason="From a command.")
    assert moved.status == case.status == "investigating"
    change = CaseStatusChange.objects.get()
    assert (change.changed_by, change.actor) == (None, "system")


def test_a_case_cannot_close_before_it_opened(case):
    """GIVEN a case whose opening date lies ahead (entered behind validation) WHEN it closes today THEN 409."""
    Case.objects.filter(pk=case.pk).update(opened_on=date(2099, 1, 1))
    case.refresh_from_db()
    case_transition(case=case, status="investigating", reason="x")
    with pytest.raises(ConflictError):
        case_transition(case=case, status="closed", reason="x")
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("investigating", None)


def test_the_api_takes_a_backdated_decision(as_member, case):
    response = as_member.post(
        f"/api/v1/cases/{case.pk}/transition/",
        {"status": "investigating", "reason": "Leads.", "occurred_at": "2025-09-20T09:00:00+08:00"},
    )
    assert response.status_code == 200, response.data
    assert case.status_changes.get().occurred_at == datetime(2025, 9, 20, 1, 0, tzinfo=UTC)
