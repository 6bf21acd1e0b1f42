"""schema.org data for search engines: a bag as a ``Product``, a ranked guide as an ``ItemList``.

This module is responsible for saying, in schema.org's vocabulary, no more
than the catalog does. An offer comes only from a dated price that a maker
or a shop published, seen within ``offers.STALE_AFTER_DAYS`` of today, and
always carries its currency; a size, capacity or weight carries its unit; a figure
our checks call impossible (an ``error`` finding) is left out, since
structured data has no room for "but this cannot be true"; and there is no
rating, because we have none. URLs arrive absolute from the caller (the core
knows no site), and turning the dicts into a safe ``<script>`` is the web
layer's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from minipack.checks import run_checks

# Sources that sell the bag: their price is an offer. A review's or an article's is a report of one.
from minipack.offers import SELLER_KINDS, is_stale
from minipack.records import Product
from minipack.units import CURRENCIES, Capacity, Dimensions, Money, format_dimensions, format_volume, format_weight

__all__ = ["ListEntry", "item_list_jsonld", "offer_price", "product_description", "product_jsonld"]

SCHEMA = "https://schema.org"

# schema.org's unitCode takes UN/CEFACT Common Codes. Canonical integers (mm, ml, g) go out as they are
# stored, so nothing is rounded on the way.
_UNIT_CODES = {"mm": "MMT", "ml": "MLT", "g": "GRM"}
_AXIS_NAMES = {"W": "width", "H": "height", "D": "depth", "L": "length"}
_SIDE_NAMES = ("longest side", "middle side", "shortest side")


@dataclass(frozen=True)
class ListEntry:
    """One place in a ranked list, as the page shows it."""

    position: int
    url: str
    name: str


def product_jsonld(product: Product, *, url: str, today: date, image: str = "") -> dict[str, Any]:
    """A schema.org ``Product`` for a bag page at ``url``; ``image`` only when the bag has a photo.

    ``today`` decides whether the shown price is recent enough to be an offer.
    """
    impossible = _impossible_fields(product)
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "Product",
        "name": product.name,
        "brand": {"@type": "Brand", "name": product.brand},
        "url": url,
    }
    if image:
        data["image"] = image
    data["description"] = product_description(product)
    data["category"] = product.category.capitalize()
    material = product.value("material")
    if isinstance(material, str) and material:
        data["material"] = material
    offer = _offer(product, today)
    if offer:
        data["offers"] = offer
    properties = _measured_properties(product, impossible)
    if properties:
        data["additionalProperty"] = properties
    return data


def product_description(product: Product) -> str:
    """One line from the shown figures: 'Fjällräven Kånken Mini: backpack, outer size 20 x 29 x 13 cm, 7 L, 220 g.'"""
    impossible = _impossible_fields(product)
    parts = []
    exterior = product.value("exterior")
    if isinstance(exterior, Dimensions) and "exterior" not in impossible:
        parts.append(f"outer size {format_dimensions(exterior, 'metric')}")
    capacity = product.value("capacity")
    if isinstance(capacity, Capacity) and "capacity" not in impossible:
        parts.append(format_volume(capacity))
    weight = product.value("weight")
    if isinstance(weight, int) and "weight" not in impossible:
        parts.append(format_weight(weight, "metric"))
    material = product.value("material")
    if isinstance(material, str) and material:
        parts.append(material)
    return f"{product.name}: {', '.join([product.category, *parts])}."


def offer_price(money: Money) -> str:
    """The amount as schema.org wants it: a dot for decimals, no symbol, no thousands separator ('2490.00')."""
    digits = CURRENCIES[money.currency][0]
    return f"{Decimal(money.amount_minor).scaleb(-digits):.{digits}f}"


def item_list_jsonld(*, name: str, url: str, entries: Sequence[ListEntry]) -> dict[str, Any]:
    """A schema.org ``ItemList`` of the entries shown, in rank order (best first)."""
    return {
        "@context": SCHEMA,
        "@type": "ItemList",
        "name": name,
        "url": url,
        "itemListOrder": f"{SCHEMA}/ItemListOrderDescending",
        "numberOfItems": len(entries),
        "itemListElement": [
            {"@type": "ListItem", "position": e.position, "url": e.url, "name": e.name} for e in entries
        ],
    }


def _impossible_fields(product: Product) -> frozenset[str]:
    return frozenset(f.field for f in run_checks(product) if f.severity == "error")


def _offer(product: Product, today: date) -> dict[str, Any] | None:
    """The shown price as an ``Offer``: only when a source that sells the bag stated it recently.

    A price a review or an article mentions ('I paid £60') is not an offer,
    and search engines print an offer's price as if it stood today, so a
    price the page calls possibly changed (undated, or older than
    ``STALE_AFTER_DAYS``) is not one either. One
    ``Offer``, not an ``AggregateOffer``: the other price claims are history
    (older dates), not offers standing side by side. When the shown price
    fails these tests there is no offer at all; falling back to an older
    seller's price would contradict the page.
    """
    claim = product.chosen("price")
    if (
        claim is None
        or is_stale(claim.source.date, today)
        or claim.kind not in SELLER_KINDS
        or not isinstance(claim.value, Money)
    ):
        return None
    offer: dict[str, Any] = {
        "@type": "Offer",
        "price": offer_price(claim.value),
        "priceCurrency": claim.value.currency,
    }
    if claim.source.url:
        offer["url"] = claim.source.url
    return offer


def _measured_properties(product: Product, impossible: frozenset[str]) -> list[dict[str, Any]]:
    properties: list[dict[str, Any]] = []
    exterior = product.value("exterior")
    if isinstance(exterior, Dimensions) and "exterior" not in impossible:
        if exterior.axes and len(set(exterior.axes)) == 3:
            sides = [(f"Outer {_AXIS_NAMES.get(a, a)}", mm) for a, mm in zip(exterior.axes, exterior.mm, strict=True)]
        else:
            # Unlabelled sides: which is the height is unknown, so name them by size instead of guessing.
            sides = [(f"Outer size, {n}", mm) for n, mm in zip(_SIDE_NAMES, exterior.sorted_mm, strict=True)]
        properties.extend(_quantity(name, mm, "mm") for name, mm in sides)
    capacity = product.value("capacity")
    if isinstance(capacity, Capacity) and "capacity" not in impossible:
        if capacity.is_range:
            properties.append(
                {
                    "@type": "PropertyValue",
                    "name": "Capacity",
                    "minValue": capacity.low_ml,
                    "maxValue": capacity.high_ml,
                    "unitCode": _UNIT_CODES["ml"],
                    "unitText": "ml",
                }
            )
        else:
            properties.append(_quantity("Capacity", capacity.low_ml, "ml"))
    weight = product.value("weight")
    if isinstance(weight, int) and "weight" not in impossible:
        properties.append(_quantity("Weight", weight, "g"))
    return properties


def _quantity(name: str, value: int, unit: str) -> dict[str, Any]:
    return {"@type": "PropertyValue", "name": name, "value": value, "unitCode": _UNIT_CODES[unit], "unitText": unit}
