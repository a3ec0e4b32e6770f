"""Influencer histories: one timeline of events across an influencer's accounts.

The timeline is a :class:`core.history.Timeline` (the registry, the uniform event
columns and the keyset query live there) whose scope is an influencer's accounts
as one user sees them. Each app registers its sources in its own
``<app>/history.py`` with ``@influencer_history.register(...)``; the ledger's
own sources (follower changes, account status changes, anomalies) are below.

A new source is a function and a decorator, for example::

    @influencer_history.register(HistoryKind.PAYMENT, object_type="reviews.payment",
                                 permission="reviews.view_payment", url_name="payment-detail",
                                 summary=lambda row, ctx: ...)
    def payments(scope: HistoryScope) -> QuerySet:
        return influencer_history.event_rows(
            Payment.objects.filter(order__account_id__in=scope.account_ids), kind=HistoryKind.PAYMENT, ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import formats, timezone

from core.history import RawRows, Row, Timeline, choice_label
from core.history import gettext as _
from core.models import JournalEntry
from ledger import selectors
from ledger.choices import AccountStatus, AnomalyKind, FollowerInterval, HistoryKind, Platform
from ledger.models import FollowerAnomaly, PlatformAccount

DEFAULT_INTERVAL = FollowerInterval.WEEK


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


# The influencer history: its kinds in their order at one instant; read where accounts are read.
influencer_history: Timeline[HistoryScope, SummaryContext] = Timeline(kinds=HistoryKind, read_model=PlatformAccount)


def scope_for(
    *, influencer_id: int, user: Any, account: int | None = None, interval: str = DEFAULT_INTERVAL
) -> tuple[HistoryScope, SummaryContext]:
    """The scope of an influencer's history and its accounts by id (one query)."""
    accounts = {a.pk: a for a in PlatformAccount.objects.filter(influencer_id=influencer_id).order_by("pk")}
    ids = (account,) if account is not None else tuple(accounts)
    return HistoryScope(influencer_id, ids, account, user, interval), SummaryContext(accounts, interval)


# --- the ledger's sources --------------------------------------------------------------


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


@influencer_history.register(
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
        f"series.captured_at AS ev_at, {influencer_history.rank[HistoryKind.FOLLOWER_CHANGE]} AS ev_kind, "
        "series.id AS ev_id, series.account_id AS ev_account, CAST(NULL AS bigint) AS ev_ref, "
        "CAST(NULL AS text) AS ev_label, CAST(NULL AS text) AS ev_detail, CAST(NULL AS text) AS ev_note, "
        "series.follower_count AS ev_number, series.change AS ev_delta, CAST(NULL AS numeric) AS ev_amount, "
        "CAST(NULL AS text) AS ev_currency"
    )
    return RawRows(f"SELECT {columns} FROM ({sql}) series", params)  # noqa: S608 - SQL compiled by the ORM


def _account_status_summary(row: Row, ctx: SummaryContext) -> str:
    return _("%(account)s: status %(before)s → %(after)s") % {
        "account": account_name(row["ev_account"], ctx),
        "before": choice_label(AccountStatus, row["ev_detail"]).lower(),
        "after": choice_label(AccountStatus, row["ev_label"]).lower(),
    }


@influencer_history.register(
    HistoryKind.ACCOUNT_STATUS,
    object_type="core.journalentry",
    permission="core.view_journalentry",
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
    return influencer_history.event_rows(
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


@influencer_history.register(
    HistoryKind.ANOMALY,
    object_type="ledger.followeranomaly",
    permission="ledger.view_followeranomaly",
    url_name="anomaly-detail",
    summary=_anomaly_summary,
)
def anomalies(scope: HistoryScope) -> QuerySet:
    """Follower anomalies, at the capture time of the snapshot that showed them."""
    return influencer_history.event_rows(
        FollowerAnomaly.objects.filter(account_id__in=scope.account_ids),
        kind=HistoryKind.ANOMALY,
        at="snapshot__captured_at",
        account="account_id",
        label="kind",
        note="reason",
        delta="change",
    )
