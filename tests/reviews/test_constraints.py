"""The database itself refuses bad rows, written behind the services' and serializers' validation."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from reviews.models import Claim, Order, OrderStatusChange, Payment, Review, Target
from tests.factories import AccountFactory
from tests.pricing.factories import tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db


def refused(make) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_target_rules():
    brand = TargetFactory(name="NIO", uscc="91110000600000001X")
    refused(lambda: Target.objects.create(name="X", kind="carmaker"))
    refused(lambda: Target.objects.create(name="", kind="brand"))
    refused(lambda: Target.objects.create(name="Y", kind="brand", uscc="91110000600000001I"))
    refused(lambda: Target.objects.create(name="Z", kind="brand", uscc="91110000600000001X"))
    refused(lambda: Target.objects.create(name="NIO", kind="brand"))  # top-level names are unique
    TargetFactory(name="ES6", kind="product", parent=brand)
    refused(lambda: Target.objects.create(name="ES6", kind="product", parent=brand))
    refused(lambda: Target.objects.filter(pk=brand.pk).update(parent=brand))


def test_review_rules():
    account = AccountFactory()
    ReviewFactory(account=account, url="https://example.invalid/1", post_id="p1")
    base = {"account": account, "headline": "h", "published_at": datetime(2025, 9, 16, tzinfo=UTC)}
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/1"))
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/2", post_id="p1"))
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/3", duration_seconds=0))
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/4", stance="hostile"))
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/5", status="hidden"))
    refused(lambda: Review.objects.create(**base, url="https://example.invalid/6", views=10))  # no capture time
    when = datetime(2025, 9, 20, tzinfo=UTC)
    refused(
        lambda: Review.objects.create(**base, url="https://example.invalid/7", shares=-1, engagement_captured_at=when)
    )
    Review.objects.create(**base, url="https://example.invalid/8", post_id="p1x", views=10, engagement_captured_at=when)
    assert Review.objects.count() == 2


def test_claim_verdicts_come_complete():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(verdict="false"))
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(verdict="false", verdict_on=date(2025, 10, 1)))
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(verdict_by="CAC"))
    refused(
        lambda: Claim.objects.filter(pk=claim.pk).update(
            verdict="invented", verdict_on=date(2025, 10, 1), verdict_by="x"
        )
    )
    Claim.objects.filter(pk=claim.pk).update(verdict="false", verdict_on=date(2025, 10, 1), verdict_by="CAC")
    refused(lambda: Claim.objects.create(text=""))


def test_order_rules():
    order = OrderFactory()
    qs = Order.objects.filter(pk=order.pk)
    refused(lambda: qs.update(status="closed"))
    refused(lambda: qs.update(agreed_price=Decimal("0")))
    refused(lambda: qs.update(currency="cny"))
    refused(lambda: qs.update(tier=None))  # a short video needs its tier
    refused(lambda: qs.update(deliverable="live_stream"))  # other deliverables have none
    refused(lambda: qs.update(deliverable="poster", tier=None))
    refused(lambda: qs.update(client_name="", client=None))
    qs.update(deliverable="live_stream", tier=None)
    qs.update(deliverable="short_video", tier=tier("s1_20"))


def test_status_changes_move_and_give_a_reason():
    order = OrderFactory()
    refused(
        lambda: OrderStatusChange.objects.create(order=order, from_status="reported", to_status="reported", reason="x")
    )
    refused(
        lambda: OrderStatusChange.objects.create(
            order=order, from_status="reported", to_status="under_review", reason=""
        )
    )
    refused(lambda: OrderStatusChange.objects.create(order=order, from_status="reported", to_status="gone", reason="x"))


def test_payment_rules():
    order = OrderFactory()
    base = {"order": order, "paid_on": date(2025, 9, 15), "channel": "alipay"}
    refused(lambda: Payment.objects.create(**base, amount=Decimal("0")))
    refused(lambda: Payment.objects.create(**base, amount=Decimal("-1")))
    refused(lambda: Payment.objects.create(**base, amount=Decimal("1"), currency="rmb"))
    refused(
        lambda: Payment.objects.create(order=order, paid_on=date(2025, 9, 15), channel="crypto", amount=Decimal("1"))
    )
    assert not Payment.objects.exists()


def test_records_others_depend_on_are_protected():
    order = OrderFactory()
    Payment.objects.create(order=order, amount=Decimal("1"), paid_on=date(2025, 9, 15), channel="cash")
    refused(order.delete)
    refused(order.account.delete)
