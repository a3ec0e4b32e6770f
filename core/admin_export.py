"""Bulk out and in from any admin list: export what the list shows to CSV or XLSX, and a link to import a file.

:class:`ExportMixin` is added to every domain ``ModelAdmin``. It gives each list

- two links, "Export CSV" and "Export XLSX", that export every row of the list as it is
  filtered, searched and ordered (``<changelist>/export/csv/?<the list's query string>``);
- the same as two actions, for the rows ticked (or "all N matching" the filters);
- an "Import from a file" link where an app registered an import for the model
  (:func:`register_import`: the ingest does it for accounts, snapshots, reviews and quotes),
  so a file goes through the ingest that the API uses too.

The columns are the list's columns (or ``export_fields``), with the list's headers. A column
that shows a formatted figure (``600,000``, ``95,000.00``) exports the figure it is ordered by
(``admin.display(ordering=...)``), so a spreadsheet gets numbers; choices export their labels,
related rows their names, times the reader's local time. Personal data is exported as the API
shows it (``export_masked``: field name -> the value shown for a row). Every text cell is kept
from being read as a formula (CSV injection, :mod:`core.spreadsheet`).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.spreadsheet import safe_row

CSV, XLSX = "csv", "xlsx"
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_ACTIONS = ("export_csv", "export_xlsx")
CHUNK = 2000  # rows read from the database at a time
# XML 1.0 refuses these characters, so a workbook cannot hold them (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# model -> a function of the request giving (label, url) of its import page, or None for this user
_imports: dict[type[models.Model], Callable[[HttpRequest], tuple[str, str] | None]] = {}


def register_import(model: type[models.Model], link: Callable[[HttpRequest], tuple[str, str] | None]) -> None:
    """Show an import link on ``model``'s list: ``link(request)`` gives its label and URL, or None (not allowed)."""
    _imports[model] = link


if TYPE_CHECKING:  # a mixin of ModelAdmin: typed as one
    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class ExportMixin(_AdminBase):
    """Export of the filtered list to CSV and XLSX, and the import link; see the module's docstring."""

    change_list_template = "admin/core/change_list_export.html"
    export_fields: Sequence[str] | None = None  # default: the list's columns
    export_masked: dict[str, Callable[[Any], Any]] = {}

    # --- the links and the view --------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        view = self.admin_site.admin_view(self.export_view)
        name = f"{opts.app_label}_{opts.model_name}_export"
        return [path("export/<str:file_format>/", view, name=name), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        opts = self.model._meta
        query = request.GET.urlencode()
        links = [
            (
                label,
                reverse(f"admin:{opts.app_label}_{opts.model_name}_export", args=[fmt])
                + (f"?{query}" if query else ""),
            )
            for fmt, label in ((CSV, _("Export CSV")), (XLSX, _("Export XLSX")))
        ]
        importer = _imports.get(self.model)
        context = {
            "export_links": links,
            "import_link": importer(request) if importer else None,
            **(extra_context or {}),
        }
        response: HttpResponse = super().changelist_view(request, extra_context=context)
        return response

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        """Every row of the list as filtered, searched and ordered by the query string."""
        if file_format not in CONTENT_TYPES:
            raise Http404
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self.export_response(request, changelist.queryset, file_format)

    @admin.action(description=_("Export the selected rows to CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        return self.export_response(request, queryset, CSV)

    @admin.action(description=_("Export the selected rows to XLSX"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse:
        return self.export_response(request, queryset, XLSX)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """The admin's own actions, and the two exports for whoever may view the list."""
        actions: dict[str, Any] = super().get_actions(request)
        if IS_POPUP_VAR in request.GET or not self.has_view_or_change_permission(request):
            return actions
        for name in EXPORT_ACTIONS:
            found = self.get_action(name)
            if found is not None:
                actions.setdefault(found[1], found)
        return actions

    # --- the rows ----------------------------------------------------------------------

    def get_export_fields(self, request: HttpRequest) -> list[str]:
        fields = self.export_fields or self.get_list_display(request)
        return [name for name in fields if isinstance(name, str) and name != "action_checkbox"]

    def export_rows(self, request: HttpRequest, queryset: QuerySet[Any]) -> Iterator[list[Any]]:
        """The header, then one row per object: values for a spreadsheet (numbers stay numbers)."""
        names = self.get_export_fields(request)
        yield [capfirst(str(label_for_field(name, self.model, self))) for name in names]
        for obj in queryset.iterator(chunk_size=CHUNK):
            yield [self.export_value(obj, name) for name in names]

    def export_value(self, obj: Any, name: str) -> Any:
        if name in self.export_masked:
            return self.export_masked[name](obj)
        field, attr, value = lookup_field(name, obj, self)
        if field is not None:
            if field.flatchoices:
                return dict(field.flatchoices).get(value, value)
            return value
        ordering = getattr(attr, "admin_order_field", None)
        if isinstance(ordering, str) and "__" not in ordering and not ordering.startswith("-"):
            # the figure the column shows formatted (a count, an amount): the number itself
            raw = getattr(obj, ordering, None)
            if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
                return raw
        if isinstance(value, str):
            return html.unescape(strip_tags(value))
        return value

    def export_response(self, request: HttpRequest, queryset: QuerySet[Any], file_format: str) -> HttpResponse:
        opts = self.model._meta
        rows = self.export_rows(request, queryset)
        content = write_csv(rows) if file_format == CSV else write_xlsx(rows, title=str(opts.verbose_name_plural))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"{slugify(opts.model_name)}-{stamp}.{file_format}"
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: numbers, dates and texts; times in the reader's zone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    if isinstance(value, models.Manager):
        return "; ".join(str(o) for o in value.all())
    return str(value)


def write_csv(rows: Iterator[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel reads Chinese), every text kept from being a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        cells = [_cell(v) for v in row]
        writer.writerow(safe_row([c.isoformat() if isinstance(c, dt.date) else c for c in cells]))
    return ("\ufeff" + out.getvalue()).encode()


def write_xlsx(rows: Iterator[list[Any]], *, title: str) -> bytes:
    """A workbook of one sheet; texts are stored as texts (never formulas), times without their zone."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "export")
    for row in rows:
        cells = []
        for value in row:
            value = _cell(value)
            if isinstance(value, dt.datetime):
                value = value.replace(tzinfo=None)  # Excel has no time zones: the reader's local time
            if isinstance(value, str):
                value = _ILLEGAL_XML.sub("", value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text, even if it starts with "="
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
