"""Database constraints of cases, written behind validation (IntegrityError from the database itself)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, CaseStatusChange, Evidence, LegalAction
from tests.cases.factories import AuthorityFactory, CaseFactory

pytestmark = pytest.mark.django_db


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.mark.parametrize(
    "reference",
    [
        "cac-2025-0001",
        "CAC-2025-1",
        "CAC2025-0001",
        "C-2025-0001",
        "",
        "京网信罚[2025]12号",
        "京网信罚〔2025〕号",
        "京网信罚〔25〕12号",
        "〔2025〕12号",
        "京网信罚〔2025〕012号",
    ],
)
def test_case_reference_format(reference):
    authority = AuthorityFactory()
    refused(
        lambda: Case.objects.create(reference=reference, title="t", authority=authority, opened_on=date(2025, 9, 1))
    )
    assert not Case.objects.exists()


def test_case_reference_unique(case):
    refused(lambda: CaseFactory(reference=case.reference, authority=case.authority))
    assert Case.objects.count() == 1


def test_closed_on_not_before_opened_on_and_only_when_closed(case):
    refused(lambda: Case.objects.filter(pk=case.pk).update(status="closed", closed_on=date(2025, 9, 1)))
    refused(lambda: Case.objects.filter(pk=case.pk).update(status="closed"))  # closed without a date
    refused(lambda: Case.objects.filter(pk=case.pk).update(closed_on=date(2025, 12, 1)))  # a date, not closed
    refused(lambda: Case.objects.filter(pk=case.pk).update(status="archived"))
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=case.opened_on)  # same day is fine
    assert Case.objects.values_list("status", "closed_on").get(pk=case.pk) == ("closed", case.opened_on)


def test_status_change_must_move_and_give_a_reason(case):
    refused(lambda: CaseStatusChange.objects.create(case=case, from_status="open", to_status="open", reason="x"))
    refused(lambda: CaseStatusChange.objects.create(case=case, from_status="open", to_status="investigating"))
    assert not CaseStatusChange.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"amount": -1},
        {"kind": "duel"},
        {"status": "lost"},
        {"filed_on": date(2025, 10, 1), "hearing_on": date(2025, 9, 1)},
    ],
)
def test_legal_action_rules(fields):
    refused(lambda: LegalAction.objects.create(**{"kind": "lawsuit", **fields}))
    assert not LegalAction.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"sha256": "ABC"}, {"sha256": "g" * 64}, {"size": -1}, {"file": ""}],
)
def test_evidence_rules(case, fields):
    values = {"file": "evidence/x.txt", "sha256": "a" * 64, "size": 1, "media_type": "text/plain", **fields}
    refused(lambda: Evidence.objects.create(case=case, captured_at="2025-09-12T04:00:00Z", **values))
    assert not Evidence.objects.exists()
