"""Reads from the catalog: ready rows for pages, and core records rebuilt from the database.

Rebuilding goes through ``minipack.catalog.claim_from_text``, the same
reader an import uses, so a value read back from the database is parsed by
exactly the rules that admitted it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from minipack import records
from minipack.airlines import SOFT_COMPRESS_PERCENT, AirlineVerdict, check_bag, load_airline_rules
from minipack.catalog import claim_from_text, neutralise_cell
from minipack.checks import SEVERITIES
from minipack.drawings import A4, US_LETTER, Outline, front_of, outline_svg, price_chart_svg, price_points
from minipack.fit import BagSpace, FitResult, check_fit
from minipack.fit.interior import bag_space, construction_of, estimate_interior
from minipack.fit.items import load_item_library
from minipack.kits import COMMON_KITS, similar_products
from minipack.offers import STALE_AFTER_DAYS, Offer, offers
from minipack.photos import VARIANT_NAME
from minipack.proscons import derive_pros_cons
from minipack.schema_org import product_jsonld
from minipack.table import TableEntry, TableFilters, filter_entries, sort_entries
from minipack.units import (
    Capacity,
    Dimensions,
    Money,
    System,
    display_dimensions,
    display_length,
    format_price,
    format_volume,
    format_weight,
)
from minipack_web.catalog.models import BagPhoto, Brand, Claim, Finding, Product, Source
from minipack_web.seo.jsonld import script_json
from minipack_web.seo.origin import absolute_url


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
    """The catalog as ready rows, in listing order."""
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


def catalog_updated_at() -> datetime | None:
    """When a catalog product last changed (its newest ``updated_at``); ``None`` for an empty catalog."""
    newest: datetime | None = Product.objects.aggregate(newest=Max("updated_at"))["newest"]
    return newest


@dataclass(frozen=True)
class ProductUpdate:
    slug: str
    url: str
    updated_at: datetime


def product_updates() -> list[ProductUpdate]:
    """Every bag's page and when its product last changed, in listing order: for the sitemap."""
    return [
        ProductUpdate(slug, reverse("catalog:bag", kwargs={"slug": slug}), updated_at)
        for slug, updated_at in Product.objects.listed().values_list("slug", "updated_at")
    ]


def product_ids_citing(*, source: Source) -> list[int]:
    """Products with a claim from ``source``: the ones to refresh when the source is edited."""
    return list(Claim.objects.filter(source=source).values_list("product_id", flat=True).distinct())


def product_ids_of(*, brand: Brand) -> list[int]:
    return list(brand.products.values_list("pk", flat=True))


# --------------------------------------------------------------------------- the bag page

FIELD_LABELS = {
    "exterior": "Outer size",
    "capacity": "Capacity",
    "weight": "Weight",
    "material": "Material",
    "features": "Features",
    "price": "Price",
    "category": "Category",
}
PAGE_FIELDS = ("exterior", "capacity", "weight", "material", "features", "price", "category")

AIRLINE_VERDICTS = {
    "within": "Fits",
    "borderline": "Borderline",
    "exceeds": "Too big",
    "no_published_size": "No size published",
}
FIT_VERDICTS = {"fits": "Fits", "tight": "Fits, tightly", "does_not_fit": "Does not fit", "undecided": "Unsure"}
FIT_BUDGET_S = 0.5


@dataclass(frozen=True)
class Evidence:
    """One source's value for a field: what it printed, who, when, what kind; ``chosen`` if the page shows it."""

    shown: str
    source: str
    url: str
    date: str
    kind: str
    chosen: bool
    disagrees: bool


@dataclass(frozen=True)
class SpecRow:
    field: str
    label: str
    value: str  # '' when no source gives it
    evidence: tuple[Evidence, ...]
    conflict: bool


@dataclass(frozen=True)
class FindingRow:
    severity: str
    message: str


@dataclass(frozen=True)
class FitRow:
    name: str
    detail: str
    verdict: str
    verdict_code: str
    reason: str


@dataclass(frozen=True)
class AirlineRow:
    airline: str
    iata: str
    personal: str
    personal_code: str
    carry_on: str
    carry_on_code: str
    limits: str
    source_url: str
    checked_on: str


@dataclass(frozen=True)
class SimilarRow:
    slug: str
    name: str
    size: str


@dataclass(frozen=True)
class PhotoView:
    """A photo ready for <picture>: a srcset per format, the size to reserve, the words to say."""

    alt: str
    credit: str
    credit_url: str
    src: str  # a JPEG every browser shows: the widest up to 640 px
    small_src: str  # the narrowest JPEG, for a thumbnail
    srcset_webp: str  # '/media/bag-photos/…-320w.webp 320w, …'
    srcset_jpeg: str
    width: int  # the widest variant's size: with height, the aspect ratio the page reserves (no layout shift)
    height: int
    largest_jpeg: str  # path of the widest JPEG: what a link preview should show


@dataclass(frozen=True)
class OfferRow:
    """One place to buy, ready to print; ``stale_note`` is '' when the price was seen recently."""

    shop: str
    url: str
    price: str  # '$49.99'
    currency: str  # 'USD'; '' when the price already names it ('CAD 60')
    seen: str  # the date as the source states it
    seen_iso: str  # for <time datetime>: '2025-01-10', '2025-01' or ''
    stale_note: str
    source: str
    kind: str


@dataclass(frozen=True)
class BagPage:
    slug: str
    name: str
    category: str
    specs: tuple[SpecRow, ...]
    findings: tuple[FindingRow, ...]
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    outline_svg: str
    interior: str
    item_fits: tuple[FitRow, ...]
    kit_fits: tuple[FitRow, ...]
    airlines: tuple[AirlineRow, ...]
    airline_note: str
    price: str
    price_date: str
    price_chart_svg: str
    similar: tuple[SimilarRow, ...]
    # schema.org Product, escaped for a <script> element. Keyword-only with a default so fields added
    # after it need none; filled in by bag_page once the rest of the page (its photo, if any) is known.
    jsonld: str = field(default="", kw_only=True)
    photos: tuple[PhotoView, ...] = field(default=(), kw_only=True)  # the editor's order
    # Absolute URL of the first photo's widest JPEG, '' without a photo: for og:image and JSON-LD.
    photo_url: str = field(default="", kw_only=True)
    offers: tuple[OfferRow, ...] = field(default=(), kw_only=True)  # cheapest first within a currency
    offers_stale_after_days: int = field(default=STALE_AFTER_DAYS, kw_only=True)


def bag_page(*, slug: str, today: date | None = None) -> BagPage | None:
    """Everything the bag page shows, ready to print; ``None`` for an unknown slug.

    ``today`` (default: the site's local date) decides which offers are old enough to say so.
    """
    row = Product.objects.listed().with_claims().filter(slug=slug).first()
    if row is None:
        return None
    today = today or timezone.localdate()
    catalog = catalog_products()
    product = next(p for p in catalog if p.slug == slug)
    findings = tuple(FindingRow(f.severity, f.message) for f in row.findings.all())
    pros_cons = derive_pros_cons(product, catalog)
    price = product.chosen("price")
    points = price_points(product)
    exterior = product.value("exterior")
    dims = exterior if isinstance(exterior, Dimensions) else None
    photos = tuple(photo_view(p) for p in row.photos.all())
    page = BagPage(
        slug=product.slug,
        name=product.name,
        category=row.get_category_display(),
        specs=tuple(_spec_row(product, f) for f in PAGE_FIELDS),
        findings=findings,
        pros=tuple(p.text for p in pros_cons.pros),
        cons=tuple(p.text for p in pros_cons.cons),
        outline_svg=_outline(product.name, dims) if dims else "",
        interior=_interior_text(product),
        item_fits=_item_fits(product),
        kit_fits=_kit_fits(product),
        airlines=_airline_rows(product, dims) if dims else (),
        airline_note=_airline_note(product),
        price=format_price(price.value) if price else "",
        price_date=price.source.date.stated if price else "",
        price_chart_svg=(
            price_chart_svg(points, title=f"Price history of the {product.name}") if len(points) > 1 else ""
        ),
        similar=tuple(
            SimilarRow(p.slug, p.name, _size_text(p.value("exterior"))) for p in similar_products(product, catalog)
        ),
        photos=photos,
        photo_url=absolute_url(photos[0].largest_jpeg) if photos else "",
        offers=tuple(_offer_row(o) for o in offers(product, today=today, preferred_currency=catalog_currency())),
    )
    return replace(page, jsonld=_bag_jsonld(product, photo_url=getattr(page, "photo_url", ""), today=today))


def _bag_jsonld(product: records.Product, *, photo_url: str | None, today: date) -> str:
    url = absolute_url(reverse("catalog:bag", kwargs={"slug": product.slug}))
    image = absolute_url(photo_url) if photo_url else ""
    return script_json(product_jsonld(product, url=url, today=today, image=image))


# --------------------------------------------------------------------------- photos and offers

PHOTO_DIR = "bag-photos"
FALLBACK_WIDTH = 640  # the <img src> for browsers that ignore srcset: sharp in a phone's column


def photo_root() -> Path:
    """Where photo variants are stored: ``MEDIA_ROOT/bag-photos``, read at call time (tests point it elsewhere)."""
    return Path(settings.MEDIA_ROOT) / PHOTO_DIR


def photo_file_path(*, name: str) -> Path | None:
    """The stored file called ``name``, or ``None``.

    Only a variant name (hash, width, extension) is looked up, so no path a request sends can
    leave the photo folder.
    """
    if not VARIANT_NAME.fullmatch(name):
        return None
    path = photo_root() / name
    return path if path.is_file() else None


def photo_view(photo: BagPhoto) -> PhotoView:
    """A stored photo as srcsets and sizes; every photo the services store has a JPEG and a WebP per width."""

    def url(name: str) -> str:
        return reverse("catalog:photo_file", kwargs={"name": name})

    by_width = sorted(photo.variants, key=lambda v: v["width"])
    jpegs = [v for v in by_width if v["format"] == "jpg"]
    webps = [v for v in by_width if v["format"] == "webp"]
    widest = jpegs[-1]
    fallback = [v for v in jpegs if v["width"] <= FALLBACK_WIDTH] or jpegs[:1]
    return PhotoView(
        alt=photo.alt,
        credit=photo.credit,
        credit_url=photo.credit_url,
        src=url(fallback[-1]["name"]),
        small_src=url(jpegs[0]["name"]),
        srcset_webp=", ".join(f"{url(v['name'])} {v['width']}w" for v in webps),
        srcset_jpeg=", ".join(f"{url(v['name'])} {v['width']}w" for v in jpegs),
        width=widest["width"],
        height=widest["height"],
        largest_jpeg=url(widest["name"]),
    )


def first_photos(*, slugs: Iterable[str]) -> dict[str, PhotoView]:
    """Each given bag's first photo, by slug; bags without one are left out. One query."""
    first: dict[str, PhotoView] = {}
    for photo in BagPhoto.objects.filter(product__slug__in=list(slugs)).select_related("product").shown():
        if photo.product.slug not in first:
            first[photo.product.slug] = photo_view(photo)
    return first


def _offer_row(offer: Offer) -> OfferRow:
    price = format_price(offer.price)
    currency = offer.price.currency
    key = offer.seen.key
    if offer.age_days is None:
        stale = "Undated: the price may have changed."
    elif offer.stale:
        stale = f"Seen {offer.age_days} days ago: the price may have changed."
    else:
        stale = ""
    return OfferRow(
        shop=offer.shop,
        url=offer.url,
        price=price,
        currency="" if price.startswith(currency) else currency,
        seen=offer.seen.stated,
        seen_iso="-".join(f"{n:02d}" for n in key if n) if key else "",
        stale_note=stale,
        source=offer.source_title,
        kind=offer.kind.value,
    )


def show_value(field: str, value: object) -> str:
    """A claimed value in words; sizes in inches and centimetres."""
    if value is None:
        return ""
    if isinstance(value, Dimensions):
        return _size_text(value)
    if isinstance(value, Capacity):
        return format_volume(value)
    if isinstance(value, Money):
        return format_price(value)
    if field == "weight" and isinstance(value, int):
        return f"{format_weight(value, 'metric')} ({format_weight(value, 'imperial')})"
    if field == "features" and isinstance(value, frozenset):
        return ", ".join(records.FEATURES[code] for code in sorted(value)) or "none named"
    if field == "category" and isinstance(value, str):
        return value.capitalize()
    return str(value)


def _size_text(value: object) -> str:
    if not isinstance(value, Dimensions):
        return ""
    return f"{display_dimensions(value, 'imperial')} ({display_dimensions(value, 'metric')})"


def _spec_row(product: records.Product, field: str) -> SpecRow:
    chosen = product.chosen(field)
    disagreeing = set(map(id, product.conflicts(field)))
    evidence = tuple(
        Evidence(
            shown=show_value(field, claim.value)
            if field == "features"
            else claim.published or show_value(field, claim.value),
            source=claim.source.title,
            url=claim.source.url,
            date=claim.source.date.stated,
            kind=claim.kind.value,
            chosen=claim is chosen,
            disagrees=id(claim) in disagreeing,
        )
        for claim in sorted(product.claims_for(field), key=lambda c: c is not chosen)
    )
    value = show_value(field, product.features if field == "features" and chosen else product.value(field))
    return SpecRow(field, FIELD_LABELS[field], value, evidence, conflict=bool(disagreeing))


def _outline(name: str, dims: Dimensions) -> str:
    width, height, _depth = front_of(dims)
    phone = load_item_library().get(PHONE_ID)
    references = [US_LETTER, A4]
    if phone is not None:
        references.append(Outline(phone.name, phone.dims_mm[1], phone.dims_mm[0], "Phone"))
    return outline_svg(Outline(name, width, height), references, title=f"The front of the {name}, to scale")


PHONE_ID = "iphone-15"


def _interior_text(product: records.Product) -> str:
    estimate = estimate_interior(product)
    if estimate is None:
        return ""
    a, b, c = estimate.space.interior_mm
    return (
        f"Estimated inside: {a} x {b} x {c} mm ({estimate.construction} construction, "
        f"{estimate.wall_mm} mm walls), about {estimate.space.usable_ml / 1000:.1f} L usable."
    )


def _fit_row(name: str, detail: str, result: FitResult) -> FitRow:
    return FitRow(name, detail, FIT_VERDICTS[result.verdict], result.verdict, result.reason)


def _named_space(product: records.Product) -> BagSpace | None:
    """The fit engine's space, named as the page names the bag (the engine's reasons quote it)."""
    space = bag_space(product)
    return None if space is None else replace(space, name=product.name)


def _item_fits(product: records.Product) -> tuple[FitRow, ...]:
    space = _named_space(product)
    if space is None:
        return ()
    return tuple(
        _fit_row(
            item.name,
            " x ".join(str(v) for v in item.dims_mm) + " mm",
            check_fit(space, [item.as_item(item.name)], budget_s=FIT_BUDGET_S),
        )
        for item in load_item_library()
    )


def _kit_fits(product: records.Product) -> tuple[FitRow, ...]:
    space = _named_space(product)
    if space is None:
        return ()
    library = load_item_library()
    rows = []
    for kit in COMMON_KITS:
        items = [library[i] for i in kit.item_ids if i in library]
        names = ", ".join(i.name for i in items)
        rows.append(
            _fit_row(kit.name, names, check_fit(space, [i.as_item(i.name) for i in items], budget_s=FIT_BUDGET_S))
        )
    return tuple(rows)


def _soft(product: records.Product) -> bool:
    material = product.value("material")
    return construction_of(material if isinstance(material, str) else None) == "soft"


def _airline_note(product: records.Product) -> str:
    if _soft(product):
        return (
            f"Soft bag: we allow it to be pressed {SOFT_COMPRESS_PERCENT} % thinner, as a part-full fabric bag can be."
        )
    return "Not a soft bag (or material unknown): checked at its stated size, not pressed."


def _airline_rows(product: records.Product, dims: Dimensions) -> tuple[AirlineRow, ...]:
    soft = _soft(product)
    by_airline: dict[str, dict[str, AirlineVerdict]] = {}
    for rule in load_airline_rules():
        by_airline.setdefault(rule.iata, {})[rule.kind] = check_bag(dims.mm, rule, soft=soft)
    rows = []
    for verdicts in by_airline.values():
        first = next(iter(verdicts.values())).rule
        personal, carry = verdicts.get("personal"), verdicts.get("carry_on")
        limits = "; ".join(
            f"{'Personal' if v.kind == 'personal' else 'Carry-on'}: {v.rule.published or 'no size published'}"
            for v in (personal, carry)
            if v is not None
        )
        rows.append(
            AirlineRow(
                airline=first.airline,
                iata=first.iata,
                personal=AIRLINE_VERDICTS[personal.verdict] if personal else "Not listed",
                personal_code=personal.verdict if personal else "unknown",
                carry_on=AIRLINE_VERDICTS[carry.verdict] if carry else "Not listed",
                carry_on_code=carry.verdict if carry else "unknown",
                limits=limits,
                source_url=first.source_url,
                checked_on=first.checked_on,
            )
        )
    return tuple(rows)


# --------------------------------------------------------------------------- the all-bags table

FALLBACK_CURRENCY = "USD"
CSV_HEADER = (
    "slug",
    "bag",
    "brand",
    "category",
    "exterior",
    "depth",
    "capacity",
    "weight",
    "price",
    "price_date",
    "material",
    "features",
    "findings",
    "url",
)


@dataclass(frozen=True)
class TableRow:
    """One bag in the table, ready to print; '' means unknown (the template says so, never '0')."""

    slug: str
    name: str
    brand: str
    category: str
    exterior: str
    depth: str
    capacity: str
    weight: str
    price: str
    price_date: str
    # A price in another currency: shown for information, counted as unknown (it cannot be ranked).
    price_elsewhere: str
    material: str
    features: str
    finding_count: int


@dataclass(frozen=True)
class TableView:
    rows: tuple[TableRow, ...]
    total: int
    currency: str
    units: str  # "in" or "cm"

    @property
    def shown(self) -> int:
        return len(self.rows)


def catalog_currency() -> str:
    """The currency most bags are priced in (ties: alphabetical): the one the table filters and sorts by."""
    counts = Counter(
        Product.objects.exclude(price_currency="").values_list("price_currency", flat=True).order_by("price_currency")
    )
    if not counts:
        return FALLBACK_CURRENCY
    return min(counts, key=lambda c: (-counts[c], c))


def _table_entry(product: Product, features: frozenset[str], currency: str) -> TableEntry:
    dims = _dimensions(product)
    return TableEntry(
        slug=product.slug,
        name=product.name,
        brand=product.brand.slug,
        category=product.category,
        price_minor=product.price_minor if product.price_currency == currency else None,
        capacity_ml=product.capacity_ml,
        depth_mm=min(dims.mm) if dims else None,
        weight_g=product.weight_g,
        material=product.material,
        features=features,
    )


def _table_row(product: Product, entry: TableEntry, units: str) -> TableRow:
    dims = _dimensions(product)
    system: System = "imperial" if units == "in" else "metric"
    money = Money(product.price_minor, product.price_currency) if product.price_minor is not None else None
    count = getattr(product, "finding_count", None)
    return TableRow(
        slug=product.slug,
        name=product.name,
        brand=product.brand.name,
        category=product.get_category_display(),
        exterior=display_dimensions(dims, system) if dims else "",
        depth=display_length(entry.depth_mm, system) if entry.depth_mm is not None else "",
        capacity=(
            format_volume(Capacity(product.capacity_ml, product.capacity_high_ml or product.capacity_ml))
            if product.capacity_ml
            else ""
        ),
        weight=format_weight(product.weight_g, system) if product.weight_g else "",
        price=format_price(money) if money and entry.price_minor is not None else "",
        price_date=product.price_date_stated if money else "",
        price_elsewhere=format_price(money) if money and entry.price_minor is None else "",
        material=product.material,
        features=", ".join(records.FEATURES.get(code, code) for code in sorted(entry.features)),
        finding_count=count if count is not None else product.findings.count(),
    )


def table_rows(*, filters: TableFilters, units: str = "in", currency: str | None = None) -> TableView:
    """Every bag the filters keep, in the asked order, formatted in ``units`` ('in' or 'cm').

    The rules (what an unknown value does to a filter and a sort) are the
    core's, in ``minipack.table``; this only feeds it and formats the result.
    """
    currency = currency or catalog_currency()
    products = {p.slug: p for p in Product.objects.listed().with_finding_counts()}
    features: dict[int, set[str]] = {}
    for product_id, value in Claim.objects.filter(field="features").values_list("product_id", "value"):
        features.setdefault(product_id, set()).update(value or ())
    entries = [_table_entry(p, frozenset(features.get(p.pk, ())), currency) for p in products.values()]
    kept = sort_entries(filter_entries(entries, filters), filters.sort)
    rows = tuple(_table_row(products[e.slug], e, units) for e in kept)
    return TableView(rows=rows, total=len(entries), currency=currency, units=units)


def table_csv(*, table: TableView, base_url: str = "") -> str:
    """The table as CSV, same rows and order; every cell neutralised so a spreadsheet never runs it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in table.rows:
        cells = (
            r.slug,
            r.name,
            r.brand,
            r.category,
            r.exterior,
            r.depth,
            r.capacity,
            r.weight,
            r.price,
            r.price_date if r.price else "",
            r.material,
            r.features,
            str(r.finding_count),
            f"{base_url}/bags/{r.slug}/",
        )
        writer.writerow([neutralise_cell(c) for c in cells])
    return out.getvalue()


# --------------------------------------------------------------------------- compare

KEY_FINDINGS = 2


@dataclass(frozen=True)
class CompareCell:
    text: str  # '' when unknown
    best: bool = False


@dataclass(frozen=True)
class CompareRow:
    label: str
    cells: tuple[CompareCell, ...]
    differs: bool
    best_means: str = ""  # 'lowest price': why a cell is marked best, for the label and screen readers


@dataclass(frozen=True)
class CompareGroup:
    title: str
    rows: tuple[CompareRow, ...]


@dataclass(frozen=True)
class CompareBag:
    slug: str
    name: str


@dataclass(frozen=True)
class ComparisonTable:
    bags: tuple[CompareBag, ...]
    groups: tuple[CompareGroup, ...]
    hidden_rows: int  # rows left out because every bag has the same value
    currency: str


def comparison(*, slugs: list[str], only_differences: bool = False) -> ComparisonTable:
    """The bags named by ``slugs`` (all known; see ``CompareForm``) side by side, in the order given.

    A row differs when its printed values differ (unknown counts as a value);
    'best' marks the lowest price (in the catalog's currency), the largest
    capacity and the lightest weight, only where at least two bags are known
    and they are not all equal.
    """
    currency = catalog_currency()
    found = {p.slug: p for p in Product.objects.listed().with_finding_counts().filter(slug__in=slugs)}
    products = [found[s] for s in slugs]
    features: dict[int, set[str]] = {}
    for product_id, value in Claim.objects.filter(field="features", product__in=products).values_list(
        "product_id", "value"
    ):
        features.setdefault(product_id, set()).update(value or ())
    severity = {s: i for i, s in enumerate(SEVERITIES)}
    findings: dict[int, list[tuple[int, str]]] = {}
    for product_id, sev, message in Finding.objects.filter(product__in=products).values_list(
        "product_id", "severity", "message"
    ):
        findings.setdefault(product_id, []).append((severity.get(sev, len(SEVERITIES)), f"{sev}: {message}"))

    # A capacity our checks dispute (more than its own box, or sources disagreeing) is shown but never
    # marked best: the comparison would reward the very figure we warn about.
    disputed_capacity = set(
        Finding.objects.filter(
            product__in=products, field="capacity", code__in=("capacity_exceeds_box", "conflicting_claims")
        ).values_list("product_id", flat=True)
    )
    dims = [_dimensions(p) for p in products]
    depth = [min(d.mm) if d else None for d in dims]
    prices = [p.price_minor if p.price_currency == currency else None for p in products]

    def price_text(p: Product) -> str:
        if p.price_minor is None:
            return ""
        return f"{format_price(Money(p.price_minor, p.price_currency))} ({p.price_date_stated})"

    groups = [
        CompareGroup(
            "Size",
            (
                _compare_row("Exterior (in)", [display_dimensions(d, "imperial") if d else "" for d in dims]),
                _compare_row("Exterior (cm)", [display_dimensions(d, "metric") if d else "" for d in dims]),
                _compare_row(
                    "Capacity",
                    [
                        format_volume(Capacity(p.capacity_ml, p.capacity_high_ml or p.capacity_ml))
                        if p.capacity_ml
                        else ""
                        for p in products
                    ],
                    [None if p.pk in disputed_capacity else p.capacity_ml for p in products],
                    best="largest capacity",
                    highest=True,
                ),
                _compare_row(
                    "Weight",
                    [
                        f"{format_weight(p.weight_g, 'metric')} ({format_weight(p.weight_g, 'imperial')})"
                        if p.weight_g
                        else ""
                        for p in products
                    ],
                    [p.weight_g for p in products],
                    best="lightest",
                ),
                _compare_row(
                    "Depth (smallest side)",
                    [f"{display_length(d, 'imperial')} ({display_length(d, 'metric')})" if d else "" for d in depth],
                ),
            ),
        ),
        CompareGroup(
            "Price",
            (_compare_row("Price (date)", [price_text(p) for p in products], prices, best="lowest price"),),
        ),
        CompareGroup(
            "Build",
            (
                _compare_row("Material", [p.material for p in products]),
                _compare_row(
                    "Features",
                    [", ".join(records.FEATURES.get(c, c) for c in sorted(features.get(p.pk, ()))) for p in products],
                ),
            ),
        ),
        CompareGroup(
            "Checks",
            (
                _compare_row("Findings", [str(getattr(p, "finding_count", 0)) for p in products]),
                _compare_row(
                    "Key findings",
                    [
                        "; ".join(m for _, m in sorted(findings.get(p.pk, []))[:KEY_FINDINGS]) or "none"
                        for p in products
                    ],
                ),
            ),
        ),
    ]
    hidden = 0
    if only_differences:
        hidden = sum(1 for g in groups for r in g.rows if not r.differs)
        groups = [CompareGroup(g.title, tuple(r for r in g.rows if r.differs)) for g in groups]
        groups = [g for g in groups if g.rows]
    return ComparisonTable(
        bags=tuple(CompareBag(p.slug, p.name) for p in products),
        groups=tuple(groups),
        hidden_rows=hidden,
        currency=currency,
    )


def _compare_row(
    label: str,
    texts: list[str],
    values: list[int | None] | None = None,
    *,
    best: str = "",
    highest: bool = False,
) -> CompareRow:
    marked = [False] * len(texts)
    if values is not None:
        known = [v for v in values if v is not None]
        if len(known) >= 2 and len(set(known)) > 1:
            target = max(known) if highest else min(known)
            marked = [v == target for v in values]
    return CompareRow(
        label=label,
        cells=tuple(CompareCell(t, m) for t, m in zip(texts, marked, strict=True)),
        differs=len(set(texts)) > 1,
        best_means=best,
    )
