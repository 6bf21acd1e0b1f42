"""The rules of the all-bags table: which bags a set of filters keeps, and in what order.

Pure and Django-free so the web table, its CSV download and any later CLI
agree. A value nobody has published (``None``) is *unknown*, never zero: a
filter on that field cannot confirm the bag meets it, so the bag is left out;
and a sort on that field puts it after every known value, whichever the
direction, so "cheapest first" and "dearest first" both end with the bags we
cannot price.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = ["SORTS", "TableEntry", "TableFilters", "filter_entries", "sort_entries"]


@dataclass(frozen=True)
class TableEntry:
    """One bag as the table judges it: canonical integers (mm, ml, g, minor units), ``None`` for unknown.

    ``price_minor`` is ``None`` as well for a price in another currency than
    the one the table compares in: such a price cannot be ranked against the rest.
    """

    slug: str
    name: str
    brand: str
    category: str
    price_minor: int | None
    capacity_ml: int | None
    depth_mm: int | None
    weight_g: int | None
    material: str
    features: frozenset[str]


@dataclass(frozen=True)
class TableFilters:
    """What the reader asked for; ``None`` / empty means "no limit"."""

    price_min_minor: int | None = None
    price_max_minor: int | None = None
    capacity_min_ml: int | None = None
    capacity_max_ml: int | None = None
    depth_max_mm: int | None = None
    weight_max_g: int | None = None
    material: str = ""
    features: frozenset[str] = field(default_factory=frozenset)
    brand: str = ""
    category: str = ""
    sort: str = "name"


_KEYS: dict[str, Callable[[TableEntry], int | None]] = {
    "price": lambda e: e.price_minor,
    "capacity": lambda e: e.capacity_ml,
    "weight": lambda e: e.weight_g,
    "depth": lambda e: e.depth_mm,
}

SORTS = ("name", "-name", "price", "-price", "capacity", "-capacity", "weight", "-weight", "depth", "-depth")


def _within(value: int | None, low: int | None, high: int | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _keeps(entry: TableEntry, f: TableFilters) -> bool:
    return (
        _within(entry.price_minor, f.price_min_minor, f.price_max_minor)
        and _within(entry.capacity_ml, f.capacity_min_ml, f.capacity_max_ml)
        and _within(entry.depth_mm, None, f.depth_max_mm)
        and _within(entry.weight_g, None, f.weight_max_g)
        and (not f.material or f.material.casefold() in entry.material.casefold())
        and f.features <= entry.features
        and (not f.brand or entry.brand == f.brand)
        and (not f.category or entry.category == f.category)
    )


def filter_entries(entries: Iterable[TableEntry], filters: TableFilters) -> list[TableEntry]:
    """The entries every filter keeps, in their given order; an unknown value fails a filter on its field."""
    return [e for e in entries if _keeps(e, filters)]


def sort_entries(entries: Iterable[TableEntry], sort: str) -> list[TableEntry]:
    """``entries`` ordered by ``sort`` (one of ``SORTS``); unknowns last in both directions, then by name.

    Ties, and the unknowns among themselves, keep name order, so a shared
    link shows the same table every time.
    """
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    by_name = sorted(entries, key=lambda e: (e.name.casefold(), e.slug))
    if sort == "name":
        return by_name
    if sort == "-name":
        return by_name[::-1]
    key = _KEYS[sort.lstrip("-")]
    sign = -1 if sort.startswith("-") else 1
    known = [(value, e) for e in by_name if (value := key(e)) is not None]
    # sorted() is stable: equal values keep name order in either direction.
    known.sort(key=lambda pair: sign * pair[0])
    return [e for _, e in known] + [e for e in by_name if key(e) is None]
