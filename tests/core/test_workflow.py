"""The one workflow that orders and cases (and campaigns) move through: core/workflow.py.

The per-record rules (each allowed and forbidden move) are tested in
tests/cases/test_transitions.py and tests/reviews/test_transitions.py; these tests
cover what the workflow adds: one move at a time under concurrency (for every
workflow), backdated decisions, the table in words, and the admin's and the API's
choices taken from the table.
"""

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from cases.choices import CaseStatus
from cases.models import CaseStatusChange
from cases.services import CASE_WORKFLOW, case_transition
from core.errors import ConflictError, DomainError
from core.workflow import Workflow, workflow_transition
from reviews.models import Campaign
from reviews.services import CAMPAIGN_WORKFLOW, ORDER_WORKFLOW
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_the_table_in_words_names_every_move_by_its_label():
    assert CASE_WORKFLOW.describe() == "Open → Investigating; Investigating → Closed, Referred"
    assert ORDER_WORKFLOW.describe() == (
        "Reported → Under review; Under review → Confirmed, Dismissed; Confirmed → Referred"
    )


def test_a_table_that_forgets_a_status_is_refused():
    with pytest.raises(ValueError, match="every status"):
        Workflow(
            noun="case",
            statuses=CaseStatus,
            moves={CaseStatus.OPEN: frozenset({CaseStatus.INVESTIGATING})},
            history=CaseStatusChange,
            record_field="case",
        )


def test_a_decision_taken_earlier_is_recorded_with_its_date():
    """GIVEN a case under investigation WHEN the regulator records that it was closed on
    1 October THEN closed_on is that day and the history keeps both instants."""
    case = CaseFactory(opened_on=date(2025, 9, 15))
    case_transition(case=case, status="investigating", reason="Leads.")
    decided = datetime(2025, 10, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    case_transition(case=case, status="closed", reason="Penalty imposed.", occurred_at=decided)
    case.refresh_from_db()
    assert case.closed_on == date(2025, 10, 1)
    change = case.status_changes.get(to_status="closed")
    assert change.occurred_at == decided and change.changed_at > decided


def test_a_decision_cannot_be_dated_in_the_future_or_without_offset():
    case = CaseFactory()
    with pytest.raises(DomainError) as future:
        case_transition(case=case, status="investigating", reason="x", occurred_at=timezone.now() + timedelta(hours=1))
    assert future.value.field == "occurred_at"
    with pytest.raises(DomainError) as naive:
        case_transition(case=case, status="investigating", reason="x", occurred_at=datetime(2025, 10, 1))
    assert naive.value.field == "occurred_at"
    assert not case.status_changes.exists()


def test_a_case_cannot_be_closed_before_it_opened_even_backdated():
    case = CaseFactory(opened_on=date(2025, 9, 15))
    case_transition(case=case, status="investigating", reason="Leads.")
    with pytest.raises(ConflictError):
        case_transition(case=case, status="closed", reason="x", occurred_at=datetime(2025, 9, 1, 4, 0, tzinfo=UTC))
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("investigating", None)


def test_the_database_refuses_a_decision_recorded_before_it_was_taken():
    case = CaseFactory()
    change = case_transition(case=case, status="investigating", reason="x").status_changes.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseStatusChange.objects.filter(pk=change.pk).update(occurred_at=change.changed_at + timedelta(days=1))


def test_the_admin_offers_only_the_moves_the_table_allows(client, superuser):
    case = CaseFactory()
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert '<option value="investigating">Investigating</option>' in page
    assert '<option value="closed">' not in page
    assert CASE_WORKFLOW.describe() in page


def test_the_schema_describes_each_transition_from_its_table(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert CASE_WORKFLOW.describe() in schema["paths"]["/api/v1/cases/{id}/transition/"]["post"]["description"]
    assert ORDER_WORKFLOW.describe() in schema["paths"]["/api/v1/orders/{id}/transition/"]["post"]["description"]


def _case_under_investigation():
    case = CaseFactory(authority=AuthorityFactory())
    return workflow_transition(workflow=CASE_WORKFLOW, record=case, status="investigating", reason="start")


def _order_under_review():
    # a live stream: transaction tests start from an empty database, without the default tiers
    order = OrderFactory(deliverable="live_stream", tier=None)
    return workflow_transition(workflow=ORDER_WORKFLOW, record=order, status="under_review", reason="start")


def _suspected_campaign():
    at = datetime(2025, 9, 1, tzinfo=UTC)
    return Campaign.objects.create(first_published_at=at, last_published_at=at, similarity=Decimal("0.9"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("workflow", "make", "targets"),
    [
        (CASE_WORKFLOW, _case_under_investigation, ("closed", "referred")),
        (ORDER_WORKFLOW, _order_under_review, ("confirmed", "dismissed")),
        (CAMPAIGN_WORKFLOW, _suspected_campaign, ("confirmed", "dismissed")),
    ],
    ids=["case", "order", "campaign"],
)
def test_of_concurrent_moves_of_one_record_exactly_one_succeeds(workflow, make, targets):
    """GIVEN a record and 6 threads moving it at once to two different statuses
    WHEN they run THEN exactly one succeeds, the others get ConflictError (409),
    and the record's history gains exactly one row, the winner's."""
    with transaction.atomic():
        record = make()
    model = type(record)
    history = workflow.history._default_manager.filter(**{workflow.record_field: record.pk})
    before = list(history.order_by("pk").values_list("to_status", flat=True))
    threads_n = 6
    barrier = threading.Barrier(threads_n)
    results: list[str] = []
    errors: list[BaseException] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            target = targets[i % 2]
            workflow_transition(
                workflow=workflow, record=model.objects.get(pk=record.pk), status=target, reason=f"thread {i}"
            )
            results.append(target)
        except ConflictError:
            results.append("conflict")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1 and results.count("conflict") == threads_n - 1
    record.refresh_from_db()
    assert getattr(record, workflow.status_field) == winners[0]
    assert list(history.order_by("pk").values_list("to_status", flat=True)) == [*before, winners[0]]
