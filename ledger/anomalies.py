"""Detection of unnatural follower jumps and drops (pure functions; see services.snapshot_record).

Two rules, applied to each new snapshot against the one before it:

- *day-over-day*: the relative change per day (changes within one day count as
  one day) beyond ``daily_change`` (0.10 = 10 %), and at least ``min_change``
  followers, is a ``jump`` or a ``drop``;
- *robust z-score*: the same relative change per day compared with the
  account's recent daily changes, z = 0.6745 (x - median) / MAD (Iglewicz and
  Hoaglin), beyond ``z_threshold`` is an ``outlier``. It catches a spike that is
  small in percent but far outside what this account normally does. It needs
  at least ``MIN_HISTORY`` earlier changes and a non-zero MAD.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from ledger.choices import AnomalyKind

MIN_HISTORY = 14


@dataclass(frozen=True)
class Point:
    id: int
    captured_at: datetime
    follower_count: int


@dataclass(frozen=True)
class Thresholds:
    daily_change: float
    min_change: int
    z_threshold: float
    history: timedelta


@dataclass(frozen=True)
class Finding:
    kind: str
    change: int
    change_per_day: float
    z_score: float | None
    reason: str


def change_per_day(before: Point, after: Point) -> float | None:
    """Relative change per day between two snapshots, or None when the earlier count is zero."""
    if before.follower_count <= 0:
        return None
    days = max((after.captured_at - before.captured_at).total_seconds() / 86400, 1.0)
    return (after.follower_count - before.follower_count) / before.follower_count / days


def robust_z(value: float, history: list[float]) -> float | None:
    if len(history) < MIN_HISTORY:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    if mad == 0:
        return None
    return 0.6745 * (value - median) / mad


def detect(points: list[Point], index: int, t: Thresholds) -> list[Finding]:
    """Findings for ``points[index]`` (points sorted by capture time, oldest first)."""
    if index < 1:
        return []
    before, after = points[index - 1], points[index]
    rate = change_per_day(before, after)
    if rate is None:
        return []
    change = after.follower_count - before.follower_count
    findings = []
    if abs(change) >= t.min_change and abs(rate) >= t.daily_change:
        kind = AnomalyKind.JUMP if change > 0 else AnomalyKind.DROP
        findings.append(
            Finding(
                kind,
                change,
                rate,
                None,
                f"{rate:+.1%} per day ({change:+,} followers) exceeds the {t.daily_change:.0%} day-over-day threshold",
            )
        )
    start = before.captured_at - t.history
    history = [
        r
        for i in range(1, index)
        if points[i - 1].captured_at >= start and (r := change_per_day(points[i - 1], points[i])) is not None
    ]
    z = robust_z(rate, history)
    if z is not None and abs(z) >= t.z_threshold and abs(change) >= t.min_change:
        findings.append(
            Finding(
                AnomalyKind.OUTLIER,
                change,
                rate,
                z,
                f"{rate:+.2%} per day is {z:+.1f} robust z against the last {len(history)} changes "
                f"(threshold {t.z_threshold:g})",
            )
        )
    return findings
