"""Risk in the admin: the columns, the signals table on an account's page, the highest-risk list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews.choices import Verdict
from reviews.services import claim_verdict_set
from risk import services
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smear():
    account = AccountFactory(handle="smear_blogger")
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    OrderFactory(account=account, agreed_price=Decimal("30000.00"))
    claim = ClaimFactory(reviews=[ReviewFactory(account=account)])
    claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")
    AccountFactory(handle="quiet_blogger")
    services.risk_recompute_accounts(account_ids=[a.pk for a in account.__class__.objects.all()])
    return account


def test_account_page_shows_the_signals_table_with_evidence(client, superuser, smear):
    client.force_login(superuser)
    page = client.get(reverse("admin:ledger_platformaccount_change", args=[smear.pk])).content.decode()

    assert "Claims found false or misleading" in page and "Order markup over the rate card" in page
    assert f"/api/v1/orders/{smear.orders.get().pk}/" in page
    assert "CPM (CNY per 1,000 views)" in page


def test_highest_risk_list_puts_the_highest_score_first(client, superuser, smear):
    client.force_login(superuser)
    page = client.get(reverse("admin:risk_riskscore_changelist")).content.decode()

    assert page.index("smear_blogger") < page.index("quiet_blogger")
    assert "Claims found false or misleading (12.5)" in page


def test_account_and_order_lists_have_a_risk_column(client, superuser, smear):
    client.force_login(superuser)
    accounts = client.get(reverse("admin:ledger_platformaccount_changelist")).content.decode()
    orders = client.get(reverse("admin:reviews_order_changelist")).content.decode()
    assert "column-risk_score" in accounts and "column-risk_score" in orders
