"""Writes of risk scores: recompute, mark pending (the debounce), and the history of large changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ledger.models import PlatformAccount
from reviews.models import Order
from risk import signals
from risk.models import RiskChange, RiskPending, RiskScore

BATCH_SIZE = 500


@dataclass
class RecomputeRun:
    """What one recompute did: how many scores it wrote, how many changed, how many history events."""

    accounts: int = 0
    orders: int = 0
    changed: int = 0
    events: int = 0

    def add(self, other: RecomputeRun) -> None:
        self.accounts += other.accounts
        self.orders += other.orders
        self.changed += other.changed
        self.events += other.events


# A scored row's score and its signals (name, contribution, evidence), by primary key.
Scored = dict[int, tuple[int, list[dict[str, Any]]]]


def _store(
    model: type[PlatformAccount] | type[Order], field: str, scored: Scored, run: RecomputeRun
) -> dict[int, int | None]:
    """Upsert the RiskScore rows; mirror changed scores on the scored rows (journaled). Returns the old scores.

    Locks the rows in key order (the journal's triggers record the changed scores).
    """
    now = timezone.now()
    rows: list[PlatformAccount | Order] = list(
        model._default_manager.select_for_update().filter(pk__in=scored).order_by("pk")
    )
    before: dict[int, int | None] = {row.pk: row.risk_score for row in rows}
    column = f"{field}_id"
    RiskScore.objects.bulk_create(
        [RiskScore(**{column: pk}, score=s, signals=found, computed_at=now) for pk, (s, found) in scored.items()],
        update_conflicts=True,
        unique_fields=[field],
        update_fields=["score", "signals", "computed_at"],
    )
    for row in rows:
        score = scored[row.pk][0]
        if row.risk_score != score:
            row.risk_score = score
            row.save(update_fields=["risk_score"])
            run.changed += 1
    return before


def _record_changes(before: dict[int, int | None], scored: Scored, run: RecomputeRun) -> None:
    now = timezone.now()
    changes = []
    for pk, (score, rows) in scored.items():
        old = before.get(pk)
        if abs(score - (old or 0)) >= settings.RISK_EVENT_MIN_CHANGE:
            contributing = ", ".join(r["signal"] for r in rows if r["contribution"] > 0)
            changes.append(RiskChange(account_id=pk, before=old, after=score, changed_at=now, signals=contributing))
    RiskChange.objects.bulk_create(changes)
    run.events += len(changes)


def risk_recompute_accounts(*, account_ids: Iterable[int], with_orders: bool = True) -> RecomputeRun:
    """Score the accounts (and then their orders), store the signals, record changes of 20 points or more."""
    run = RecomputeRun()
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            batch = list(PlatformAccount.objects.filter(pk__in=batch).values_list("pk", flat=True))
            scored = {pk: signals.score_of(found) for pk, found in signals.account_signals(batch).items()}
            before = _store(PlatformAccount, "account", scored, run)
            _record_changes(before, scored, run)
            run.accounts += len(scored)
        if with_orders:
            order_ids = Order.objects.filter(account_id__in=batch).values_list("pk", flat=True)
            run.add(risk_recompute_orders(order_ids=list(order_ids)))
    return run


def risk_recompute_orders(*, order_ids: Iterable[int]) -> RecomputeRun:
    """Score the orders (their account's stored score is one of their signals)."""
    run = RecomputeRun()
    ids = sorted(set(order_ids))
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            scored = {pk: signals.score_of(found) for pk, found in signals.order_signals(batch).items()}
            _store(Order, "order", scored, run)
            run.orders += len(scored)
    return run


def risk_recompute_all(*, progress: Callable[[int], None] | None = None) -> RecomputeRun:
    """Every account, then every order, in batches; ``progress(n)`` after each batch of n accounts or orders."""
    run = RecomputeRun()
    account_ids = list(PlatformAccount.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(account_ids), BATCH_SIZE):
        batch = account_ids[start : start + BATCH_SIZE]
        run.add(risk_recompute_accounts(account_ids=batch, with_orders=False))
        if progress:
            progress(len(batch))
    order_ids = list(Order.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(order_ids), BATCH_SIZE):
        batch = order_ids[start : start + BATCH_SIZE]
        run.add(risk_recompute_orders(order_ids=batch))
        if progress:
            progress(len(batch))
    return run


def risk_mark_pending(*, account_ids: Iterable[int]) -> list[int]:
    """Mark the accounts' scores as out of date; queue one delayed recompute per account not already marked.

    The marker is a row (``RiskPending``) inserted with ON CONFLICT DO NOTHING: a burst
    of changes to one account inserts it once and queues one recompute, which runs
    ``RISK_DEBOUNCE_SECONDS`` after the first change commits. Returns the newly marked ids.
    """
    ids = sorted({i for i in account_ids if i is not None})
    if not ids:
        return []
    table, accounts = RiskPending._meta.db_table, PlatformAccount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_id, marked_at) "  # noqa: S608 - table names are the models'
            f"SELECT a.id, now() FROM {accounts} a WHERE a.id = ANY(%s) "
            "ON CONFLICT (account_id) DO NOTHING RETURNING account_id",
            [ids],
        )
        marked = sorted(row[0] for row in cursor.fetchall())
    if marked:
        from risk import tasks

        for account_id in marked:
            transaction.on_commit(partial(_recompute_later, tasks.recompute_account, account_id))
    return marked


def _recompute_later(task: Any, account_id: int) -> None:
    task.apply_async(args=[account_id], countdown=settings.RISK_DEBOUNCE_SECONDS)


def risk_take_pending(*, account_id: int) -> bool:
    """Clear the account's pending mark before recomputing it (a change from now on marks it again)."""
    deleted, _ = RiskPending.objects.filter(account_id=account_id).delete()
    return deleted > 0
