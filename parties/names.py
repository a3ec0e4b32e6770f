"""Normalised names of parties: the keys that likely duplicates share.

``match_key`` folds the ways one firm is written: full-width to half-width
(NFKC), traditional to simplified characters (OpenCC ``t2s``), case, spaces and
punctuation, a bracketed addition ("Xingchi Media MCN (星驰传媒)" and "Xingchi
Media MCN" share a key) and a trailing company suffix (有限公司, 有限责任公司,
股份有限公司, 集团, Co., Ltd. ...). ``pinyin_key`` spells the key's Chinese
characters in pinyin, so that "Lanjing Gongguan" meets 蓝鲸公关. Keys only
list candidates; a person decides (never merged automatically).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import lazy_pinyin

# Longest first: 股份有限公司 before 有限公司 before 公司. Latin suffixes count as whole words only
# ("Tesco" keeps its "co").
CHINESE_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司")
_LATIN_SUFFIX = re.compile(r"[\s,.]+(corporation|company|limited|group|corp|ltd|llc|inc|co)[\s,.]*$")
_BRACKETED = re.compile(r"[(\[（【][^)\]）】]*[)\]）】]")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters turned into simplified ones (OpenCC t2s); other text unchanged."""
    return _t2s().convert(text)


def fold(text: str) -> str:
    """Half-width, simplified, lower case, words only: "藍鯨公關（深圳）有限公司" -> "蓝鲸公关深圳有限公司"."""
    text = simplified(unicodedata.normalize("NFKC", text or "")).casefold()
    return _NOT_WORD.sub("", text)


def _without_suffixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in CHINESE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key, changed = key[: -len(suffix)], True
    return key


def _without_latin_suffixes(text: str) -> str:
    while (shorter := _LATIN_SUFFIX.sub("", text)) != text and shorter.strip():
        text = shorter
    return text


def match_key(name: str) -> str:
    """The key two writings of one party share (empty only for a name without letters or characters)."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    outside = _without_latin_suffixes(_BRACKETED.sub(" ", text).strip())
    key = fold(outside) or fold(text)  # a name that is all brackets keeps its content
    return _without_suffixes(key)


def pinyin_key(name: str) -> str:
    """``match_key`` with its Chinese characters spelt in pinyin, without tones: 蓝鲸公关 -> lanjinggongguan."""
    return "".join(lazy_pinyin(match_key(name), errors="default"))
