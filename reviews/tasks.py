"""Celery tasks of reviews. Thin: each calls one service."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from reviews import services

logger = logging.getLogger(__name__)


@shared_task(
    name="reviews.detect_campaigns",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def detect_campaigns(review_ids: list[int] | None = None, since: str | None = None) -> dict[str, int]:
    """Find coordinated campaigns: around ``review_ids`` (after an ingest), since an ISO date-time, or over all
    reviews (nightly on beat). Idempotent, so a duplicated or redelivered message changes nothing.

    An ingest that writes reviews without the review service calls this with the new ids after commit
    (``detect_campaigns.delay_on_commit(review_ids=[...])``): their signatures are computed here.
    """
    when = datetime.fromisoformat(since) if since else None
    outcome = services.campaigns_detect(review_ids=review_ids, since=when)
    logger.info(
        "campaign detection over %s review(s): %s created, %s updated, %s deleted, %s unchanged",
        outcome.scope,
        outcome.created,
        outcome.updated,
        outcome.deleted,
        outcome.unchanged,
    )
    return {
        "scope": outcome.scope,
        "signatures": outcome.signatures,
        "created": outcome.created,
        "updated": outcome.updated,
        "deleted": outcome.deleted,
        "unchanged": outcome.unchanged,
    }
