"""Validators for Chinese identifiers (GB 32100-2015 and GB 11643-1999)."""

from __future__ import annotations

import re
import unicodedata

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


# GB 11643-1999: the resident identity number, 17 digits and a check character (0-9 or X).
_RESIDENT_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 2^(18-i) mod 11 for positions 1-17
_RESIDENT_ID_CHECK = "10X98765432"
# 18 characters not preceded or followed by another digit or letter: a candidate number inside free text.
_RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")


def resident_id_check_character(first17: str) -> str:
    """Return the check character (0-9 or X) for the first 17 digits of a resident identity number."""
    total = sum(int(ch) * w for ch, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    """True when ``value`` is 17 digits followed by their correct check character (GB 11643-1999)."""
    value = value.upper()
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[:17].isascii()
        and resident_id_check_character(value[:17]) == value[17]
    )


# Spaces, dashes and dots written between the digits of a number ("110105 19491231 002X").
_DIGIT_SEPARATORS = re.compile(r"(?<=[0-9])[\s\-.\u00b7\u2010-\u2015\u30fb]+(?=[0-9Xx])")


def normalize_digits(text: str) -> str:
    """``text`` with full-width digits and letters made ASCII (NFKC) and separators between digits removed."""
    return _DIGIT_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))


def contains_resident_id(text: str) -> bool:
    """True when free text holds something that is a valid resident identity number (personal data).

    Checked after :func:`normalize_digits`, so full-width digits (U+FF10 to U+FF19) or a number
    written in groups with spaces or dashes are caught too.
    """
    normalized = normalize_digits(text)
    return any(is_valid_resident_id(m.group(0)) for m in _RESIDENT_ID_IN_TEXT.finditer(normalized))


RESIDENT_ID_REFUSED = _("Do not record resident identity numbers (personal data): name the person instead.")


def reject_resident_id(value: str) -> None:
    """Django validator for free text: refuse text that holds a resident identity number.

    Identity numbers are personal data the ledger does not need: name the person instead.
    """
    if contains_resident_id(value):
        raise ValidationError(RESIDENT_ID_REFUSED, code="resident_id")
