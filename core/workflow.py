"""One workflow for every record that moves through statuses: orders, cases, campaigns.

A :class:`Workflow` is a transition table and the status history it writes
(a concrete :class:`core.models.StatusChange`). :func:`workflow_transition` is
the one service that moves a record: it checks the move against the table,
locks the row, records who, when and why, and raises ``ConflictError`` (HTTP
409) for a move the table does not allow, changing nothing. The admin's choices
and the API's description are generated from the same table (:meth:`Workflow.describe`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _

from core import journal
from core.errors import ConflictError, DomainError
from core.users import AnyUser

Record = TypeVar("Record", bound=models.Model)

# A decision may be dated this far ahead of the server clock (clock skew), not more.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Workflow:
    """The statuses of one kind of record, the moves between them and where the moves are recorded.

    ``on_move(record, target, occurred_at)`` may set further fields on the locked
    record (returning their names) or raise ``ConflictError``; a case uses it to
    set ``closed_on``.
    """

    noun: str | Promise  # "order", for messages
    statuses: type[models.TextChoices]
    moves: Mapping[str, frozenset[str]]
    history: type[models.Model]  # a concrete StatusChange
    record_field: str  # the history's foreign key to the record
    status_field: str = "status"
    # taken before the row lock, e.g. to wait for a running campaign detection
    before_lock: Callable[[], None] | None = field(default=None, compare=False)
    on_move: Callable[[Any, str, datetime | None], list[str]] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        unknown = set(self.moves) ^ set(self.statuses.values)
        if unknown:
            raise ValueError(f"the transition table must list every status once: {sorted(unknown)}")

    def allows(self, current: str, target: str) -> bool:
        return target in self.moves.get(current, frozenset())

    def label(self, status: str) -> str:
        return str(dict(self.statuses.choices).get(status, status))

    def targets(self, current: str) -> list[tuple[str, str]]:
        """The statuses a record in ``current`` may move to, as choices."""
        return [(value, self.label(value)) for value in self.statuses.values if self.allows(current, value)]

    def describe(self) -> str:
        """The table in words: "Reported → Under review; Under review → Confirmed, Dismissed; ..."."""
        parts = [
            f"{self.label(source)} → {', '.join(self.label(t) for t in self.statuses.values if t in targets)}"
            for source, targets in self.moves.items()
            if targets
        ]
        return "; ".join(parts)

    def describe_lazy(self) -> str:
        """:meth:`describe` in the language of the request that shows it (a lazy string, for help texts)."""
        return lazy(self.describe, str)()


@transaction.atomic
def workflow_transition(
    *,
    workflow: Workflow,
    record: Record,
    status: str,
    reason: str,
    user: AnyUser | None = None,
    occurred_at: datetime | None = None,
) -> Record:
    """Move ``record`` to ``status`` along ``workflow`` and record who, when and why.

    The record's row is locked,
    so of two concurrent moves of one record only one succeeds. ``occurred_at``
    backdates the decision (a regulator recording a decision taken earlier); it may
    not lie in the future. Returns the locked, updated record; ``record`` is
    updated too.
    """
    if status not in workflow.statuses.values:
        raise DomainError(_("Unknown status %(status)r.") % {"status": status}, field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the change."), field="reason")
    if occurred_at is not None:
        if timezone.is_naive(occurred_at):
            raise DomainError(_("Give the time with its UTC offset."), field="occurred_at")
        if occurred_at > timezone.now() + CLOCK_SKEW:
            raise DomainError(_("A decision cannot be dated in the future."), field="occurred_at")
    if workflow.before_lock is not None:
        workflow.before_lock()
    locked = type(record)._default_manager.select_for_update().filter(pk=record.pk).first()
    if locked is None:
        raise ConflictError(_("This %(noun)s no longer exists.") % {"noun": workflow.noun}, code="gone")
    current = getattr(locked, workflow.status_field)
    if not workflow.allows(current, status):
        raise ConflictError(
            _("This %(noun)s cannot move from %(current)s to %(target)s (allowed moves: %(allowed)s).")
            % {
                "noun": workflow.noun,
                "current": workflow.label(current),
                "target": workflow.label(status),
                "allowed": workflow.describe(),
            },
            field="status",
            code="invalid_transition",
        )
    setattr(locked, workflow.status_field, status)
    update_fields = [workflow.status_field, "updated_at"]
    if workflow.on_move is not None:
        update_fields += workflow.on_move(locked, status, occurred_at)
    locked.save(update_fields=update_fields)
    workflow.history._default_manager.create(
        **{workflow.record_field: locked},
        from_status=current,
        to_status=status,
        reason=reason,
        changed_by=user if user is not None and user.is_authenticated else None,
        actor=journal.current_actor(),
        occurred_at=occurred_at,
    )
    for name in update_fields:
        setattr(record, name, getattr(locked, name))
    return locked
