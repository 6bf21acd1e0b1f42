"""Test data for the web tests: small core products and import records, and the shared catalog and photo factories."""

from __future__ import annotations

import sys
from pathlib import Path

import minipack.records as core
from minipack.catalog import ImportRecord, claim_from_text

# The catalog-file factory lives with the core tests (tests/core is not a package); share it rather than copy it.
_CORE_TESTS = Path(__file__).resolve().parents[1] / "core"
if str(_CORE_TESTS) not in sys.path:
    sys.path.insert(0, str(_CORE_TESTS))

from catalog_factory import make_catalog_csv  # noqa: E402
from photo_factory import ROTATE_CW, image_bytes, is_blue, is_red, pixel, png_declaring  # noqa: E402

__all__ = [
    "ARTICLE",
    "MAKER",
    "ROTATE_CW",
    "SHOP",
    "as_records",
    "image_bytes",
    "is_blue",
    "is_red",
    "make_catalog_csv",
    "make_product",
    "pixel",
    "png_declaring",
]

MAKER = core.Source(
    "Fjällräven product page",
    core.ClaimKind.MANUFACTURER,
    core.SourceDate.parse("2024-05-01"),
    "https://www.fjallraven.com/kanken-mini",
)
SHOP = core.Source(
    "A shop", core.ClaimKind.RETAILER, core.SourceDate.parse("2025-01-10"), "https://shop.example/kanken"
)
ARTICLE = core.Source("Mini Backpack Purse: Top 10", core.ClaimKind.ARTICLE, core.SourceDate.parse("undated"))

DEFAULT_CLAIMS: dict[str, str | list[str]] = {
    "exterior": "20 W x 29 H x 13 D cm",
    "capacity": "7 L",
    "weight": "220 g",
    "material": "Vinylon F",
    "price": "$80",
}


def make_product(
    slug: str = "fjallraven-kanken-mini",
    *,
    brand: str = "Fjällräven",
    model: str = "Kånken Mini",
    category: str = "backpack",
    claims: dict[str, str | list[str]] | None = None,
    source: core.Source = MAKER,
    colourways: tuple[str, ...] = ("Black", "Frost Green"),
) -> core.Product:
    """A core product whose claims (field -> text as published) all come from ``source``."""
    texts = DEFAULT_CLAIMS if claims is None else claims
    return core.Product(
        slug=slug,
        brand=brand,
        model=model,
        category=category,
        claims=tuple(claim_from_text(field, text, source) for field, text in texts.items()),
        colourways=colourways,
    )


def as_records(*products: core.Product) -> list[ImportRecord]:
    """One import record per product, numbered like CSV data lines (the header is line 1)."""
    return [ImportRecord(line=i, product=p) for i, p in enumerate(products, start=2)]
