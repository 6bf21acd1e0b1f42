"""List recent catalog imports and how each ended; an import whose process died is marked interrupted first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minipack_web.catalog.models import ImportRun
from minipack_web.catalog.services import import_runs_reconcile


class Command(BaseCommand):
    help = "List recent catalog imports, newest first: when, which file, how it ended, what it changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        import_runs_reconcile()
        runs = list(ImportRun.objects.recent()[: max(options["limit"], 0)])
        if not runs:
            self.stdout.write("No catalog import has been recorded.")
            return
        for run in runs:
            counts = (
                f"{run.created} created, {run.updated} updated, {run.unchanged} unchanged"
                if run.status == ImportRun.Status.SUCCEEDED
                else run.message
            )
            self.stdout.write(
                f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC  {run.status:<11}  {run.source} ({run.records} records, "
                f"process {run.pid} on {run.host})\n    {counts}"
            )
