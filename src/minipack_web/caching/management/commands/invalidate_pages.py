"""Start a new page generation by hand: after restoring a database backup or editing rows with SQL.

Every write through Django (the admin, imports, load-bundled, migrate) does this by itself.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from minipack_web.caching import GENERATION_COPY_S, new_generation


class Command(BaseCommand):
    help = "Make every server process stop serving the public pages cached so far."

    def handle(self, *args: Any, **options: Any) -> None:
        if new_generation():
            self.stdout.write("Cached pages invalidated: every page is rendered afresh on its next request.")
        else:
            # Recorded in the database all the same: the servers take it up once the cache answers.
            self.stderr.write(
                f"The shared cache is unreachable; the new generation is in the database and every server uses "
                f"it within {GENERATION_COPY_S} s of the cache answering again."
            )
