"""Celery tasks of the ingest. Thin: each loads the job by id and calls services."""

from __future__ import annotations

import logging

from celery import shared_task

from ingest.models import IngestJob, IngestStatus

logger = logging.getLogger(__name__)


@shared_task(name="ingest.run_job", acks_late=True, reject_on_worker_lost=True)
def ingest_run_job(job_id: int) -> str | None:
    """Run a queued ingest job from its stored file (a job already run is left alone)."""
    from ingest.services import IngestRejected, ingest_job_run

    job = IngestJob.objects.filter(pk=job_id, status=IngestStatus.QUEUED).first()
    if job is None:
        return None
    try:
        with job.file.open("rb") as source:
            ingest_job_run(job=job, source=source)
    except IngestRejected:
        pass  # the job records its errors
    return IngestJob.objects.values_list("status", flat=True).get(pk=job_id)


@shared_task(name="ingest.follow_up", acks_late=True, reject_on_worker_lost=True)
def ingest_follow_up(job_id: int) -> int:
    """After an ingest: the touched accounts' follower figures, anomaly checks, campaign detection."""
    from ingest.followup import ingest_follow_up as follow_up

    job = IngestJob.objects.filter(pk=job_id, status=IngestStatus.SUCCEEDED).first()
    if job is None:
        return 0
    return follow_up(job=job)
