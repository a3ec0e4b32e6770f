"""Influencer histories: one timeline of events across an influencer's accounts.

Each kind of event comes from one *source*: a function of a :class:`HistoryScope`
that returns a queryset whose rows are events in the uniform columns of
:data:`COLUMNS` (built with :func:`event_rows`). Each app registers its sources
in its own ``<app>/history.py`` with :func:`register`; :func:`history_page`
combines the sources the user may see with ``UNION ALL`` in the database,
ordered by the keyset (``occurred_at``, kind, ``object_id``), so one page is one
query whatever its size, and a cursor stays put while new events arrive.

A new source is a function and a decorator, for example::

    @register(HistoryKind.PAYMENT, permission="reviews.view_payment", url_name="payment-detail",
              summary=lambda row, ctx: ...)
    def payments(scope: HistoryScope) -> QuerySet:
        return event_rows(Payment.objects.filter(order__account_id__in=scope.account_ids), ...)
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connection
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
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext

from config.replica import read_connection
from ledger import limits, selectors
from ledger.choices import AccountStatus, AnomalyKind, FollowerInterval, HistoryKind, Platform
from ledger.models import FollowerAnomaly, JournalEntry, PlatformAccount

# Apps whose ``history.py`` registers sources, loaded when installed (as config.urls does for routers).
HISTORY_APPS = ("ledger", "pricing", "reviews", "cases", "risk")
DEFAULT_INTERVAL = FollowerInterval.WEEK

# The order of kinds at one instant: the second key of the timeline's order.
KIND_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(HistoryKind.values)}
RANK_KIND: dict[int, str] = {rank: kind for kind, rank in KIND_RANK.items()}

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
_TYPES = {
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


class StartOfDay(Func):
    """The instant a date begins in ``TIME_ZONE`` (Asia/Shanghai): 2025-09-15 is 2025-09-14 16:00 UTC.

    Events recorded by date (a quote's observation, a case's opening) sit at the
    start of their day on the timeline.
    """

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, settings.TIME_ZONE]


def _expression(value: Any, column: str) -> Expression:
    if value is None:
        return Cast(Value(None), output_field=_TYPES[column])
    if isinstance(value, str):
        return F(value)
    return value


def event_rows(
    queryset: QuerySet,
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
) -> QuerySet:
    """``queryset`` with the event columns annotated, in :data:`COLUMNS` order.

    Arguments are field names (``"account_id"``), expressions, or ``None`` for NULL.
    """
    return queryset.annotate(
        ev_at=_expression(at, "ev_at"),
        ev_kind=Value(KIND_RANK[kind], output_field=IntegerField()),
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


# --- the registry ----------------------------------------------------------------


@dataclass(frozen=True)
class HistoryScope:
    """What a history covers: whose events, for whom, at which follower interval."""

    influencer_id: int
    account_ids: tuple[int, ...]  # the influencer's accounts, or only the one of ``account``
    account: int | None  # the ``account`` filter, if any
    user: Any
    interval: str = DEFAULT_INTERVAL


@dataclass(frozen=True)
class SummaryContext:
    """What summaries may need besides their row: the influencer's accounts and the interval."""

    accounts: dict[int, PlatformAccount]
    interval: str
    account_names: dict[int, str] = field(default_factory=dict)  # ``handle (Platform)``, worked out once

    def __post_init__(self) -> None:
        # What ``str(account)`` gives, with the platform's label remembered (``get_platform_display``
        # translates the label of every platform to find the one it shows).
        for pk, account in self.accounts.items():
            self.account_names[pk] = f"{account.handle} ({choice_label(Platform, account.platform)})"


Row = dict[str, Any]


@dataclass(frozen=True)
class Source:
    """One kind of event: where its rows come from, who may see them, how they read and link."""

    kind: str
    object_type: str
    permission: str
    url_name: str
    rows: Callable[[HistoryScope], QuerySet | RawRows]
    summary: Callable[[Row, SummaryContext], str]
    url_column: str = "ev_id"


_SOURCES: dict[str, Source] = {}
_loaded = False


def register(
    kind: str,
    *,
    object_type: str,
    permission: str,
    url_name: str,
    summary: Callable[[Row, SummaryContext], str],
    url_column: str = "ev_id",
) -> Callable[[Callable[[HistoryScope], QuerySet]], Callable[[HistoryScope], QuerySet]]:
    """Register the function below as the source of ``kind`` events (one source per kind)."""
    if kind not in KIND_RANK:
        raise ValueError(f"unknown history kind {kind!r}: add it to ledger.choices.HistoryKind")

    def decorate(rows: Callable[[HistoryScope], QuerySet]) -> Callable[[HistoryScope], QuerySet]:
        _SOURCES[kind] = Source(kind, object_type, permission, url_name, rows, summary, url_column)
        return rows

    return decorate


def sources() -> dict[str, Source]:
    """Every registered source by kind, after loading ``<app>/history.py`` of the installed apps."""
    global _loaded
    if not _loaded:
        for app_label in HISTORY_APPS:
            module = f"{app_label}.history"
            if apps.is_installed(app_label) and importlib.util.find_spec(module) is not None:
                importlib.import_module(module)
        _loaded = True
    return _SOURCES


def kinds_visible_to(user: Any, kinds: Iterable[str] | None = None) -> list[str]:
    """The kinds (of ``kinds``, default all) that have a source and whose model ``user`` may view."""
    registry = sources()
    wanted = HistoryKind.values if kinds is None else kinds
    return [k for k in wanted if k in registry and user.has_perm(registry[k].permission)]


# --- the timeline ----------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """A place on the timeline: an event's keyset (``occurred_at``, kind, ``object_id``)."""

    occurred_at: datetime
    kind: str
    object_id: int

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.occurred_at, KIND_RANK[self.kind], self.object_id)


@dataclass(frozen=True)
class RawRows:
    """A source's rows as SQL, for what a queryset cannot say (window functions over window functions).

    The SELECT must give :data:`COLUMNS` by name, typed as the querysets' are (cast NULLs).
    """

    sql: str
    params: list[Any]


def _member(rows: QuerySet | RawRows) -> tuple[str, list[Any]]:
    if isinstance(rows, RawRows):
        return rows.sql, list(rows.params)
    sql, params = rows.order_by().values(*COLUMNS).query.sql_with_params()
    return sql, list(params)


def _filters(
    *, since: datetime | None, until: datetime | None, position: Position | None, backwards: bool
) -> tuple[str, list[Any]]:
    """The outer WHERE of the timeline: bounds and the keyset, on the combined rows.

    Rows outside the plausible range (``ledger.limits``) are left out: a row written
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
        at, rank, object_id = position.key
        clauses.append(
            f"(ev_at {op} %s OR (ev_at = %s AND ev_kind {op} %s) OR (ev_at = %s AND ev_kind = %s AND ev_id {op} %s))"
        )
        params += [adapt(at), adapt(at), rank, adapt(at), rank, object_id]
    return "WHERE " + " AND ".join(clauses), params


def _converted(row: tuple) -> Row:
    return dict(zip(COLUMNS, row, strict=True))


def source_sql(source: Source, scope: HistoryScope) -> tuple[str, list[Any]] | None:
    """The source's SQL for the scope, compiled by the ORM, or None if it can select nothing
    (an influencer without accounts)."""
    try:
        return _member(source.rows(scope))
    except EmptyResultSet:
        return None


def history_rows(
    scope: HistoryScope,
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
    combined rows, which are then ordered and limited. Each source is compiled
    by the ORM for the request (:func:`source_sql`).
    """
    registry = sources()
    members, params = [], []
    for index, kind in enumerate(kinds):
        compiled = source_sql(registry[kind], scope)
        if compiled is None:  # nothing to select (no accounts)
            continue
        sql, member_params = compiled
        members.append(f"SELECT * FROM ({sql}) AS source{index}")  # noqa: S608 - SQL compiled by the ORM
        params += member_params
    if not members:
        return []
    where, where_params = _filters(since=since, until=until, position=position, backwards=backwards)
    direction = "DESC" if backwards else "ASC"
    # compiled members and constants; every value is a parameter
    combined = " UNION ALL ".join(members)
    order = f"ev_at {direction}, ev_kind {direction}, ev_id {direction}"
    query = f"SELECT {', '.join(COLUMNS)} FROM ({combined}) AS events {where} ORDER BY {order} LIMIT %s"  # noqa: S608
    # The history's reads follow the router: the replica for read-only API requests, when there is one.
    with read_connection(JournalEntry).cursor() as cursor:
        cursor.execute(query, [*params, *where_params, limit])
        return [_converted(row) for row in cursor.fetchall()]


def scope_for(*, influencer_id: int, user: Any, account: int | None = None, interval: str = DEFAULT_INTERVAL):
    """The scope of an influencer's history and its accounts by id (one query)."""
    accounts = {a.pk: a for a in PlatformAccount.objects.filter(influencer_id=influencer_id).order_by("pk")}
    ids = (account,) if account is not None else tuple(accounts)
    return HistoryScope(influencer_id, ids, account, user, interval), SummaryContext(accounts, interval)


# --- summaries -------------------------------------------------------------------
#
# A page's summaries ask for the same few texts and labels again and again; each
# ``gettext`` walks the active catalogues, so they are remembered per language
# (a finite set: the literal texts of the summaries and the choices' labels).

_TEXTS: dict[tuple, str] = {}


def gettext(message: str) -> str:
    """``gettext`` for summaries, remembered per language (import it as ``_``: ``makemessages`` finds the texts)."""
    key = (get_language(), message)
    try:
        return _TEXTS[key]
    except KeyError:
        text = _TEXTS[key] = _gettext(message)
        return text


_ = gettext


@receiver(setting_changed)
def _forget_texts(*, setting: str, **kwargs: Any) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _TEXTS.clear()


# --- ledger sources --------------------------------------------------------------


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d")


def account_name(account_id: int | None, ctx: SummaryContext) -> str:
    """``handle (Platform)`` of one of the influencer's accounts."""
    return ctx.account_names.get(account_id) or f"#{account_id}"


def _number(value: int | None) -> str:
    return "—" if value is None else formats.number_format(value, force_grouping=True)


def _change(value: int | None) -> str:
    if value is None:
        return _("first count")
    return ("+" if value > 0 else "") + formats.number_format(value, force_grouping=True)


def money(amount: Decimal | None, currency: str | None) -> str:
    """``18,000.00 CNY``: exact, to the cent."""
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(Decimal('0.01')):,} {currency or ''}".strip()


def _period(row: Row, ctx: SummaryContext) -> str:
    local = timezone.localtime(row["ev_at"])
    if ctx.interval == FollowerInterval.DAY:
        return _("on %(day)s") % {"day": local.strftime("%Y-%m-%d")}
    if ctx.interval == FollowerInterval.MONTH:
        return _("in %(month)s") % {"month": local.strftime("%Y-%m")}
    monday = local.date().fromordinal(local.date().toordinal() - local.weekday())
    return _("in the week of %(monday)s") % {"monday": monday.isoformat()}


def _follower_change_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: %(count)s followers (%(change)s) %(period)s") % {
        "account": account_name(row["ev_account"], ctx),
        "count": _number(row["ev_number"]),
        "change": _change(row["ev_delta"]),
        "period": _period(row, ctx),
    }


@register(
    HistoryKind.FOLLOWER_CHANGE,
    object_type="ledger.followersnapshot",
    permission="ledger.view_followersnapshot",
    url_name="snapshot-detail",
    summary=_follower_change_summary,
)
def follower_changes(scope: HistoryScope) -> RawRows:
    """The follower series at the scope's interval: one event per account and period, at its last snapshot."""
    sql, params = selectors.follower_series_sql(account_ids=scope.account_ids, interval=scope.interval)
    columns = (
        f"series.captured_at AS ev_at, {KIND_RANK[HistoryKind.FOLLOWER_CHANGE]} AS ev_kind, "
        "series.id AS ev_id, series.account_id AS ev_account, CAST(NULL AS bigint) AS ev_ref, "
        "CAST(NULL AS text) AS ev_label, CAST(NULL AS text) AS ev_detail, CAST(NULL AS text) AS ev_note, "
        "series.follower_count AS ev_number, series.change AS ev_delta, CAST(NULL AS numeric) AS ev_amount, "
        "CAST(NULL AS text) AS ev_currency"
    )
    return RawRows(f"SELECT {columns} FROM ({sql}) series", params)  # noqa: S608 - SQL compiled by the ORM


def choice_label(choices: type, value: str | None) -> str:
    """The label of a choice value (the value itself if unknown), in the active language."""
    key = (get_language(), choices, value)
    try:
        return _TEXTS[key]
    except KeyError:
        pass
    try:
        label = str(choices(value).label)
    except ValueError:
        label = value or "—"
    _TEXTS[key] = label
    return label


def _account_status_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: status %(before)s → %(after)s") % {
        "account": account_name(row["ev_account"], ctx),
        "before": choice_label(AccountStatus, row["ev_detail"]).lower(),
        "after": choice_label(AccountStatus, row["ev_label"]).lower(),
    }


@register(
    HistoryKind.ACCOUNT_STATUS,
    object_type="ledger.journalentry",
    permission="ledger.view_journalentry",
    url_name="journal-detail",
    summary=_account_status_summary,
)
def account_status_changes(scope: HistoryScope) -> QuerySet:
    """Journaled updates of the accounts that changed ``status`` (banned, suspended, deleted, back to active)."""
    entries = JournalEntry.objects.filter(
        object_type="ledger.platformaccount",
        object_id__in=[str(pk) for pk in scope.account_ids],
        action=JournalEntry.Action.UPDATE,
        changes__has_key="status",
    )
    return event_rows(
        entries,
        kind=HistoryKind.ACCOUNT_STATUS,
        at="occurred_at",
        object_id="seq",
        account=Cast("object_id", output_field=BigIntegerField()),
        label=KT("changes__status__after"),
        detail=KT("changes__status__before"),
    )


def _anomaly_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: %(kind)s, %(reason)s") % {
        "account": account_name(row["ev_account"], ctx),
        "kind": choice_label(AnomalyKind, row["ev_label"]).lower(),
        "reason": row["ev_note"],
    }


@register(
    HistoryKind.ANOMALY,
    object_type="ledger.followeranomaly",
    permission="ledger.view_followeranomaly",
    url_name="anomaly-detail",
    summary=_anomaly_summary,
)
def anomalies(scope: HistoryScope) -> QuerySet:
    """Follower anomalies, at the capture time of the snapshot that showed them."""
    return event_rows(
        FollowerAnomaly.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.ANOMALY,
        at="snapshot__captured_at",
        account="account_id",
        label="kind",
        note="reason",
        delta="change",
    )
