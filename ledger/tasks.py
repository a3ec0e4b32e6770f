"""Celery tasks of the ledger. Thin: each calls one service."""

from __future__ import annotations

import logging

from celery import shared_task

from ledger import journal

logger = logging.getLogger(__name__)


@shared_task(name="ledger.verify_journal")
def verify_journal() -> dict:
    """Nightly: recompute the journal's hash chain and log loudly if it is broken."""
    result = journal.verify()
    if result.ok:
        logger.info("journal intact: %s entries, head %s %s", result.checked, result.head_seq, result.head_hash)
    else:
        logger.error("journal broken at entry %s: %s", result.first_bad_seq, result.reason)
    return {"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq, "reason": result.reason}
