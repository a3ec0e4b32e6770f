from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ledger.models import FollowerSnapshot, PlatformAccount
from reviews.models import Review
from tests.reviews.factories import ReviewFactory

START = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)


def daily_series(account: PlatformAccount, counts: Sequence[int], start: datetime = START) -> None:
    """One snapshot a day from ``start``; the account mirrors the newest (as snapshot_record would)."""
    FollowerSnapshot.objects.bulk_create(
        FollowerSnapshot(account=account, captured_at=start + timedelta(days=i), follower_count=c)
        for i, c in enumerate(counts)
    )
    last = start + timedelta(days=len(counts) - 1)
    PlatformAccount.objects.filter(pk=account.pk).update(follower_count=counts[-1], followers_captured_at=last)
    account.refresh_from_db()


def reviews_every(account: PlatformAccount, days: int, views: Sequence[int], start: datetime = START) -> list[Review]:
    """A review every ``days`` days from ``start`` with the given views (and 5 % of them as interactions)."""
    return [
        ReviewFactory(
            account=account,
            published_at=start + timedelta(days=i * days, hours=2),
            views=v,
            likes=v // 25,
            comments=v // 100,
            shares=v // 100,
            engagement_captured_at=start + timedelta(days=i * days + 1),
        )
        for i, v in enumerate(views)
    ]
