"""Small charts drawn on the server as inline SVG: no JavaScript, no CDN, so the admin works offline.

:func:`time_chart` draws series of (time, value) points against a time axis,
as lines (follower counts) or dots (prices), with markers (follower anomalies,
outlier prices). Every point, dot and marker carries its time and value in
``data-at`` / ``data-value`` and a ``<title>`` tooltip, so what is drawn can be
read back (and tested) exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f")
MARKER_COLOR = "#d62728"
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, BOTTOM = 72, 12, 28  # margins for the axis labels; the top one grows with the legend
LEGEND_COLUMNS, LEGEND_WIDTH, LEGEND_ROW = 4, 160, 14

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


@dataclass
class _Scale:
    start: datetime
    end: datetime
    low: float
    high: float
    top: int
    plot: tuple[int, int, int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.plot = (LEFT, self.top, WIDTH - RIGHT, HEIGHT - BOTTOM)

    def x(self, at: datetime) -> float:
        left, _, right, _ = self.plot
        span = (self.end - self.start).total_seconds()
        return round(left + (right - left) * (at - self.start).total_seconds() / span, 1)

    def y(self, value: Number) -> float:
        _, top, _, bottom = self.plot
        return round(bottom - (bottom - top) * (float(value) - self.low) / (self.high - self.low), 1)


def _scale(series: Sequence[Series], markers: Sequence[Marker], *, from_zero: bool, top: int) -> _Scale:
    times = [at for s in series for at, _ in s.points] + [m.at for m in markers]
    values = [float(v) for s in series for _, v in s.points] + [float(m.value) for m in markers if m.value is not None]
    start, end = min(times), max(times)
    if start == end:
        start, end = start - timedelta(days=1), end + timedelta(days=1)
    low, high = (0.0 if from_zero else min(values)), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = 0 if from_zero else (high - low) * 0.05
    return _Scale(start, end, low - pad, high + pad, top)


def day_label(at: datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d")


def _iso(at: datetime) -> str:
    return timezone.localtime(at).isoformat()


def _thousands(value: Number) -> str:
    return f"{value:,.0f}"


def time_chart(
    *,
    title: str,
    series: Sequence[Series],
    markers: Sequence[Marker] = (),
    dots: bool = False,
    from_zero: bool = False,
    value_format: Callable[[Number], str] = _thousands,
    empty: str = "",
) -> SafeString:
    """An SVG chart of ``series`` against time, with ``markers``; ``empty`` when there is nothing to draw."""
    series = [s for s in series if s.points]
    if not series:
        return format_html("<p>{}</p>", empty)
    legend_rows = -(-len(series) // LEGEND_COLUMNS)
    scale = _scale(series, markers, from_zero=from_zero, top=10 + LEGEND_ROW * legend_rows)
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
    for value in (scale.low, (scale.low + scale.high) / 2, scale.high):  # y axis: bottom, middle, top
        y = scale.y(value)
        parts.append(format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#eee"/>', left, y, right, y))
        parts.append(
            format_html('<text x="{}" y="{}" text-anchor="end">{}</text>', left - 4, y + 4, value_format(value))
        )
    for at, anchor in ((scale.start, "start"), (scale.end, "end")):  # x axis: first and last day
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}">{}</text>', scale.x(at), HEIGHT - 8, anchor, day_label(at)
            )
        )
    for index, s in enumerate(series):
        color = s.color or PALETTE[index % len(PALETTE)]
        parts.append(_draw(s, color, scale, dots=dots, value_format=value_format))
        row, column = divmod(index, LEGEND_COLUMNS)
        x, y = left + 4 + LEGEND_WIDTH * column, 14 + LEGEND_ROW * row
        parts.append(format_html('<text x="{}" y="{}" fill="{}">{}</text>', x, y, color, s.label[:28]))
    for marker in markers:
        parts.append(_mark(marker, scale))
    parts.append("</svg>")
    # Text (titles, labels) is escaped above; numbers and colours come from code.
    return mark_safe("".join(parts))  # noqa: S308


def _draw(s: Series, color: str, scale: _Scale, *, dots: bool, value_format: Callable[[Number], str]) -> str:
    label = escape(s.label)
    if dots:
        return "".join(
            f'<circle class="point" cx="{scale.x(at)}" cy="{scale.y(v)}" r="3" fill="{color}" '
            f'data-at="{_iso(at)}" data-value="{v}"><title>{label}: {escape(value_format(v))} '
            f"({day_label(at)})</title></circle>"
            for at, v in s.points
        )
    points = " ".join(f"{scale.x(at)},{scale.y(v)}" for at, v in s.points)
    return (
        f'<polyline class="series" fill="none" stroke="{color}" stroke-width="1.5" points="{points}" '
        f'data-label="{label}" data-count="{len(s.points)}"><title>{label}</title></polyline>'
    )


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
