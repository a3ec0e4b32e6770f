"""Request body parsers: DRF's, refusing what the database could never store.

- A NUL character (U+0000) in any string: PostgreSQL text cannot hold it, and a
  lookup with it fails in the driver (a 500 instead of a 400).
- JSON nested deeper than the parser's recursion allows (100,000 ``[``): a
  ``RecursionError`` rather than the ``ValueError`` DRF turns into a 400.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def has_nul(data: Any) -> bool:
    """Whether a NUL character occurs in any key or string of ``data`` (walked without recursion)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif hasattr(item, "getlist"):  # QueryDict / MultiValueDict
            for key in item:
                pending.append(key)
                pending.extend(item.getlist(key))
    return False


def _refuse_nul(data: Any) -> Any:
    if has_nul(data):
        raise ParseError(_("Text cannot contain NUL (\\u0000) characters."), code="nul_character")
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply."), code="too_deep") from None
        return _refuse_nul(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return _refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _refuse_nul(result.data)
        return result
