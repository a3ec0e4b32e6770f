"""Recomputing: the debounce, storing scores, the history event, the ranking, the command and the schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from ledger.models import PlatformAccount
from ledger.services import snapshot_record
from reviews.choices import Verdict
from reviews.services import claim_verdict_set
from risk import services, tasks
from risk.models import RiskChange, RiskPending, RiskScore
from tests.cases.factories import LegalActionFactory
from tests.factories import AccountFactory
from tests.pricing.factories import QuoteFactory, tier
from tests.reviews.factories import ClaimFactory, OrderFactory, ReviewFactory
from tests.risk.conftest import daily_series, reviews_every

pytestmark = pytest.mark.django_db


# --- the debounce -----------------------------------------------------------------------


def test_a_burst_of_changes_queues_one_delayed_recompute_per_account(django_capture_on_commit_callbacks, settings):
    """GIVEN two accounts WHEN seven of their objects change in one burst THEN one recompute each is queued."""
    settings.RISK_DEBOUNCE_SECONDS = 45
    first, second = AccountFactory(), AccountFactory()
    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for _ in range(5):
            ReviewFactory(account=first, suspected_ai=True)
        QuoteFactory(account=second)
        OrderFactory(account=second)

    assert sorted(c.kwargs["args"][0] for c in queued.call_args_list) == [first.pk, second.pk]
    assert {c.kwargs["countdown"] for c in queued.call_args_list} == {45}
    assert set(RiskPending.objects.values_list("account_id", flat=True)) == {first.pk, second.pk}

    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as again,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ReviewFactory(account=first)  # still pending: nothing more is queued
    assert again.call_count == 0


def test_the_recompute_clears_the_mark_so_the_next_change_queues_again(django_capture_on_commit_callbacks):
    account = AccountFactory()
    with django_capture_on_commit_callbacks(execute=True):  # eager: the queued recompute runs at once
        ReviewFactory(account=account, suspected_ai=True)

    account.refresh_from_db()
    assert account.risk_score == 5  # ai_content: 10 points x 1 of 2
    assert not RiskPending.objects.exists()

    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ReviewFactory(account=account, suspected_ai=True)
    assert queued.call_count == 1


@pytest.mark.parametrize("change", ["verdict", "legal_action", "anomaly", "claim_link"])
def test_every_kind_of_signal_change_marks_the_account(change, django_capture_on_commit_callbacks):
    account = AccountFactory()
    review = ReviewFactory(account=account)
    claim = ClaimFactory(reviews=[review])
    RiskPending.objects.all().delete()
    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        if change == "verdict":
            claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")
        elif change == "legal_action":
            LegalActionFactory().defendant_influencers.add(account.influencer)
        elif change == "anomaly":
            at = datetime(2025, 8, 1, tzinfo=UTC)
            snapshot_record(account=account, captured_at=at, follower_count=100_000)
            snapshot_record(account=account, captured_at=at + timedelta(days=1), follower_count=200_000)
        else:
            ClaimFactory().reviews.add(review)
    assert [c.kwargs["args"][0] for c in queued.call_args_list] == [account.pk]


def test_the_task_returns_quietly_for_a_deleted_account():
    assert tasks.recompute_account.run(999_999) is None


# --- storing and the history event -----------------------------------------------------------


def test_recompute_stores_the_score_its_signals_and_the_mirror():
    account = AccountFactory()
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    order = OrderFactory(account=account, agreed_price=Decimal("30000.00"))  # x3
    ReviewFactory(account=account, undisclosed_ad=True)

    run = services.risk_recompute_accounts(account_ids=[account.pk])

    account.refresh_from_db()
    order.refresh_from_db()
    stored = RiskScore.objects.get(account=account)
    assert account.risk_score == stored.score == 25  # markup 20 + undisclosed ads 10 x 0.5
    assert [s["signal"] for s in stored.signals[:2]] == ["order_markup", "undisclosed_ads"]
    assert order.risk_score == RiskScore.objects.get(order=order).score == 30  # 20 markup + 40 x 0.25 account
    assert (run.accounts, run.orders) == (1, 1)


def test_a_change_of_twenty_points_is_a_history_event_and_a_smaller_one_is_not(settings):
    account = AccountFactory()
    for _ in range(2):
        ReviewFactory(account=account, undisclosed_ad=True)
    services.risk_recompute_accounts(account_ids=[account.pk])  # 0 -> 10: no event
    assert not RiskChange.objects.exists()

    claim = ClaimFactory(reviews=[ReviewFactory(account=account)])
    claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")
    LegalActionFactory().defendant_accounts.add(account)
    services.risk_recompute_accounts(account_ids=[account.pk])  # 10 -> 12.5 + 10 + 20 = 42.5, half up: 43

    change = RiskChange.objects.get()
    assert (change.account_id, change.before, change.after) == (account.pk, 10, 43)
    assert change.signals == "legal_actions, false_claims, undisclosed_ads"  # strongest first

    services.risk_recompute_accounts(account_ids=[account.pk])  # unchanged: no event
    assert RiskChange.objects.count() == 1


def test_the_risk_event_is_on_the_influencers_history(as_regulator):
    account = AccountFactory()
    ClaimFactory(reviews=[ReviewFactory(account=account)])
    for _ in range(2):
        claim = ClaimFactory(reviews=[ReviewFactory(account=account)])
        claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")
    services.risk_recompute_accounts(account_ids=[account.pk])

    response = as_regulator.get(f"/api/v1/influencers/{account.influencer_id}/history/", {"kinds": "risk"})

    assert response.status_code == 200, response.content
    [event] = response.json()["results"]
    assert event["kind"] == "risk"
    assert event["url"] == f"http://testserver/api/v1/accounts/{account.pk}/"
    assert "risk score 0 → 25 (false_claims)" in event["summary"]


# --- ranking, command and schedule --------------------------------------------------------


def test_planted_accounts_rank_above_organic_ones():
    """GIVEN organic accounts and accounts with bought followers (sudden, slow) and a smear blogger
    WHEN every score is recomputed THEN the planted accounts are the top three, with their reasons."""
    organic = []
    for n in range(4):
        account = AccountFactory()
        daily_series(account, [200_000 + 300 * i + (i * 37 + n * 11) % 400 for i in range(91)])
        reviews_every(account, 10, [30_000 + 1_500 * i for i in range(9)])
        organic.append(account)
    slow = AccountFactory()
    daily_series(slow, [200_000 + 700 * i for i in range(91)])
    reviews_every(slow, 10, [30_000] * 9)
    sudden = AccountFactory()
    at = datetime(2025, 8, 1, tzinfo=UTC)
    for day, count in enumerate([200_000, 201_000, 320_000, 321_000, 450_000]):
        snapshot_record(account=sudden, captured_at=at + timedelta(days=day), follower_count=count)
    smear = AccountFactory()
    QuoteFactory(account=smear, tier=tier("s21_60"), price=Decimal("26000.00"), observed_on=date(2025, 9, 1))
    OrderFactory(account=smear, agreed_price=Decimal("95000.00"))
    claim = ClaimFactory(reviews=[ReviewFactory(account=smear)])
    claim_verdict_set(claim=claim, verdict=Verdict.FALSE, verdict_on=date(2025, 10, 1), verdict_by="CAC")

    call_command("recompute_risk", "--no-progress", stdout=StringIO())

    ranked = list(PlatformAccount.objects.order_by("-risk_score", "id").values_list("pk", flat=True))
    assert set(ranked[:3]) == {slow.pk, sudden.pk, smear.pk}
    assert all(PlatformAccount.objects.get(pk=a.pk).risk_score == 0 for a in organic)
    reasons = {s["signal"] for s in RiskScore.objects.get(account=slow).signals if s["contribution"] > 0}
    assert reasons == {"unexplained_growth", "regular_series"}
    reasons = {s["signal"] for s in RiskScore.objects.get(account=sudden).signals if s["contribution"] > 0}
    assert reasons == {"follower_anomalies"}


def test_the_command_scores_every_account_and_order():
    OrderFactory()
    AccountFactory()
    out = StringIO()

    call_command("recompute_risk", "--no-progress", stdout=out)

    assert RiskScore.objects.filter(account__isnull=False).count() == 2
    assert RiskScore.objects.filter(order__isnull=False).count() == 1
    assert "2 accounts and 1 orders scored" in out.getvalue()


def test_the_nightly_recompute_is_scheduled():
    task = PeriodicTask.objects.get(task="risk.recompute_all")
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("4", "30")


def test_writing_an_orders_score_does_not_queue_another_recompute(django_capture_on_commit_callbacks):
    account = AccountFactory()
    QuoteFactory(account=account, tier=tier("s21_60"), price=Decimal("10000.00"), observed_on=date(2025, 9, 1))
    OrderFactory(account=account, agreed_price=Decimal("30000.00"))
    RiskPending.objects.all().delete()
    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = services.risk_recompute_accounts(account_ids=[account.pk])
    assert run.changed == 2  # the account's and the order's score
    assert queued.call_count == 0


def test_the_demos_smear_blogger_and_bought_followers_rank_first():
    """GIVEN the demo ledger WHEN every score is computed THEN its smear blogger and the account with bought
    followers are the two highest, each with the signals that name them."""
    call_command("seed_demo", stdout=StringIO())
    call_command("recompute_risk", "--no-progress", stdout=StringIO())

    top = list(PlatformAccount.objects.order_by("-risk_score", "id")[:2])
    assert [a.handle for a in top] == ["laok_shuoche", "biaoche_xiaomei"]
    reasons = {a.handle: {s["signal"] for s in a.risk.signals if s["contribution"] > 0} for a in top}
    assert {"false_claims", "order_markup", "legal_actions"} <= reasons["laok_shuoche"]
    assert "follower_anomalies" in reasons["biaoche_xiaomei"]
