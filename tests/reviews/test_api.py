"""Targets, reviews and orders through the API: validation, filters, permissions and list query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import journal
from core.models import JournalEntry
from parties.services import party_create
from reviews.models import Order, Review, Target
from reviews.services import order_transition, payment_record
from tests.factories import AccountFactory, make_uscc
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory, TargetFactory

pytestmark = pytest.mark.django_db


# --- targets --------------------------------------------------------------------

_GOOD_USCC = make_uscc(1)
WRONG_CHECK_USCC = _GOOD_USCC[:17] + ("0" if _GOOD_USCC[17] != "0" else "1")


def test_targets_form_a_hierarchy_with_a_valid_uscc(as_regulator):
    brand = as_regulator.post("/api/v1/targets/", {"name": "XIAOMI", "kind": "brand", "uscc": make_uscc(1)})
    assert brand.status_code == 201, brand.data
    model = as_regulator.post("/api/v1/targets/", {"name": "XIAOMI SU7", "kind": "product", "parent": brand.data["id"]})
    assert model.status_code == 201 and model.data["parent"] == brand.data["id"]
    assert Target.objects.get(pk=model.data["id"]).parent.name == "XIAOMI"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "kind": "brand", "uscc": WRONG_CHECK_USCC}, "uscc"),
        ({"name": "X", "kind": "brand", "uscc": "91110000600000001I"}, "uscc"),
        ({"name": "X", "kind": "carmaker"}, "kind"),
        ({"name": "", "kind": "brand"}, "name"),
        ({"name": "X", "kind": "brand", "parent": 999999}, "parent"),
    ],
)
def test_bad_targets_are_400_with_the_field(as_regulator, payload, field):
    response = as_regulator.post("/api/v1/targets/", payload)
    assert response.status_code == 400 and field in response.data, response.data
    assert not Target.objects.exists()


def test_duplicate_names_under_one_parent_and_duplicate_usccs_are_400(as_regulator):
    brand = TargetFactory(name="NIO", uscc=make_uscc(7))
    TargetFactory(name="ES6", kind="product", parent=brand)
    same_name = as_regulator.post("/api/v1/targets/", {"name": "ES6", "kind": "product", "parent": brand.pk})
    assert same_name.status_code == 400 and "name" in same_name.data
    top = as_regulator.post("/api/v1/targets/", {"name": "NIO", "kind": "brand"})
    assert top.status_code == 400 and "name" in top.data
    uscc = as_regulator.post("/api/v1/targets/", {"name": "Other", "kind": "company", "uscc": make_uscc(7)})
    assert uscc.status_code == 400 and "uscc" in uscc.data
    other_parent = as_regulator.post("/api/v1/targets/", {"name": "ES6", "kind": "product"})
    assert other_parent.status_code == 201
    assert Target.objects.count() == 3


def test_a_target_cannot_move_under_itself_or_its_children(as_regulator):
    brand = TargetFactory(name="NIO")
    model = TargetFactory(name="ES6", kind="product", parent=brand)
    for parent in (brand, model):
        response = as_regulator.patch(f"/api/v1/targets/{brand.pk}/", {"parent": parent.pk})
        assert response.status_code == 400 and "parent" in response.data
    assert Target.objects.get(pk=brand.pk).parent is None


def test_a_target_in_use_cannot_be_deleted(api, superuser):
    brand = TargetFactory()
    TargetFactory(parent=brand, kind="product")
    api.force_authenticate(superuser)
    assert api.delete(f"/api/v1/targets/{brand.pk}/").status_code == 409
    assert Target.objects.filter(pk=brand.pk).exists()


# --- reviews --------------------------------------------------------------------


REVIEW = {
    "url": "https://example.invalid/douyin/v/1",
    "post_id": "7415500000000000001",
    "headline": "Parked NIO bursts into flames",
    "text": "NIO cars catch fire spontaneously.",
    "published_at": "2025-09-16T20:30:00+08:00",
    "stance": "negative",
}


@pytest.mark.parametrize(
    ("seconds", "code"),
    [(1, "s1_20"), (20, "s1_20"), (21, "s21_60"), (60, "s21_60"), (61, "s61_plus"), (3600, "s61_plus"), (None, None)],
)
def test_the_tier_is_resolved_from_the_duration(as_regulator, seconds, code):
    account = AccountFactory()
    payload = {**REVIEW, "account": account.pk, **({"duration_seconds": seconds} if seconds else {})}
    response = as_regulator.post("/api/v1/reviews/", payload)
    assert response.status_code == 201, response.data
    assert response.data["tier"] == code
    assert as_regulator.get(f"/api/v1/reviews/{response.data['id']}/").data["tier"] == code


def test_the_tier_follows_a_changed_duration_and_is_read_only(as_regulator):
    review = ReviewFactory(duration_seconds=30)
    response = as_regulator.patch(f"/api/v1/reviews/{review.pk}/", {"duration_seconds": 75, "tier": "s1_20"})
    assert response.status_code == 200 and response.data["tier"] == "s61_plus"


def test_a_review_is_stored_with_its_times_in_utc_and_shown_in_shanghai(as_regulator):
    account = AccountFactory()
    response = as_regulator.post("/api/v1/reviews/", {**REVIEW, "account": account.pk})
    assert response.data["published_at"] == "2025-09-16T20:30:00+08:00"
    assert Review.objects.get().published_at.isoformat() == "2025-09-16T12:30:00+00:00"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"duration_seconds": 0}, "duration_seconds"),
        ({"views": -1, "engagement_captured_at": "2025-09-20T12:00:00+08:00"}, "views"),
        ({"likes": 10}, "engagement_captured_at"),
        ({"stance": "hostile"}, "stance"),
        ({"status": "hidden"}, "status"),
        ({"url": "not a url"}, "url"),
        ({"headline": ""}, "headline"),
        ({"published_at": "yesterday"}, "published_at"),
    ],
)
def test_bad_reviews_are_400_with_the_field_and_write_nothing(as_regulator, extra, field):
    account = AccountFactory()
    journal.integrate()
    entries = JournalEntry.objects.count()
    response = as_regulator.post("/api/v1/reviews/", {**REVIEW, "account": account.pk, **extra})
    assert response.status_code == 400 and field in response.data, response.data
    assert not Review.objects.exists()
    journal.integrate()
    assert JournalEntry.objects.count() == entries


def test_urls_and_post_ids_are_unique(as_regulator):
    first = ReviewFactory(url=REVIEW["url"], post_id="p1")
    again = as_regulator.post("/api/v1/reviews/", {**REVIEW, "account": AccountFactory().pk})
    assert again.status_code == 400 and "url" in again.data
    same_post = as_regulator.post(
        "/api/v1/reviews/", {**REVIEW, "url": "https://example.invalid/2", "post_id": "p1", "account": first.account_id}
    )
    assert same_post.status_code == 400 and "post_id" in same_post.data
    assert Review.objects.count() == 1


def test_review_filters(as_analyst):
    brand = TargetFactory(name="NIO")
    model = TargetFactory(name="NIO ES6", kind="product", parent=brand)
    other = TargetFactory(name="XPeng")
    on_brand = ReviewFactory(targets=[brand], headline="NIO again", text="")
    on_model = ReviewFactory(
        targets=[model, brand], headline="Parked ES6", text="spontaneous combustion", stance="negative"
    )
    on_other = ReviewFactory(
        targets=[other],
        headline="XPeng is fine",
        stance="positive",
        status="taken_down",
        account=AccountFactory(platform="weibo"),
    )
    ids = lambda **params: {r["id"] for r in as_analyst.get("/api/v1/reviews/", params).data["results"]}  # noqa: E731
    assert ids(target=brand.pk) == {on_brand.pk, on_model.pk}  # the brand with its models, each once
    assert as_analyst.get("/api/v1/reviews/", {"target": brand.pk}).data["count"] == 2
    assert ids(target=model.pk) == {on_model.pk}
    assert ids(stance="positive") == {on_other.pk}
    assert ids(status="taken_down") == {on_other.pk}
    assert ids(platform="weibo") == {on_other.pk}
    assert ids(account=on_brand.account_id) == {on_brand.pk}
    assert ids(influencer=on_model.account.influencer_id) == {on_model.pk}
    assert ids(search="combustion") == {on_model.pk}  # in the text
    assert ids(search="XPeng") == {on_other.pk}  # in the headline
    Review.objects.filter(pk=on_other.pk).update(published_at="2025-10-01T00:00:00+00:00")
    assert ids(published_after="2025-09-30T00:00:00+08:00") == {on_other.pk}
    assert ids(published_before="2025-09-30T00:00:00+08:00") == {on_brand.pk, on_model.pk}
    assert as_analyst.get("/api/v1/reviews/", {"stance": "angry"}).status_code == 400


# --- orders ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"tier": None}, "tier"),
        ({"deliverable": "live_stream"}, "tier"),
        ({"agreed_price": "0.00"}, "agreed_price"),
        ({"agreed_price": "-1.00"}, "agreed_price"),
        ({"agreed_price": "1.001"}, "agreed_price"),
        ({"currency": "yuan"}, "currency"),
        ({"client_name": ""}, "client_name"),
        ({"ordered_on": "2999-01-01"}, "ordered_on"),
        ({"tier": "s99"}, "tier"),
    ],
)
def test_bad_orders_are_400_with_the_field_and_write_nothing(as_regulator, account_payload, extra, field):
    response = as_regulator.post("/api/v1/orders/", {**account_payload, **extra}, format="json")
    assert response.status_code == 400 and field in response.data, response.data
    assert not Order.objects.exists()


def test_an_order_with_a_client_party_needs_no_client_name(as_regulator, account_payload):
    party = party_create(name="Bluewhale PR")
    response = as_regulator.post("/api/v1/orders/", {**account_payload, "client_name": "", "client": party.pk})
    assert response.status_code == 201, response.data
    assert response.data["client"] == party.pk and response.data["currency"] == "CNY"


def test_order_filters(as_analyst):
    brand = TargetFactory(name="XIAOMI")
    model = TargetFactory(name="XIAOMI SU7", kind="product", parent=brand)
    first = OrderFactory(ordered_on=date(2025, 9, 1))
    first.targets.add(model)
    second = OrderFactory(ordered_on=date(2025, 9, 20), deliverable="live_stream", tier=None)
    order_transition(order=second, status="under_review", reason="x")
    ids = lambda **params: {r["id"] for r in as_analyst.get("/api/v1/orders/", params).data["results"]}  # noqa: E731
    assert ids(target=brand.pk) == {first.pk}
    assert ids(status="under_review") == {second.pk}
    assert ids(deliverable="live_stream") == {second.pk}
    assert ids(tier="s21_60") == {first.pk}
    assert ids(ordered_after="2025-09-20") == {second.pk}
    assert ids(ordered_before="2025-09-19") == {first.pk}
    assert ids(account=first.account_id) == {first.pk}


# --- permissions and lists ------------------------------------------------------


@pytest.mark.parametrize("path", ["targets", "reviews", "claims", "orders", "payments"])
def test_reads_need_the_view_permission(api, outsider, analyst, path):
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/{path}/").status_code == 403
    api.force_authenticate(analyst)
    assert api.get(f"/api/v1/{path}/").status_code == 200
    api.force_authenticate(None)
    assert api.get(f"/api/v1/{path}/").status_code == 401


def test_read_only_groups_cannot_write(as_analyst, account_payload):
    assert as_analyst.post("/api/v1/targets/", {"name": "NIO", "kind": "brand"}).status_code == 403
    assert as_analyst.post("/api/v1/orders/", account_payload).status_code == 403
    assert not Target.objects.exists() and not Order.objects.exists()


def test_regulators_cannot_delete(as_regulator):
    target = TargetFactory()
    assert as_regulator.delete(f"/api/v1/targets/{target.pk}/").status_code == 403
    assert Target.objects.filter(pk=target.pk).exists()


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["targets", "reviews", "claims", "orders", "payments"])
def test_list_query_count_does_not_depend_on_page_size(as_analyst, path):
    parent = TargetFactory()
    for n in range(12):
        account = AccountFactory()
        target = TargetFactory(parent=parent, kind="product")
        review = ReviewFactory(account=account, targets=[target, parent], duration_seconds=10 + n * 7)
        ClaimFactory(target=target, reviews=[review])
        QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("26000"), observed_on=date(2025, 9, 1))
        order = OrderFactory(account=account)
        order.targets.add(target)
        order.reviews.add(review)
        order_transition(order=order, status="under_review", reason="why")
        for amount in ("100.00", "200.00"):
            payment_record(order=order, amount=Decimal(amount), paid_on=date(2025, 9, 15), channel="alipay")
    as_analyst.get(f"/api/v1/{path}/")  # warm up: loads the user's permissions once
    small = _queries(as_analyst, f"/api/v1/{path}/?page_size=2")
    large = _queries(as_analyst, f"/api/v1/{path}/?page_size=50")
    assert small == large


def test_the_schema_describes_the_reviews_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    for path in ("targets", "reviews", "claims", "orders", "payments"):
        assert f"/api/v1/{path}/" in paths
    assert set(paths["/api/v1/orders/{id}/transition/"]["post"]["responses"]) == {"200", "409"}
    assert "application/ld+json" in paths["/api/v1/claims/{id}/claimreview/"]["get"]["responses"]["200"]["content"]
    assert "put" not in paths["/api/v1/payments/{id}/"] and "delete" not in paths["/api/v1/payments/{id}/"]
    order = components["Order"]["properties"]
    assert order["markup"]["type"] == "string" and order["markup"]["format"] == "decimal"
    assert order["status"]["readOnly"] is True
    assert components["OrderStatusEnum"]["enum"] == ["reported", "under_review", "confirmed", "dismissed", "referred"]
    assert components["VerdictEnum"]["enum"] == ["pending", "false", "misleading", "unproven", "accurate"]
    params = {p["name"]: p["schema"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}
    assert params["min_markup"]["type"] == "number"
