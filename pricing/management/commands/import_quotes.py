from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from ledger.management.base import JournaledCommand
from pricing import services
from pricing.importing import FORMATS, format_of


class Command(JournaledCommand):
    help = (
        "Import rate quotes from a CSV or XLSX file (header: platform,platform_uid,deliverable,tier,price,"
        "currency,price_kind,observed_on[,valid_until,source_url,notes]). All rows or none: any bad row "
        "imports nothing, names its row and column, and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="a .csv (UTF-8) or .xlsx file")
        parser.add_argument("--format", choices=FORMATS, default=None, help="override the format the name suggests")
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per query and per insert")
        parser.add_argument("--no-progress", action="store_true", help="do not show progress bars")

    def handle(self, *args, file: Path, format: str | None, batch_size: int, no_progress: bool, **options) -> None:
        file_format = format or format_of(file.name)
        if file_format not in FORMATS:
            raise CommandError(_("%(file)s: not a .csv or .xlsx file (use --format).") % {"file": file})
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int | None) -> None:
            if phase not in bars:
                label = _("checking") if phase == "check" else _("importing")
                bars[phase] = tqdm(total=total, unit="row", desc=label, disable=no_progress, file=self.stderr._out)
            bars[phase].update(done)

        try:
            with file.open("rb") as source:
                result = services.quotes_import(
                    source=source, file_format=file_format, progress=progress, batch_size=batch_size
                )
        except FileNotFoundError as exc:
            raise CommandError(_("%(file)s: no such file.") % {"file": file}) from exc
        except services.QuoteImportError as exc:
            raise CommandError(exc.message) from exc
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(_("Imported %(n)d quotes from %(file)s.") % {"n": result.created, "file": file})
        )
