"""Masking of personal data before it leaves through the API or an export."""

from __future__ import annotations

from django.db.models import Case, CharField, Expression, F, Func, Value, When
from django.db.models.functions import Concat, Left

MASK = "**"


def mask_name(value: str) -> str:
    """Keep the first character of a person's name and hide the rest.

    The mask has a fixed length so that it does not reveal the name's length.
    """
    value = value.strip()
    if not value:
        return ""
    return value[0] + MASK


def masked_name(field: str) -> Expression:
    """:func:`mask_name` in the database, for a query that selects a name already masked.

    Whitespace is stripped as Python strips it (PostgreSQL's ``\\s`` also matches the full-width
    space U+3000; ``TRIM`` would strip spaces only).
    """
    stripped = Func(
        F(field), Value(r"^\s+|\s+$"), Value(""), Value("g"), function="regexp_replace", output_field=CharField()
    )
    return Case(
        When(**{f"{field}__regex": r"^\s*$"}, then=Value("")),
        default=Concat(Left(stripped, 1), Value(MASK)),
        output_field=CharField(),
    )
