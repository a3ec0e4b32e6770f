from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import factory

from parties.choices import PartyKind
from parties.services import party_create
from pricing.choices import Deliverable
from reviews.choices import PaymentChannel, Stance, TargetKind
from reviews.models import Claim, Order, Payment, Review, Target
from reviews.services import payment_record
from tests.factories import AccountFactory
from tests.pricing.factories import tier


class TargetFactory(factory.django.DjangoModelFactory[Target]):
    class Meta:
        model = Target

    name = factory.Sequence(lambda n: f"Brand {n}")
    kind = TargetKind.BRAND
    parent = None


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    url = factory.Sequence(lambda n: f"https://example.invalid/video/{n}")
    headline = factory.Sequence(lambda n: f"Headline {n}")
    text = "Transcript."
    published_at = datetime(2025, 9, 16, 12, 0, tzinfo=UTC)
    duration_seconds = 30
    stance = Stance.NEGATIVE

    @factory.post_generation
    def targets(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.targets.add(*extracted)


class ClaimFactory(factory.django.DjangoModelFactory[Claim]):
    """A pending claim; set verdicts with ``claim_verdict_set``."""

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Claim {n}")

    @factory.post_generation
    def reviews(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.reviews.add(*extracted)


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    """An order written directly (status reported); move it with ``order_transition``."""

    class Meta:
        model = Order

    account = factory.SubFactory(AccountFactory)
    client_name = "A PR contractor"
    deliverable = Deliverable.SHORT_VIDEO
    tier = factory.LazyFunction(lambda: tier("s21_60"))
    agreed_price = Decimal("95000.00")
    currency = "CNY"
    ordered_on = date(2025, 9, 14)


class PaymentFactory(factory.django.DjangoModelFactory[Payment]):
    """A payment written directly (behind the service's validation); use ``payment_record`` to test rules."""

    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    amount = Decimal("1000.00")
    currency = "CNY"
    paid_on = date(2025, 9, 15)
    channel = PaymentChannel.ALIPAY


def person_paid_order(name: str = "王建国"):
    """An order whose client is a person, paid by him to another person, with both names as recorded."""
    client = party_create(name=name, kind=PartyKind.PERSON)
    payee = party_create(name="李小红", kind=PartyKind.PERSON)
    order = OrderFactory(client=client, client_name=name)
    payment = payment_record(
        order=order,
        amount=Decimal("30000.00"),
        paid_on=date(2025, 9, 14),
        channel="alipay",
        payer=client,
        payer_name=name,
        payee=payee,
        payee_name="李小红",
    )
    return order, payment
