"""Celery tasks of risk scores. Thin: each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError

from ledger.models import PlatformAccount
from risk import services

logger = logging.getLogger(__name__)


@shared_task(
    name="risk.recompute_account",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def recompute_account(account_id: int) -> dict | None:
    """Debounced: recompute one account whose signals changed, and its orders (see ``risk_mark_pending``)."""
    services.risk_take_pending(account_id=account_id)
    if not PlatformAccount.objects.filter(pk=account_id).exists():
        return None
    run = services.risk_recompute_accounts(account_ids=[account_id])
    return {"accounts": run.accounts, "orders": run.orders, "changed": run.changed, "events": run.events}


@shared_task(name="risk.recompute_all", acks_late=True, reject_on_worker_lost=True)
def recompute_all() -> dict:
    """Nightly: recompute every account and order (catches changes made by bulk writes, which send no signals)."""
    run = services.risk_recompute_all()
    logger.info("risk scores recomputed: %s", run)
    return {"accounts": run.accounts, "orders": run.orders, "changed": run.changed, "events": run.events}
