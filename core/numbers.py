"""Numbers as the reader's language writes them: thousands separators, and 万 for large follower counts in Chinese."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

WAN = 10_000


def number(value: int | Decimal | None, decimal_pos: int | None = None) -> str:
    """``600,000`` (``—`` for none), with the active language's separators."""
    if value is None:
        return "—"
    return formats.number_format(value, decimal_pos=decimal_pos, force_grouping=True)


def followers(value: int | None) -> str | SafeString:
    """A follower count for a list: ``60万`` / ``61.2万`` in Chinese from 10,000 on (the exact
    count in the tooltip), ``612,345`` otherwise."""
    if value is None:
        return "—"
    if not (get_language() or "").startswith("zh") or abs(value) < WAN:
        return number(value)
    wan = (Decimal(value) / WAN).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = number(wan.to_integral_value() if wan == wan.to_integral_value() else wan)
    return format_html('<span title="{}">{}万</span>', number(value), text)


def digits(value: Decimal) -> tuple[int, int]:
    """How many digits a finite decimal has before and after its point, trailing zeros dropped.

    ``18000.50`` has (5, 1); the services check amounts and prices against their columns with it.
    """
    _sign, numerals, exponent = value.normalize().as_tuple()
    exponent = int(exponent)  # an int for every finite decimal
    return max(len(numerals) + exponent, 0), max(-exponent, 0)
