"""Celery tasks of the ledger. Thin: each loads what it needs by id and calls one service."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ledger import services
from ledger.choices import RefreshOutcome
from ledger.platforms import TransientPlatformError

logger = logging.getLogger(__name__)


def retry_delay(retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, never sooner than the platform's Retry-After.

    ``retries`` is how many retries already happened (0 before the first retry).
    """
    cap = min(settings.REFRESH_RETRY_BACKOFF_MAX_SECONDS, settings.REFRESH_RETRY_BACKOFF_SECONDS * 2**retries)
    delay = random.uniform(0, cap)  # noqa: S311 - jitter, not cryptography
    return max(delay, retry_after or 0.0)


@shared_task(
    bind=True,
    name="ledger.refresh_account",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.REFRESH_MAX_RETRIES,
)
def refresh_account(self, account_id: int, slot: str | None = None) -> str | None:
    """Refresh one account's profile for a slot; transient platform errors are retried with backoff.

    Retries use exponential backoff with full jitter and honour Retry-After, so the
    countdown is computed here (``retry_delay``) rather than by ``retry_backoff``.
    """
    when = datetime.fromisoformat(slot) if slot else services.refresh_slot_for(timezone.now())
    try:
        return refresh_attempt(
            account_id,
            when,
            retries=self.request.retries,
            task_id=self.request.id or "",
            # Both brokers mark a message they deliver again (its worker died or did not ack in time).
            redelivered=bool((self.request.delivery_info or {}).get("redelivered")),
        )
    except TransientPlatformError as exc:
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries, exc.retry_after)) from exc


def refresh_attempt(account_id: int, slot: datetime, *, retries: int, **task_info: Any) -> str | None:
    """One attempt after ``retries`` retries, by the task's policy: the outcome, or None if the account is gone.

    Raises ``TransientPlatformError`` when the attempt may be retried.
    """
    record = services.profile_refresh(
        account_id=account_id,
        slot=slot,
        attempt=retries + 1,
        final_attempt=retries >= refresh_account.max_retries,
        **task_info,
    )
    return record.outcome if record else None


def refresh_in_process(account_id: int, slot: datetime) -> str | None:
    """The task's attempts and backoff, run in this process (``manage.py refresh_profiles``)."""
    for retries in range(refresh_account.max_retries + 1):
        try:
            return refresh_attempt(account_id, slot, retries=retries)
        except TransientPlatformError as exc:
            time.sleep(retry_delay(retries, exc.retry_after))
    return RefreshOutcome.FAILED


def send_refreshes(account_ids: Iterable[int], slot: str) -> int:
    """Queue one ``refresh_account`` per account, all for one slot; returns how many were sent."""
    sent = 0
    for account_id in account_ids:
        refresh_account.apply_async(args=[account_id, slot])
        sent += 1
    return sent


@shared_task(name="ledger.refresh_due_accounts", acks_late=True, reject_on_worker_lost=True)
def refresh_due_accounts(platform: str | None = None) -> int:
    """Fan out one ``refresh_account`` per due account (read in batches); returns how many were sent.

    Every task of one run carries the same slot, so a duplicated run or message
    leaves one snapshot per account.
    """
    slot = services.refresh_slot_for(timezone.now()).isoformat()
    ids = services.accounts_due(platform=platform).values_list("pk", flat=True)
    sent = send_refreshes(ids.iterator(chunk_size=settings.REFRESH_BATCH_SIZE), slot)
    logger.info("refresh of %s due account(s) sent for slot %s", sent, slot)
    return sent


@shared_task(name="ledger.delete_expired_tokens")
def delete_expired_tokens() -> int:
    """Nightly: delete expired API tokens (requests refuse them but no longer sweep them)."""
    from config.api.authentication import delete_expired_tokens as sweep

    deleted = sweep()
    logger.info("deleted %s expired API token(s)", deleted)
    return deleted


@shared_task(name="ledger.snapshot_partitions_create")
def snapshot_partitions_create(months_ahead: int = 3) -> list[str]:
    """Daily: create the follower snapshot partitions of this month and the next ``months_ahead`` (idempotent)."""
    from ledger import partitions

    created = partitions.snapshot_partitions_create(months_ahead=months_ahead)
    if created:
        logger.info("created follower snapshot partition(s): %s", ", ".join(created))
    return created
