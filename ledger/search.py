"""Search keys for Chinese names: pinyin initials, so that ``lksc`` finds 老K说车."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")
# Chinese names sort by their pinyin with PostgreSQL's ICU collation for Chinese (Latin names
# first, then Chinese names from A to Z by pinyin), on the columns that hold names and handles.
CHINESE_COLLATION = "zh-x-icu"


def pinyin_initials(text: str) -> str:
    """The first letter of each Chinese character's pinyin, with Latin letters and digits kept, in lower case,
    from the first Chinese character on.

    ``"老K说车"`` -> ``"lksc"``, ``"小米SU7车主"`` -> ``"xmsu7cz"``, ``"Lao K on Cars (老K说车)"`` ->
    ``"lksc"``. Empty for text without Chinese characters, which the ordinary search finds as written.
    """
    first = _HAN.search(text or "")
    if first is None:
        return ""
    parts = lazy_pinyin(text[first.start() :], style=Style.FIRST_LETTER, errors="default")
    return "".join(_LATIN_OR_DIGIT.findall("".join(parts))).lower()
