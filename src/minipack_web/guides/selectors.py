"""Reads for the guides app: search over bags, guides and FAQ questions, and the FAQ page.

Search reads the query with ``minipack.search.read_query`` (folded words
only, so quotes, %, _, FTS5 operators and the like are never syntax), makes
sure the index is fresh (``services.search_index_ensure``), then asks the
database:

- SQLite: the FTS5 trigram table, each word as a quoted phrase (a substring,
  so 'fjall' finds 'fjallraven'); words under three characters, which a
  trigram index cannot see, as a substring filter on ``folded``. When nothing
  matches, each word is swapped for its nearest vocabulary words
  (``minipack.search.close_words``) and the search runs once more.
- PostgreSQL: every word as a substring of ``folded``, or the whole query as
  full-text search (English config, so 'pockets' finds 'pocket'); when
  nothing matches, pg_trgm word similarity stands in for the substrings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.utils.safestring import SafeString, mark_safe

from minipack.airlines import load_airline_rules
from minipack.faq import Answer, answer_all, faq_jsonld
from minipack.fit.items import load_item_library
from minipack.kits import COMMON_KITS
from minipack.search import MAX_QUERY_CHARS, Query, close_words, read_query, words
from minipack_web.catalog.selectors import catalog_products
from minipack_web.guides.models import SearchDocument
from minipack_web.guides.services import FTS_TABLE, search_index_ensure

MAX_RESULTS = 50
MAX_SUGGESTIONS = 8
SNIPPET_CHARS = 160
TRIGRAM_MIN = 3  # FTS5's trigram tokenizer cannot match a word shorter than this
SIMILARITY_MIN = 0.5  # pg_trgm word_similarity a typo must reach: 'kankn' in 'kanken' is about 0.6

KIND_ORDER = {"bag": 0, "faq": 1, "guide": 2}
KIND_LABEL = {"bag": "Bag", "faq": "Question", "guide": "Guide"}


@dataclass(frozen=True)
class SearchResult:
    kind: str
    title: str
    url: str
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    query: str  # the text searched for, after any cut
    results: tuple[SearchResult, ...]
    notes: tuple[str, ...]
    searched: bool  # False when the query had no words: the page invites a search instead


def search_page(*, q: str, limit: int = MAX_RESULTS) -> SearchPage:
    query = read_query(q)
    notes = []
    if query.truncated:
        notes.append(f"Your search was long, so we searched for its first {MAX_QUERY_CHARS} characters only.")
    if query.empty:
        return SearchPage(query=query.text, results=(), notes=tuple(notes), searched=False)
    search_index_ensure()
    documents, fuzzy_note = _find(query, limit)
    if fuzzy_note:
        notes.append(fuzzy_note)
    results = tuple(
        SearchResult(kind=KIND_LABEL[d.kind], title=d.title, url=d.url, snippet=_snippet(d.body)) for d in documents
    )
    return SearchPage(query=query.text, results=results, notes=tuple(notes), searched=True)


def search_suggestions(*, q: str) -> list[dict[str, str]]:
    """Up to ``MAX_SUGGESTIONS`` {"label", "url"} for an autocomplete list; results without a page are left out."""
    page = search_page(q=q, limit=MAX_SUGGESTIONS * 2)
    return [{"label": r.title, "url": r.url} for r in page.results if r.url][:MAX_SUGGESTIONS]


def _snippet(body: str) -> str:
    return body if len(body) <= SNIPPET_CHARS else body[: SNIPPET_CHARS - 1].rstrip() + "…"


def _find(query: Query, limit: int) -> tuple[list[SearchDocument], str]:
    if connection.vendor == "sqlite":
        return _find_sqlite(query, limit)
    if connection.vendor == "postgresql":
        return _find_postgresql(query, limit)
    return _ordered(_substrings(query.terms), query.terms, limit), ""


def _ordered(documents: QuerySet[SearchDocument], terms: tuple[str, ...], limit: int) -> list[SearchDocument]:
    """Title hits first, then bags before questions before guides, then by title."""

    def key(d: SearchDocument) -> tuple[int, int, str]:
        title = " ".join(words(d.title))
        return (-sum(t in title for t in terms), KIND_ORDER[d.kind], d.title)

    return sorted(documents, key=key)[:limit]


def _substrings(terms: tuple[str, ...]) -> QuerySet[SearchDocument]:
    # `contains` escapes % and _ itself; terms are folded words anyway.
    condition = Q()
    for term in terms:
        condition &= Q(folded__contains=term)
    return SearchDocument.objects.filter(condition)


# --------------------------------------------------------------------------- SQLite: FTS5 trigram


def _phrase(term: str) -> str:
    """An FTS5 string: inside double quotes nothing is an operator; a quote is written twice."""
    return '"' + term.replace('"', '""') + '"'


def _find_sqlite(query: Query, limit: int) -> tuple[list[SearchDocument], str]:
    found = _fts_documents([[t] for t in query.terms])
    if found:
        return _ordered(found, query.terms, limit), ""
    vocabulary = {w for folded in SearchDocument.objects.values_list("folded", flat=True) for w in words(folded)}
    alternatives = []
    for term in query.terms:
        close = [term] if any(term in w for w in vocabulary) else close_words(term, vocabulary)
        if not close:
            return [], ""
        alternatives.append(close)
    if all(alt == [t] for alt, t in zip(alternatives, query.terms, strict=True)):
        return [], ""
    found = _fts_documents(alternatives)
    used = tuple(alt[0] for alt in alternatives)
    note = f"No exact match; showing results for “{' '.join(used)}”." if found else ""
    return _ordered(found, used, limit), note


def _fts_documents(alternatives: list[list[str]]) -> QuerySet[SearchDocument] | list[SearchDocument]:
    """Documents holding, for each group, one of its words (AND across groups, OR within one)."""
    indexed = [[t for t in group if len(t) >= TRIGRAM_MIN] for group in alternatives]
    short = [group for group, long in zip(alternatives, indexed, strict=True) if not long]
    documents = SearchDocument.objects.all()
    for group in short:
        either = Q()
        for term in group:
            either |= Q(folded__contains=term)
        documents = documents.filter(either)
    expression = " AND ".join("(" + " OR ".join(_phrase(t) for t in group) + ")" for group in indexed if group)
    if expression:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])  # noqa: S608
            ids = [row[0] for row in cursor.fetchall()]
        documents = documents.filter(pk__in=ids)
    return list(documents)


# --------------------------------------------------------------------------- PostgreSQL: full text + pg_trgm


def _find_postgresql(query: Query, limit: int) -> tuple[list[SearchDocument], str]:
    from django.contrib.postgres.search import SearchQuery, SearchVector, TrigramWordSimilarity

    text = " ".join(query.terms)
    vector = SearchVector("folded", config="english")
    matched = SearchDocument.objects.annotate(vector=vector).filter(
        Q(pk__in=_substrings(query.terms).values("pk")) | Q(vector=SearchQuery(text, config="english"))
    )
    found = list(matched)
    if found:
        return _ordered(found, query.terms, limit), ""
    condition = Q()
    similarity = Value(0.0)
    documents = SearchDocument.objects.all()
    for i, term in enumerate(query.terms):
        name = f"similarity_{i}"
        documents = documents.annotate(**{name: TrigramWordSimilarity(term, "folded")})
        condition &= Q(folded__contains=term) | Q(**{f"{name}__gte": SIMILARITY_MIN})
        similarity = similarity + F(name)  # type: ignore[assignment]
    close = list(documents.filter(condition).annotate(similarity=similarity).order_by("-similarity", "title")[:limit])
    return close, ("No exact match; showing the closest spellings." if close else "")


# --------------------------------------------------------------------------- FAQ


@dataclass(frozen=True)
class FaqPage:
    answers: tuple[Answer, ...]
    jsonld: str  # FAQPage JSON-LD, escaped for a <script> element


def faq_page() -> FaqPage:
    """The FAQ from the live catalog, the shipped airline rules, the common kits and the item library."""
    answers = answer_all(catalog_products(), load_airline_rules(), COMMON_KITS, load_item_library())
    return FaqPage(answers=answers, jsonld=script_json(faq_jsonld(answers)))


def script_json(data: object) -> SafeString:
    """JSON safe inside any <script> element: <, > and & escaped as json_script does (it cannot set the type)."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
