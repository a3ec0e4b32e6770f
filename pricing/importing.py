"""Reading quote files (CSV and XLSX) row by row, for ``pricing.services.quotes_import``.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first
quote row 2. Each row's cells are parsed into typed values; what cannot be
parsed becomes a :class:`RowError` naming the row and column. Nothing here
touches the database beyond the tiers passed in; the rules a quote must meet
are checked by ``pricing.services.quote_problems``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from ledger.choices import Platform
from ledger.spreadsheet import safe_text
from pricing import figures
from pricing.models import DurationTier

REQUIRED_COLUMNS = ("platform", "platform_uid", "deliverable", "tier", "price", "currency", "price_kind", "observed_on")
OPTIONAL_COLUMNS = ("valid_until", "source_url", "notes")
FORMATS = ("csv", "xlsx")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RowError:
    """One problem in a quote file: the row (header = 1), the column and what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


class FileUnreadable(Exception):
    """The file is not a CSV or XLSX file this import can read (or its header is wrong)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class TableRow:
    """One parsed row of a quote file, with the problems found while parsing it."""

    number: int
    platform: str = ""
    platform_uid: str = ""
    deliverable: str = ""
    tier: DurationTier | None = None
    price: Decimal | None = None
    currency: str = figures.DEFAULT_CURRENCY
    price_kind: str = ""
    observed_on: date | None = None
    valid_until: date | None = None
    source_url: str = ""
    notes: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_columns(self) -> set[str]:
        return {e.column for e in self.errors}

    def quote_values(self, *, with_notes: bool = False) -> dict[str, Any]:
        """The values ``quote_problems`` checks (and, ``with_notes``, everything a RateQuote needs)."""
        values = {
            "deliverable": self.deliverable,
            "tier": self.tier,
            "price": self.price,
            "currency": self.currency,
            "price_kind": self.price_kind,
            "observed_on": self.observed_on,
            "valid_until": self.valid_until,
            "source_url": self.source_url,
        }
        if with_notes:
            values["notes"] = self.notes
        return values


# --- raw cells ----------------------------------------------------------------------


def _csv_rows(source: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            for values in reader:
                yield reader.line_num, values
        except UnicodeDecodeError as exc:
            raise FileUnreadable([RowError(reader.line_num + 1, "", _("The file is not UTF-8 text."))]) from exc
        except csv.Error as exc:
            raise FileUnreadable([RowError(reader.line_num, "", _("Not a readable CSV row: %s") % exc)]) from exc
    finally:
        if not source.closed:
            text.detach()  # leave the caller's file open (the import reads it twice)


def _xlsx_rows(source: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise FileUnreadable([RowError(1, "", _("Not a readable XLSX file."))]) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def raw_rows(source: IO[bytes], file_format: str) -> Iterator[tuple[int, list[Any]]]:
    """``(row number, cells)`` of the file's first sheet, streamed."""
    if file_format not in FORMATS:
        raise FileUnreadable([RowError(1, "", _("Unknown file format %r: use csv or xlsx.") % file_format)])
    return _csv_rows(source) if file_format == "csv" else _xlsx_rows(source)


def format_of(filename: str) -> str:
    """``csv`` or ``xlsx`` from a file name's extension."""
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


# --- typed values -------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a numeric user id in a spreadsheet cell
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not _ISO_DATE.match(text):
        raise ValueError(_("A date is written YYYY-MM-DD, e.g. 2025-09-12."))
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(_("%s is not a date.") % text) from exc


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(_("A price is a number."))
    if isinstance(value, float):
        value = repr(value)  # the shortest text that reads back as the cell's number
    try:
        number = Decimal(_text(value).replace(",", ""))
    except InvalidOperation as exc:
        raise ValueError(_("A price is a number, e.g. 18000 or 18000.00.")) from exc
    if not number.is_finite():
        raise ValueError(_("A price is a number, e.g. 18000 or 18000.00."))
    return number


def _header(number: int, cells: list[Any]) -> list[str]:
    columns = [_text(c).lower() for c in cells]
    while columns and not columns[-1]:
        columns.pop()
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.append(RowError(number, ", ".join(missing), _("Required column missing.")))
    for name in columns:
        if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            errors.append(RowError(number, name or "(empty)", _("Unknown column.")))
        elif columns.count(name) > 1:
            errors.append(RowError(number, name, _("Column given twice.")))
    if errors:
        raise FileUnreadable(list(dict.fromkeys(errors)))
    return columns


def _parse(number: int, cells: dict[str, Any], tiers: dict[str, DurationTier]) -> TableRow:
    row = TableRow(number=number)

    def bad(column: str, message: str) -> None:
        row.errors.append(RowError(number, column, message))

    for column in ("platform", "platform_uid", "deliverable", "price_kind"):
        value = _text(cells.get(column))
        if not value:
            bad(column, _("Required."))
        setattr(row, column, value)
    if row.platform and row.platform not in Platform.values:
        bad("platform", _("Unknown platform %r.") % row.platform)
    tier_code = _text(cells.get("tier"))
    if tier_code:
        row.tier = tiers.get(tier_code)
        if row.tier is None:
            known = ", ".join(tiers)
            bad("tier", _("Unknown tier code %(code)r (known: %(known)s).") % {"code": tier_code, "known": known})
    if _blank(cells.get("price")):
        bad("price", _("Required."))
    else:
        try:
            row.price = _decimal(cells["price"])
        except ValueError as exc:
            bad("price", str(exc))
    row.currency = _text(cells.get("currency")) or figures.DEFAULT_CURRENCY
    for column, required in (("observed_on", True), ("valid_until", False)):
        if _blank(cells.get(column)):
            if required:
                bad(column, _("Required."))
            continue
        try:
            setattr(row, column, _date(cells[column]))
        except ValueError as exc:
            bad(column, str(exc))
    row.source_url = _text(cells.get("source_url"))
    row.notes = safe_text(_text(cells.get("notes")))  # never a formula when exported again
    return row


def read_quote_rows(source: IO[bytes], file_format: str, *, tiers: dict[str, DurationTier]) -> Iterator[TableRow]:
    """The file's quote rows, parsed, one at a time (blank rows are skipped).

    Raises :class:`FileUnreadable` for a file that is not CSV/XLSX or whose header is wrong.
    """
    with closing(raw_rows(source, file_format)) as rows:
        for number, cells in rows:
            if all(_blank(c) for c in cells):
                continue
            columns = _header(number, cells)
            break
        else:
            raise FileUnreadable([RowError(1, "", _("The file is empty: it needs a header row."))])
        for number, cells in rows:
            if all(_blank(c) for c in cells):
                continue
            row = _parse(number, dict(zip(columns, cells, strict=False)), tiers)
            if any(not _blank(c) for c in cells[len(columns) :]):
                row.errors.append(RowError(number, "", _("More cells than the header has columns.")))
            yield row
