"""markup = agreed price / the account's latest matching quote observed on or before the order date."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.choices import Deliverable
from reviews import selectors
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    return AccountFactory()


def quote(account, price, observed_on, **kwargs):
    return QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal(price), observed_on=observed_on, **kwargs)


def shown(api, order) -> dict:
    response = api.get(f"/api/v1/orders/{order.pk}/")
    assert response.status_code == 200
    return response.data


def test_markup_uses_the_latest_quote_on_or_before_the_order_date(as_analyst, account):
    """GIVEN quotes of 20,000 (Aug), 26,000 (on the order day) and 50,000 (after it)
    WHEN an order of 95,000 is read THEN it is measured against 26,000: 3.65."""
    quote(account, "20000", date(2025, 8, 1))
    on_the_day = quote(account, "26000", date(2025, 9, 14))
    quote(account, "50000", date(2025, 9, 15))
    order = OrderFactory(account=account, ordered_on=date(2025, 9, 14), agreed_price=Decimal("95000.00"))
    data = shown(as_analyst, order)
    assert data["rate_card_quote"] == on_the_day.pk
    assert data["rate_card_price"] == "26000.00"
    assert data["markup"] == "3.65"  # 95,000 / 26,000 = 3.6538... rounded half up


def test_a_quote_observed_only_after_the_order_gives_no_markup(as_analyst, account):
    quote(account, "26000", date(2025, 9, 15))
    order = OrderFactory(account=account, ordered_on=date(2025, 9, 14))
    data = shown(as_analyst, order)
    assert (data["rate_card_quote"], data["rate_card_price"], data["markup"]) == (None, None, None)


def test_an_earlier_quote_counts_when_no_later_one_precedes_the_order(as_analyst, account):
    quote(account, "20000", date(2025, 1, 1))
    quote(account, "40000", date(2025, 10, 1))
    order = OrderFactory(account=account, ordered_on=date(2025, 9, 14), agreed_price=Decimal("50000.00"))
    assert shown(as_analyst, order)["markup"] == "2.50"


def test_only_the_same_account_deliverable_tier_and_currency_count(as_analyst, account):
    before = date(2025, 9, 1)
    QuoteFactory(account=AccountFactory(), tier=tier("s21_60"), price=Decimal("1000"), observed_on=before)
    QuoteFactory(account=account, tier=tier("s1_20"), price=Decimal("1000"), observed_on=before)
    QuoteFactory(account=account, tier=tier("s61_plus"), price=Decimal("1000"), observed_on=before)
    QuoteFactory(
        account=account, deliverable=Deliverable.LIVE_STREAM, tier=None, price=Decimal("1000"), observed_on=before
    )
    QuoteFactory(
        account=account, tier=tier("s21_60"), price=Decimal("1000"), currency="USD", observed_on=before,
        source_url="https://example.invalid/usd-listing",  # another observation: one per source and day
    )  # fmt: skip
    order = OrderFactory(account=account)
    assert shown(as_analyst, order)["markup"] is None
    matching = quote(account, "38000", before)
    data = shown(as_analyst, order)
    assert (data["rate_card_quote"], data["markup"]) == (matching.pk, "2.50")


def test_among_quotes_of_one_day_the_newest_record_counts(as_analyst, account):
    quote(account, "20000", date(2025, 9, 1))
    newest = quote(account, "19000", date(2025, 9, 1), source_url="https://example.invalid/later-listing")
    order = OrderFactory(account=account, agreed_price=Decimal("38000.00"))
    data = shown(as_analyst, order)
    assert (data["rate_card_quote"], data["markup"]) == (newest.pk, "2.00")


def test_markup_of_an_untiered_deliverable(as_analyst, account):
    QuoteFactory(
        account=account,
        deliverable=Deliverable.LIVE_STREAM,
        tier=None,
        price=Decimal("45000"),
        observed_on=date(2025, 9, 12),
    )
    order = OrderFactory(
        account=account, deliverable=Deliverable.LIVE_STREAM, tier=None, agreed_price=Decimal("100000.00")
    )
    assert shown(as_analyst, order)["markup"] == "2.22"


def test_a_free_quote_gives_no_markup(as_analyst, account):
    quote(account, "0", date(2025, 9, 1))
    order = OrderFactory(account=account)
    data = shown(as_analyst, order)
    assert (data["rate_card_price"], data["markup"]) == ("0.00", None)


@pytest.mark.parametrize(
    ("agreed", "minimum", "matches"),
    [
        ("56290.00", "2.17", True),  # 56,290 / 26,000 = 2.165 exactly: shown as 2.17 (half up)
        ("56289.99", "2.17", False),  # 2.16499...: shown as 2.16
        ("56289.99", "2.16", True),
        ("52000.00", "2.00", True),  # exactly 2
        ("52000.00", "2.001", False),  # shown 2.00 is below 2.001
        ("52000.00", "0", True),
    ],
)
def test_min_markup_agrees_with_the_markup_shown(as_analyst, account, agreed, minimum, matches):
    quote(account, "26000", date(2025, 9, 1))
    order = OrderFactory(account=account, agreed_price=Decimal(agreed))
    OrderFactory(client_name="without a rate card")  # no quote: never matches
    response = as_analyst.get("/api/v1/orders/", {"min_markup": minimum})
    assert response.status_code == 200
    assert [r["id"] for r in response.data["results"]] == ([order.pk] if matches else [])
    markup = Decimal(shown(as_analyst, order)["markup"])
    assert (markup >= Decimal(minimum)) is matches


def test_min_markup_must_be_a_number(as_analyst):
    response = as_analyst.get("/api/v1/orders/", {"min_markup": "lots"})
    assert response.status_code == 400 and "min_markup" in response.data


def test_the_markup_property_divides_exact_decimals():
    order = OrderFactory.build(agreed_price=Decimal("100000.00"))
    order.rate_card_price = Decimal("30000.00")
    assert order.markup == Decimal("3.33")
    order.rate_card_price = Decimal("60000.00")
    assert order.markup == Decimal("1.67")  # 1.6666... half up
    assert isinstance(order.markup, Decimal)
    order.rate_card_price = None
    assert order.markup is None


def test_order_list_annotations_match_the_api(account):
    quote(account, "26000", date(2025, 9, 1))
    order = OrderFactory(account=account)
    row = selectors.order_list().get(pk=order.pk)
    assert (row.rate_card_price, row.markup) == (Decimal("26000"), Decimal("3.65"))
