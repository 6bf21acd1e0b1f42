"""Import subscribers who confirmed elsewhere (CSV with their consent), all or nothing; the suppression list wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack.errors import MinipackError
from minipack.newsletter import IMPORT_COLUMNS, read_subscriber_file
from minipack_web.newsletter.services import subscribers_import


class Command(BaseCommand):
    help = (
        f"Import a subscriber CSV (columns: {', '.join(IMPORT_COLUMNS)}). Every row must prove a double opt-in; "
        "any bad row refuses the whole file. Addresses on the suppression list are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = read_subscriber_file(options["file"])
        except MinipackError as exc:  # ImportRowError included: its message lists every bad row
            raise CommandError(str(exc)) from exc
        summary = subscribers_import(rows=rows, dry_run=options["dry_run"])
        self.stdout.write(f"{options['file'].name}: {summary}")
