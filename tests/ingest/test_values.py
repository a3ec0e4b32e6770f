"""The per-row parsers agree with the validators the services use."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ingest import values

URLS = [
    "https://www.douyin.com/video/7400000000000000001",
    "http://example.invalid/a?b=c#d",
    "https://sub.example.com:8443/x",
    "HTTPS://EXAMPLE.COM/",
    "https://例子.中国/视频",
    "https://-bad.example.com/",
    "https://example.c/",
    "https://example.com/a b",
    "ftp://example.com/",
    "https://localhost/",
    "https://127.0.0.1/x",
    "https://exa_mple.com/",
    "https://example.com:123456/",
    "https://" + "a" * 64 + ".com/",
    "https://" + ".".join(["abcdefghij"] * 24) + ".com/",
    "https://example.com./x",
]


@pytest.mark.parametrize("url", URLS)
def test_url_parser_accepts_what_url_validator_accepts(url):
    try:
        URLValidator(schemes=["http", "https"])(url)
        expected = True
    except ValidationError:
        expected = False
    try:
        values.url(1000)(url)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == expected


def test_integer_and_moment():
    parse = values.integer(1)
    assert parse("12") == 12 and parse(12) == 12 and parse(12.0) == 12
    for bad in ("0", "-3", "1.5", "²", True, "9" * 20):
        with pytest.raises(ValueError):
            parse(bad)
    assert values.moment("2025-09-12T08:00:00+08:00") == "2025-09-12T08:00:00+08:00"
    assert values.moment("2025-09-12T00:00:00Z") == "2025-09-12T00:00:00+00:00"
    with pytest.raises(ValueError):
        values.moment("2025-09-12T08:00:00")


def test_target_paths():
    assert values.target_paths(" 蔚来 >ES6 ; XIAOMI") == ["蔚来 > ES6", "XIAOMI"]
    assert values.target_paths(["蔚来 > ES6"]) == ["蔚来 > ES6"]
    with pytest.raises(ValueError):
        values.target_paths("蔚来 > > ES6")
