"""Remove photo files that no photo names: what a crash or a rolled-back admin save may leave behind."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minipack_web.catalog.services import bag_photo_files_prune


class Command(BaseCommand):
    help = "Delete files under MEDIA_ROOT/bag-photos that no photo row names (older than --min-age seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--min-age",
            type=float,
            default=3600.0,
            help="Leave files younger than this many seconds alone: an upload may be between writing and saving.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = bag_photo_files_prune(older_than_s=options["min_age"])
        for name in removed:
            self.stdout.write(f"removed {name}")
        self.stdout.write(f"{len(removed)} unreferenced photo file(s) removed.")
