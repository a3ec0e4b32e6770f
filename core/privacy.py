"""Masking of personal data before it leaves through the API or an export."""

from __future__ import annotations

from django.db.models import Case, CharField, Expression, F, Value, When
from django.db.models.functions import Concat, Left, Trim

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
    """:func:`mask_name` in the database, for a query that selects a name already masked."""
    return Case(
        When(**{f"{field}__regex": r"^\s*$"}, then=Value("")),
        default=Concat(Left(Trim(F(field)), 1), Value(MASK)),
        output_field=CharField(),
    )
