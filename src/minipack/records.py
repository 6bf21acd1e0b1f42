"""Catalog records: products whose every value is a claim with a source and a date.

A ``Product`` does not hold "its" size or price; it holds ``Claim`` objects,
each saying what one ``Source`` stated, when, and what kind of source it is.
The value a page shows is *chosen* from the claims by one written rule
(``choose``), and claims that disagree with it are kept and reported as
conflicts, never dropped. Prices are claims too, so a dated price series, and
therefore price history, falls out of the same model.

The choice rule (docs/decisions/0002-claim-precedence.md):

* sizes, capacity, weight, material, features, category: the most
  authoritative kind wins (manufacturer > measured > retailer > review >
  article > derived); between claims of the same kind the newer date wins;
  an undated claim counts as older than any dated one;
* price: the newest dated price wins whatever its kind (a maker's list
  price from 2016 is not today's price); kind breaks ties between equal dates.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from minipack.errors import SpecError
from minipack.units import Capacity, Dimensions, Money


class ClaimKind(StrEnum):
    MANUFACTURER = "manufacturer"
    MEASURED = "measured"
    RETAILER = "retailer"
    REVIEW = "review"
    ARTICLE = "article"
    DERIVED = "derived"

    @property
    def rank(self) -> int:
        """Lower is more authoritative."""
        return _KIND_ORDER.index(self)


_KIND_ORDER = list(ClaimKind)

CATEGORIES = ("backpack", "convertible", "crossbody", "sling")

FEATURES: dict[str, str] = {
    "water_resistant": "Water-resistant",
    "anti_theft": "Anti-theft zip or pocket",
    "usb_port": "USB charging port",
    "convertible_straps": "Converts to a shoulder or crossbody bag",
    "adjustable_straps": "Adjustable straps",
    "laptop_sleeve": "Laptop sleeve",
    "tablet_sleeve": "Tablet sleeve",
    "front_pocket": "Front zip pocket",
    "exterior_pockets": "Exterior pockets",
    "interior_pockets": "Interior pockets",
    "top_handle": "Top handle",
    "foldable": "Folds flat",
    "key_fob": "Key fob",
    "rain_flap": "Rain flap",
    "recycled_material": "Recycled material",
    "removable_strap": "Removable strap",
}

FIELDS = ("category", "exterior", "capacity", "weight", "material", "features", "price")

# What type each field's claim value must have.
_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "category": str,
    "exterior": Dimensions,
    "capacity": Capacity,
    "weight": int,
    "material": str,
    "features": frozenset,
    "price": Money,
}


@dataclass(frozen=True, order=True)
class SourceDate:
    """A date as the source states it, plus a sortable reading of it.

    ``stated`` keeps the source's own words ('2020 (page title)', 'undated');
    ``key`` is (year, month, day) with 0 for a part the source leaves out, or
    None when no year can be read.
    """

    key: tuple[int, int, int] | None
    stated: str

    @classmethod
    def parse(cls, stated: str | None) -> SourceDate:
        text = (stated or "").strip() or "undated"
        m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\b", text)
        if not m:
            return cls(None, text)
        year, month, day = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
        try:
            if month:
                date(year, month, day or 1)
        except ValueError as exc:
            raise SpecError(f"source date {text!r} is not a real date: {exc}") from exc
        if not 1900 <= year <= 2100:
            raise SpecError(f"source date {text!r} has an implausible year")
        return cls((year, month, day), text)

    @property
    def is_dated(self) -> bool:
        return self.key is not None

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return self.key or (0, 0, 0)


@dataclass(frozen=True)
class Source:
    """Where a claim was read: a document title, its URL if it has one, its date and kind."""

    title: str
    kind: ClaimKind
    date: SourceDate
    url: str = ""

    def __post_init__(self) -> None:
        if not self.title.strip():
            raise SpecError("a source needs a title")
        if self.url and not re.match(r"^https?://", self.url):
            raise SpecError(f"source URL {self.url!r} must start with http:// or https://")

    @property
    def key(self) -> tuple[str, str, str]:
        """Natural key: the same document read on the same date is the same source."""
        return (self.url or self.title, self.date.stated, self.kind.value)


@dataclass(frozen=True)
class Claim:
    """One value for one field, as one source stated it."""

    field: str
    value: Any
    source: Source
    published: str = ""  # the text as printed, e.g. '8 x 10 x 5 in'
    note: str = ""

    def __post_init__(self) -> None:
        expected = _FIELD_TYPES.get(self.field)
        if expected is None:
            raise SpecError(f"unknown field {self.field!r}; known: {', '.join(FIELDS)}")
        if not isinstance(self.value, expected) or isinstance(self.value, bool):
            raise SpecError(f"{self.field} claim needs a {expected}, got {type(self.value).__name__}")
        value: Any = self.value  # isinstance above narrows to ``object``; the type is checked
        if self.field == "features":
            unknown = set(value) - FEATURES.keys()
            if unknown:
                raise SpecError(f"unknown feature(s) {sorted(unknown)}; known: {', '.join(FEATURES)}")
        if self.field == "category" and value not in CATEGORIES:
            raise SpecError(f"unknown category {value!r}; known: {', '.join(CATEGORIES)}")
        if self.field == "weight" and value <= 0:
            raise SpecError("weight must be positive")

    @property
    def kind(self) -> ClaimKind:
        return self.source.kind


def choose(field_name: str, claims: Iterable[Claim]) -> Claim | None:
    """The claim a page shows for ``field_name``, by the rule in the module docstring."""
    candidates = [c for c in claims if c.field == field_name]
    if not candidates:
        return None
    if field_name == "price":
        return max(candidates, key=lambda c: (c.source.date.sort_key, -c.kind.rank))
    return min(candidates, key=lambda c: (c.kind.rank, _neg(c.source.date.sort_key)))


def _neg(key: tuple[int, int, int]) -> tuple[int, int, int]:
    return (-key[0], -key[1], -key[2])


# Two readings of a size or capacity "agree" within rounding: sources print
# 5.12 in as 5 in, or 13 cm as 12.7 cm. Beyond these margins it is a conflict.
DIMENSION_TOLERANCE_MM = 4
DIMENSION_TOLERANCE_SHARE = 0.03
CAPACITY_TOLERANCE_SHARE = 0.05
WEIGHT_TOLERANCE_SHARE = 0.05


def values_agree(field_name: str, a: Any, b: Any) -> bool:
    """Whether two claimed values say the same thing, within rounding."""
    if field_name == "exterior":
        return all(
            abs(x - y) <= max(DIMENSION_TOLERANCE_MM, DIMENSION_TOLERANCE_SHARE * max(x, y))
            for x, y in zip(a.sorted_mm, b.sorted_mm, strict=True)
        )
    if field_name == "capacity":
        return _close(a.low_ml, b.low_ml, CAPACITY_TOLERANCE_SHARE) and _close(
            a.high_ml, b.high_ml, CAPACITY_TOLERANCE_SHARE
        )
    if field_name == "weight":
        return _close(a, b, WEIGHT_TOLERANCE_SHARE)
    if field_name == "material":
        return _norm_text(a) == _norm_text(b) or _norm_text(a) in _norm_text(b) or _norm_text(b) in _norm_text(a)
    return bool(a == b)


def _close(x: int, y: int, share: float) -> bool:
    return abs(x - y) <= share * max(x, y)


def _norm_text(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", fold(text))


def fold(text: str) -> str:
    """Lower-case ASCII folding: 'Fjällräven Kånken' -> 'fjallraven kanken'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def slugify(*parts: str) -> str:
    """A stable URL slug from brand and model: 'fjallraven-kanken-mini'."""
    text = re.sub(r"[^a-z0-9]+", "-", fold(" ".join(parts))).strip("-")
    if not text:
        raise SpecError(f"cannot make a slug from {parts!r}")
    return text[:80].rstrip("-")


@dataclass(frozen=True)
class Product:
    """A bag in the catalog: identity plus every claim made about it."""

    slug: str
    brand: str
    model: str
    category: str
    claims: tuple[Claim, ...] = ()
    colourways: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", self.slug) or len(self.slug) > 80:
            raise SpecError(f"slug {self.slug!r} must be lower-case letters, digits and single dashes")
        if not self.brand.strip() or not self.model.strip():
            raise SpecError(f"{self.slug}: brand and model are required")
        if self.category not in CATEGORIES:
            raise SpecError(f"{self.slug}: unknown category {self.category!r}; known: {', '.join(CATEGORIES)}")

    @property
    def name(self) -> str:
        return f"{self.brand} {self.model}"

    def claims_for(self, field_name: str) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if c.field == field_name)

    def chosen(self, field_name: str) -> Claim | None:
        return choose(field_name, self.claims)

    def value(self, field_name: str) -> Any:
        claim = self.chosen(field_name)
        return None if claim is None else claim.value

    @property
    def features(self) -> frozenset[str]:
        """Every feature any source names: one source not mentioning a feature does not deny it."""
        return frozenset().union(*(c.value for c in self.claims_for("features")))

    def conflicts(self, field_name: str) -> tuple[Claim, ...]:
        """Claims that disagree with the chosen one.

        Prices are history, not conflicts; features add up (see ``features``).
        """
        chosen = self.chosen(field_name)
        if chosen is None or field_name in ("price", "features"):
            return ()
        return tuple(c for c in self.claims_for(field_name) if not values_agree(field_name, chosen.value, c.value))

    def price_history(self) -> tuple[Claim, ...]:
        """Dated price claims, oldest first."""
        dated = [c for c in self.claims_for("price") if c.source.date.is_dated]
        return tuple(sorted(dated, key=lambda c: c.source.date.sort_key))

    def sources(self) -> tuple[Source, ...]:
        seen: dict[tuple[str, str, str], Source] = {}
        for c in self.claims:
            seen.setdefault(c.source.key, c.source)
        return tuple(seen.values())
