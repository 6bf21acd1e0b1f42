"""Reads from the catalog: ready rows for pages, and core records rebuilt from the database.

Rebuilding goes through ``minipack.catalog.claim_from_text``, the same
reader an import uses, so a value read back from the database is parsed by
exactly the rules that admitted it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from minipack import records
from minipack.catalog import claim_from_text
from minipack.units import Capacity, Dimensions, Money, display_dimensions, format_price, format_volume, format_weight
from minipack_web.catalog.models import Brand, Claim, Product, Source


@dataclass(frozen=True)
class ProductRow:
    """One line of the catalog table, every value formatted for display ('' when no source gives it)."""

    slug: str
    name: str
    category: str
    exterior_in: str
    exterior_cm: str
    capacity: str
    weight: str
    price: str
    price_date: str
    finding_count: int


def product_list() -> list[ProductRow]:
    """The catalog table on the home page, in listing order."""
    return [product_row(p) for p in Product.objects.listed().with_finding_counts()]


def product_row(product: Product) -> ProductRow:
    """Format a product's chosen values; ``finding_count`` needs ``with_finding_counts()``, else it costs a query."""
    dims = _dimensions(product)
    money = Money(product.price_minor, product.price_currency) if product.price_minor is not None else None
    count = getattr(product, "finding_count", None)
    return ProductRow(
        slug=product.slug,
        name=product.name,
        category=product.get_category_display(),
        exterior_in=display_dimensions(dims, "imperial") if dims else "",
        exterior_cm=display_dimensions(dims, "metric") if dims else "",
        capacity=(
            format_volume(Capacity(product.capacity_ml, product.capacity_high_ml or product.capacity_ml))
            if product.capacity_ml
            else ""
        ),
        weight=(
            f"{format_weight(product.weight_g, 'metric')} ({format_weight(product.weight_g, 'imperial')})"
            if product.weight_g
            else ""
        ),
        price=format_price(money) if money else "",
        price_date=product.price_date_stated if money else "",
        finding_count=count if count is not None else product.findings.count(),
    )


def _dimensions(product: Product) -> Dimensions | None:
    a, b, c = product.exterior_a_mm, product.exterior_b_mm, product.exterior_c_mm
    if a is None or b is None or c is None:
        return None
    labels = product.exterior_axes
    axes = (labels[0], labels[1], labels[2]) if len(labels) == 3 else None
    return Dimensions((a, b, c), axes, product.exterior_unit or "mm")


def source_to_record(source: Source) -> records.Source:
    return records.Source(
        title=source.title,
        kind=records.ClaimKind(source.kind),
        date=records.SourceDate.parse(source.date_stated),
        url=source.url,
    )


def claim_to_record(claim: Claim, source: records.Source) -> records.Claim:
    return claim_from_text(claim.field, claim.published, source, note=claim.note)


def product_to_record(product: Product, *, sources: dict[int, records.Source] | None = None) -> records.Product:
    """The core record of a product, from its stored claims (prefetch them with ``with_claims()``).

    ``sources`` caches converted sources by id across products; many claims share one.
    """
    cache = {} if sources is None else sources
    claims = []
    for claim in product.claims.all():
        if claim.source_id not in cache:
            cache[claim.source_id] = source_to_record(claim.source)
        claims.append(claim_to_record(claim, cache[claim.source_id]))
    return records.Product(
        slug=product.slug,
        brand=product.brand.name,
        model=product.model,
        category=product.category,
        claims=tuple(claims),
        colourways=tuple(product.colourways),
        aliases=tuple(product.aliases),
    )


def catalog_products(*, product_ids: Iterable[int] | None = None) -> list[records.Product]:
    """The catalog (or the given products) as core records, in listing order: for export and checks."""
    queryset = Product.objects.listed().with_claims()
    if product_ids is not None:
        queryset = queryset.filter(pk__in=list(product_ids))
    sources: dict[int, records.Source] = {}
    return [product_to_record(p, sources=sources) for p in queryset]


def product_ids_citing(*, source: Source) -> list[int]:
    """Products with a claim from ``source``: the ones to refresh when the source is edited."""
    return list(Claim.objects.filter(source=source).values_list("product_id", flat=True).distinct())


def product_ids_of(*, brand: Brand) -> list[int]:
    return list(brand.products.values_list("pk", flat=True))
