"""The API's reads: filtered and sorted bag pages, a bag with every claim, core records by slug, and search.

Filters are ORM lookups on the chosen values ``catalog_refresh`` keeps on
``Product`` (so ``%`` and ``_`` in a material are matched as text: Django
escapes them in ``icontains``); the sort key comes from an allow-list. The
detail reads the stored claims and rebuilds the core record with the
catalog's ``product_to_record`` for the conflicts, so both use one rule.
Search is the site's own (``guides.selectors.search_page``: the same
matching, typo fallback, order and notes as the /search/ page).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Least
from django.http import Http404

from minipack import records
from minipack.fit import BagSpace
from minipack.fit.interior import bag_space
from minipack_web.catalog.models import Claim, Product
from minipack_web.catalog.selectors import product_to_record
from minipack_web.guides.selectors import KIND_LABEL, search_page

# Sort keys a client may ask for; a leading '-' reverses. Bags without the value come last either way.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("brand__name", "model"),
    "price": ("price_minor",),
    "capacity": ("capacity_ml",),
    "weight": ("weight_g",),
    "depth": ("depth_mm",),
}
SORT_CHOICES = tuple(key for name in SORTS for key in (name, f"-{name}"))


def _storable(text: str) -> bool:
    """Whether ``text`` can be compared with stored text at all.

    PostgreSQL text cannot hold a NUL character (psycopg refuses the
    parameter, a 500), so no stored slug, brand or material has one: a
    client's text with a NUL matches nothing, on SQLite as on PostgreSQL.
    """
    return "\x00" not in text


@dataclass(frozen=True)
class BagFilters:
    """What the list endpoint was asked for; ``None`` or empty is no filter. Money in minor units."""

    price_min: int | None = None
    price_max: int | None = None
    currency: str = "USD"
    capacity_min_ml: int | None = None
    capacity_max_ml: int | None = None
    max_depth_mm: int | None = None
    max_weight_g: int | None = None
    material: str = ""
    feature: str = ""
    brand: str = ""
    category: str = ""
    sort: str = "name"


def bag_queryset(*, filters: BagFilters) -> QuerySet[Product]:
    queryset = Product.objects.listed().annotate(depth_mm=Least("exterior_a_mm", "exterior_b_mm", "exterior_c_mm"))
    f = filters
    if f.price_min is not None or f.price_max is not None:
        queryset = queryset.filter(price_currency=f.currency)
    if f.price_min is not None:
        queryset = queryset.filter(price_minor__gte=f.price_min)
    if f.price_max is not None:
        queryset = queryset.filter(price_minor__lte=f.price_max)
    if f.capacity_min_ml is not None:
        queryset = queryset.filter(capacity_ml__gte=f.capacity_min_ml)
    if f.capacity_max_ml is not None:
        queryset = queryset.filter(capacity_high_ml__lte=f.capacity_max_ml)
    if f.max_depth_mm is not None:
        queryset = queryset.filter(depth_mm__lte=f.max_depth_mm)
    if f.max_weight_g is not None:
        queryset = queryset.filter(weight_g__lte=f.max_weight_g)
    if not (_storable(f.material) and _storable(f.brand)):
        return queryset.none()
    if f.material:
        queryset = queryset.filter(material__icontains=f.material)
    if f.brand:
        queryset = queryset.filter(Q(brand__slug=f.brand) | Q(brand__name__iexact=f.brand))
    if f.category:
        queryset = queryset.filter(category=f.category)
    if f.feature:
        queryset = queryset.filter(pk__in=_ids_with_feature(f.feature))
    descending = f.sort.startswith("-")
    keys = SORTS[f.sort.removeprefix("-")]
    order = [F(k).desc(nulls_last=True) if descending else F(k).asc(nulls_last=True) for k in keys]
    return queryset.order_by(*order, "slug")


def _ids_with_feature(feature: str) -> list[int]:
    # Features are a JSON list on the claim; any source naming the feature counts (records.Product.features).
    rows = Claim.objects.filter(field="features").values_list("product_id", "value")
    return sorted({pk for pk, value in rows if isinstance(value, list) and feature in value})


def bag_page(*, filters: BagFilters, page: int, page_size: int) -> tuple[int, list[Product]]:
    """The total number of matching bags and the products of page ``page`` (1-based)."""
    queryset = bag_queryset(filters=filters)
    start = (page - 1) * page_size
    return queryset.count(), list(queryset[start : start + page_size])


@dataclass(frozen=True)
class BagDetail:
    """One bag for the detail and compare endpoints: the stored row, its claims and its core record."""

    product: Product
    claims: tuple[Claim, ...]
    record: records.Product


def bag_detail(*, slug: str) -> BagDetail:
    """The bag ``slug`` with every claim; ``Http404`` naming the slug when there is none."""
    return bag_details(slugs=[slug])[0]


def bag_details(*, slugs: list[str]) -> list[BagDetail]:
    """The bags ``slugs`` in the order given; ``Http404`` naming every unknown slug."""
    storable = [s for s in slugs if _storable(s)]
    found = {p.slug: p for p in Product.objects.listed().with_claims().filter(slug__in=storable)}
    missing = [s for s in slugs if s not in found]
    if missing:
        raise Http404("no bag with the slug " + ", ".join(repr(s[:80]) for s in missing))
    sources: dict[int, records.Source] = {}
    out = []
    for slug in slugs:
        product = found[slug]
        out.append(BagDetail(product, tuple(product.claims.all()), product_to_record(product, sources=sources)))
    return out


def findings_of(product: Product) -> list[dict[str, Any]]:
    return [
        {"field": f.field, "code": f.code, "severity": f.severity, "message": f.message, "evidence": f.evidence}
        for f in product.findings.all()
    ]


def bag_record(*, slug: str) -> records.Product | None:
    """The core record of the bag ``slug``, or ``None``."""
    if not _storable(slug):
        return None
    product = Product.objects.listed().with_claims().filter(slug=slug).first()
    return None if product is None else product_to_record(product)


def bag_fit_space(*, slug: str) -> BagSpace | None:
    """What the fit engine packs for the bag ``slug``; ``Http404`` when there is no such bag, None without a size."""
    record = bag_record(slug=slug)
    if record is None:
        raise Http404(f"no bag with the slug {slug[:80]!r}")
    return bag_space(record)


def slugs_like(slug: str) -> list[str]:
    import difflib

    return difflib.get_close_matches(slug, list(Product.objects.values_list("slug", flat=True)), n=3, cutoff=0.5)


# The search page labels its results for people ('Question'); the API names the kind of thing ('faq').
_SEARCH_TYPES = {label: kind for kind, label in KIND_LABEL.items()}


@dataclass(frozen=True)
class SearchHit:
    type: str  # bag, guide or faq
    title: str
    path: str  # the result's page on the site; '' when it has none
    snippet: str


@dataclass(frozen=True)
class SiteSearch:
    query: str  # the text searched for, after any cut
    searched: bool  # False when the query has no words to search for
    notes: tuple[str, ...]  # e.g. that a typo was matched to a close spelling, or a long query was cut
    hits: tuple[SearchHit, ...]


def site_search(*, q: str, limit: int) -> SiteSearch:
    """At most ``limit`` bags, guides and FAQ questions matching ``q``, best first, as /search/ finds them."""
    page = search_page(q=q, limit=limit)
    hits = tuple(SearchHit(_SEARCH_TYPES[r.kind], r.title, r.url, r.snippet) for r in page.results)
    return SiteSearch(query=page.query, searched=page.searched, notes=page.notes, hits=hits)
