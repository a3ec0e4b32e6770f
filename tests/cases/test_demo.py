from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Authority, Case, CaseStatusChange, Evidence, LegalAction

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Authority, Case, CaseStatusChange, Evidence, LegalAction))


def test_demo_has_a_case_with_evidence_and_a_lawsuit_and_is_idempotent(media_root):
    call_command("seed_demo", stdout=StringIO())
    first = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == first == (1, 1, 1, 1, 1)
    case = Case.objects.get(reference="CAC-2025-0001")
    assert case.authority.kind == "regulator" and case.status == "investigating"
    assert [a.platform_uid for a in case.accounts.filter(platform="douyin")] == ["dy_60000001"]
    evidence = case.evidence.get()
    assert (media_root / evidence.file.name).is_file()
    assert [p for p in media_root.rglob("*") if p.is_file()] == [media_root / evidence.file.name]
    lawsuit = LegalAction.objects.get()
    assert (lawsuit.kind, lawsuit.case, lawsuit.status) == ("lawsuit", None, "awaiting_hearing")
