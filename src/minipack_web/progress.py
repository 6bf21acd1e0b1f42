"""Progress bars of long management commands: the ``--progress`` / ``--no-progress`` flags and their default.

By default a bar is shown on a terminal only; ``--progress`` also writes it to a pipe, for a supervisor's log.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandParser


def add_progress_arguments(parser: CommandParser) -> None:
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--progress", action="store_true", default=None, help="show progress bars")
    choice.add_argument("--no-progress", dest="progress", action="store_false")


def show_progress(options: dict[str, Any]) -> bool:
    """What the flags ask for; without either, a bar when standard error is a terminal and output is wanted."""
    progress = options.get("progress")
    if progress is None:
        return bool(options["verbosity"] >= 1 and sys.stderr.isatty())
    return bool(progress)
