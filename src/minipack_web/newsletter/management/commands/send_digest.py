"""Build this week's digest issue (if there is news) and deliver it to every confirmed subscriber, exactly once."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minipack_web.newsletter.delivery import SenderBusy
from minipack_web.newsletter.digest import digest_preview, digest_send
from minipack_web.newsletter.selectors import issue_totals


def _positive(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = (
        "Build this week's Minipack weekly (new bags, price changes, new guides, notable comments) and send it. "
        "Safe to run again, or after a kill: each subscriber gets each issue once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate", type=_positive, help="mails per second (default: MINIPACK_NEWSLETTER_RATE)")
        parser.add_argument("--dry-run", action="store_true", help="print the issue a send would build; keep nothing")
        # For tests and rehearsals: build the issue of another day's week.
        parser.add_argument("--date", type=date.fromisoformat, help=argparse.SUPPRESS)
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
        progress.add_argument("--no-progress", dest="progress", action="store_false")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            issue, recipients, text = digest_preview(today=options["date"])
            if issue is None:
                self.stdout.write("Nothing new since the last issue: no issue would be built.")
                return
            self.stdout.write(f"{issue.subject}\nto {recipients} subscriber(s)\n\n{text}")
            return
        progress = options["progress"]
        if progress is None:
            progress = options["verbosity"] >= 1 and sys.stderr.isatty()
        try:
            run = digest_send(today=options["date"], rate=options["rate"], progress=progress)
        except SenderBusy:
            raise CommandError("another send-digest is running; let it finish (this run sent nothing)") from None
        report = run.report
        if run.issue is None:
            self.stdout.write("Nothing new since the last issue: no issue built.")
        else:
            how = "built" if run.built else "resumed"
            self.stdout.write(f"Issue {run.issue.number} ({run.issue.week}, {how}): {run.issue.subject}")
        self.stdout.write(f"This run: {report.summary()}")
        if run.issue is not None:
            totals = issue_totals(run.issue)
            self.stdout.write(
                f"Issue {run.issue.number} so far: " + ", ".join(f"{n} {status}" for status, n in totals.items())
            )
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        if not report.ok:
            raise CommandError(
                "some digest mail did not go out as planned (listed above); run send-digest again to retry "
                "what was refused for now"
            )
