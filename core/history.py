"""Timelines: events of several kinds, each kind from one registered *source*, read as one list.

A :class:`Timeline` is a registry of sources. A source is a function of a scope
(what the timeline covers, for whom) that returns a queryset whose rows are
events in the uniform columns of :data:`COLUMNS` (built with
:meth:`Timeline.event_rows`), or :class:`RawRows` for what a queryset cannot say.
:meth:`Timeline.rows` combines the sources the user may see with ``UNION ALL``
in the database, ordered by the keyset (``occurred_at``, kind, ``object_id``),
so one page is one query whatever its size, and a cursor stays put while new
events arrive. Each source is compiled by the ORM for the request: nothing is
cached between requests, so a source may depend on its scope in any way.

The timeline's owner declares the kinds (a ``TextChoices``, whose order is the
order of kinds at one instant); each app registers its sources in its own
``<app>/history.py``, which :class:`core.apps.CoreConfig` imports at start-up.
The influencer history (``ledger.history``) is one such timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import models
from django.db.models import (
    BigIntegerField,
    DateTimeField,
    DecimalField,
    Expression,
    F,
    Func,
    IntegerField,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext

from config.replica import read_connection
from core import limits
from core.users import AnyUser

# The uniform columns of every source, in order. ``ev_kind`` is the kind's rank;
# ``ev_ref`` an id the event's URL may use instead of ``ev_id`` (a case status
# change links to its case); the others feed the one-line summary.
COLUMNS = (
    "ev_at",
    "ev_kind",
    "ev_id",
    "ev_account",
    "ev_ref",
    "ev_label",
    "ev_detail",
    "ev_note",
    "ev_number",
    "ev_delta",
    "ev_amount",
    "ev_currency",
)
_TYPES: dict[str, models.Field[Any, Any]] = {
    "ev_account": BigIntegerField(),
    "ev_ref": BigIntegerField(),
    "ev_label": TextField(),
    "ev_detail": TextField(),
    "ev_note": TextField(),
    "ev_number": BigIntegerField(),
    "ev_delta": BigIntegerField(),
    "ev_amount": DecimalField(max_digits=20, decimal_places=6),
    "ev_currency": TextField(),
}

Row = dict[str, Any]
Scope = TypeVar("Scope")
Context = TypeVar("Context")


class StartOfDay(Func):
    """The instant a date begins in ``TIME_ZONE`` (Asia/Shanghai): 2025-09-15 is 2025-09-14 16:00 UTC.

    Events recorded by date (a quote's observation, a case's opening) sit at the
    start of their day on the timeline.
    """

    output_field = DateTimeField()

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, settings.TIME_ZONE]


@dataclass(frozen=True)
class RawRows:
    """A source's rows as SQL, for what a queryset cannot say (window functions over window functions).

    The SELECT must give :data:`COLUMNS` by name, typed as the querysets' are (cast NULLs).
    """

    sql: str
    params: list[Any]


@dataclass(frozen=True)
class Position:
    """A place on a timeline: an event's keyset (``occurred_at``, kind, ``object_id``)."""

    occurred_at: datetime
    kind: str
    object_id: int


@dataclass(frozen=True)
class Source(Generic[Scope, Context]):
    """One kind of event: where its rows come from, who may see them, how they read and link."""

    kind: str
    object_type: str
    permission: str
    url_name: str
    rows: Callable[[Scope], QuerySet[Any] | RawRows]
    summary: Callable[[Row, Context], str]
    url_column: str = "ev_id"


def _expression(value: Any, column: str) -> Expression | F:
    if value is None:
        return Cast(Value(None), output_field=_TYPES[column])
    if isinstance(value, str):
        return F(value)
    return value  # type: ignore[no-any-return]


def _member(rows: QuerySet[Any] | RawRows) -> tuple[str, list[Any]]:
    if isinstance(rows, RawRows):
        return rows.sql, list(rows.params)
    sql, params = rows.order_by().values(*COLUMNS).query.sql_with_params()
    return sql, list(params)


class Timeline(Generic[Scope, Context]):
    """The registry of one timeline's sources, and the query that reads them as one list.

    ``kinds`` lists the kinds in their order at one instant (the keyset's second
    key); ``read_model`` is the model whose database router picks the connection
    that reads the timeline (the replica for read-only API requests, when there is one).
    """

    def __init__(self, *, kinds: type[models.TextChoices], read_model: type[models.Model]) -> None:
        self.kinds = kinds
        self.read_model = read_model
        self.rank: dict[str, int] = {kind: rank for rank, kind in enumerate(kinds.values)}
        self.kind_of_rank: dict[int, str] = {rank: kind for kind, rank in self.rank.items()}
        self._sources: dict[str, Source[Scope, Context]] = {}

    # --- the registry ------------------------------------------------------------

    def register(
        self,
        kind: str,
        *,
        object_type: str,
        permission: str,
        url_name: str,
        summary: Callable[[Row, Context], str],
        url_column: str = "ev_id",
    ) -> Callable[[Callable[[Scope], Any]], Callable[[Scope], Any]]:
        """Register the function below as the source of ``kind`` events (one source per kind)."""
        if kind not in self.rank:
            raise ValueError(f"unknown history kind {kind!r}: add it to {self.kinds.__qualname__}")

        def decorate(rows: Callable[[Scope], Any]) -> Callable[[Scope], Any]:
            self._sources[kind] = Source(kind, object_type, permission, url_name, rows, summary, url_column)
            return rows

        return decorate

    def sources(self) -> dict[str, Source[Scope, Context]]:
        """Every registered source by kind."""
        return self._sources

    def kinds_visible_to(self, user: AnyUser, kinds: Iterable[str] | None = None) -> list[str]:
        """The kinds (of ``kinds``, default all) that have a source and whose model ``user`` may view."""
        wanted = self.kinds.values if kinds is None else kinds
        return [k for k in wanted if k in self._sources and user.has_perm(self._sources[k].permission)]

    def event_rows(
        self,
        queryset: QuerySet[Any],
        *,
        kind: str,
        at: Any,
        object_id: Any = "pk",
        account: Any = None,
        ref: Any = None,
        label: Any = None,
        detail: Any = None,
        note: Any = None,
        number: Any = None,
        delta: Any = None,
        amount: Any = None,
        currency: Any = None,
    ) -> QuerySet[Any]:
        """``queryset`` with the event columns annotated, in :data:`COLUMNS` order.

        Arguments are field names (``"account_id"``), expressions, or ``None`` for NULL.
        """
        annotated: QuerySet[Any] = queryset.annotate(
            ev_at=_expression(at, "ev_at"),
            ev_kind=Value(self.rank[kind], output_field=IntegerField()),
            ev_id=_expression(object_id, "ev_id"),
            ev_account=_expression(account, "ev_account"),
            ev_ref=_expression(ref, "ev_ref"),
            ev_label=_expression(label, "ev_label"),
            ev_detail=_expression(detail, "ev_detail"),
            ev_note=_expression(note, "ev_note"),
            ev_number=_expression(number, "ev_number"),
            ev_delta=_expression(delta, "ev_delta"),
            ev_amount=_expression(amount, "ev_amount"),
            ev_currency=_expression(currency, "ev_currency"),
        )
        return annotated

    # --- the timeline ------------------------------------------------------------

    def key(self, position: Position) -> tuple[datetime, int, int]:
        """The keyset of ``position``: (``occurred_at``, the kind's rank, ``object_id``)."""
        return (position.occurred_at, self.rank[position.kind], position.object_id)

    def position(self, row: Row) -> Position:
        """The place of ``row`` on the timeline."""
        return Position(row["ev_at"], self.kind_of_rank[row["ev_kind"]], row["ev_id"])

    def source_sql(self, kind: str, scope: Scope) -> tuple[str, list[Any]] | None:
        """The SQL of ``kind``'s source for the scope, compiled by the ORM, or None if it can
        select nothing (an influencer without accounts)."""
        try:
            return _member(self._sources[kind].rows(scope))
        except EmptyResultSet:
            return None

    def rows(
        self,
        scope: Scope,
        *,
        kinds: Iterable[str],
        since: datetime | None = None,
        until: datetime | None = None,
        position: Position | None = None,
        backwards: bool = False,
        limit: int,
    ) -> list[Row]:
        """Up to ``limit`` rows of the timeline after ``position`` (before it, newest first, if ``backwards``).

        One query: the sources of ``kinds`` (already checked against the user's
        permissions) combined with UNION ALL; the bounds and the keyset filter the
        combined rows, which are then ordered and limited.
        """
        members, params = [], []
        for index, kind in enumerate(kinds):
            compiled = self.source_sql(kind, scope)
            if compiled is None:  # nothing to select (no accounts)
                continue
            sql, member_params = compiled
            members.append(f"SELECT * FROM ({sql}) AS source{index}")  # noqa: S608 - SQL compiled by the ORM
            params += member_params
        if not members:
            return []
        connection = read_connection(self.read_model)
        where, where_params = self._filters(
            connection, since=since, until=until, position=position, backwards=backwards
        )
        direction = "DESC" if backwards else "ASC"
        # compiled members and constants; every value is a parameter
        combined = " UNION ALL ".join(members)
        order = f"ev_at {direction}, ev_kind {direction}, ev_id {direction}"
        query = f"SELECT {', '.join(COLUMNS)} FROM ({combined}) AS events {where} ORDER BY {order} LIMIT %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, *where_params, limit])
            return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]

    def _filters(
        self,
        connection: Any,
        *,
        since: datetime | None,
        until: datetime | None,
        position: Position | None,
        backwards: bool,
    ) -> tuple[str, list[Any]]:
        """The outer WHERE of the timeline: bounds and the keyset, on the combined rows.

        Rows outside the plausible range (``core.limits``) are left out: a row written
        before the range's CHECK constraints existed (they are NOT VALID for old rows)
        must not break the timeline of everyone who reads it.
        """
        adapt = connection.ops.adapt_datetimefield_value
        clauses = ["ev_at >= %s", "ev_at < %s"]
        params: list[Any] = [adapt(limits.EARLIEST_AT), adapt(limits.LATEST_AT)]
        if since is not None:
            clauses.append("ev_at >= %s")
            params.append(adapt(since))
        if until is not None:
            clauses.append("ev_at <= %s")
            params.append(adapt(until))
        if position is not None:
            op = "<" if backwards else ">"
            at, rank, object_id = self.key(position)
            clauses.append(
                f"(ev_at {op} %s OR (ev_at = %s AND ev_kind {op} %s)"
                f" OR (ev_at = %s AND ev_kind = %s AND ev_id {op} %s))"
            )
            params += [adapt(at), adapt(at), rank, adapt(at), rank, object_id]
        return "WHERE " + " AND ".join(clauses), params


# --- summaries -----------------------------------------------------------------------
#
# A page's summaries ask for the same few texts and labels again and again; each
# ``gettext`` walks the active catalogues, so they are remembered per language
# (a finite set: the literal texts of the summaries and the choices' labels).

_TEXTS: dict[tuple[Any, ...], str] = {}


def gettext(message: str) -> str:
    """``gettext`` for summaries, remembered per language (import it as ``_``: ``makemessages`` finds the texts)."""
    key = (get_language(), message)
    try:
        return _TEXTS[key]
    except KeyError:
        text = _TEXTS[key] = _gettext(message)
        return text


@receiver(setting_changed)
def _forget_texts(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _TEXTS.clear()


def choice_label(choices: type[models.TextChoices], value: str | None) -> str:
    """The label of a choice value (the value itself if unknown), in the active language."""
    key = (get_language(), choices, value)
    try:
        return _TEXTS[key]
    except KeyError:
        pass
    try:
        label = str(choices(value).label) if value is not None else "—"
    except ValueError:
        label = value or "—"
    _TEXTS[key] = label
    return label


def money(amount: Decimal | None, currency: str | None) -> str:
    """``18,000.00 CNY``: exact, to the cent."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(Decimal('0.01')):,} {currency or ''}".strip()
