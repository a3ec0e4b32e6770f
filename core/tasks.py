"""Celery tasks of the journal: the sequencer, the signed tree heads and the nightly verification.

The task names keep the ``ledger.`` prefix they had when the journal lived in the ledger
app: beat's schedule (settings, and the nightly verification's row in the database) and
messages already queued name them.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from core import heads, journal
from core.models import SignedTreeHead

logger = logging.getLogger(__name__)


@shared_task(name="ledger.verify_journal")  # type: ignore[untyped-decorator]  # Celery has no type information
def verify_journal() -> dict[str, Any]:
    """Nightly: recompute the journal's hash chain and its signed heads' roots; log loudly if they do not hold."""
    journal.integrate()
    result = journal.verify()
    if result.ok:
        logger.info("journal intact: %s entries, head %s %s", result.checked, result.head_seq, result.head_hash)
    else:
        logger.error("journal broken at entry %s: %s", result.first_bad_seq, result.reason)
    stored = [heads.head_record(h) for h in SignedTreeHead.objects.order_by("tree_size", "id")]
    problems = heads.check_heads(stored, public_key=heads.configured_public_key()).problems
    for problem in problems:
        logger.error("signed tree head %s does not hold: %s", problem.head["tree_size"], problem.reason)
    # rows the journal never saw (default data from migrations) are listed by the command, not alarmed on here
    rows = [m for m in journal.verify_rows() if m.field or m.journal_value is not None]
    for m in rows:
        logger.error("table %s row %s differs from the journal: %s", m.table, m.object_id, m.field or "row lost")
    missing = journal.missing_triggers()
    for table, trigger in missing:
        logger.error("journaled table %s lacks its trigger %s: its changes are not journaled", table, trigger)
    return {
        "ok": result.ok and not problems and not rows and not missing,
        "missing_triggers": len(missing),
        "bad_rows": len(rows),
        "checked": result.checked,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
        "bad_heads": [p.head["tree_size"] for p in problems],
    }


@shared_task(name="ledger.integrate_journal")  # type: ignore[untyped-decorator]  # Celery has no type information
def integrate_journal() -> dict[str, Any]:
    """Every JOURNAL_MERGE_DELAY_SECONDS: sequence the queued changes into the journal and sign a head."""
    appended = journal.integrate()
    head = heads.head_latest()
    return {"appended": appended, "tree_size": head.tree_size if head is not None else None}


@shared_task(name="ledger.sign_journal_head")  # type: ignore[untyped-decorator]  # Celery has no type information
def sign_journal_head() -> dict[str, Any] | None:
    """Every JOURNAL_HEAD_INTERVAL_SECONDS: sign a tree head when the journal has grown since the last one."""
    try:
        head = heads.head_sign()
    except heads.SigningKeyMissing:
        logger.warning("no journal signing key configured: no tree head signed")
        return None
    return heads.head_record(head)
