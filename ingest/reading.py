"""Reading ingest files row by row: CSV, JSON Lines and (for quotes) XLSX, plain or gzip.

Each row comes out as ``(line, cells)``: ``line`` is where the row starts in the
file (CSV and JSON Lines: the text line, the header is line 1; XLSX: the sheet's
row number) and ``cells`` maps column names to raw values. Nothing is kept
beyond the current row, so memory stays flat whatever the file's length.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

FORMATS = ("csv", "jsonl", "xlsx")
GZIP_MAGIC = b"\x1f\x8b"
# Content types a raw request body may carry, by format.
CONTENT_TYPES = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/x-jsonlines": "jsonl",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


@dataclass(frozen=True)
class RowError:
    """One problem in a file: the line (header = 1), the column and what is wrong."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d, column %(column)s") if self.column else _("line %(line)d")
        return f"{where % {'line': self.line, 'column': self.column}}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


class FileUnreadable(Exception):
    """The file as a whole cannot be read: not CSV/JSON Lines/XLSX, not UTF-8, a bad header."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def format_of(filename: str) -> str:
    """``csv``, ``jsonl`` or ``xlsx`` from a file name (``.gz`` and ``.ndjson`` understood); else empty."""
    name = filename.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    return {"ndjson": "jsonl", "json": "jsonl"}.get(extension, extension if extension in FORMATS else "")


class HashingReader(io.RawIOBase):
    """Wraps a binary stream, computing the SHA-256 of every byte read through it."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.bytes_read += n
        return n


def decompressed(source: IO[bytes] | io.RawIOBase) -> IO[bytes]:
    """The stream itself, or its gzip-decompressed content when it starts with the gzip magic bytes."""
    buffered = source if hasattr(source, "peek") else io.BufferedReader(source, 1 << 16)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=buffered, mode="rb")
    return buffered


def _csv_rows(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = _header([c.strip().lower() for c in next(reader, [])])
        width = len(header)
        start = reader.line_num + 1
        for values in reader:
            line, start = start, reader.line_num + 1
            if len(values) != width:
                if not any(v.strip() for v in values):
                    continue  # a blank line
                if len(values) > width and not any(v.strip() for v in values[width:]):
                    values = values[:width]
                else:
                    yield (
                        line,
                        {
                            "": _("The row has %(n)d cells; the header has %(m)d columns.")
                            % {"n": len(values), "m": width}
                        },
                    )
                    continue
            yield line, dict(zip(header, values, strict=True))
    except UnicodeDecodeError as exc:
        raise FileUnreadable([RowError(reader.line_num + 1, "", _("The file is not UTF-8 text."))]) from exc
    except csv.Error as exc:
        raise FileUnreadable([RowError(reader.line_num, "", _("Not a readable CSV row: %s") % exc)]) from exc


def _header(columns: list[str]) -> list[str]:
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise FileUnreadable([RowError(1, "", _("The file is empty: it needs a header row."))])
    twice = sorted({name for name in columns if columns.count(name) > 1})
    if twice:
        raise FileUnreadable([RowError(1, name or "(empty)", _("Column given twice.")) for name in twice])
    return columns


def _jsonl_rows(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, raw in enumerate(source, start=1):
        if not raw.strip():
            continue
        try:
            cells = json.loads(raw)
        except UnicodeDecodeError:
            yield line, {"": _("The line is not UTF-8 text.")}
            continue
        except ValueError:
            yield line, {"": _("The line is not a JSON object.")}
            continue
        if not isinstance(cells, dict):
            yield line, {"": _("The line is not a JSON object.")}
            continue
        yield line, cells


def _xlsx_rows(source: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # openpyxl needs a seekable file and reads it out of order: keep the (small) workbook in memory,
    # so that the file's digest is computed over its bytes in order.
    source = io.BytesIO(source.read())
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FileUnreadable([RowError(1, "", _("Not a readable XLSX file."))]) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = _header([str(c).strip().lower() if c is not None else "" for c in next(rows, ())])
        width = len(header)
        for line, values in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if any(v is not None and v != "" for v in values[width:]):
                yield line, {"": _("More cells than the header has columns.")}
                continue
            yield line, dict(zip(header, values[:width], strict=False))
    finally:
        workbook.close()


def rows(source: IO[bytes], file_format: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, cells)`` of every non-blank row of the file, streamed.

    A row whose cells cannot be read is given as ``{"": message}``; a file that cannot
    be read at all raises :class:`FileUnreadable`.
    """
    if file_format == "csv":
        return _csv_rows(source)
    if file_format == "jsonl":
        return _jsonl_rows(source)
    if file_format == "xlsx":
        return _xlsx_rows(source)
    raise FileUnreadable([RowError(1, "", _("Unknown file format %r: use csv, jsonl or xlsx.") % file_format)])
