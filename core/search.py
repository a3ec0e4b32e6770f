"""Search keys for Chinese names: pinyin initials, so that ``lksc`` finds 老K说车."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")
# Chinese names sort by their pinyin (Latin names first, then Chinese names from A to Z by
# pinyin) on the columns that hold names and handles: the project's collation "ledger_zh" is
# PostgreSQL's ICU collation for Chinese where the server has ICU (a packaged PostgreSQL), and
# plain code-point order where it has none (the embedded development server): see ledger
# migration 0011.
CHINESE_COLLATION = "ledger_zh"

CREATE_COLLATION_SQL = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'ledger_zh') THEN
        IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'zh-x-icu') THEN
            CREATE COLLATION ledger_zh FROM "zh-x-icu";
        ELSE
            CREATE COLLATION ledger_zh FROM "C";
        END IF;
    END IF;
END
$$;
"""


def pinyin_sort_available() -> bool:
    """Whether names really sort by pinyin on this server (its collation came from ICU)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'ledger_zh'")
        row = cursor.fetchone()
    return bool(row) and row[0] == "i"


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
