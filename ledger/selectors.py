"""Reads of the ledger that are more than a one-line queryset."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Prefetch,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, Trunc
from django.utils import timezone

from config.replica import read_connection
from core.models import JournalEntry
from ledger.choices import FollowerInterval, Platform
from ledger.models import FollowerAnomaly, FollowerSnapshot, Influencer, PlatformAccount


def influencer_list() -> QuerySet[Influencer]:
    """Influencers with their agency, their accounts and per-influencer totals.

    ``account_count`` and ``total_followers`` are computed in the database, so a
    page of influencers costs the same few queries whatever its size.
    """
    return (
        Influencer.objects.select_related("agency")
        .annotate(
            account_count=Count("accounts", distinct=True),
            total_followers=Coalesce(Sum("accounts__follower_count"), Value(0)),
        )
        .prefetch_related(Prefetch("accounts", queryset=PlatformAccount.objects.order_by("platform", "handle")))
    )


def account_list() -> QuerySet[PlatformAccount]:
    """Platform accounts, for the API's list and detail.

    No join: an account shows its influencer by id only. Joining the influencer and its
    agency made PostgreSQL join every account of the first platform before sorting them
    for a page (15-30 ms against 1-4 ms on 4,000 accounts, measured with EXPLAIN ANALYZE);
    the default order is read from the ``account_default_order`` index.
    """
    return PlatformAccount.objects.all()


def ledger_baselines() -> dict[tuple[str, str], tuple[int, date]]:
    """Each counted account's latest follower count and the day it was taken, for the platform simulator."""
    zone = ZoneInfo(settings.TIME_ZONE)
    rows = PlatformAccount.objects.filter(follower_count__isnull=False).values_list(
        "platform", "platform_uid", "follower_count", "followers_captured_at"
    )
    return {(platform, uid): (count, at.astimezone(zone).date()) for platform, uid, count, at in rows}


def snapshot_list() -> QuerySet[FollowerSnapshot]:
    """Follower snapshots, newest first."""
    return FollowerSnapshot.objects.select_related("account").order_by("-captured_at", "-id")


def snapshots_recent(*, account: PlatformAccount, limit: int = 20) -> list[FollowerSnapshot]:
    """The ``limit`` newest snapshots of one account (served by the unique index)."""
    return list(FollowerSnapshot.objects.filter(account=account).order_by("-captured_at")[:limit])


def _period(expression: Any, interval: str) -> Trunc:
    return Trunc(expression, interval, output_field=DateTimeField(), tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class FollowerPoint:
    """The last follower count of one account in one period, and its change since the previous period."""

    snapshot_id: int
    account_id: int
    captured_at: datetime
    follower_count: int
    period_start: datetime
    change: int | None


def period_start(moment: datetime, interval: str) -> datetime:
    """The start of the day, week (Monday) or month of ``TIME_ZONE`` that ``moment`` is in."""
    day = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == FollowerInterval.DAY:
        return day
    if interval == FollowerInterval.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def follower_periods(
    *,
    account_ids: Iterable[int] | QuerySet | None,
    interval: str,
    until: datetime | None = None,
    since: datetime | None = None,
) -> QuerySet:
    """The last snapshot of each account in each day, week (from Monday) or month of ``TIME_ZONE``.

    A window function (``ROW_NUMBER`` over account and period, newest first)
    picks it in the database; ``until`` bounds the snapshots, so a period is cut
    there; ``since`` (a period's start) leaves out the periods before it.
    ``account_ids``: ids, a queryset of them, or None for every account.
    Values ``id``, ``account_id``, ``captured_at``, ``follower_count``, ``period_start``.
    """
    period = _period("captured_at", interval)
    queryset = FollowerSnapshot.objects.all()
    if account_ids is not None:
        queryset = queryset.filter(
            account_id__in=account_ids if isinstance(account_ids, QuerySet) else list(account_ids)
        )
    if until is not None:
        queryset = queryset.filter(captured_at__lte=until)
    if since is not None:
        queryset = queryset.filter(captured_at__gte=since)
    newest_first = Window(RowNumber(), partition_by=[F("account_id"), period], order_by=F("captured_at").desc())
    return (
        queryset.annotate(period_start=period, rank_in_period=newest_first)
        .filter(rank_in_period=1)
        .order_by()
        .values("id", "account_id", "captured_at", "follower_count", "period_start")
    )


def follower_series_sql(
    *,
    account_ids: Iterable[int] | QuerySet | None,
    interval: str,
    until: datetime | None = None,
    since: datetime | None = None,
) -> tuple[str, list[Any]]:
    """SQL of :func:`follower_periods` with ``change``: the count minus the previous period's last (``LAG``).

    Window functions cannot nest, so the change is computed one level up, over
    the periods' last snapshots; the ORM builds the level below (portable Trunc).
    From ``since`` (a period's start), the first period's change looks back at the
    last snapshot before it: the last count of the period before, however far back.
    """
    periods = follower_periods(account_ids=account_ids, interval=interval, until=until, since=since)
    sql, params = periods.query.sql_with_params()
    previous, seed = "LAG(p.follower_count) OVER (PARTITION BY p.account_id ORDER BY p.captured_at)", []
    if since is not None:
        previous = (
            f"coalesce({previous}, (SELECT s.follower_count FROM {FollowerSnapshot._meta.db_table} s "  # noqa: S608
            "WHERE s.account_id = p.account_id AND s.captured_at < %s ORDER BY s.captured_at DESC LIMIT 1))"
        )
        seed = [since]
    # SQL compiled by the ORM and constants
    return f"SELECT p.*, p.follower_count - {previous} AS change FROM ({sql}) p", [*seed, *params]  # noqa: S608


def db_datetime(value: datetime, zone: Any = UTC) -> datetime:
    """A datetime read by raw SQL: a period truncated in local time comes back naive, in ``zone``."""
    return value if timezone.is_aware(value) else timezone.make_aware(value, zone)


def follower_series(
    *,
    account_ids: Iterable[int],
    interval: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[FollowerPoint]:
    """The follower series of the accounts: the last count of each period with its change, oldest first.

    Aggregated in the database (one query).
    ``until`` bounds the snapshots (the last period is cut there); ``since`` keeps
    the periods whose last snapshot is at or after it, and their ``change`` still
    looks back at the real previous period.
    """
    sql, params = follower_series_sql(account_ids=account_ids, interval=interval, until=until)
    where = ""
    if since is not None:
        where = "WHERE s.captured_at >= %s"
        params.append(connection.ops.adapt_datetimefield_value(since))
    columns = "s.id, s.account_id, s.captured_at, s.follower_count, s.period_start, s.change"
    query = f"SELECT {columns} FROM ({sql}) s {where} ORDER BY s.account_id, s.captured_at"  # noqa: S608
    zone = ZoneInfo(settings.TIME_ZONE)
    with read_connection(FollowerSnapshot).cursor() as cursor:
        cursor.execute(query, params)
        return [
            FollowerPoint(pk, account_id, db_datetime(at), count, db_datetime(start, zone), change)
            for pk, account_id, at, count, start, change in cursor.fetchall()
        ]


# Annotations of the account detail, registered by the apps above the ledger that compute them
# (reviews: engagement). On the detail only: in a list sorted by another column, PostgreSQL
# would compute the subqueries for every account before sorting.
AccountAnnotation = Callable[[QuerySet[PlatformAccount]], QuerySet[PlatformAccount]]
account_detail_annotations: list[AccountAnnotation] = []


def account_detail(queryset: QuerySet[PlatformAccount]) -> QuerySet[PlatformAccount]:
    """``queryset`` with the account detail's figures of other apps (engagement, ...)."""
    for annotate in account_detail_annotations:
        queryset = annotate(queryset)
    return queryset


@dataclass(frozen=True)
class RefreshBacklog:
    """How many accounts are due for a profile refresh, and how long the longest-waiting one has been due."""

    due: int
    lag: timedelta


def refresh_backlog(*, now: datetime) -> RefreshBacklog:
    """The due accounts (as ``accounts_due`` finds them) and the age of the oldest due refresh.

    An account is due from its last refresh plus its interval (its own, else its
    platform's); one never refreshed is due from its creation.
    """
    from ledger.platforms import platform_config
    from ledger.services import accounts_due

    platform_interval = Case(
        *[When(platform=name, then=Value(platform_config(name).refresh_interval)) for name in Platform.values],
        output_field=DurationField(),
    )
    due_since = Coalesce(
        ExpressionWrapper(
            F("last_refreshed_at") + Coalesce(F("refresh_interval"), platform_interval), output_field=DateTimeField()
        ),
        F("created_at"),
    )
    found = accounts_due(now=now).order_by().aggregate(due=Count("pk"), oldest=Min(due_since))
    lag = max(now - found["oldest"], timedelta(0)) if found["oldest"] else timedelta(0)
    return RefreshBacklog(due=found["due"], lag=lag)


def journal_size() -> int:
    """Entries in the journal: its highest sequence number, since the sequence is gap-free."""
    return JournalEntry.objects.aggregate(size=Max("seq"))["size"] or 0


def anomalies_detected_since(since: datetime) -> QuerySet[FollowerAnomaly]:
    """Follower anomalies detected from ``since`` on, newest first, with their account and snapshot."""
    return (
        FollowerAnomaly.objects.filter(detected_at__gte=since)
        .select_related("account", "snapshot")
        .order_by("-detected_at", "-id")
    )
