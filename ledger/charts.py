"""The ledger's charts: follower counts and anomalies, drawn with :func:`core.charts.time_chart`."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core import numbers
from core.charts import Marker, Series, day_label, time_chart
from ledger import selectors
from ledger.choices import FollowerInterval
from ledger.models import FollowerAnomaly

MAX_DAILY_POINTS = 800  # beyond this many days a follower chart shows weekly counts


def anomaly_markers(account_ids: Sequence[int], *, on_line: bool) -> list[Marker]:
    """The accounts' follower anomalies: rings on the follower line, or (``on_line=False``) vertical lines."""
    anomalies = FollowerAnomaly.objects.filter(account_id__in=list(account_ids)).select_related("snapshot", "account")
    return [
        Marker(
            at=a.snapshot.captured_at,
            value=a.snapshot.follower_count if on_line else None,
            label=gettext("%(kind)s: %(change)s — %(account)s (%(day)s)")
            % {
                "kind": a.get_kind_display(),
                "change": numbers.signed(a.change),
                "account": a.account,
                "day": day_label(a.snapshot.captured_at),
            },
        )
        for a in anomalies.order_by("snapshot__captured_at", "pk")
    ]


def follower_chart(accounts: Sequence, *, title: str, empty: str) -> SafeString:
    """The accounts' follower counts (the last of each day, or week for long histories), anomalies ringed."""
    ids = [a.pk for a in accounts]
    points: list = []
    for interval in (FollowerInterval.DAY, FollowerInterval.WEEK):
        points = selectors.follower_series(account_ids=ids, interval=interval)
        if len(points) <= MAX_DAILY_POINTS * max(len(ids), 1):
            break
    by_account: dict[int, list] = {pk: [] for pk in ids}
    for point in points:
        by_account[point.account_id].append((point.captured_at, point.follower_count))
    return time_chart(
        title=title,
        series=[Series(str(a), by_account[a.pk]) for a in accounts],
        markers=anomaly_markers(ids, on_line=True),
        value_format=numbers.compact,  # as the lists write follower counts (60万 in Chinese)
        tick_format=numbers.compact,
        empty=empty,
    )
