"""Send the queued newsletter mail that is due (confirmations, notes) and delete expired signups; for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack_web.newsletter.delivery import SenderBusy
from minipack_web.newsletter.services import outbox_drain, subscribers_prune


class Command(BaseCommand):
    help = (
        "Send queued newsletter mail that is due, retrying temporary failures with backoff, and delete signups "
        "left unconfirmed past their link's life. Run it every minute or so (cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait", type=float, default=60.0, help="seconds to wait for another sender to finish (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(subscribers_prune()))
        try:
            report = outbox_drain(wait=options["wait"])
        except SenderBusy:
            raise CommandError("another sender kept the mail queue busy; nothing sent this time") from None
        self.stdout.write(f"mail queue: {report.summary()}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if report.failed or report.in_doubt or report.recovered_in_doubt or report.unreachable:
            raise CommandError("some mail did not go out (listed above)")
