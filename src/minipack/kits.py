"""Common kits and similar bags: the fixed questions the bag page asks of every bag.

A kit is a named list of item-library ids (``minipack/data/items.json``), so
each item's size keeps its source; the fit engine answers whether a kit goes
in. Similar bags are the nearest in outer volume, same category first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from minipack.records import Product
from minipack.units import Dimensions


@dataclass(frozen=True)
class Kit:
    name: str
    item_ids: tuple[str, ...]


COMMON_KITS: tuple[Kit, ...] = (
    Kit("Phone, wallet and keys-size basics", ("iphone-15", "bifold-wallet", "lip-balm-stick")),
    Kit("Day out", ("iphone-15", "bifold-wallet", "airpods-pro-case", "glasses-case-hard", "hand-sanitiser-2oz")),
    Kit("Commute with a bottle", ("iphone-15", "bifold-wallet", "water-bottle-500ml", "makeup-pouch-small")),
    Kit("Reader's bag", ("iphone-15", "kindle-paperwhite-11", "bifold-wallet", "anker-powercore-mini-3350")),
    Kit("Tablet day", ("iphone-15", "ipad-mini-6", "bifold-wallet", "airpods-pro-case", "umbrella-compact-automatic")),
)

SIMILAR_COUNT = 4


def similar_products(product: Product, catalog: Sequence[Product], *, count: int = SIMILAR_COUNT) -> list[Product]:
    """Up to ``count`` other bags with an outer size nearest to ``product``'s, same category first.

    Nearest means the smallest ratio between outer box volumes. A bag
    without a size has no similar bags and is never suggested.
    """
    own = product.value("exterior")
    if not isinstance(own, Dimensions):
        return []
    scored = []
    for other in catalog:
        dims = other.value("exterior")
        if other.slug == product.slug or not isinstance(dims, Dimensions):
            continue
        distance = abs(math.log(dims.box_mm3 / own.box_mm3))
        scored.append((other.category != product.category, distance, other.slug, other))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored[:count]]
