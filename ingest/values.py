"""Per-row parsing of raw cells into the values the staging table takes.

What can only be checked in Python (a URL, a USCC check character, a time zone,
a price's digits) is checked here, row by row while the file streams, without
building model instances; everything that needs the database (accounts,
targets, tiers, duplicates, conflicts) is checked afterwards in SQL.
Each parser takes a non-blank raw value (stripped text from CSV, typed from JSON or
XLSX) and returns the value for COPY, or raises ``ValueError`` with the message to
report. Text takes the first branch of each parser: they run once per cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.spreadsheet import safe_text

Parser = Callable[[Any], Any]
_url = URLValidator(schemes=["http", "https"])
# The plain ASCII http(s) URLs that URLValidator accepts (hostname labels, a letter TLD, an optional
# port, a path without spaces): checked by this one cheap regex, while any other form goes
# through URLValidator itself, whose full regex costs tens of microseconds per URL.
_PLAIN_URL = re.compile(
    r"https?://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(?::[0-9]{1,5})?(?:[/?#][!-~]*)?",
    re.IGNORECASE,
)
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _str(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric user id in a spreadsheet cell
    return str(value).strip()


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        if value.__class__ is str:
            result = value
        elif isinstance(value, dict | list | bool):
            raise ValueError(_("Expected text."))
        else:
            result = _str(value)
        if len(result) > max_length:
            raise ValueError(_("At most %d characters.") % max_length)
        return result

    return parse


def spreadsheet_text(max_length: int) -> Parser:
    """Free text that will be exported to spreadsheets again: never kept as a formula (OWASP)."""
    parse_text = text(max_length)

    def parse(value: Any) -> str:
        return safe_text(parse_text(value))

    return parse


def choice(values: list[str]) -> Parser:
    allowed = frozenset(values)

    def parse(value: Any) -> str:
        if value.__class__ is str and value in allowed:
            return value
        result = _str(value)
        if result not in allowed:
            raise ValueError(
                _("Unknown value %(value)r (known: %(known)s).") % {"value": result, "known": ", ".join(values)}
            )
        return result

    return parse


def integer(minimum: int = 0) -> Parser:
    def parse(value: Any) -> int:
        if value.__class__ is str and value.isascii() and value.isdigit():
            number = int(value)
        elif isinstance(value, bool):
            raise ValueError(_("Expected a whole number."))
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            try:
                number = int(_str(value))
            except ValueError:
                raise ValueError(_("Expected a whole number.")) from None
        if number < minimum:
            raise ValueError(_("At least %d.") % minimum)
        if number > 2**63 - 1:
            raise ValueError(_("Too large."))
        return number

    return parse


def moment(value: Any) -> str:
    """An ISO 8601 date and time with its offset (e.g. 2025-09-12T08:00:00+08:00)."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(value if value.__class__ is str else _str(value))
        except ValueError:
            raise ValueError(_("A time is written ISO 8601 with its offset, e.g. 2025-09-12T08:00:00+08:00.")) from None
    if parsed.tzinfo is None:
        raise ValueError(_("The time needs its offset, e.g. +08:00 or Z."))
    return parsed.isoformat()


def day(value: Any) -> date:
    """A date written YYYY-MM-DD (or a date cell of a spreadsheet)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    result = _str(value)
    if len(result) != 10:
        raise ValueError(_("A date is written YYYY-MM-DD, e.g. 2025-09-12."))
    try:
        return date.fromisoformat(result)
    except ValueError:
        raise ValueError(_("A date is written YYYY-MM-DD, e.g. 2025-09-12.")) from None


def decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("A price is a number."))
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as the cell's number
    try:
        number = Decimal(_str(value).replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("A price is a number, e.g. 18000 or 18000.00.")) from None
    if not number.is_finite():
        raise ValueError(_("A price is a number, e.g. 18000 or 18000.00."))
    return number


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    result = _str(value).lower()
    if result in _TRUE:
        return True
    if result in _FALSE:
        return False
    raise ValueError(_("Expected true or false."))


def url(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        result = _str(value)
        if len(result) > max_length:
            raise ValueError(_("The URL is too long."))
        plain = _PLAIN_URL.fullmatch(result)
        if plain is not None and len(plain[1]) <= 253:
            return result
        try:
            _url(result)
        except ValidationError:
            raise ValueError(_("Enter a valid http(s) URL.")) from None
        return result

    return parse


def target_paths(value: Any) -> list[str]:
    """Targets by name path, e.g. ``蔚来 > ES6``; several separated by ``;`` (or a JSON list)."""
    items = value if isinstance(value, list) else str(value).split(";")
    paths = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(_("A target is a name path such as 蔚来 > ES6."))
        parts = [part.strip() for part in item.split(">")]
        if not any(parts):
            continue
        if not all(parts):
            raise ValueError(_("A target path has an empty name: %r.") % item)
        paths.append(" > ".join(parts))
    return paths
