"""The page cache's one table: the current generation, kept in the database so it outlives the shared cache."""

from __future__ import annotations

from django.db import models

# The token pages are filed under before any write has started a generation (a new or flushed database).
INITIAL_TOKEN = "initial"


class PageGeneration(models.Model):
    """The generation every server files and finds pages under; one row, replaced by every write pages show.

    The shared cache holds a copy for a few seconds (``pages.GENERATION_COPY_S``), so a cache that lost
    or missed a change (an outage, a restart from an old dump) cannot serve old pages for longer than
    that: docs/decisions/0012-several-servers.md.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="caching_pagegeneration_one_row")]

    def __str__(self) -> str:
        return f"page generation {self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
