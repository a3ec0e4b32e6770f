"""Writes to the ledger that carry rules. The admin, the API, commands and tasks call these."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from config.api.errors import DomainError
from ledger import journal
from ledger.choices import SnapshotSource
from ledger.models import FollowerSnapshot, PlatformAccount


@transaction.atomic
def snapshot_record(
    *,
    account: PlatformAccount,
    captured_at: datetime,
    follower_count: int,
    source: str = SnapshotSource.MANUAL,
) -> FollowerSnapshot:
    """Append a follower snapshot and keep the account's latest count in step.

    The account's ``follower_count`` follows the newest snapshot by capture
    time, whatever order snapshots arrive in: an older snapshot arriving late
    is stored but leaves the account's figure alone. The account row is locked
    while it is compared and updated, so two concurrent recorders cannot leave
    an older figure.
    """
    if follower_count is None or follower_count < 0:
        raise DomainError("A follower count cannot be negative.", field="follower_count")
    if captured_at.tzinfo is None:
        raise DomainError("The capture time needs a time zone.", field="captured_at")
    if source not in SnapshotSource.values:
        raise DomainError(f"Unknown source {source!r}.", field="source")
    journal.lock()
    locked = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    try:
        with transaction.atomic():
            snapshot = FollowerSnapshot.objects.create(
                account=account, captured_at=captured_at, follower_count=follower_count, source=source
            )
    except IntegrityError as exc:
        if FollowerSnapshot.objects.filter(account=account, captured_at=captured_at).exists():
            raise DomainError("This account already has a snapshot at this instant.", field="captured_at") from exc
        raise
    if locked.followers_captured_at is None or locked.followers_captured_at < captured_at:
        locked.follower_count, locked.followers_captured_at = follower_count, captured_at
        locked.save(update_fields=["follower_count", "followers_captured_at", "updated_at"])
    account.follower_count, account.followers_captured_at = locked.follower_count, locked.followers_captured_at
    return snapshot


@transaction.atomic
def account_followers_resync(*, account: PlatformAccount) -> PlatformAccount:
    """Set the account's follower figures from its newest snapshot (after a bulk load)."""
    journal.lock()
    locked = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    newest = FollowerSnapshot.objects.filter(account=account).order_by("-captured_at").first()
    locked.follower_count = newest.follower_count if newest else None
    locked.followers_captured_at = newest.captured_at if newest else None
    locked.save(update_fields=["follower_count", "followers_captured_at", "updated_at"])
    account.follower_count, account.followers_captured_at = locked.follower_count, locked.followers_captured_at
    return account
