"""A small influencer with one event of every kind that exists in this codebase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from cases.choices import CaseStatus
from cases.models import Case, LegalAction
from cases.services import case_transition
from core import journal
from ledger.choices import AccountStatus, AnomalyKind, Platform
from ledger.models import FollowerAnomaly, FollowerSnapshot, Influencer, PlatformAccount
from pricing.choices import PriceKind
from pricing.models import RateQuote
from tests.cases.factories import AuthorityFactory, CaseFactory, LegalActionFactory
from tests.factories import AccountFactory, InfluencerFactory, SnapshotFactory
from tests.pricing.factories import QuoteFactory, tier


def utc(month: int, day: int, hour: int = 4) -> datetime:
    """A 2025 instant; 04:00 UTC is noon in Asia/Shanghai."""
    return datetime(2025, month, day, hour, tzinfo=UTC)


@dataclass
class Timeline:
    influencer: Influencer
    douyin: PlatformAccount
    kuaishou: PlatformAccount
    snapshots: dict[str, FollowerSnapshot]
    anomaly: FollowerAnomaly
    quote: RateQuote
    case: Case
    lawsuit: LegalAction
    member: User


@pytest.fixture
def timeline(regulator) -> Timeline:
    """GIVEN an influencer with two accounts and one event of each kind.

    Weekly follower changes: kuaishou 500 (week of 09-01), douyin 1,200 (week of
    09-01) then 1,400 (week of 09-08, +200); a jump on 09-08; a quote observed on
    09-05; a case opened on 09-15 (its authority has the ``regulator`` fixture as
    member) and moved to investigating; a lawsuit filed on 10-20; then the douyin
    account is banned.
    """
    influencer = InfluencerFactory(display_name="Lao K")
    douyin = AccountFactory(influencer=influencer, platform=Platform.DOUYIN, handle="laok")
    kuaishou = AccountFactory(influencer=influencer, platform=Platform.KUAISHOU, handle="laok_ks")
    snaps = {
        "d0901": SnapshotFactory(account=douyin, captured_at=utc(9, 1), follower_count=1000),
        "d0903": SnapshotFactory(account=douyin, captured_at=utc(9, 3), follower_count=1200),
        "d0908": SnapshotFactory(account=douyin, captured_at=utc(9, 8), follower_count=1500),
        "d0910": SnapshotFactory(account=douyin, captured_at=utc(9, 10), follower_count=1400),
        "k0902": SnapshotFactory(account=kuaishou, captured_at=utc(9, 2), follower_count=500),
    }
    anomaly = FollowerAnomaly.objects.create(
        account=douyin,
        snapshot=snaps["d0908"],
        previous_snapshot=snaps["d0903"],
        kind=AnomalyKind.JUMP,
        change=300,
        change_per_day=Decimal("0.050000"),
        reason="+5.0% per day (+300 followers) exceeds the 1% day-over-day threshold",
    )
    quote = QuoteFactory(
        account=kuaishou,
        tier=tier("s21_60"),
        price=Decimal("26000.00"),
        price_kind=PriceKind.PRESS_REPORT,
        observed_on=date(2025, 9, 5),
    )
    case = CaseFactory(
        reference="CAC-2025-0042", title="Paid smears", authority=AuthorityFactory(name="CAC", members=[regulator])
    )
    case.influencers.add(influencer)
    case.opened_on = date(2025, 9, 15)
    case.save()
    lawsuit = LegalActionFactory(plaintiff="NIO", filed_on=date(2025, 10, 20), amount=Decimal("5000000.00"))
    lawsuit.defendant_accounts.add(douyin)
    douyin.status = AccountStatus.BANNED
    douyin.save()
    case_transition(case=case, status=CaseStatus.INVESTIGATING, reason="Evidence gathered")
    journal.integrate()  # the account's status change is read from the journal
    return Timeline(influencer, douyin, kuaishou, snaps, anomaly, quote, case, lawsuit, regulator)
