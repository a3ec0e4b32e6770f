"""Masking of personal data before it leaves through the API or an export."""

from __future__ import annotations

MASK = "**"


def mask_name(value: str) -> str:
    """Keep the first character of a person's name and hide the rest.

    The mask has a fixed length so that it does not reveal the name's length.
    """
    value = value.strip()
    if not value:
        return ""
    return value[0] + MASK
