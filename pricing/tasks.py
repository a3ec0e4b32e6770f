"""Celery tasks of pricing. Thin: each calls one service."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from pricing import services

logger = logging.getLogger(__name__)


@shared_task(name="pricing.recompute_benchmarks")
def recompute_benchmarks(as_of: str | None = None) -> dict:
    """Nightly: recompute the market benchmarks (window ending today, or on ``as_of``, YYYY-MM-DD)."""
    run = services.benchmarks_recompute(as_of=date.fromisoformat(as_of) if as_of else None)
    logger.info("benchmarks recomputed: %s", run)
    return {
        "as_of": run.as_of.isoformat(),
        "window_days": run.window_days,
        "quotes": run.quotes,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "unchanged": run.unchanged,
    }
