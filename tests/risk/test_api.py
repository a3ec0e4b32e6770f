"""The risk API: /accounts/{id}/risk/, /orders/{id}/risk/, risk_score and engagement on accounts and orders."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.choices import Verdict
from reviews.services import claim_verdict_set
from risk import services
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory
from tests.risk.conftest import reviews_every

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored():
    """A smear account (false claim, markup x3, score 45), a quiet account (0) and the smear's order."""
    smear = AccountFactory()
    QuoteFactory(account=smear, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    order = OrderFactory(account=smear, agreed_price=Decimal("30000.00"))
    for _ in range(2):
        claim = ClaimFactory(reviews=[ReviewFactory(account=smear)])
        claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")
    quiet = AccountFactory()
    services.risk_recompute_accounts(account_ids=[smear.pk, quiet.pk])
    return smear, quiet, order


def test_account_risk_answers_score_time_and_signals_with_evidence_urls(as_analyst, scored):
    smear, _, order = scored

    response = as_analyst.get(f"/api/v1/accounts/{smear.pk}/risk/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["account"] == smear.pk and body["order"] is None
    assert body["score"] == 45 and body["computed_at"]
    first, second = body["signals"][:2]
    assert (first["signal"], first["weight"], first["value"], first["contribution"]) == ("false_claims", 25, 1, 25)
    assert len(first["evidence"]) == 2 and all(
        u.startswith("http://testserver/api/v1/claims/") for u in first["evidence"]
    )
    assert second["signal"] == "order_markup" and second["figures"]["max_markup"] == 3.0
    assert second["evidence"] == [f"http://testserver/api/v1/orders/{order.pk}/"]
    assert {s["signal"] for s in body["signals"]} >= {"unexplained_growth", "regular_series", "legal_actions"}


def test_order_risk_includes_its_accounts_score(as_analyst, scored):
    smear, _, order = scored

    body = as_analyst.get(f"/api/v1/orders/{order.pk}/risk/").json()

    assert (body["account"], body["order"], body["score"]) == (smear.pk, order.pk, 38)  # 20 + 40 x 0.45
    account_signal = next(s for s in body["signals"] if s["signal"] == "account_risk")
    assert account_signal["evidence"] == [f"http://testserver/api/v1/accounts/{smear.pk}/"]


def test_a_score_not_computed_yet_is_null(as_analyst):
    account = AccountFactory()
    body = as_analyst.get(f"/api/v1/accounts/{account.pk}/risk/").json()
    assert body == {"account": account.pk, "order": None, "score": None, "computed_at": None, "signals": []}


def test_risk_permissions(api, outsider, scored):
    smear = scored[0]
    assert api.get(f"/api/v1/accounts/{smear.pk}/risk/").status_code == 401
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/accounts/{smear.pk}/risk/").status_code == 403
    assert api.get(f"/api/v1/orders/{scored[2].pk}/risk/").status_code == 403


def test_unknown_account_is_404(as_analyst):
    assert as_analyst.get("/api/v1/accounts/999999/risk/").status_code == 404


def test_accounts_carry_risk_score_with_min_risk_and_ordering(as_analyst, scored):
    smear, quiet, _ = scored

    rows = as_analyst.get("/api/v1/accounts/", {"ordering": "-risk_score"}).json()["results"]
    assert [(r["id"], r["risk_score"]) for r in rows] == [(smear.pk, 45), (quiet.pk, 0)]
    rows = as_analyst.get("/api/v1/accounts/", {"min_risk": 40}).json()["results"]
    assert [r["id"] for r in rows] == [smear.pk]
    assert as_analyst.get("/api/v1/accounts/", {"min_risk": "high"}).status_code == 400


def test_orders_carry_risk_score_with_min_risk_and_ordering(as_analyst, scored):
    order = scored[2]
    other = OrderFactory()
    rows = as_analyst.get("/api/v1/orders/", {"ordering": "-risk_score"}).json()["results"]
    assert [(r["id"], r["risk_score"]) for r in rows] == [(order.pk, 38), (other.pk, 0)]
    assert [r["id"] for r in as_analyst.get("/api/v1/orders/", {"min_risk": 1}).json()["results"]] == [order.pk]


def test_risk_score_is_read_only(api, regulator, scored):
    smear = scored[0]
    api.force_authenticate(regulator)
    api.patch(f"/api/v1/accounts/{smear.pk}/", {"risk_score": 0}, format="json")
    smear.refresh_from_db()
    assert smear.risk_score == 45


def test_account_engagement_figures(as_analyst):
    account = AccountFactory()
    account.__class__.objects.filter(pk=account.pk).update(
        follower_count=100_000, followers_captured_at=datetime(2025, 6, 1, tzinfo=UTC)
    )
    reviews_every(account, 3, [10_000, 30_000])  # interactions: 400 + 100 + 100 and 1200 + 300 + 300
    QuoteFactory(account=account, price=Decimal("2000.00"))
    QuoteFactory(account=account, price=Decimal("4000.00"), source_url="https://example.invalid/second")
    QuoteFactory(account=account, deliverable="live_stream", tier=None, price=Decimal("90000.00"))  # not a video

    engagement = as_analyst.get(f"/api/v1/accounts/{account.pk}/").json()["engagement"]

    assert engagement == {
        "reviews": 2,
        "views": 40_000,
        "interactions": 2_400,
        "rate_over_views": 0.06,
        "rate_over_followers": 0.012,  # 1,200 per review / 100,000 followers
        "quotes": 2,
        "quote_price": "3000.00",
        "cpm": "150.00",  # 3,000 per review of 20,000 views
        "cpe": "2.50",  # 3,000 per 1,200 interactions
    }


def test_engagement_reads_only_recent_reviews(as_analyst, settings):
    settings.RISK_RECENT_REVIEWS = 2
    account = AccountFactory()
    reviews_every(account, 3, [1_000_000, 10_000, 30_000])  # the oldest is left out

    assert as_analyst.get(f"/api/v1/accounts/{account.pk}/").json()["engagement"]["views"] == 40_000


def test_account_list_query_count_does_not_grow_with_the_page(as_analyst):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_analyst.get("/api/v1/accounts/").status_code == 200
        return len(queries)

    for _ in range(2):
        reviews_every(AccountFactory(), 3, [1000, 2000])
    count()  # the first request also loads the user's permissions
    few = count()
    for _ in range(6):
        reviews_every(AccountFactory(), 3, [1000, 2000])
    assert count() == few


def test_legal_actions_of_cases_the_reader_may_not_see_leave_the_evidence(api, analyst, superuser):
    """GIVEN an account named in a lawsuit of a case and in one without a case WHEN an analyst outside
    the case reads its risk THEN only the lawsuit without a case is linked, the other counted as not shown."""
    from tests.cases.factories import CaseFactory, LegalActionFactory

    account = AccountFactory()
    hidden = LegalActionFactory(case=CaseFactory())
    public = LegalActionFactory()
    for action in (hidden, public):
        action.defendant_accounts.add(account)
    services.risk_recompute_accounts(account_ids=[account.pk])

    def legal(user):
        api.force_authenticate(user)
        body = api.get(f"/api/v1/accounts/{account.pk}/risk/").json()
        return body["score"], next(s for s in body["signals"] if s["signal"] == "legal_actions")

    score, signal = legal(analyst)
    assert score == 20
    assert signal["evidence"] == [f"http://testserver/api/v1/legal-actions/{public.pk}/"]
    assert signal["figures"] == {"legal_actions": 2, "not_shown": 1}
    score, signal = legal(superuser)
    assert len(signal["evidence"]) == 2 and "not_shown" not in signal["figures"]
