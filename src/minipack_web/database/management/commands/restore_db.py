"""Restore a backup made by backup_db, then check every table's row count against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from minipack_web.database.manifest import BackupError
from minipack_web.database.services import database_restore
from minipack_web.progress import add_progress_arguments, show_progress


class Command(BaseCommand):
    help = (
        "Restore a backup (the copy or its .manifest.json) into an empty database, checking its SHA-256 first "
        "and every table's row count after. --force replaces a database that has data, backing it up first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that is not empty (it is backed up first)."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: 'default').")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = show_progress(options)
        try:
            result = database_restore(
                path=options["path"], alias=options["database"], force=options["force"], progress=progress
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"could not read the backup: {exc}") from exc
        m = result.manifest
        lines = []
        if result.replaced is not None:
            lines.append(f"The database it replaced was backed up first to {result.replaced.copy}.")
        lines.append(
            f"Restored {result.copy} (taken {m.created_at}) into {result.database} in {result.seconds:.1f} s: "
            f"{len(m.tables)} tables, {m.rows:,} rows, each as in the backup."
        )
        if result.unapplied_migrations:
            lines.append(
                f"The backup predates {result.unapplied_migrations} migration(s) of this code: before starting the "
                "site, run `python manage.py migrate`, then `python manage.py invalidate_pages` so that no page "
                "cached from the data before the restore is served."
            )
        self.stdout.write("\n".join(lines))
