"""Reads for the guides app: guide pages, search over bags, guides and FAQ questions, and the FAQ page.

A guide page (``guide_page``) is ``minipack.guides.run_guide`` over the live
catalog, with each entry's pros and cons, price, drawing and the points behind
its place, ready to print. A title that names a number ("Top 10 …") is
rewritten to the number of bags actually listed: a short list is never padded.

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

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.urls import reverse

from minipack.airlines import load_airline_rules
from minipack.drawings import A4, Outline, front_of, outline_svg
from minipack.faq import Answer, answer_all, faq_jsonld
from minipack.fit.items import load_item_library
from minipack.guides import load_guides, run_guide
from minipack.kits import COMMON_KITS
from minipack.proscons import derive_pros_cons
from minipack.rank import CRITERIA, Contribution, Preferences, RankedBag, Weights, rank
from minipack.records import Product, SourceDate
from minipack.schema_org import ListEntry, item_list_jsonld
from minipack.search import MAX_QUERY_CHARS, Query, close_words, read_query, words
from minipack.units import Dimensions, format_price
from minipack_web.catalog.selectors import PHONE_ID, PhotoView, catalog_products, catalog_updated_at, first_photos
from minipack_web.community.selectors import BAG, comment_counts
from minipack_web.guides.models import SearchDocument
from minipack_web.guides.services import FTS_TABLE, search_index_ensure
from minipack_web.seo.jsonld import script_json
from minipack_web.seo.origin import absolute_url

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


# --------------------------------------------------------------------------- guide pages

FLAGSHIP_SLUG = "top-10-mini-backpack-purses"
CRITERION_LABELS = {"price": "Price", "capacity": "Capacity", "weight": "Weight", "organisation": "Organisation"}
CRITERION_RULES = {
    "price": "the cheapest bag gets full points, the dearest none",
    "capacity": "the roomiest bag gets full points, the smallest none",
    "weight": "the lightest bag gets full points, the heaviest none",
    "organisation": (
        "the bag with the most organising features (front, outer and inner pockets, laptop or tablet sleeve, "
        "key fob) gets full points, the one with the fewest none"
    ),
}
_COUNT_IN_TITLE = re.compile(r"\b(Top|Best) \d+\b")


@dataclass(frozen=True)
class WhyLine:
    """One criterion's part in an entry's score, ready to print."""

    label: str
    value: str  # 'unknown' when no source gives it
    source: str
    points: str  # '18.2'
    out_of: str  # '33.3'
    note: str


@dataclass(frozen=True)
class GuideEntry:
    position: int
    slug: str
    name: str
    url: str
    score: str  # points out of 100, whole
    price: str  # '' when no source gives one
    price_date: str
    price_source: str
    price_url: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    why_summary: str
    why: tuple[WhyLine, ...]
    note: str  # our note for this bag in this guide, if any
    outline_svg: str  # '' when no source gives the bag's size
    pareto: bool
    photo: PhotoView | None = None  # the bag's first photo, shown instead of the drawing when there is one
    comment_count: int = 0  # approved comments on the bag's page


@dataclass(frozen=True)
class WeightRow:
    label: str
    weight: str
    out_of: str  # the most points the criterion can give, out of 100
    rule: str


@dataclass(frozen=True)
class GuideLink:
    title: str
    url: str


@dataclass(frozen=True)
class GuidePage:
    slug: str
    title: str  # states exactly len(entries) when the guide's title names a number
    intro: str
    written: str
    requirements: str  # the hard constraints in words; 'no constraints' for none
    entries: tuple[GuideEntry, ...]
    catalog_size: int
    eligible: int
    left_out: int
    counterfactuals: tuple[str, ...]
    weights: tuple[WeightRow, ...]
    last_updated: str  # ISO date of the newest catalog change; '' for an empty catalog
    canonical_url: str
    other_guides: tuple[GuideLink, ...]
    jsonld: str  # schema.org ItemList of the entries shown, escaped for a <script> element


def guide_url(slug: str) -> str:
    """Where a guide lives: the flagship at /, every other one at /guides/<slug>/."""
    return reverse("guides:home") if slug == FLAGSHIP_SLUG else reverse("guides:guide", kwargs={"slug": slug})


def honest_title(title: str, shown: int) -> str:
    """The title with its 'Top N' set to the number of bags actually listed; never padded to the written N."""
    if not _COUNT_IN_TITLE.search(title):
        return title
    if shown == 0:
        rest = _COUNT_IN_TITLE.sub("", title, count=1).strip()
        return rest[:1].upper() + rest[1:]
    return _COUNT_IN_TITLE.sub(lambda m: f"{m.group(1)} {shown}", title, count=1)


def guide_page(*, slug: str) -> GuidePage | None:
    """Everything a guide page shows, ready to print; ``None`` for an unknown guide."""
    guide = next((g for g in load_guides() if g.slug == slug), None)
    if guide is None:
        return None
    catalog = catalog_products()
    ranking = run_guide(slug, catalog)
    by_slug = {p.slug: p for p in catalog}
    weights = guide.preferences.weights
    total = weights.total
    updated = catalog_updated_at()
    title = honest_title(guide.title, len(ranking.ranked))
    photos = first_photos(slugs=[bag.slug for bag in ranking.ranked])
    comments = comment_counts(kind=BAG, slugs=[bag.slug for bag in ranking.ranked])
    entries = tuple(
        _entry(
            bag,
            by_slug[bag.slug],
            catalog,
            guide.notes.get(bag.slug, ""),
            total,
            photo=photos.get(bag.slug),
            comments=comments.get(bag.slug, 0),
        )
        for bag in ranking.ranked
    )
    return GuidePage(
        slug=guide.slug,
        title=title,
        intro=guide.intro,
        written=guide.written,
        requirements=guide.preferences.describe(),
        entries=entries,
        catalog_size=len(catalog),
        eligible=ranking.eligible,
        left_out=len(ranking.excluded),
        counterfactuals=tuple(c.message for c in ranking.counterfactuals),
        weights=weight_rows(weights),
        last_updated=updated.date().isoformat() if updated else "",
        canonical_url=guide_url(guide.slug),
        other_guides=tuple(GuideLink(g.title, guide_url(g.slug)) for g in load_guides() if g.slug != guide.slug),
        jsonld=script_json(
            item_list_jsonld(
                name=title,
                url=absolute_url(guide_url(guide.slug)),
                entries=[ListEntry(e.position, absolute_url(e.url), e.name) for e in entries],
            )
        ),
    )


@dataclass(frozen=True)
class GuideSummary:
    """A guide as the feed and the sitemap list it."""

    slug: str
    title: str  # the honest title, as the page states it today
    url: str
    summary: str
    updated: datetime


def guide_summaries() -> list[GuideSummary]:
    """Every guide, in the order of the guides file, with when its page last changed.

    A guide's page changes when its words are rewritten (``written``) or the
    catalog changes (which can re-rank it): ``updated`` is the later of the
    two. The title is ranked for, so the feed never promises a 'Top 10' the
    page lists fewer of.
    """
    catalog = catalog_products()
    changed = catalog_updated_at()
    summaries = []
    for guide in load_guides():
        known = [d for d in (_written_at(guide.written), changed) if d is not None]
        summaries.append(
            GuideSummary(
                slug=guide.slug,
                title=honest_title(guide.title, len(run_guide(guide.slug, catalog).ranked)),
                url=guide_url(guide.slug),
                summary=guide.intro,
                updated=max(known, default=_EPOCH),
            )
        )
    return summaries


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _written_at(written: str) -> datetime | None:
    """'2025-06' -> 1 June 2025, 00:00 UTC: the earliest moment the stated date allows."""
    key = SourceDate.parse(written).key
    if key is None:
        return None
    year, month, day = key
    return datetime(year, month or 1, day or 1, tzinfo=UTC)


def _entry(
    bag: RankedBag,
    product: Product,
    catalog: list[Product],
    note: str,
    total_weight: float,
    *,
    photo: PhotoView | None = None,
    comments: int = 0,
) -> GuideEntry:
    pros_cons = derive_pros_cons(product, catalog)
    price = product.chosen("price")
    exterior = product.value("exterior")
    return GuideEntry(
        position=bag.position,
        slug=bag.slug,
        name=bag.name,
        url=reverse("catalog:bag", kwargs={"slug": bag.slug}),
        score=f"{bag.score:.0f}",
        price=format_price(price.value) if price else "",
        price_date=price.source.date.stated if price else "",
        price_source=price.source.title if price else "",
        price_url=price.source.url if price else "",
        pros=tuple(p.text for p in pros_cons.pros),
        cons=tuple(c.text for c in pros_cons.cons),
        why_summary=_why_summary(bag),
        why=tuple(_why_line(c, total_weight) for c in bag.contributions),
        note=note,
        outline_svg=_small_outline(bag, exterior) if isinstance(exterior, Dimensions) else "",
        pareto=bag.pareto,
        photo=photo,
        comment_count=comments,
    )


def _why_line(c: Contribution, total_weight: float) -> WhyLine:
    out_of = 100 * c.weight / total_weight if total_weight > 0 else 0.0
    return WhyLine(
        label=CRITERION_LABELS[c.criterion],
        value=c.raw,
        source=c.source,
        points=f"{c.points:.1f}",
        out_of=f"{out_of:.1f}",
        note=(c.note + "; counted as the worst") if c.missing and c.note else c.note,
    )


def _why_summary(bag: RankedBag) -> str:
    scoring = sorted((c for c in bag.contributions if c.points > 0), key=lambda c: (-c.points, c.criterion))
    parts = [f"{bag.score:.0f} points out of 100."]
    if scoring:
        best = [CRITERION_LABELS[c.criterion].lower() for c in scoring[:2]]
        parts.append(f"Most of them come from its {' and '.join(best)}.")
    missing = [CRITERION_LABELS[c.criterion].lower() for c in bag.contributions if c.missing]
    if missing:
        parts.append(f"No source gives its {' or '.join(missing)}, so it scores nothing there, as the worst would.")
    if bag.pareto:
        parts.append("No other bag that qualifies beats it on every count at once.")
    return " ".join(parts)


def _small_outline(bag: RankedBag, dims: Dimensions) -> str:
    width, height, _depth = front_of(dims)
    phone = load_item_library().get(PHONE_ID)
    references = [Outline(phone.name, phone.dims_mm[1], phone.dims_mm[0], "Phone")] if phone else [A4]
    return outline_svg(
        Outline(bag.name, width, height),
        references,
        title=f"The front of the {bag.name} beside a phone, to scale",
        id_prefix=f"outline-{bag.slug}",
    )


def weight_rows(weights: Weights) -> tuple[WeightRow, ...]:
    """Each criterion's weight, the most points it can give out of 100, and its rule in words."""
    total = weights.total
    return tuple(
        WeightRow(
            CRITERION_LABELS[name],
            f"{value:g}",
            f"{100 * value / total:.1f}" if total > 0 else "0",
            CRITERION_RULES[name],
        )
        for name, value in zip(CRITERIA, weights.as_tuple(), strict=True)
    )


# --------------------------------------------------------------------------- for you

FOR_YOU_TOP = 10


@dataclass(frozen=True)
class NotForYouRow:
    """A bag the shopper's constraints rule out, and every constraint it fails, in words."""

    slug: str
    name: str
    url: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ForYouPage:
    requirements: str  # the hard constraints in words; 'no constraints' for none
    entries: tuple[GuideEntry, ...]
    catalog_size: int
    eligible: int
    not_for_you: tuple[NotForYouRow, ...]
    counterfactuals: tuple[str, ...]  # sentences: what one change would add
    weights: tuple[WeightRow, ...]


def for_you_page(*, prefs: Preferences, top: int = FOR_YOU_TOP) -> ForYouPage:
    """A personal top ``top`` from ``minipack.rank.rank`` over the live catalog, explained as a guide is."""
    catalog = catalog_products()
    ranking = rank(catalog, prefs, top=top)
    by_slug = {p.slug: p for p in catalog}
    total = prefs.weights.total
    comments = comment_counts(kind=BAG, slugs=[bag.slug for bag in ranking.ranked])
    return ForYouPage(
        requirements=prefs.describe(),
        entries=tuple(
            _entry(bag, by_slug[bag.slug], catalog, "", total, comments=comments.get(bag.slug, 0))
            for bag in ranking.ranked
        ),
        catalog_size=len(catalog),
        eligible=ranking.eligible,
        not_for_you=tuple(
            NotForYouRow(e.slug, e.name, reverse("catalog:bag", kwargs={"slug": e.slug}), e.reasons)
            for e in ranking.excluded
        ),
        counterfactuals=tuple(_sentence(c.message) for c in ranking.counterfactuals),
        weights=weight_rows(prefs.weights),
    )


def _sentence(message: str) -> str:
    """The core's counterfactual phrase ('+$5 of budget (up to $75) adds …') as a sentence."""
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
