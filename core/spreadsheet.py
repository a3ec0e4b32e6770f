"""Cells that a spreadsheet cannot take for formulas (CSV injection, OWASP).

Every CSV the ledger writes passes its cells through :func:`safe_cell`, and
imported free text (quote notes) through :func:`safe_text`: a text that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of
running it. Numbers stay numbers.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """``value``, with a leading apostrophe if a spreadsheet would read it as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def safe_cell(value: Any) -> Any:
    """A CSV cell: texts through :func:`safe_text`, anything else (numbers, None) unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
