"""Import a catalog file (CSV or JSON) into the database: all rows or none."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack.catalog import read_catalog_file
from minipack.errors import MinipackError
from minipack_web.catalog.reports import format_import_report
from minipack_web.catalog.services import catalog_import


class Command(BaseCommand):
    help = "Import a catalog file (CSV or JSON, docs/catalog-format.md). Any bad row refuses the whole file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = options["verbosity"] >= 1 and sys.stderr.isatty()
        try:
            records = read_catalog_file(options["file"], progress=progress)
            report = catalog_import(records=records, dry_run=options["dry_run"], progress=progress)
        except MinipackError as exc:  # ImportRowError included: its message lists every bad row
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from exc
        self.stdout.write(format_import_report(report))
