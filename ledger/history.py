"""Influencer histories: one timeline of events across an influencer's accounts.

The timeline is a :class:`core.history.Timeline` (the registry, the uniform event
columns and the keyset query live there) whose scope is an influencer's accounts
as one user sees them. Each app registers its sources in its own
``<app>/history.py`` with ``@influencer_history.register(...)``; the ledger's
own sources (follower changes, account status changes, anomalies) are below.

A new source is a function of the influencers to index and a decorator, with a rule for
each journaled type it reads (how a change of it reaches influencers), for example::

    @influencer_history.register(HistoryKind.PAYMENT, object_type="reviews.payment",
                                 permission="reviews.view_payment", url_name="payment-detail",
                                 reads={"reviews.payment", "reviews.order", ACCOUNT},
                                 summary=lambda row, ctx: ...)
    def payments(subjects: Subjects) -> QuerySet:
        return influencer_history.event_rows(
            of_influencers(Payment.objects.all(), "order__account__influencer_id", subjects),
            kind=HistoryKind.PAYMENT, subject="order__account__influencer_id", ...)

    influencer_history.follow("reviews.payment", "order_id", influencers_of_orders)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import formats, timezone

from core.history import RawRows, Row, Subjects, Timeline, choice_label
from core.history import gettext as _
from core.models import JournalEntry
from ledger import selectors
from ledger.choices import AccountStatus, AnomalyKind, FollowerInterval, HistoryKind, Platform
from ledger.models import FollowerAnomaly, PlatformAccount

DEFAULT_INTERVAL = FollowerInterval.WEEK
# Every account-bound event follows its account to the influencer it belongs to now.
ACCOUNT = "ledger.platformaccount"


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
influencer_history: Timeline[SummaryContext] = Timeline("influencer", kinds=HistoryKind, read_model=PlatformAccount)


def context_for(*, influencer_id: int, interval: str = DEFAULT_INTERVAL) -> SummaryContext:
    """What the summaries of an influencer's history need: its accounts by id (one query)."""
    accounts = {a.pk: a for a in PlatformAccount.objects.filter(influencer_id=influencer_id).order_by("pk")}
    return SummaryContext(accounts, interval)


def of_influencers(queryset: QuerySet, path: str, subjects: Subjects) -> QuerySet:
    """``queryset`` narrowed to the rows whose ``path`` (to an influencer id) is one of ``subjects`` (None: all)."""
    return queryset if subjects is None else queryset.filter(**{f"{path}__in": subjects})


def influencers_of_accounts(ids: Iterable[int]) -> QuerySet:
    """The influencers the accounts belong to (a rule's ``subjects``)."""
    return PlatformAccount.objects.filter(pk__in=ids).values_list("influencer_id", flat=True)


# How the ledger's changes reach influencers: an account's own (before and after a move; its status is an
# event; its follower figures and risk score are not) and its account's.
influencer_history.follow(ACCOUNT, "influencer_id", lambda ids: ids, fields={"influencer_id", "status"})
influencer_history.follow("ledger.followersnapshot", "account_id", influencers_of_accounts, since="captured_at")
influencer_history.follow("ledger.followeranomaly", "account_id", influencers_of_accounts)


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
    reads={"ledger.followersnapshot", ACCOUNT},
    summary=_follower_change_summary,
    rebuild_from=lambda moment: min(selectors.period_start(moment, interval) for interval in FollowerInterval.values),
)
def follower_changes(subjects: Subjects, since: datetime | None = None) -> RawRows:
    """The follower series at each interval (the variant): one event per account and period, at its last snapshot.

    From ``since`` (a week's or month's start, whichever is earlier: ``rebuild_from``), only the events at or
    after it: a refresh rebuilds its accounts' last periods, not their years of snapshots.
    """
    accounts = None if subjects is None else PlatformAccount.objects.filter(influencer_id__in=subjects).values("pk")
    columns = influencer_history.select_list(
        HistoryKind.FOLLOWER_CHANGE,
        ev_at="series.captured_at",
        ev_id="series.id",
        ev_account="series.account_id",
        ev_number="series.follower_count",
        ev_delta="series.change",
        ev_subject="account.influencer_id",
        ev_within="ARRAY[series.account_id]::bigint[]",
        ev_variant="%s",
    )
    parts, params = [], []
    for interval in FollowerInterval.values:
        start = None if since is None else selectors.period_start(since, interval)
        sql, series_params = selectors.follower_series_sql(account_ids=accounts, interval=interval, since=start)
        after, after_params = ("", []) if since is None else ("WHERE series.captured_at >= %s", [since])
        parts.append(
            f"SELECT {columns} FROM ({sql}) series "  # noqa: S608 - SQL compiled by the ORM
            f"JOIN {PlatformAccount._meta.db_table} account ON account.id = series.account_id {after}"
        )
        params += [interval, *series_params, *after_params]
    return RawRows(" UNION ALL ".join(parts), params)


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
    reads={ACCOUNT},
    summary=_account_status_summary,
)
def account_status_changes(subjects: Subjects) -> QuerySet:
    """Journaled updates of the accounts that changed ``status`` (banned, suspended, deleted, back to active)."""
    accounts = of_influencers(PlatformAccount.objects.all(), "influencer_id", subjects)
    entries = JournalEntry.objects.filter(
        object_type=ACCOUNT,
        object_id__in=accounts.annotate(key=Cast("pk", output_field=TextField())).values("key"),
        action=JournalEntry.Action.UPDATE,
        changes__has_key="status",
    ).annotate(about_account=Cast("object_id", output_field=BigIntegerField()))
    return influencer_history.event_rows(
        entries,
        kind=HistoryKind.ACCOUNT_STATUS,
        at="occurred_at",
        object_id="seq",
        subject=Subquery(PlatformAccount.objects.filter(pk=OuterRef("about_account")).values("influencer_id")[:1]),
        account="about_account",
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
    reads={"ledger.followeranomaly", "ledger.followersnapshot", ACCOUNT},
    summary=_anomaly_summary,
)
def anomalies(subjects: Subjects) -> QuerySet:
    """Follower anomalies, at the capture time of the snapshot that showed them."""
    return influencer_history.event_rows(
        of_influencers(FollowerAnomaly.objects.all(), "account__influencer_id", subjects),
        kind=HistoryKind.ANOMALY,
        at="snapshot__captured_at",
        subject="account__influencer_id",
        account="account_id",
        label="kind",
        note="reason",
        delta="change",
    )
