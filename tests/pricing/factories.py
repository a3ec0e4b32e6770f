from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from pricing.choices import Deliverable, PriceKind
from pricing.models import DurationTier, RateQuote
from tests.factories import AccountFactory


def tier(code: str) -> DurationTier:
    """One of the default tiers created by the data migration (s1_20, s21_60, s61_plus)."""
    return DurationTier.objects.get(code=code)


class QuoteFactory(factory.django.DjangoModelFactory[RateQuote]):
    """A quote written directly (behind the service's validation); use ``quote_record`` to test rules."""

    class Meta:
        model = RateQuote

    account = factory.SubFactory(AccountFactory)
    deliverable = Deliverable.SHORT_VIDEO
    tier = factory.LazyFunction(lambda: tier("s1_20"))
    price = Decimal("1000.00")
    currency = "CNY"
    price_kind = PriceKind.MARKETPLACE_LISTING
    observed_on = date(2025, 9, 12)
    recorded_by = "system"
