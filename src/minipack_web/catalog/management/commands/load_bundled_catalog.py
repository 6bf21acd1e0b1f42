"""Load the catalog shipped with Minipack (src/minipack/data/catalog.json) into the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack.errors import MinipackError
from minipack_web.catalog.reports import format_import_report
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.progress import show_progress


class Command(BaseCommand):
    help = "Import the bundled catalog through the same path as import_catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = show_progress(options)
        try:
            report = catalog_load_bundled(dry_run=options["dry_run"], progress=progress)
        except MinipackError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(format_import_report(report))
