"""Back up the whole database, consistently while the site runs, with a manifest the restore checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from minipack_web.database.manifest import BackupError, manifest_path
from minipack_web.database.services import database_backup
from minipack_web.progress import add_progress_arguments, show_progress


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: the online backup API; PostgreSQL: pg_dump -Fc) into a file and its "
        "manifest (engine, migrations, rows per table, SHA-256). Safe while the site serves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="File or folder to write; default MINIPACK_VAR_DIR/backups/, named by UTC time."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: 'default').")
        add_progress_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = show_progress(options)
        try:
            result = database_backup(alias=options["database"], output=options["output"], progress=progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"could not write the backup: {exc}") from exc
        m = result.manifest
        self.stdout.write(
            f"Backed up {m.database} to {result.copy} ({m.size:,} bytes; {len(m.tables)} tables, {m.rows:,} rows) "
            f"in {result.seconds:.1f} s.\nManifest: {manifest_path(result.copy)}\n"
            "Keep both files together, and a copy off this machine."
        )
