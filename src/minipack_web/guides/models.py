"""The search index: one row per thing a visitor can find (a bag, a guide, an FAQ question).

``SearchDocument`` holds the display text and a folded copy ('kanken' for
'Kånken') that matching runs on, on both databases. On SQLite the folded
text is also kept in the FTS5 table ``guides_search_fts`` (trigram
tokenizer, created by migration 0002; rowid = the document's id); on
PostgreSQL matching uses full-text search and pg_trgm over ``folded``.
``SearchIndexState`` is a single row holding the fingerprint of the data the
index was built from, so a search can tell that the index is stale.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

KIND_CHOICES = [("bag", "Bag"), ("guide", "Guide"), ("faq", "Question")]


class SearchDocument(models.Model):
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    key = models.CharField(max_length=200)  # the bag's slug, the guide's slug, the question's anchor
    title = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    folded = models.TextField()  # minipack.records.fold(title + body): what matching runs on

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="guides_searchdocument_kind_key"),
            models.CheckConstraint(condition=Q(kind__in=["bag", "guide", "faq"]), name="guides_searchdocument_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchIndexState(models.Model):
    """The one row (pk=1) saying what the search index was built from."""

    fingerprint = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"search index {self.fingerprint[:12] or '(never built)'}"
