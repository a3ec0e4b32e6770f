"""Payments: positive, in the order's currency, summed into the order's total_paid; overpaid orders flagged."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core import journal
from core.models import JournalEntry
from parties.services import party_create
from reviews.models import Payment
from reviews.services import payment_record
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


def pay(api, order, amount, **extra):
    payload = {"order": order.pk, "amount": amount, "paid_on": "2025-09-15", "channel": "alipay", **extra}
    return api.post("/api/v1/payments/", payload)


def test_total_paid_sums_the_payments_of_the_order(as_regulator):
    order, other = OrderFactory(), OrderFactory()
    assert as_regulator.get(f"/api/v1/orders/{order.pk}/").data["total_paid"] == "0.00"
    for amount in ("30000.00", "65000.10", "0.01"):
        assert pay(as_regulator, order, amount).status_code == 201
    assert pay(as_regulator, other, "5.00").status_code == 201
    data = as_regulator.get(f"/api/v1/orders/{order.pk}/").data
    assert data["total_paid"] == "95000.11"
    assert as_regulator.get(f"/api/v1/orders/{other.pk}/").data["total_paid"] == "5.00"
    listed = {r["id"]: r["total_paid"] for r in as_regulator.get("/api/v1/orders/").data["results"]}
    assert listed == {order.pk: "95000.11", other.pk: "5.00"}


def test_a_payment_is_recorded_with_the_orders_currency(as_regulator):
    order = OrderFactory(currency="USD")
    payer = party_create(name="Bluewhale PR")
    response = pay(
        as_regulator, order, "100.00", payer=payer.pk, payer_name="Bluewhale PR", payee_name="王建国", reference="TX-1"
    )
    assert response.status_code == 201, response.data
    assert response.data["currency"] == "USD" and response.data["amount"] == "100.00"
    payment = Payment.objects.get()
    assert (payment.currency, payment.payer, payment.payee, payment.payer_name, payment.payee_name) == (
        "USD",
        payer,
        None,
        "Bluewhale PR",
        "王建国",
    )


@pytest.mark.parametrize(
    ("amount", "extra", "field"),
    [
        ("0.00", {}, "amount"),
        ("-5.00", {}, "amount"),
        ("1.001", {}, "amount"),
        ("lots", {}, "amount"),
        ("10.00", {"currency": "USD"}, "currency"),
        ("10.00", {"currency": "cny"}, "currency"),
        ("10.00", {"channel": "crypto"}, "channel"),
        ("10.00", {"paid_on": "2999-01-01"}, "paid_on"),
        ("10.00", {"payer_name": "王建国 11010519491231002X"}, "payer_name"),
        ("10.00", {"payee_name": "11010519491231002X"}, "payee_name"),
        ("10.00", {"payer": 999999}, "payer"),
        ("10.00", {"reference": "ID 11010519491231002x"}, "reference"),
    ],
)
def test_bad_payments_are_400_with_the_field_and_write_nothing(as_regulator, amount, extra, field):
    order = OrderFactory()
    journal.integrate()
    entries = JournalEntry.objects.count()
    response = pay(as_regulator, order, amount, **extra)
    assert response.status_code == 400 and field in response.data, response.data
    assert not Payment.objects.exists()
    journal.integrate()
    assert JournalEntry.objects.count() == entries


def test_an_id_like_number_that_fails_its_check_character_is_plain_text(as_regulator):
    order = OrderFactory()
    assert pay(as_regulator, order, "10.00", reference="110105194912310021").status_code == 201


def test_payments_are_never_changed_or_deleted_through_the_api(as_regulator, superuser, api):
    order = OrderFactory()
    payment = payment_record(order=order, amount=Decimal("10.00"), paid_on=date(2025, 9, 15), channel="cash")
    assert as_regulator.patch(f"/api/v1/payments/{payment.pk}/", {"amount": "99.00"}).status_code == 405
    api.force_authenticate(superuser)
    assert api.delete(f"/api/v1/payments/{payment.pk}/").status_code == 405
    assert Payment.objects.get().amount == Decimal("10.00")


def test_read_only_groups_cannot_record_payments(as_analyst):
    order = OrderFactory()
    assert pay(as_analyst, order, "10.00").status_code == 403
    assert not Payment.objects.exists()


def test_the_admin_flags_orders_paid_above_the_agreed_price(client, superuser):
    exact = OrderFactory(agreed_price=Decimal("100.00"))
    above = OrderFactory(agreed_price=Decimal("100.00"))
    payment_record(order=exact, amount=Decimal("100.00"), paid_on=date(2025, 9, 15), channel="cash")
    payment_record(order=above, amount=Decimal("60.00"), paid_on=date(2025, 9, 15), channel="cash")
    payment_record(order=above, amount=Decimal("40.01"), paid_on=date(2025, 9, 16), channel="alipay")
    client.force_login(superuser)
    url = reverse("admin:reviews_order_changelist")
    flagged = client.get(url, {"overpaid": "yes"}).context["cl"].result_list
    assert [o.pk for o in flagged] == [above.pk]
    assert [o.overpaid for o in flagged] == [True]
    assert [o.pk for o in client.get(url, {"overpaid": "no"}).context["cl"].result_list] == [exact.pk]
    page = client.get(url).content.decode()
    assert "100.01" in page  # the total paid of the flagged order is listed


def test_the_admin_records_payments_on_the_order_page_through_the_service(client, superuser):
    order = OrderFactory(currency="CNY")
    client.force_login(superuser)
    url = reverse("admin:reviews_payment_add")
    bad = client.post(
        url, {"order": order.pk, "amount": "10.00", "currency": "USD", "paid_on": "2025-09-15", "channel": "cash"}
    )
    assert bad.status_code == 200 and "currency" in bad.context["adminform"].form.errors
    assert not Payment.objects.exists()
    good = client.post(
        url, {"order": order.pk, "amount": "10.00", "currency": "CNY", "paid_on": "2025-09-15", "channel": "cash"}
    )
    assert good.status_code == 302
    assert Payment.objects.get().amount == Decimal("10.00")
