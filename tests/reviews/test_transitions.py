"""Order status moves only through the transition command, with its history (one at a time: tests/core/test_workflow.py)."""

from itertools import product

import pytest
from django.urls import reverse

from core import journal
from core.errors import ConflictError, DomainError
from core.models import JournalEntry
from reviews.choices import ORDER_TRANSITIONS, OrderStatus
from reviews.models import Order, OrderStatusChange
from reviews.services import ORDER_WORKFLOW, order_transition
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db

# How to reach each status from reported, along allowed moves.
PATH_TO = {
    "reported": [],
    "under_review": ["under_review"],
    "confirmed": ["under_review", "confirmed"],
    "dismissed": ["under_review", "dismissed"],
    "referred": ["under_review", "confirmed", "referred"],
}
ALLOWED = [(a, b) for a, targets in ORDER_TRANSITIONS.items() for b in sorted(targets)]
FORBIDDEN = [(a, b) for a, b in product(OrderStatus.values, repeat=2) if b not in ORDER_TRANSITIONS[a]]


def move(api, order, status, reason="Because."):
    return api.post(f"/api/v1/orders/{order.pk}/transition/", {"status": status, "reason": reason})


def test_the_table_of_moves_is_the_one_the_issue_names():
    assert sorted(ALLOWED) == sorted(
        [
            ("reported", "under_review"),
            ("under_review", "confirmed"),
            ("under_review", "dismissed"),
            ("confirmed", "referred"),
        ]
    )
    assert len(FORBIDDEN) == 25 - 4


def test_a_new_order_is_reported(as_regulator, account_payload):
    response = as_regulator.post("/api/v1/orders/", {**account_payload, "status": "confirmed"})
    assert response.status_code == 201, response.data
    assert response.data["status"] == "reported" and response.data["status_history"] == []
    assert Order.objects.get().status == "reported"


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_every_allowed_move_answers_200_and_records_who_when_and_why(as_regulator, regulator, start, target):
    order = OrderFactory()
    for status in PATH_TO[start]:
        order_transition(order=order, status=status, reason="setup")
    before = OrderStatusChange.objects.count()
    response = move(as_regulator, order, target, f"Moving to {target}.")
    assert response.status_code == 200, response.data
    assert response.data["id"] == order.pk and response.data["status"] == target
    assert Order.objects.get(pk=order.pk).status == target
    assert OrderStatusChange.objects.count() == before + 1
    change = OrderStatusChange.objects.latest("id")
    assert (change.from_status, change.to_status, change.reason) == (start, target, f"Moving to {target}.")
    assert (change.changed_by, change.actor) == (regulator, f"user:{regulator.username}")
    assert change.changed_at is not None
    last = response.data["status_history"][-1]
    assert (last["from_status"], last["to_status"], last["reason"], last["changed_by"]) == (
        start,
        target,
        f"Moving to {target}.",
        regulator.pk,
    )


@pytest.mark.parametrize(("start", "target"), FORBIDDEN)
def test_every_other_move_is_409_and_changes_nothing(as_regulator, start, target):
    order = OrderFactory()
    for status in PATH_TO[start]:
        order_transition(order=order, status=status, reason="setup")
    before = Order.objects.values().get(pk=order.pk)
    changes = OrderStatusChange.objects.count()
    journal.integrate()
    entries = JournalEntry.objects.count()
    response = move(as_regulator, order, target)
    assert response.status_code == 409
    assert response.data["status"] == [
        f"This order cannot move from {OrderStatus(start).label} to {OrderStatus(target).label} "
        f"(allowed moves: {ORDER_WORKFLOW.describe()})."
    ]
    assert Order.objects.values().get(pk=order.pk) == before
    assert OrderStatusChange.objects.count() == changes
    journal.integrate()
    assert JournalEntry.objects.count() == entries


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "under_review", "reason": ""}, "reason"),
        ({"status": "under_review"}, "reason"),
        ({"status": "archived", "reason": "x"}, "status"),
        ({"reason": "x"}, "status"),
    ],
)
def test_bad_transition_input_is_400_with_the_field(as_regulator, payload, field):
    order = OrderFactory()
    response = as_regulator.post(f"/api/v1/orders/{order.pk}/transition/", payload)
    assert response.status_code == 400 and field in response.data
    assert Order.objects.get(pk=order.pk).status == "reported"
    assert not OrderStatusChange.objects.exists()


def test_status_is_not_writable_by_patch_or_put(as_regulator):
    order = OrderFactory()
    assert as_regulator.patch(f"/api/v1/orders/{order.pk}/", {"status": "confirmed"}).status_code == 200
    payload = as_regulator.get(f"/api/v1/orders/{order.pk}/").data
    writable = {k: payload[k] for k in ("account", "client_name", "deliverable", "tier", "agreed_price", "ordered_on")}
    assert as_regulator.put(f"/api/v1/orders/{order.pk}/", {**writable, "status": "referred"}).status_code == 200
    assert Order.objects.get(pk=order.pk).status == "reported"
    assert not OrderStatusChange.objects.exists()


def test_transition_needs_the_change_permission(as_analyst):
    order = OrderFactory()
    assert as_analyst.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    assert move(as_analyst, order, "under_review").status_code == 403
    assert Order.objects.get(pk=order.pk).status == "reported"


def test_service_rules_for_commands_and_the_demo():
    order = OrderFactory()
    with pytest.raises(DomainError) as err:
        order_transition(order=order, status="under_review", reason="   ")
    assert err.value.field == "reason"
    with pytest.raises(ConflictError):
        order_transition(order=order, status="confirmed", reason="Too early.")
    moved = order_transition(order=order, status="under_review", reason="From a command.")
    assert moved.status == order.status == "under_review"
    change = OrderStatusChange.objects.get()
    assert (change.changed_by, change.actor) == (None, "system")


def test_the_admin_action_moves_through_the_same_rules(client, superuser):
    """GIVEN two reported orders and one under review WHEN the admin moves all three to under_review
    THEN the two reported ones move (with the reason and the admin as author), the third is refused."""
    first, second, third = OrderFactory(), OrderFactory(), OrderFactory()
    order_transition(order=third, status="under_review", reason="setup")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reviews_order_changelist"),
        {
            "action": "move_selected",
            "_selected_action": [first.pk, second.pk, third.pk],
            "status": "under_review",
            "reason": "Chat records received.",
        },
        follow=True,
    )
    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert "Moved 2 suspected orders to Under review." in text
    assert any(f"#{third.pk}: This order cannot move from Under review to Under review" in m for m in text)
    assert [o.status for o in Order.objects.filter(pk__in=[first.pk, second.pk])] == ["under_review"] * 2
    changes = OrderStatusChange.objects.filter(reason="Chat records received.")
    assert {c.order_id for c in changes} == {first.pk, second.pk}
    assert {c.changed_by for c in changes} == {superuser}
    assert OrderStatusChange.objects.filter(order=third).count() == 1


def test_the_admin_action_needs_a_status_and_a_reason(client, superuser):
    order = OrderFactory()
    client.force_login(superuser)
    client.post(
        reverse("admin:reviews_order_changelist"),
        {"action": "move_selected", "_selected_action": [order.pk], "status": "under_review", "reason": " "},
    )
    assert Order.objects.get(pk=order.pk).status == "reported"
    assert not OrderStatusChange.objects.exists()
