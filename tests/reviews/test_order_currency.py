"""An order that has payments keeps its currency (its total would otherwise mix currencies)."""

from datetime import date
from decimal import Decimal

import pytest

from reviews.choices import PaymentChannel
from reviews.services import payment_record
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_an_order_with_payments_keeps_its_currency(as_regulator):
    order = OrderFactory(agreed_price=Decimal("95000.00"))
    payment_record(order=order, amount=Decimal("1000.00"), paid_on=date(2025, 9, 13), channel=PaymentChannel.ALIPAY)
    response = as_regulator.patch(f"/api/v1/orders/{order.pk}/", {"currency": "USD"}, format="json")
    assert response.status_code == 400 and "currency" in response.data
    order.refresh_from_db()
    assert order.currency == "CNY"
