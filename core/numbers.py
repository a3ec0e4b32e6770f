"""Numbers as the reader's language writes them: thousands separators, and 万 for large follower counts in Chinese.

One place for the number format of the back office: list columns, detail pages,
``__str__`` and chart axes all use these helpers, so ``600,000`` reads the same
everywhere (``600,000`` in English, ``60万`` for a follower count in Chinese).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

WAN = 10_000
NONE = "—"


def number(value: int | float | Decimal | None, decimal_pos: int | None = None) -> str:
    """``600,000`` (``—`` for none), with the active language's separators."""
    if value is None:
        return NONE
    return formats.number_format(value, decimal_pos=decimal_pos, force_grouping=True)


def money(value: Decimal | None) -> str:
    """An amount to the cent: ``95,000.00`` (``—`` for none)."""
    return number(value, 2)


def signed(value: int | float | Decimal | None, decimal_pos: int | None = None) -> str:
    """A change with its sign: ``+1,500``, ``-300``, ``0``."""
    text = number(value, decimal_pos)
    return f"+{text}" if value is not None and value > 0 else text


def percent(ratio: int | float | Decimal | None, decimal_pos: int = 0, *, sign: bool = False) -> str:
    """A ratio as a percentage: ``0.122103`` -> ``12%`` (``decimal_pos=1``: ``12.2%``); ``sign``: ``+12.2%``."""
    if ratio is None:
        return NONE
    hundredths = Decimal(str(ratio)) * 100
    return f"{(signed if sign else number)(hundredths, decimal_pos)}%"


def compact(value: int | Decimal | None) -> str:
    """A follower count as plain text: ``60万`` / ``61.2万`` in Chinese from 10,000 on, ``612,345`` otherwise."""
    if value is None:
        return NONE
    if not (get_language() or "").startswith("zh") or abs(Decimal(value)) < WAN:
        return number(value)
    wan = (Decimal(value) / WAN).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number(wan.to_integral_value() if wan == wan.to_integral_value() else wan) + "万"


def followers(value: int | None) -> str | SafeString:
    """A follower count for a list: :func:`compact`, with the exact count in the tooltip when they differ."""
    text = compact(value)
    if value is None or text == number(value):
        return text
    return format_html('<span title="{}">{}</span>', number(value), text)


def digits(value: Decimal) -> tuple[int, int]:
    """How many digits a finite decimal has before and after its point, trailing zeros dropped.

    ``18000.50`` has (5, 1); the services check amounts and prices against their columns with it.
    """
    _sign, numerals, exponent = value.normalize().as_tuple()
    exponent = int(exponent)  # an int for every finite decimal
    return max(len(numerals) + exponent, 0), max(-exponent, 0)
