"""Writes for the guides app: keeping the search index in step with the catalog, the guides and the FAQ.

When the index is rebuilt: lazily. ``search_index_ensure`` (called by the
search selectors before each query) compares a fingerprint of the data —
catalog row counts, the newest ``Product.updated_at``, the highest ids, the
brand names, and a hash of the shipped guides and FAQ questions — with the
one stored in ``SearchIndexState`` and rebuilds when they differ. We chose
this over a call in ``catalog_refresh`` (another team's code path) and over
a post-save/post-migrate signal (signals would hide a business flow): an
import, an admin edit or a fresh database all show up in the fingerprint,
and the cost on a fresh index is one rebuild on the next search. The
fingerprint costs a few aggregate queries per search. ``search_reindex``
stays callable directly (e.g. after an import) with ``product_ids`` to
refresh only some bags.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from minipack.faq import QUESTIONS
from minipack.guides import load_guides
from minipack.records import fold
from minipack.search import document_text
from minipack_web.catalog.models import Brand, Claim, Product
from minipack_web.catalog.selectors import catalog_products
from minipack_web.guides.models import SearchDocument, SearchIndexState

FTS_TABLE = "guides_search_fts"
STATE_PK = 1


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def search_fingerprint() -> str:
    """A hash of what the index is built from; it changes whenever an import or an edit changes the catalog."""
    products = Product.objects.aggregate(n=Count("id"), top=Max("id"), updated=Max("updated_at"))
    claims = Claim.objects.aggregate(n=Count("id"), top=Max("id"))
    brands = list(Brand.objects.order_by("pk").values_list("pk", "name"))
    # "page" marks that guides link to their pages, so an index built before they had one is rebuilt.
    static = [["page", g.slug, g.title, g.intro] for g in load_guides()] + [[q.anchor, q.question] for q in QUESTIONS]
    payload = json.dumps([products, claims, brands, static], default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def search_index_ensure() -> None:
    """Rebuild the index if the data changed since it was built; cheap (a few aggregates) when it did not."""
    state = SearchIndexState.objects.filter(pk=STATE_PK).first()
    if state is None or state.fingerprint != search_fingerprint():
        search_reindex()


def search_reindex(*, product_ids: Iterable[int] | None = None) -> int:
    """Rewrite the index rows for the given bags (all documents when ``product_ids`` is None); returns rows written.

    Runs in one transaction and takes a row lock on the state row first, so
    two requests that both find the index stale rebuild it one after the other.
    """
    with transaction.atomic():
        SearchIndexState.objects.get_or_create(pk=STATE_PK)
        SearchIndexState.objects.select_for_update().get(pk=STATE_PK)
        fingerprint = search_fingerprint()
        if product_ids is None:
            stale = SearchDocument.objects.all()
            documents = _bag_documents(None) + _guide_documents() + _faq_documents()
        else:
            ids = sorted(set(product_ids))
            slugs = list(Product.objects.filter(pk__in=ids).values_list("slug", flat=True))
            stale = SearchDocument.objects.filter(kind="bag", key__in=slugs)
            documents = _bag_documents(ids)
        _delete(stale, everything=product_ids is None)
        created = SearchDocument.objects.bulk_create(documents)
        if uses_fts5():
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT OR REPLACE INTO {FTS_TABLE} (rowid, folded) VALUES (%s, %s)",  # noqa: S608
                    [(d.pk, d.folded) for d in created],
                )
        if product_ids is None:
            SearchIndexState.objects.filter(pk=STATE_PK).update(fingerprint=fingerprint, built_at=timezone.now())
    return len(created)


def _delete(documents: QuerySet[SearchDocument], *, everything: bool) -> None:
    if uses_fts5():
        with connection.cursor() as cursor:
            if everything:
                # All of it, not by id: rows outlive their documents when `flush` empties the tables.
                cursor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 - a constant name
            else:
                ids = list(documents.values_list("pk", flat=True))
                cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(i,) for i in ids])  # noqa: S608
    documents.delete()


def _document(kind: str, key: str, title: str, body: str, url: str) -> SearchDocument:
    return SearchDocument(kind=kind, key=key, title=title, body=body, url=url, folded=fold(f"{title} {body}"))


def _bag_documents(product_ids: list[int] | None) -> list[SearchDocument]:
    documents = []
    for product in catalog_products(product_ids=product_ids):
        title, body = document_text(product)
        documents.append(
            _document("bag", product.slug, title, body, reverse("catalog:bag", kwargs={"slug": product.slug}))
        )
    return documents


def _guide_documents() -> list[SearchDocument]:
    from minipack_web.guides.selectors import guide_url  # the selectors import this module

    return [_document("guide", g.slug, g.title, g.intro, guide_url(g.slug)) for g in load_guides()]


def _faq_documents() -> list[SearchDocument]:
    faq = reverse("guides:faq")
    return [_document("faq", q.anchor, q.question, "", f"{faq}#{q.anchor}") for q in QUESTIONS]
