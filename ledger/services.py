"""Writes to the ledger that carry rules. The admin, the API, commands and tasks call these."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from core import limits
from core.errors import DomainError
from ledger import anomalies
from ledger.choices import AccountStatus, Platform, RefreshOutcome, SnapshotSource
from ledger.models import FollowerAnomaly, FollowerSnapshot, PlatformAccount, ProfileRefresh
from ledger.platforms import (
    AccountUnavailable,
    PlatformClient,
    PlatformError,
    TransientPlatformError,
    client_for,
    platform_config,
)

logger = logging.getLogger(__name__)


class DuplicateRefreshSlot(DomainError):
    """The account already has a snapshot from this refresh slot (a retried or duplicated refresh)."""


def snapshot_record(
    *,
    account: PlatformAccount,
    captured_at: datetime,
    follower_count: int,
    source: str = SnapshotSource.MANUAL,
    refresh_slot: datetime | None = None,
    account_changes: dict[str, Any] | None = None,
) -> FollowerSnapshot:
    """Append a follower snapshot and keep the account's latest count in step.

    The account's ``follower_count`` follows the newest snapshot by capture
    time, whatever order snapshots arrive in: an older snapshot arriving late
    is stored but leaves the account's figure alone. The account row is locked
    while it is compared and updated, so two concurrent recorders cannot leave
    an older figure. ``account_changes`` (e.g. ``last_refreshed_at`` from a
    refresh) are saved on the account in the same write. Anomaly detection runs
    on the new snapshot.
    """
    with transaction.atomic():
        return _snapshot_record(
            account=account,
            captured_at=captured_at,
            follower_count=follower_count,
            source=source,
            refresh_slot=refresh_slot,
            account_changes=account_changes,
        )


def _snapshot_record(
    *,
    account: PlatformAccount,
    captured_at: datetime,
    follower_count: int,
    source: str,
    refresh_slot: datetime | None,
    account_changes: dict[str, Any] | None,
) -> FollowerSnapshot:
    """snapshot_record inside the caller's transaction."""
    if follower_count is None or follower_count < 0:
        raise DomainError(_("A follower count cannot be negative."), field="follower_count")
    limits.check_count(follower_count, field="follower_count")
    if captured_at.tzinfo is None:
        raise DomainError(_("The capture time needs a time zone."), field="captured_at")
    limits.check_past(captured_at, field="captured_at")
    if source not in SnapshotSource.values:
        raise DomainError(_("Unknown source %(source)r.") % {"source": source}, field="source")
    # Reads first, so that the section holding the account's row lock stays short. A writer racing
    # past the checks below meets the unique constraints: an IntegrityError rolls this back.
    earlier = _earlier_snapshots(account_id=account.pk, captured_at=captured_at, refresh_slot=refresh_slot)
    if refresh_slot and earlier.slot_taken:
        raise DuplicateRefreshSlot(_("This account was already refreshed in this slot."), field="refresh_slot")
    # (A refresh captures "now": a clash on the instant is left to the unique constraint.)
    if not refresh_slot and earlier.instant_taken:
        raise DomainError(_("This account already has a snapshot at this instant."), field="captured_at")
    previous, findings = _anomaly_findings(earlier.window, captured_at=captured_at, follower_count=follower_count)
    # The journal's triggers record both writes; nothing here waits for other writers but the row lock.
    locked = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    snapshot = FollowerSnapshot.objects.create(
        account=account,
        captured_at=captured_at,
        follower_count=follower_count,
        source=source,
        refresh_slot=refresh_slot,
    )
    changes = dict(account_changes or {})
    if locked.followers_captured_at is None or locked.followers_captured_at < captured_at:
        changes.update(follower_count=follower_count, followers_captured_at=captured_at)
    changes = {name: value for name, value in changes.items() if getattr(locked, name) != value}
    if changes:
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changes, "updated_at"])
    for name in ("follower_count", "followers_captured_at", "status", "last_refreshed_at"):
        setattr(account, name, getattr(locked, name))
    for finding in findings:  # a finding compares with a previous snapshot
        _anomaly(account.pk, snapshot.pk, cast(int, previous), finding).save()
    return snapshot


@transaction.atomic
def account_followers_resync(*, account: PlatformAccount) -> PlatformAccount:
    """Set the account's follower figures from its newest snapshot (after a bulk load)."""
    locked = PlatformAccount.objects.select_for_update().get(pk=account.pk)
    newest = FollowerSnapshot.objects.filter(account=account).order_by("-captured_at").first()
    locked.follower_count = newest.follower_count if newest else None
    locked.followers_captured_at = newest.captured_at if newest else None
    locked.save(update_fields=["follower_count", "followers_captured_at", "updated_at"])
    account.follower_count, account.followers_captured_at = locked.follower_count, locked.followers_captured_at
    return account


# --- follower anomalies -----------------------------------------------------------


def _thresholds() -> anomalies.Thresholds:
    return anomalies.Thresholds(
        daily_change=settings.ANOMALY_DAILY_CHANGE,
        min_change=settings.ANOMALY_MIN_CHANGE,
        z_threshold=settings.ANOMALY_Z_THRESHOLD,
        history=timedelta(days=settings.ANOMALY_HISTORY_DAYS),
    )


def _points(queryset: QuerySet[FollowerSnapshot]) -> list[anomalies.Point]:
    return [anomalies.Point(*row) for row in queryset.values_list("id", "captured_at", "follower_count")]


def _anomaly(account_id: int, snapshot_id: int, previous_id: int, finding: anomalies.Finding) -> FollowerAnomaly:
    return FollowerAnomaly(
        account_id=account_id,
        snapshot_id=snapshot_id,
        previous_snapshot_id=previous_id,
        kind=finding.kind,
        change=finding.change,
        change_per_day=round(finding.change_per_day, 6),
        z_score=None if finding.z_score is None else round(finding.z_score, 2),
        reason=finding.reason[:300],
    )


@dataclass(frozen=True)
class _Earlier:
    window: list[anomalies.Point]  # the snapshots of the anomaly history window before the new one, oldest first
    slot_taken: bool  # a snapshot of the same refresh slot exists
    instant_taken: bool  # a snapshot at the same capture time exists


def _earlier_snapshots(*, account_id: int, captured_at: datetime, refresh_slot: datetime | None) -> _Earlier:
    """What a new snapshot is checked against, in one bounded read."""
    start = captured_at - _thresholds().history - timedelta(days=2)
    near = Q(captured_at__lt=captured_at, captured_at__gte=start) | Q(captured_at=captured_at)
    if refresh_slot:
        near |= Q(refresh_slot=refresh_slot)
    found = (
        FollowerSnapshot.objects.filter(near, account_id=account_id)
        .order_by("captured_at")
        .values_list("id", "captured_at", "follower_count", "refresh_slot")
    )
    points, slot_taken, instant_taken = [], False, False
    for pk, when, count, slot in found:
        slot_taken |= refresh_slot is not None and slot == refresh_slot
        instant_taken |= when == captured_at
        if when < captured_at:
            points.append(anomalies.Point(pk, when, count))
    return _Earlier(points, slot_taken, instant_taken)


def _anomaly_findings(
    window: list[anomalies.Point], *, captured_at: datetime, follower_count: int
) -> tuple[int | None, list[anomalies.Finding]]:
    """Anomalies a new snapshot would show against the window before it: (previous id, findings)."""
    if not window:
        return None, []
    points = [*window, anomalies.Point(0, captured_at, follower_count)]
    return points[-2].id, anomalies.detect(points, len(points) - 1, _thresholds())


@transaction.atomic
def anomalies_scan(*, account: PlatformAccount) -> int:
    """Run detection over an account's whole history (after a bulk load); returns new anomalies."""
    points = _points(FollowerSnapshot.objects.filter(account=account).order_by("captured_at"))
    t = _thresholds()
    existing = set(FollowerAnomaly.objects.filter(account=account).values_list("snapshot_id", "kind"))
    new = [
        _anomaly(account.pk, points[i].id, points[i - 1].id, finding)
        for i in range(1, len(points))
        for finding in anomalies.detect(points, i, t)
        if (points[i].id, finding.kind) not in existing
    ]
    FollowerAnomaly.objects.bulk_create(new)
    return len(new)


# --- profile refresh --------------------------------------------------------------


def refresh_slot_for(moment: datetime) -> datetime:
    """The refresh slot a moment falls in (slots are REFRESH_SLOT_MINUTES long, aligned to UTC midnight)."""
    minutes = max(1, settings.REFRESH_SLOT_MINUTES)
    moment = moment.astimezone(UTC)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((moment - midnight).total_seconds() // 60)
    return midnight + timedelta(minutes=elapsed - elapsed % minutes)


def accounts_due(*, now: datetime | None = None, platform: str | None = None) -> QuerySet[PlatformAccount]:
    """Accounts whose refresh interval has elapsed: the account's own interval, else its platform's.

    Deleted accounts are never due; banned and suspended ones are, to notice a reinstatement.
    """
    now = now or timezone.now()
    never = Q(last_refreshed_at__isnull=True)
    due = Q(refresh_interval__isnull=False) & (never | Q(last_refreshed_at__lte=Value(now) - F("refresh_interval")))
    for name in Platform.values:
        interval = platform_config(name).refresh_interval
        due |= Q(refresh_interval__isnull=True, platform=name) & (never | Q(last_refreshed_at__lte=now - interval))
    queryset = PlatformAccount.objects.filter(due).exclude(status=AccountStatus.DELETED)
    if platform:
        queryset = queryset.filter(platform=platform)
    return queryset.order_by("pk")


def _finish(
    record: ProfileRefresh, outcome: str, *, error: str = "", http_status: int | None = None, **extra: Any
) -> None:
    record.outcome, record.error, record.http_status = outcome, error[:2000], http_status
    record.finished_at = max(timezone.now(), record.started_at)
    for name, value in extra.items():
        setattr(record, name, value)
    names = ("outcome", "error", "http_status", "finished_at", *extra)
    ProfileRefresh.objects.filter(pk=record.pk).update(**{name: getattr(record, name) for name in names})


def _start(**values: Any) -> ProfileRefresh:
    """Record an attempt (``running`` unless said otherwise) at once, outside any transaction of the refresh."""
    return ProfileRefresh.objects.create(**values)


def profile_refresh(
    *,
    account_id: int,
    slot: datetime,
    attempt: int = 1,
    final_attempt: bool = True,
    task_id: str = "",
    redelivered: bool = True,
    client: PlatformClient | None = None,
) -> ProfileRefresh | None:
    """Fetch one account's profile and record the attempt; on success, a snapshot for the slot.

    - success: one snapshot per account and slot (a duplicate delivery finds the
      slot taken and records ``duplicate``); the account's follower figures,
      status and ``last_refreshed_at`` follow;
    - deleted (404), banned (403), suspended (410): the account's status changes, no retry;
    - timeouts, connection errors, 5xx, 429: ``retrying`` and the error is raised
      for the caller to retry, or ``failed`` on the final attempt;
    - malformed data: ``failed``, no snapshot, no retry;
    - a delivery of an attempt that earlier deliveries never finished (their worker
      died) marks those ``lost``; after REFRESH_MAX_DELIVERIES it gives up as ``failed``.
      Only a message the broker marks as redelivered (``redelivered``) can have earlier
      deliveries, so a first delivery skips that look-up.

    Returns the attempt record, or None when the account no longer exists.
    """
    found = PlatformAccount.objects.filter(pk=account_id).values_list("platform", "platform_uid").first()
    if found is None:
        return None
    # Only what the refresh needs; the account row is read in full, and locked, before it is written.
    account = PlatformAccount(pk=account_id, platform=found[0], platform_uid=found[1])
    now = timezone.now()
    if task_id and redelivered:
        earlier = ProfileRefresh.objects.filter(
            task_id=task_id, attempt=attempt, outcome__in=[RefreshOutcome.RUNNING, RefreshOutcome.LOST]
        )
        deliveries = earlier.count()  # earlier deliveries of this attempt that never finished
        earlier.filter(outcome=RefreshOutcome.RUNNING).update(
            outcome=RefreshOutcome.LOST, finished_at=now, error="the worker stopped during the attempt"
        )
        if deliveries >= settings.REFRESH_MAX_DELIVERIES:
            record = _start(
                account_id=account_id, slot=slot, task_id=task_id, attempt=attempt, started_at=now, finished_at=now,
                outcome=RefreshOutcome.FAILED,
                error=f"gave up: delivered {deliveries + 1} times, the first {deliveries} never finished",
            )  # fmt: skip
            logger.error("refresh of account %s gave up after %s deliveries", account_id, deliveries)
            return record
    record = _start(account_id=account_id, slot=slot, task_id=task_id, attempt=attempt, started_at=now)
    started = time.monotonic()
    try:
        profile = (client or client_for(account.platform)).fetch_profile(account.platform_uid)
    except AccountUnavailable as exc:
        latency = round((time.monotonic() - started) * 1000)
        with transaction.atomic():
            locked = PlatformAccount.objects.select_for_update().get(pk=account.pk)
            if locked.status != exc.status:
                locked.status = exc.status
                locked.save(update_fields=["status", "updated_at"])
        _finish(record, RefreshOutcome.ACCOUNT_GONE, error=str(exc), http_status=exc.http_status, latency_ms=latency)
        return record
    except TransientPlatformError as exc:
        latency = round((time.monotonic() - started) * 1000)
        outcome = RefreshOutcome.FAILED if final_attempt else RefreshOutcome.RETRYING
        _finish(record, outcome, error=str(exc), http_status=exc.http_status, latency_ms=latency)
        if final_attempt:
            return record
        raise
    except PlatformError as exc:
        latency = round((time.monotonic() - started) * 1000)
        _finish(record, RefreshOutcome.FAILED, error=str(exc), http_status=exc.http_status, latency_ms=latency)
        return record
    latency = round((time.monotonic() - started) * 1000)
    captured_at = timezone.now()
    try:
        with transaction.atomic():  # the snapshot and the attempt's outcome commit together
            snapshot = _snapshot_record(
                account=account,
                captured_at=captured_at,
                follower_count=profile.follower_count,
                source=SnapshotSource.REFRESH,
                refresh_slot=slot,
                account_changes={"last_refreshed_at": captured_at, "status": profile.status},
            )
            _finish(record, RefreshOutcome.SUCCESS, http_status=200, latency_ms=latency, snapshot=snapshot)
    except (DuplicateRefreshSlot, IntegrityError) as exc:
        if (
            isinstance(exc, IntegrityError)
            and not FollowerSnapshot.objects.filter(account=account, refresh_slot=slot).exists()
        ):
            raise
        _finish(record, RefreshOutcome.DUPLICATE, http_status=200, latency_ms=latency, snapshot=None)
    return record
