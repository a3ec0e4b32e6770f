"""The derived pricing figures, computed with exact decimals.

Follower counts and benchmark percentiles come from the database (see
``pricing.selectors``); the arithmetic on money happens here, in ``Decimal``,
so a figure never depends on a database's floating-point division.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.conf import settings

# A quote's ``observed_on`` is a calendar day in China: the follower count that goes with
# it is the newest one captured on or before the end of that day in this zone.
OBSERVATION_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_CURRENCY = "CNY"
CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10_000)


@dataclass(frozen=True)
class FollowerBand:
    """A band of follower counts: ``min_followers`` <= count < ``max_followers`` (None: no upper bound)."""

    code: str
    min_followers: int
    max_followers: int | None

    def contains(self, followers: int) -> bool:
        return followers >= self.min_followers and (self.max_followers is None or followers < self.max_followers)


def _short(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def follower_bands() -> list[FollowerBand]:
    """The bands of ``PRICING_FOLLOWER_BANDS``: ``under_100k``, ``100k_500k``, ..., ``5m_plus``."""
    bounds = list(settings.PRICING_FOLLOWER_BANDS)
    bands = [FollowerBand(f"under_{_short(bounds[0])}", 0, bounds[0])]
    bands += [FollowerBand(f"{_short(lo)}_{_short(hi)}", lo, hi) for lo, hi in pairwise(bounds)]
    bands.append(FollowerBand(f"{_short(bounds[-1])}_plus", bounds[-1], None))
    return bands


def band_for(followers: int | None) -> FollowerBand | None:
    if followers is None:
        return None
    return next(band for band in follower_bands() if band.contains(followers))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def per_10k_followers(price: Decimal, followers: int | None) -> Decimal | None:
    """Price per 10,000 followers, to the cent; None without a (non-zero) follower count."""
    if not followers:
        return None
    return cents(price * TEN_THOUSAND / Decimal(followers))


def market_ratio(price: Decimal, median: Decimal | None) -> Decimal | None:
    """Price as a multiple of the benchmark median (2 decimals); None without a benchmark."""
    if median is None or median == 0:
        return None
    return cents(price / median)


def is_outlier(price: Decimal, p25: Decimal | None, p75: Decimal | None) -> bool | None:
    """Outside [p25 / factor, p75 x factor]; None without a benchmark."""
    if p25 is None or p75 is None:
        return None
    factor = settings.PRICING_OUTLIER_FACTOR
    return price < p25 / factor or price > p75 * factor


def percentile(sorted_values: list[Decimal], fraction: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``), to the cent."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    weight = position - lower
    value = sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * weight
    return cents(value)


def band_label(band_min: int, band_max: int | None) -> str:
    """A follower band as a reader says it: ``under 100,000 followers``, ``100,000-500,000 followers``, ``5,000,000
    followers and more`` (counts in the reader's format: ``10万``-``50万`` in Chinese)."""
    from django.utils.translation import gettext

    from core.numbers import compact

    if band_max is None:
        return gettext("%(min)s followers and more") % {"min": compact(band_min)}
    if band_min == 0:
        return gettext("under %(max)s followers") % {"max": compact(band_max)}
    return gettext("%(min)s-%(max)s followers") % {"min": compact(band_min), "max": compact(band_max)}
