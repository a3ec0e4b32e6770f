"""Small charts drawn on the server as inline SVG: no JavaScript, no CDN, so the admin works offline.

:func:`time_chart` draws series of (time, value) points against a time axis,
as lines (follower counts) or dots (prices), with markers (follower anomalies,
outlier prices). Every point, dot and marker carries its time and value in
``data-at`` / ``data-value`` and a ``<title>`` tooltip, so what is drawn can be
read back (and tested) exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core import numbers

# One colour per series (matplotlib's "tab10" without its red, kept for markers).
PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
MARKER_COLOR = "#d62728"
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, BOTTOM = 72, 12, 28  # margins for the axis labels; the top one grows with the legend
LEGEND_COLUMNS, LEGEND_WIDTH, LEGEND_ROW, LEGEND_CHARS = 4, 160, 14, 24
CHAR_WIDTH = 6.2  # about, at font-size 11
Y_TICKS = 5  # about this many intervals on the value axis, at 1-2-5 steps
MAX_X_LABELS = 7  # at most this many dates on the time axis
SHORT_SERIES = 40  # a line of at most this many points also shows each point
DAY_STEPS = (1, 2, 7, 14)
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120)

Number = int | float | Decimal


@dataclass(frozen=True)
class Series:
    """One line (or set of dots) with its legend label."""

    label: str
    points: Sequence[tuple[datetime, Number]]
    color: str = ""


@dataclass(frozen=True)
class Marker:
    """A highlighted moment: a ring at ``value`` if given, else a dashed vertical line; ``label`` is its tooltip."""

    at: datetime
    label: str
    value: Number | None = None


def nice_ticks(low: Number, high: Number, target: int = Y_TICKS) -> list[Decimal]:
    """Ticks at a 1-2-5 step (…, 0.5, 1, 2, 5, 10, 20, …) that cover ``low``..``high`` in about ``target`` intervals.

    ``nice_ticks(10_392, 628_768)`` is 0, 200,000, …, 800,000, never the data's own odd values.
    """
    low, high = Decimal(str(low)), Decimal(str(high))
    if high <= low:
        spread = abs(low) / 10 or Decimal(1)
        low, high = low - spread, high + spread
    raw = (high - low) / target
    magnitude = Decimal(10) ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [(step * k).normalize() + 0 for k in range(first, last + 1)]


def _decimals(ticks: Sequence[Decimal]) -> int:
    return max(0, -min(int(t.as_tuple().exponent) for t in ticks)) if ticks else 0


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def date_ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    """Several labelled dates between ``start`` and ``end``: days, weeks, months or years, at most MAX_X_LABELS."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    if _midnight(first) < start:
        first += timedelta(days=1)
    for step in DAY_STEPS:
        days = [first + timedelta(days=k) for k in range(0, (last - first).days + 1, step)]
        if 2 <= len(days) <= MAX_X_LABELS:
            return [(_midnight(d), d.isoformat()) for d in days]
    months = (last.year - first.year) * 12 + last.month - first.month
    for step in MONTH_STEPS:
        starts = []
        for k in range(months + 1):
            year, month = divmod(first.year * 12 + first.month - 1 + k, 12)
            if (month % step == 0) and date(year, month + 1, 1) >= first:
                starts.append(date(year, month + 1, 1))
        if 2 <= len(starts) <= MAX_X_LABELS or (starts and step == MONTH_STEPS[-1]):
            label = "%Y" if step >= 12 else "%Y-%m"
            return [(_midnight(d), d.strftime(label)) for d in starts]
    # under two days: the first and the last instant, with their time
    return [(at, timezone.localtime(at).strftime("%Y-%m-%d %H:%M")) for at in (start, end)]


@dataclass
class _Scale:
    start: datetime
    end: datetime
    ticks: list[Decimal]
    top: int
    low: float = field(init=False)
    high: float = field(init=False)
    plot: tuple[int, int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.low, self.high = float(self.ticks[0]), float(self.ticks[-1])
        self.plot = (LEFT, self.top, WIDTH - RIGHT, HEIGHT - BOTTOM)

    def x(self, at: datetime) -> float:
        left, _, right, _ = self.plot
        span = (self.end - self.start).total_seconds()
        return round(left + (right - left) * (at - self.start).total_seconds() / span, 1)

    def y(self, value: Number) -> float:
        _, top, _, bottom = self.plot
        return round(bottom - (bottom - top) * (float(value) - self.low) / (self.high - self.low), 1)


def _scale(series: Sequence[Series], markers: Sequence[Marker], *, from_zero: bool, padded: bool, top: int) -> _Scale:
    times = [at for s in series for at, _ in s.points] + [m.at for m in markers]
    values = [v for s in series for _, v in s.points] + [m.value for m in markers if m.value is not None]
    start, end = min(times), max(times)
    # one instant: a fortnight around it for dots and steps, two days for a line;
    # otherwise dots and steps keep off the frame, lines run from edge to edge
    span = end - start
    pad = timedelta(days=7 if padded else 1) if not span else span * 0.05 if padded else timedelta(0)
    low, high = min(values), max(values)
    if from_zero:
        low, high = min(low, 0), max(high, 0)
        if low == high:
            high = 1
    return _Scale(start - pad, end + pad, nice_ticks(low, high), top)


def day_label(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d")


def _iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat()


def _thousands(value: Number) -> str:
    return numbers.number(value)


def series_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def time_chart(
    *,
    title: str,
    series: Sequence[Series],
    markers: Sequence[Marker] = (),
    dots: bool = False,
    step: bool = False,
    from_zero: bool = False,
    value_format: Callable[[Number], str] = _thousands,
    tick_format: Callable[[Number], str] | None = None,
    empty: str = "",
) -> SafeString:
    """An SVG chart of ``series`` against time, with ``markers``; ``empty`` when there is nothing to draw.

    Each series is drawn in its own colour, as a line (with its points when it is short), as
    dots (``dots``) or as steps (``step``: a value holds until the next one, the last to the
    right edge); the legend names every series drawn, in its colour. The value axis has
    1-2-5 ticks, the time axis several labelled dates.
    """
    series = [s for s in series if s.points]
    if not series:
        return format_html("<p>{}</p>", empty)
    legend_rows = -(-len(series) // LEGEND_COLUMNS)
    scale = _scale(series, markers, from_zero=from_zero, padded=dots or step, top=10 + LEGEND_ROW * legend_rows)
    left, top, right, bottom = scale.plot
    parts: list[str] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="ledger-chart" width="{}" height="{}" '
            'viewBox="0 0 {} {}" role="img" aria-label="{}" font-family="sans-serif" font-size="11">'
            "<title>{}</title>",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            title,
            title,
        ),
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#ccc"/>',
            left,
            top,
            right - left,
            bottom - top,
        ),
    ]
    decimals = _decimals(scale.ticks)
    for tick in scale.ticks:  # the value axis: 1-2-5 steps
        y = scale.y(tick)
        parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eee"/>', left, y, right, y))
        parts.append(
            format_html(
                '<text class="y-tick" x="{}" y="{}" text-anchor="end" data-value="{}">{}</text>',
                left - 4,
                y + 4,
                tick,
                tick_format(tick) if tick_format else numbers.number(tick, decimals),
            )
        )
    for at, label in date_ticks(scale.start, scale.end):  # the time axis: several dates
        x = scale.x(at)
        half = len(label) * CHAR_WIDTH / 2  # a label near an edge is kept inside the chart
        anchor = "start" if x - half < left else "end" if x + half > WIDTH else "middle"
        parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eee"/>', x, top, x, bottom + 3))
        parts.append(
            format_html(
                '<text class="x-tick" x="{}" y="{}" text-anchor="{}" data-at="{}">{}</text>',
                x,
                HEIGHT - 8,
                anchor,
                _iso(at),
                label,
            )
        )
    for index, s in enumerate(series):
        color = s.color or series_color(index)
        parts.append(_draw(s, color, scale, dots=dots, step=step, value_format=value_format))
        row, column = divmod(index, LEGEND_COLUMNS)
        parts.append(_legend_item(s.label, color, left + 4 + LEGEND_WIDTH * column, 14 + LEGEND_ROW * row))
    for marker in markers:
        parts.append(_mark(marker, scale))
    parts.append("</svg>")
    # Text (titles, labels) is escaped above; numbers and colours come from code.
    return mark_safe("".join(parts))  # noqa: S308


def _legend_item(label: str, color: str, x: float, y: float) -> SafeString:
    shown = label if len(label) <= LEGEND_CHARS else label[: LEGEND_CHARS - 1] + "…"
    return format_html(
        '<g class="legend-item" data-label="{}" data-color="{}"><title>{}</title>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"/>'
        '<circle cx="{}" cy="{}" r="3" fill="{}"/><text x="{}" y="{}" fill="{}">{}</text></g>',
        label,
        color,
        label,
        x,
        y - 4,
        x + 12,
        y - 4,
        color,
        x + 6,
        y - 4,
        color,
        x + 16,
        y,
        color,
        shown,
    )


def _draw(
    s: Series, color: str, scale: _Scale, *, dots: bool, step: bool, value_format: Callable[[Number], str]
) -> str:
    label = escape(s.label)
    parts = [f'<g class="series-group" data-label="{label}" data-color="{color}" data-count="{len(s.points)}">']
    if step:
        corners: list[tuple[float, float]] = []
        for (at, v), (next_at, _) in zip(s.points, [*s.points[1:], (scale.end, None)], strict=True):
            corners += [(scale.x(at), scale.y(v)), (scale.x(next_at), scale.y(v))]
        path = " ".join(f"{x},{y}" for x, y in corners)
        parts.append(
            f'<polyline class="step" fill="none" stroke="{color}" stroke-width="1.5" points="{path}">'
            f"<title>{label}</title></polyline>"
        )
    elif not dots and len(s.points) > 1:
        points = " ".join(f"{scale.x(at)},{scale.y(v)}" for at, v in s.points)
        parts.append(
            f'<polyline class="series" fill="none" stroke="{color}" stroke-width="1.5" points="{points}" '
            f'data-label="{label}" data-count="{len(s.points)}"><title>{label}</title></polyline>'
        )
    if dots or step or len(s.points) <= SHORT_SERIES:
        parts += [
            f'<circle class="point" cx="{scale.x(at)}" cy="{scale.y(v)}" r="3" fill="{color}" '
            f'data-at="{_iso(at)}" data-value="{v}"><title>{label}: {escape(value_format(v))} '
            f"({day_label(at)})</title></circle>"
            for at, v in s.points
        ]
    parts.append("</g>")
    return "".join(parts)


def _mark(marker: Marker, scale: _Scale) -> str:
    x, label = scale.x(marker.at), escape(marker.label)
    _, top, _, bottom = scale.plot
    if marker.value is None:
        return (
            f'<line class="marker" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{MARKER_COLOR}" '
            f'stroke-dasharray="4 3" data-at="{_iso(marker.at)}"><title>{label}</title></line>'
        )
    return (
        f'<circle class="marker" cx="{x}" cy="{scale.y(marker.value)}" r="5" fill="none" stroke="{MARKER_COLOR}" '
        f'stroke-width="2" data-at="{_iso(marker.at)}" data-value="{marker.value}">'
        f"<title>{label}</title></circle>"
    )
