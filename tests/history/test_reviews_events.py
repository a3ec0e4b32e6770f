"""The reviews app's events on the history: content, claim verdicts, orders, their status changes, payments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from pricing.choices import Deliverable
from reviews.choices import OrderStatus, PaymentChannel, Verdict
from reviews.services import claim_verdict_set, order_transition, payment_record
from tests.factories import UserFactory
from tests.pricing.factories import tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db

KINDS = "review,claim_verdict,order,order_status,payment"


@pytest.fixture
def story(timeline):
    """GIVEN on the douyin account: an order (09-12), a payment (09-13), a review (09-16 12:00 UTC)
    making a claim found false on 10-10, and the order moved to under review."""
    order = OrderFactory(
        account=timeline.douyin,
        deliverable=Deliverable.SHORT_VIDEO,
        tier=tier("s21_60"),
        agreed_price=Decimal("95000.00"),
        ordered_on=date(2025, 9, 12),
        client_name="A PR contractor",
    )
    payment = payment_record(
        order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 13), channel=PaymentChannel.ALIPAY
    )
    review = ReviewFactory(account=timeline.douyin, published_at=datetime(2025, 9, 16, 12, tzinfo=UTC))
    claim = ClaimFactory(reviews=[review], text="Doors cannot be opened after a collision.")
    claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 10), verdict_by="The regulator")
    order_transition(order=order, status=OrderStatus.UNDER_REVIEW, reason="Seized chat records")
    ClaimFactory(reviews=[review])  # still pending: no event
    return order, payment, review, claim


def events(client, timeline) -> list[dict]:
    response = client.get(f"/api/v1/influencers/{timeline.influencer.pk}/history/", {"kinds": KINDS, "page_size": 50})
    assert response.status_code == 200, response.data
    return response.json()["results"]


def test_reviews_events_in_order_with_their_accounts_and_urls(as_regulator, timeline, story):
    order, payment, review, claim = story
    found = [
        (e["kind"], e["object_id"], e["account"], e["occurred_at"], e["url"].split("/api/v1/")[1])
        for e in events(as_regulator, timeline)
    ]
    change = order.status_changes.get()
    assert found[:4] == [
        ("order", order.pk, timeline.douyin.pk, "2025-09-12T00:00:00+08:00", f"orders/{order.pk}/"),
        ("payment", payment.pk, timeline.douyin.pk, "2025-09-13T00:00:00+08:00", f"payments/{payment.pk}/"),
        ("review", review.pk, timeline.douyin.pk, "2025-09-16T20:00:00+08:00", f"reviews/{review.pk}/"),
        ("claim_verdict", claim.pk, timeline.douyin.pk, "2025-10-10T00:00:00+08:00", f"claims/{claim.pk}/"),
    ]
    assert found[4][:3] == ("order_status", change.pk, timeline.douyin.pk)
    assert found[4][4] == f"orders/{order.pk}/"  # a status change links to its order
    assert len(found) == 5


def test_reviews_summaries_read_as_sentences(as_regulator, timeline, story):
    summaries = {e["kind"]: e["summary"] for e in events(as_regulator, timeline)}
    assert "95,000.00 CNY" in summaries["order"] and "A PR contractor" in summaries["order"]
    assert "30,000.00 CNY" in summaries["payment"] and "alipay" in summaries["payment"].lower()
    assert "found false by The regulator" in summaries["claim_verdict"]
    assert "from reported to under review" in summaries["order_status"]


def test_reviews_events_need_their_view_permissions(api, timeline, story):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_influencer"))
    user.user_permissions.add(Permission.objects.get(codename="view_review", content_type__app_label="reviews"))
    api.force_authenticate(user)
    assert {e["kind"] for e in events(api, timeline)} == {"review"}
