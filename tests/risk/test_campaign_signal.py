"""Campaign membership as a risk signal: suspected and confirmed campaigns weigh differently."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from unittest import mock

import pytest

from reviews.choices import CampaignStatus
from reviews.models import Campaign, CampaignMember
from reviews.services import campaign_transition
from risk import signals, tasks
from risk.models import RiskPending
from tests.factories import AccountFactory
from tests.reviews.factories import OrderFactory, ReviewFactory

pytestmark = pytest.mark.django_db
AT = datetime(2025, 9, 16, 12, tzinfo=UTC)


def campaign_of(*reviews, status: str = CampaignStatus.SUSPECTED) -> Campaign:
    campaign = Campaign.objects.create(first_published_at=AT, last_published_at=AT, similarity=Decimal("0.9"))
    Campaign.objects.filter(pk=campaign.pk).update(status=status)
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, review=r) for r in reviews)
    return campaign


def test_suspected_and_confirmed_campaigns_are_two_signals_with_their_own_weights(settings):
    suspect, confirmed, bystander = AccountFactory(), AccountFactory(), AccountFactory()
    first = campaign_of(ReviewFactory(account=suspect), ReviewFactory(account=confirmed))
    second = campaign_of(ReviewFactory(account=confirmed), status=CampaignStatus.CONFIRMED)
    campaign_of(ReviewFactory(account=bystander), status=CampaignStatus.DISMISSED)

    found = signals.account_signals([suspect.pk, confirmed.pk, bystander.pk])

    def strength(account, name):
        return next((s.value, s.evidence) for s in found[account.pk] if s.signal == name)

    assert strength(suspect, "campaign_suspected") == (1.0, [f"/api/v1/campaigns/{first.pk}/"])  # full from one
    assert strength(suspect, "campaign_confirmed") == (0.0, [])
    assert strength(confirmed, "campaign_confirmed") == (1.0, [f"/api/v1/campaigns/{second.pk}/"])
    assert signals.score_of(found[suspect.pk])[0] == 15
    assert signals.score_of(found[confirmed.pk])[0] == 50  # 15 + 35
    assert signals.score_of(found[bystander.pk])[0] == 0  # a dismissed campaign is no signal
    assert settings.RISK_WEIGHTS["campaign_confirmed"] > settings.RISK_WEIGHTS["campaign_suspected"]


def test_an_orders_content_in_a_campaign_is_an_order_signal():
    review = ReviewFactory()
    order = OrderFactory(account=review.account)
    order.reviews.add(review)
    campaign = campaign_of(review, status=CampaignStatus.CONFIRMED)

    found = {s.signal: s for s in signals.order_signals([order.pk])[order.pk]}

    assert found["campaign_confirmed"].evidence == [f"/api/v1/campaigns/{campaign.pk}/"]


def test_confirming_a_campaign_marks_its_members_accounts(django_capture_on_commit_callbacks):
    first, second = AccountFactory(), AccountFactory()
    campaign = campaign_of(ReviewFactory(account=first), ReviewFactory(account=second))
    RiskPending.objects.all().delete()

    with (
        mock.patch.object(tasks.recompute_account, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        campaign_transition(campaign=campaign, status=CampaignStatus.CONFIRMED, reason="Paid, per seized chats.")

    assert sorted(c.kwargs["args"][0] for c in queued.call_args_list) == [first.pk, second.pk]
