"""What follows an ingest, outside its transaction (``ingest.tasks.ingest_follow_up``)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

from ingest.models import IngestJob, IngestKind
from ledger import services as ledger_services
from ledger.models import PlatformAccount

logger = logging.getLogger(__name__)


def ingest_follow_up(*, job: IngestJob) -> int:
    """Bring the ledger's derived data up to date for the accounts an ingest touched.

    Snapshots: each touched account's follower figures follow its newest snapshot
    (``account_followers_resync``) and its history is scanned for anomalies
    (``anomalies_scan``, which skips anomalies already recorded), one account at a
    time in its own transaction. Reviews: campaign detection (see below).
    Returns how many accounts were brought up to date.
    """
    done = 0
    if job.kind == IngestKind.SNAPSHOTS:
        for account in PlatformAccount.objects.filter(pk__in=job.account_ids).order_by("pk").iterator(chunk_size=500):
            ledger_services.account_followers_resync(account=account)
            ledger_services.anomalies_scan(account=account)
            done += 1
    if job.kind == IngestKind.ACCOUNTS:
        initials_fill()
    if job.kind == IngestKind.REVIEWS:
        campaigns_detect_after_ingest(job=job)
    logger.info("ingest %s: follow-up of %s account(s) done", job.pk, done)
    return done


def campaigns_detect_after_ingest(*, job: IngestJob) -> None:
    """Campaign detection around the reviews a reviews ingest wrote (created or, with --update, changed).

    Detection computes the new reviews' signatures and joins them to campaigns or forms new ones;
    it is idempotent, so a redelivered follow-up changes nothing.
    """
    from reviews.models import Review
    from reviews.services import campaigns_detect

    # New reviews have no signature yet; reviews an --update changed were written after the job began.
    review_ids = list(
        Review.objects.filter(account_id__in=job.account_ids)
        .filter(Q(signature__isnull=True) | Q(updated_at__gte=job.created_at))
        .values_list("pk", flat=True)
    )
    if review_ids:
        campaigns_detect(review_ids=review_ids)


def initials_fill() -> int:
    """Give the agencies, influencers and accounts an ingest wrote in bulk their pinyin initials
    (kept on save for rows written one at a time)."""
    from ledger.models import Agency, Influencer

    filled = 0
    for model in (Agency, Influencer, PlatformAccount):
        with transaction.atomic():  # journaled writes
            for obj in model.objects.filter(search_initials="").order_by("pk").iterator(chunk_size=500):
                obj.save(update_fields=["search_initials"])
                filled += 1
    return filled
