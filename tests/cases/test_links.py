"""Cases link suspected orders and reviews: in the API, the admin, the bundle and its journal."""

import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case
from core import journal
from core.models import JournalEntry
from reviews.services import order_transition, payment_record
from tests.cases.factories import AuthorityFactory, CaseFactory
from tests.factories import UserFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_and_review():
    review = ReviewFactory(duration_seconds=48)
    ClaimFactory(text="NIO cars catch fire spontaneously.", reviews=[review])
    order = OrderFactory(account=review.account)
    order.reviews.add(review)
    QuoteFactory(account=order.account, tier=tier("s21_60"), price=Decimal("26000"), observed_on=date(2025, 9, 12))
    order_transition(order=order, status="under_review", reason="Chat records.")
    payment_record(
        order=order, amount=Decimal("30000.00"), paid_on=date(2025, 9, 14), channel="alipay", payer_name="PR"
    )
    return order, review


def test_a_case_links_orders_and_reviews_by_id(as_member, case, order_and_review):
    order, review = order_and_review
    response = as_member.patch(f"/api/v1/cases/{case.pk}/", {"orders": [order.pk], "reviews": [review.pk]})
    assert response.status_code == 200, response.data
    assert (response.data["orders"], response.data["reviews"]) == ([order.pk], [review.pk])
    assert list(case.orders.all()) == [order] and list(case.reviews.all()) == [review]
    journal.integrate()
    entry = JournalEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq").last()
    assert entry.changes == {"reviews": {"before": [], "after": [review.pk]}}
    assert order.cases.get() == case  # and from the order's side


def test_unknown_ids_are_400_and_change_nothing(as_member, case):
    response = as_member.patch(f"/api/v1/cases/{case.pk}/", {"orders": [999999]})
    assert response.status_code == 400 and "orders" in response.data
    assert not case.orders.exists()


def test_a_user_who_may_not_view_orders_cannot_link_them(api, case, order_and_review):
    """GIVEN a member of the case's authority who may edit cases but not view orders and reviews
    WHEN they link an order and a review THEN both answer as if they did not exist."""
    order, review = order_and_review
    member = UserFactory()
    case.authority.members.add(member)
    member.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "change_case"]))
    api.force_authenticate(member)
    response = api.patch(f"/api/v1/cases/{case.pk}/", {"orders": [order.pk], "reviews": [review.pk]})
    assert response.status_code == 400 and "orders" in response.data and "reviews" in response.data
    assert not case.orders.exists() and not case.reviews.exists()


def test_the_bundle_carries_the_orders_and_reviews_with_their_journal(as_member, case, order_and_review):
    order, review = order_and_review
    case.orders.add(order)
    case.reviews.add(review)
    response = as_member.get(f"/api/v1/cases/{case.pk}/bundle/")
    assert response.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(bundle.read("manifest.json"))
    [shown] = manifest["orders"]
    assert (shown["id"], shown["status"], shown["tier"]) == (order.pk, "under_review", "s21_60")
    assert (shown["agreed_price"], shown["rate_card_price"], shown["markup"], shown["total_paid"]) == (
        "95000.00",
        "26000.00",
        "3.65",
        "30000.00",
    )
    assert [(c["from_status"], c["to_status"], c["reason"]) for c in shown["status_history"]] == [
        ("reported", "under_review", "Chat records.")
    ]
    assert [(p["amount"], p["channel"], p["payer_name"]) for p in shown["payments"]] == [("30000.00", "alipay", "PR")]
    assert shown["reviews"] == [review.pk]
    [item] = manifest["reviews"]
    assert (item["id"], item["url"], item["tier"]) == (review.pk, review.url, "s21_60")
    assert [c["text"] for c in item["claims"]] == ["NIO cars catch fire spontaneously."]
    entries = json.loads(bundle.read("journal/entries.json"))
    about = {(e["object_type"], e["object_id"]) for e in entries}
    payment = order.payments.get()
    change = order.status_changes.get()
    assert {
        ("reviews.order", str(order.pk)),
        ("reviews.review", str(review.pk)),
        ("reviews.payment", str(payment.pk)),
        ("reviews.orderstatuschange", str(change.pk)),
    } <= about


def test_the_case_admin_links_orders_and_reviews(client, superuser, order_and_review):
    order, review = order_and_review
    case = CaseFactory(authority=AuthorityFactory())
    case.orders.add(order)
    case.reviews.add(review)
    client.force_login(superuser)
    page = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    form = page.context["adminform"].form
    assert {"orders", "reviews"} <= set(form.fields)
    assert (form.initial["orders"], form.initial["reviews"]) == ([order], [review])


def test_the_demo_case_links_the_demo_order_and_reviews():
    call_command("seed_demo", stdout=StringIO())
    case = Case.objects.get(reference="CAC-2025-0001")
    [order] = case.orders.all()
    assert (order.account.platform_uid, order.status) == ("dy_60000001", "confirmed")
    assert {r.account.platform_uid for r in case.reviews.all()} == {"dy_60000001"}
    assert case.reviews.count() == 2
