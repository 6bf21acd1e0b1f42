"""The endpoints of ``/api/``: thin, read-only, public.

Each view checks its query string (``_query_guard``: a parameter given twice
or longer than ``MAX_PARAM_CHARS`` is refused with 400; an empty text
parameter is the same as none), calls one selector or core function, and
returns a schema. Errors are raised and answered in ``errors``.
``POST /api/fit`` is a pure computation that writes nothing and reads no
session or cookie, so it needs no CSRF token: django-ninja only checks CSRF
for cookie-authenticated APIs, and this one has no auth.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema
from pydantic import Field, WithJsonSchema

from minipack.airlines import KINDS, check_bag, rules_for
from minipack.errors import MinipackError
from minipack.fit import check_fit
from minipack.fit.interior import construction_of
from minipack.fit.items import CATEGORIES as ITEM_CATEGORIES
from minipack.fit.items import load_item_library
from minipack.fit.jsonl import response_for
from minipack.preferences import preferences_from_text
from minipack.rank import rank
from minipack.records import CATEGORIES, FEATURES, FIELDS
from minipack.search import MAX_QUERY_CHARS
from minipack.units import MAX_LENGTH_MM, MAX_VOLUME_ML, MAX_WEIGHT_G, parse_dimensions
from minipack_web.api import errors, schemas, selectors
from minipack_web.api.fit_body import read_fit_body
from minipack_web.catalog.models import Product
from minipack_web.catalog.selectors import catalog_products
from minipack_web.guides.selectors import MAX_RESULTS as MAX_SEARCH_RESULTS

api = NinjaAPI(
    title="Minipack API",
    version="1",
    description="Read-only data on mini backpack purses: every figure with its source. See docs/api.md.",
    urls_namespace="api",
)
errors.install(api)

MAX_PARAM_CHARS = 200
# A search query longer than the core searches (minipack.search.MAX_QUERY_CHARS) is cut and the answer says so,
# as on the /search/ page; this only bounds what a request may send.
MAX_SEARCH_CHARS = 2_000
MAX_PARAMS = 30
MAX_COMPARE = 6
REFUSED: dict[int | str, Any] = {400: schemas.ErrorOut}
ERRORS: dict[int | str, Any] = {400: schemas.ErrorOut, 404: schemas.ErrorOut}


def _query_guard(request: HttpRequest, *, longer: Mapping[str, int] | None = None) -> None:
    """Refuse a query string the endpoints would otherwise read ambiguously or slowly.

    Every parameter is at most ``MAX_PARAM_CHARS`` long unless ``longer`` allows it more.
    """
    if len(request.GET) > MAX_PARAMS:
        raise errors.ApiError(400, f"too many query parameters ({len(request.GET)}); at most {MAX_PARAMS}")
    for key, values in request.GET.lists():
        if len(values) > 1:
            raise errors.ApiError(400, f"the parameter {key[:40]!r} is given {len(values)} times; give it once")
        most = (longer or {}).get(key, MAX_PARAM_CHARS)
        if len(values[0]) > most:
            raise errors.ApiError(400, f"the parameter {key[:40]!r} is longer than {most:,} characters")


def _text_schema(choices: tuple[str, ...] | list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """What the OpenAPI document says of a text parameter: what ``_query_guard`` and the view accept.

    ``choices`` become an enum, with "" (an empty form field: no filter, or
    the default); the view still checks them, so a wrong one is answered
    with the allowed values.
    """
    extra: dict[str, Any] = {"maxLength": MAX_PARAM_CHARS, **schema}
    if choices:
        extra["enum"] = ["", *choices]
    return extra


def _text(default: Any, description: str, *, choices: tuple[str, ...] | list[str] = (), **schema: Any) -> Any:
    """A text field of a query schema (django-ninja's ``Query()`` for a single parameter cannot add to its schema)."""
    return Field(default, description=description, json_schema_extra=_text_schema(choices, schema))


def _choice(name: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    if value and value not in allowed:
        raise errors.ApiError(400, f"{name}: {value[:40]!r} is not allowed; allowed values: {', '.join(allowed)}")
    return value


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


# --------------------------------------------------------------------------- bags


CURRENCY = "^([A-Z]{3})?$"  # three capitals, or empty for USD
# Read as a Decimal so '7.5' stays exact; documented as the number it is (pydantic would also offer any string).
Litres = Annotated[Decimal | None, WithJsonSchema({"type": "number", "minimum": 0, "maximum": 200})]


class BagQuery(Schema):
    price_min: int | None = Field(None, ge=0, le=10**12, description="lowest price, minor units (cents)")
    price_max: int | None = Field(None, ge=0, le=10**12, description="highest price, minor units (cents)")
    currency: str = _text("USD", "of price_min and price_max; bags priced in others are left out", pattern=CURRENCY)
    litres_min: Litres = Field(None, ge=0, le=200, description="stated capacity at least, litres")
    litres_max: Litres = Field(None, ge=0, le=200, description="stated capacity at most, litres")
    max_depth_mm: int | None = Field(None, ge=0, le=10**6, description="smallest outer side at most, mm")
    max_weight_g: int | None = Field(None, ge=0, le=10**6, description="weight at most, grams")
    material: str = _text("", "text the chosen material contains (any case)")
    feature: str = _text("", "a feature code", choices=list(FEATURES))
    brand: str = _text("", "a brand slug or name")
    category: str = _text("", "a category", choices=CATEGORIES)
    sort: str = _text("name", "the order; '-' first for descending", choices=selectors.SORT_CHOICES)
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


def _ml(litres: Decimal | None) -> int | None:
    return None if litres is None else int((litres * 1000).to_integral_value())


def _bag_out(request: HttpRequest, product: Product) -> dict[str, Any]:
    sides = [product.exterior_a_mm, product.exterior_b_mm, product.exterior_c_mm]
    exterior = [s for s in sides if s is not None]
    price = None
    if product.price_minor is not None:
        price = {
            "amount_minor": product.price_minor,
            "currency": product.price_currency,
            "date": product.price_date_stated,
        }
    return {
        "slug": product.slug,
        "name": product.name,
        "brand": product.brand.name,
        "model": product.model,
        "category": product.category,
        "exterior_mm": exterior if len(exterior) == 3 else None,
        "exterior_axes": product.exterior_axes,
        "depth_mm": min(exterior) if len(exterior) == 3 else None,
        "capacity_ml": product.capacity_ml,
        "capacity_high_ml": product.capacity_high_ml,
        "weight_g": product.weight_g,
        "price": price,
        "material": product.material,
        "url": request.build_absolute_uri(f"/api/bags/{product.slug}"),
    }


@api.get("/bags", response={200: schemas.BagPage, **REFUSED}, summary="List bags, filtered and sorted")
def bag_list(request: HttpRequest, query: Query[BagQuery]) -> dict[str, Any]:
    _query_guard(request)
    # An empty text parameter (a form's blank field) is the default, as an empty filter is no filter.
    sort = _choice("sort", query.sort, selectors.SORT_CHOICES) or "name"
    _choice("feature", query.feature, list(FEATURES))
    _choice("category", query.category, CATEGORIES)
    currency = query.currency or "USD"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise errors.ApiError(400, f"currency: {currency[:40]!r} is not a three-letter code such as USD")
    filters = selectors.BagFilters(
        price_min=query.price_min,
        price_max=query.price_max,
        currency=currency,
        capacity_min_ml=_ml(query.litres_min),
        capacity_max_ml=_ml(query.litres_max),
        max_depth_mm=query.max_depth_mm,
        max_weight_g=query.max_weight_g,
        material=query.material,
        feature=query.feature,
        brand=query.brand,
        category=query.category,
        sort=sort,
    )
    count, products = selectors.bag_page(filters=filters, page=query.page, page_size=query.page_size)
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "sort": sort,
        "results": [_bag_out(request, p) for p in products],
    }


def _claim_out(claim: Any) -> dict[str, Any]:
    source = claim.source
    return {
        "field": claim.field,
        "published": claim.published,
        "value": claim.value,
        "note": claim.note,
        "source": {"title": source.title, "url": source.url, "date": source.date_stated, "kind": source.kind},
    }


def _detail_out(request: HttpRequest, detail: selectors.BagDetail) -> dict[str, Any]:
    out = _bag_out(request, detail.product)
    claims = [_claim_out(c) for c in detail.claims]
    conflicts: dict[str, list[dict[str, Any]]] = {}
    for field in FIELDS:
        disagreeing = {(c.published, c.source.title, c.source.date.stated) for c in detail.record.conflicts(field)}
        rows = [
            row
            for row, claim in zip(claims, detail.claims, strict=True)
            if claim.field == field and (claim.published, claim.source.title, claim.source.date_stated) in disagreeing
        ]
        if rows:
            conflicts[field] = rows
    out.update(
        features=sorted(detail.record.features),
        claims=claims,
        conflicts=conflicts,
        findings=selectors.findings_of(detail.product),
    )
    return out


@api.get("/bags/{slug}", response={200: schemas.BagDetailOut, **ERRORS}, summary="One bag with every claim")
def bag_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    _query_guard(request)
    return _detail_out(request, selectors.bag_detail(slug=slug))


class CompareQuery(Schema):
    bags: str = _text(..., "2 to 6 slugs, comma-separated")


@api.get("/compare", response={200: schemas.CompareOut, **ERRORS}, summary="Two to six bags side by side")
def compare(request: HttpRequest, query: Query[CompareQuery]) -> dict[str, Any]:
    _query_guard(request)
    slugs = _split(query.bags)
    if not 2 <= len(slugs) <= MAX_COMPARE:
        raise errors.ApiError(400, f"bags: give 2 to {MAX_COMPARE} slugs separated by commas, got {len(slugs)}")
    if len(set(slugs)) != len(slugs):
        raise errors.ApiError(400, "bags: a slug is given twice")
    details = selectors.bag_details(slugs=slugs)
    out = [_detail_out(request, d) for d in details]
    rows = []
    for field in FIELDS:
        values = []
        for d in details:
            chosen = d.record.chosen(field)
            values.append("" if chosen is None else chosen.published or str(chosen.value))
        rows.append({"field": field, "values": values})
    return {"bags": out, "rows": rows}


# --------------------------------------------------------------------------- fit

# The request body as OpenAPI 3.1 (JSON Schema) can say it. What it cannot (a cylinder's two equal sides, a
# volume only on a soft item, an interior over 200 L, a name that is only spaces, an unknown library id) is
# refused with 422 by minipack.fit.jsonl.parse_request, naming the field.
_SIDES_MM = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1, "maximum": MAX_LENGTH_MM},
    "minItems": 3,
    "maxItems": 3,
}
_FIT_BODY_SCHEMA = {
    "type": "object",
    "required": ["bag", "items"],
    "properties": {
        "id": {"oneOf": [{"type": "string", "maxLength": 200}, {"type": "integer"}, {"type": "null"}]},
        "bag": {
            "oneOf": [
                {
                    "type": "object",
                    "description": "a bag of the catalog (GET /api/bags lists the slugs)",
                    "required": ["slug"],
                    "properties": {"slug": {"type": "string"}},
                    "additionalProperties": False,
                },
                {
                    "type": "object",
                    "description": "an interior box, and how much of it is usable (default: all of it)",
                    "required": ["interior_mm"],
                    "properties": {
                        "interior_mm": _SIDES_MM,
                        "usable_ml": {"type": "integer", "minimum": 0, "maximum": MAX_VOLUME_ML},
                    },
                    "additionalProperties": False,
                },
            ]
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "maxItems": 50,
            "items": {
                "oneOf": [
                    {"type": "string", "description": "a library id (GET /api/items) or 'name:180x120x20mm'"},
                    {
                        "type": "object",
                        "required": ["name", "dims_mm"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 60},
                            "dims_mm": _SIDES_MM,
                            "shape": {"type": "string", "enum": ["box", "cylinder"]},
                            "rigid": {"type": "boolean"},
                            "volume_ml": {"type": "integer", "minimum": 1, "maximum": MAX_VOLUME_ML},
                            "weight_g": {"type": "integer", "minimum": 0, "maximum": MAX_WEIGHT_G},
                        },
                    },
                ]
            },
        },
    },
    "additionalProperties": False,
}


@api.post(
    "/fit",
    response={200: schemas.FitOut, 413: schemas.ErrorOut, 422: schemas.ErrorOut},
    summary="Will these items fit in this bag?",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _FIT_BODY_SCHEMA}}}},
)
def fit(request: HttpRequest) -> dict[str, Any]:
    """A pure computation: the body is read and answered, nothing is stored (so no CSRF token is needed)."""
    fit_request = read_fit_body(request.body)
    try:
        result = check_fit(fit_request.bag, fit_request.items)
    except MinipackError as exc:
        raise errors.ApiError(422, f"request: cannot be checked: {exc}") from exc
    out = response_for(fit_request.id, result)
    out.update(
        bag=fit_request.bag.name,
        interior_mm=list(fit_request.bag.interior_mm),
        usable_ml=fit_request.bag.usable_ml,
        remove_to_fit=None if result.remove_to_fit is None else list(result.remove_to_fit),
    )
    return out


# --------------------------------------------------------------------------- rank


class RankQuery(Schema):
    """Read by ``minipack.preferences.preferences_from_text``, as `minipack rank` reads its options."""

    budget_min: str | None = _text(None, "e.g. 50 or '$50' (in currency unless written)")
    budget_max: str | None = _text(None, "e.g. 100 or '$100'")
    currency: str = _text("USD", "the currency of a budget written as a plain number (USD, EUR, GBP, ...)")
    min_capacity: str | None = _text(None, "e.g. '6 L'")
    max_capacity: str | None = _text(None, "e.g. '10 L'")
    max_weight_g: int | None = Field(None, ge=0, le=10**6)
    max_depth: str | None = _text(None, "smallest outer side, e.g. '12 cm' (mm if no unit)")
    must: str | None = _text(None, "features, comma-separated")
    material: str | None = _text(None, "the material contains one of these, comma-separated")
    not_material: str | None = _text(None, "the material contains none of these, comma-separated")
    category: str | None = _text(None, "categories, comma-separated")
    airline: str | None = _text(None, "IATA codes, comma-separated")
    items: str | None = _text(None, "item library ids or custom items, comma-separated")
    top: int = Field(10, ge=1, le=50)


@api.get("/rank", response={200: schemas.RankOut, **REFUSED}, summary="The best bags for your constraints")
def rank_bags(request: HttpRequest, query: Query[RankQuery]) -> dict[str, Any]:
    _query_guard(request)
    texts = {name: str(value) for name, value in query.dict().items() if name != "top" and value is not None}
    prefs = preferences_from_text(texts)
    return rank(catalog_products(), prefs, top=query.top).as_dict()


# --------------------------------------------------------------------------- airlines


class AirlineQuery(Schema):
    bag: str | None = _text(None, "a catalog bag's slug")
    dims: str | None = _text(None, "an outer size such as '45 x 36 x 25 cm' (instead of bag)")
    airline: str | None = _text(None, "IATA codes, comma-separated (default: all)")
    kind: str | None = _text(None, "personal or carry_on (default, or empty: both)", choices=KINDS)
    squeeze: bool = Field(False, description="count on a part-full soft bag being pressed thinner")


@api.get("/airline-check", response={200: schemas.AirlineCheckOut, **ERRORS}, summary="Airline size limits")
def airline_check(request: HttpRequest, query: Query[AirlineQuery]) -> dict[str, Any]:
    _query_guard(request)
    # Empty is not given, as everywhere in the API.
    bag, dims, airline, kind = query.bag or None, query.dims or None, query.airline, query.kind
    if (bag is None) == (dims is None):
        raise errors.ApiError(400, "give exactly one of bag (a slug) and dims (a size such as '45 x 36 x 25 cm')")
    if kind is not None:
        _choice("kind", kind, KINDS)
    if bag is not None:
        record = selectors.bag_record(slug=bag)
        if record is None:
            raise errors.ApiError(404, f"bag: no bag with the slug {bag[:80]!r}")
        exterior = record.value("exterior")
        if exterior is None:
            raise errors.ApiError(400, f"bag: {record.name} has no published size to check")
        material = record.value("material")
        soft = construction_of(material if isinstance(material, str) else None) == "soft"
        label, mm = f"{record.name} ({bag})", exterior.mm
    else:
        assert dims is not None
        try:
            mm = parse_dimensions(dims).mm
        except MinipackError as exc:
            raise errors.ApiError(400, f"dims: {exc}") from exc
        label, soft = dims.strip(), True
    codes = _split(airline) or None
    try:
        rules = rules_for(codes, (kind,) if kind else KINDS)
    except MinipackError as exc:
        raise errors.ApiError(400, f"airline: {exc}") from exc
    verdicts = [check_bag(mm, rule, soft=query.squeeze and soft) for rule in rules]
    return {
        "bag": label,
        "bag_mm": sorted(mm, reverse=True),
        "soft": soft,
        "verdicts": [
            {
                "airline": v.airline,
                "iata": v.iata,
                "kind": v.kind,
                "verdict": v.verdict,
                "margins_mm": None if v.margins_mm is None else list(v.margins_mm),
                "limit_mm": None if v.rule.sorted_mm is None else list(v.rule.sorted_mm),
                "published": v.rule.published or "",
                "bag_mm": list(v.bag_mm),
                "compressed_mm": v.compressed_mm,
                "weight_g": v.rule.weight_g,
                "source_url": v.source_url,
                "checked_on": v.checked_on,
                "confidence": v.rule.confidence,
                "official_url": v.rule.official_url,
                "note": v.note,
            }
            for v in verdicts
        ],
    }


# --------------------------------------------------------------------------- search


class SearchQuery(Schema):
    q: str = Field(
        "",
        description=(
            f"words to find, as plain text (no character is an operator); only the first {MAX_QUERY_CHARS} "
            "characters are searched, and notes says so"
        ),
        json_schema_extra={"maxLength": MAX_SEARCH_CHARS},  # more than other parameters: see MAX_SEARCH_CHARS
    )
    limit: int = Field(20, ge=1, le=MAX_SEARCH_RESULTS, description="at most this many results")


@api.get("/search", response={200: schemas.SearchOut, **REFUSED}, summary="Search bags, guides and FAQ answers")
def search(request: HttpRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """The site search of /search/: the same matches, typo fallback, order and notes, as JSON."""
    _query_guard(request, longer={"q": MAX_SEARCH_CHARS})
    found = selectors.site_search(q=query.q, limit=query.limit)
    results = [
        {
            "type": hit.type,
            "title": hit.title,
            "url": request.build_absolute_uri(hit.path) if hit.path else None,
            "snippet": hit.snippet,
        }
        for hit in found.hits
    ]
    return {
        "query": found.query,
        "searched": found.searched,
        "notes": list(found.notes),
        "limit": query.limit,
        "count": len(results),
        "results": results,
    }


# --------------------------------------------------------------------------- items


class ItemQuery(Schema):
    category: str = _text("", "an item category (default, or empty: all)", choices=ITEM_CATEGORIES)


@api.get("/items", response={200: schemas.ItemList, **REFUSED}, summary="The item library")
def item_list(request: HttpRequest, query: Query[ItemQuery]) -> dict[str, Any]:
    _query_guard(request)
    category = query.category
    _choice("category", category, ITEM_CATEGORIES)
    items = [i for i in load_item_library() if not category or i.category == category]
    results = [
        {
            "id": i.id,
            "name": i.name,
            "category": i.category,
            "dims_mm": list(i.dims_mm),
            "shape": i.shape,
            "rigid": i.rigid,
            "weight_g": i.weight_g,
            "volume_ml": i.volume_ml,
            "confidence": i.confidence,
            "note": i.note,
            "sources": [{"url": s.url, "date": s.date, "gives": s.gives} for s in i.sources],
        }
        for i in items
    ]
    return {"count": len(results), "results": results}
