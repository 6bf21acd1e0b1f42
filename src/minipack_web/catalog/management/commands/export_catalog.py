"""Write the catalog in the database as a catalog file; an export re-imports with no change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack.catalog import dump_catalog_csv, dump_catalog_json
from minipack_web.catalog.selectors import catalog_products

DUMPERS = {"csv": dump_catalog_csv, "json": dump_catalog_json}


class Command(BaseCommand):
    help = "Export the catalog as CSV or JSON (docs/catalog-format.md) to a file or standard output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(DUMPERS), required=True)
        parser.add_argument("--output", type=Path, help="File to write; standard output when omitted.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = DUMPERS[options["format"]](catalog_products())
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            # newline="": the dumper already chose the line endings (CSV uses CRLF).
            output.write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from exc
        if options["verbosity"] >= 1:
            self.stderr.write(f"Wrote {output}.")
