"""Validators for Chinese identifiers (GB 32100-2015 and GB 11643-1999)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters of the Unified Social Credit Code (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
_USCC_RE = re.compile(USCC_PATTERN)
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31 for positions 1-17


def uscc_check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True when ``value`` is 18 characters of the USCC alphabet with a correct check character."""
    return bool(_USCC_RE.match(value)) and uscc_check_character(value[:17]) == value[17]


def validate_uscc(value: str) -> None:
    """Django validator for a Unified Social Credit Code (GB 32100-2015)."""
    if not _USCC_RE.match(value):
        raise ValidationError(
            _("A Unified Social Credit Code is 18 characters from 0-9 and A-Y without I, O, S, V, Z."),
            code="uscc_format",
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("Check character of the Unified Social Credit Code is wrong (expected %(expected)s)."),
            code="uscc_check",
            params={"expected": expected},
        )
