"""Import a catalog file (CSV or JSON) into the database: all rows or none."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from minipack.catalog import read_catalog_file
from minipack.errors import MinipackError
from minipack_web.catalog.reports import format_import_report
from minipack_web.catalog.services import catalog_import
from minipack_web.database.errors import unavailable
from minipack_web.progress import add_progress_arguments, show_progress


class Command(BaseCommand):
    help = "Import a catalog file (CSV or JSON, docs/catalog-format.md). Any bad row refuses the whole file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, write nothing.")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        progress = show_progress(options)
        try:
            records = read_catalog_file(path, progress=progress)
            report = catalog_import(
                records=records,
                dry_run=options["dry_run"],
                progress=progress,
                source=str(path),
                digest=hashlib.sha256(path.read_bytes()).hexdigest(),
            )
        except MinipackError as exc:  # ImportRowError included: its message lists every bad row
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except DatabaseError as exc:
            # The import's one transaction was rolled back: say so, and why, instead of a traceback.
            found = unavailable(exc)
            why = f"the database refused it: {exc}." if found is None else f"{found.explanation}. {found.remedy}"
            raise CommandError(f"{path}: not imported, nothing was written: {why}") from exc
        self.stdout.write(format_import_report(report))
