"""Pros and cons computed from a bag's claims and its place in the catalog, never copied from prose.

``derive_pros_cons(product, catalog)`` returns short points, each with a stable
``code`` and an ``evidence`` sentence naming the numbers and the sources they
come from. Every point is a statement the data supports *as it stands*:

* **Missing data never makes a point.** A bag with no weight is not "light";
  a superlative ("lightest") is only claimed among the bags that state the
  value, and the text says how many those are unless every bag in the catalog
  does.
* **Superlatives are conservative.** The bag's own value is its shown
  (chosen) claim; every other bag is represented by the value *least*
  favourable to the claim among all its sources (its lowest weight when we
  say "lightest", its highest when we say "heaviest"). A capacity can never
  exceed its bag's outer box, so a rival's litres are capped at its largest
  stated box. Values that sources dispute, or litres larger than the bag's own
  box, never earn a pro; they become cons instead.
* **Prices are compared only within one currency.** In each currency a bag
  has, its price is chosen by the same newest-first rule as the page price
  (``minipack.records.choose``) restricted to that currency.
* **Fit pros hold under every size a source gives.** The bag's interior is
  estimated as its exterior minus ``WALL_ALLOWANCE_MM`` on each side (walls,
  seams, zip tracks and rounded corners), and an item only "fits" when it fits
  inside every exterior claim of the bag. The allowance is deliberately
  generous to the bag's disadvantage, so it can support a "fits" but never a
  "does not fit": there are no fit cons.

Reference items (iPad mini, A4 and US Letter sheets) and their sources live in
``data/reference_items.json``. Points are ordered by a fixed list of codes,
then by text, so the output is deterministic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from minipack.checks import Finding, check_capacity_vs_box, check_category, implied_category
from minipack.errors import RuleDataError
from minipack.records import (
    DIMENSION_TOLERANCE_MM,
    DIMENSION_TOLERANCE_SHARE,
    FEATURES,
    Claim,
    ClaimKind,
    Product,
    choose,
)
from minipack.units import (
    Capacity,
    Dimensions,
    Money,
    format_dimensions,
    format_price,
    format_volume,
    format_weight,
)

# Each side of a soft bag loses room to fabric, lining, seams, zip tracks and
# rounded corners. 10 mm a side is more than those usually take, which is the
# safe direction for a "fits" claim.
WALL_ALLOWANCE_MM = 10
# Under this much spare room on the tightest side a fit is called "snug".
SNUG_MARGIN_MM = 10
# "Among the 3 lightest" only says something when enough bags are compared.
TOP_N = 3
MIN_POOL_FOR_TOP_N = 6

# Features worth a pro of their own; the rest (key fob, pockets…) are shown
# in the feature list but do not set a bag apart.
PRO_FEATURES = ("water_resistant", "anti_theft", "usb_port", "convertible_straps", "foldable")

# The order points are listed in; codes not listed sort last, by text.
POINT_ORDER = (
    "lightest",
    "top_lightest",
    "largest_capacity",
    "top_largest_capacity",
    "cheapest",
    "top_cheapest",
    "fits_ipad_mini",
    "fits_a4_sheet",
    "fits_us_letter_sheet",
    "size_confirmed",
    *(f"feature_{code}" for code in PRO_FEATURES),
    "capacity_exceeds_box",
    "conflicting_exterior",
    "conflicting_capacity",
    "conflicting_weight",
    "category_mismatch",
    "no_specs",
    "sizes_article_only",
    "no_maker_spec",
    "heaviest",
    "top_heaviest",
    "most_expensive",
    "top_most_expensive",
    "price_undated",
)


@dataclass(frozen=True)
class Point:
    """One pro or con: a short sentence, a stable code, and the evidence behind it."""

    text: str
    code: str
    evidence: str


@dataclass(frozen=True)
class ProsCons:
    pros: tuple[Point, ...]
    cons: tuple[Point, ...]


@dataclass(frozen=True)
class ReferenceItem:
    """An everyday item a bag may hold, with the source of its size."""

    key: str
    label: str
    sides_mm: tuple[Decimal, ...]
    pose: Literal["upright", "flat"]
    source_title: str
    source_url: str
    source_date: str
    note: str = ""

    def __post_init__(self) -> None:
        # Fit checks pair the longest side with the largest room: keep sides longest first.
        object.__setattr__(self, "sides_mm", tuple(sorted(self.sides_mm, reverse=True)))

    def describe(self) -> str:
        sides = " x ".join(_num(s) for s in self.sides_mm)
        return f"{sides} mm ({self.source_title}, {self.source_date})"


# --------------------------------------------------------------------------- reference items


def parse_reference_items(text: str, *, origin: str = "reference items") -> tuple[ReferenceItem, ...]:
    """Read ``minipack-reference-items/1`` JSON; every malformed entry is a ``RuleDataError``."""
    try:
        # Decimal, not float: item sides are compared exactly with whole-mm bag sides.
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleDataError(f"{origin}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != "minipack-reference-items/1":
        raise RuleDataError(f"{origin}: expected format 'minipack-reference-items/1'")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise RuleDataError(f"{origin}: 'items' must be a non-empty list")
    items = [_reference_item(raw, f"{origin}, item {i + 1}") for i, raw in enumerate(raw_items)]
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise RuleDataError(f"{origin}: duplicate item keys")
    return tuple(items)


def _reference_item(raw: Any, where: str) -> ReferenceItem:
    if not isinstance(raw, dict):
        raise RuleDataError(f"{where}: expected an object")
    expected = {"key", "label", "sides_mm", "pose", "source", "note"}
    unknown = set(raw) - expected
    if unknown:
        raise RuleDataError(f"{where}: unknown field(s) {sorted(unknown)}")
    source = raw.get("source")
    if not isinstance(source, dict) or not all(isinstance(source.get(k), str) for k in ("title", "url", "date")):
        raise RuleDataError(f"{where}: 'source' needs title, url and date as text")
    if not source["title"].strip() or not source["date"].strip():
        raise RuleDataError(f"{where}: a source needs a title and a date (or 'undated')")
    sides = raw.get("sides_mm")
    if (
        not isinstance(sides, list)
        or len(sides) not in (2, 3)
        or not all(isinstance(s, Decimal | int) and not isinstance(s, bool) and s > 0 for s in sides)
    ):
        raise RuleDataError(f"{where}: 'sides_mm' must be 2 or 3 positive numbers")
    pose = raw.get("pose")
    if pose not in ("upright", "flat"):
        raise RuleDataError(f"{where}: 'pose' must be 'upright' or 'flat'")
    key, label = raw.get("key"), raw.get("label")
    if not isinstance(key, str) or not key.isidentifier() or not isinstance(label, str) or not label.strip():
        raise RuleDataError(f"{where}: 'key' must be an identifier and 'label' non-empty text")
    return ReferenceItem(
        key=key,
        label=label,
        sides_mm=tuple(Decimal(s) for s in sides),
        pose=pose,
        source_title=source["title"],
        source_url=source["url"],
        source_date=source["date"],
        note=str(raw.get("note", "")),
    )


@lru_cache(maxsize=1)
def bundled_reference_items() -> tuple[ReferenceItem, ...]:
    """The items shipped in ``minipack/data/reference_items.json``."""
    text = resources.files("minipack").joinpath("data/reference_items.json").read_text(encoding="utf-8")
    return parse_reference_items(text, origin="data/reference_items.json")


def load_reference_items(path: Path) -> tuple[ReferenceItem, ...]:
    return parse_reference_items(path.read_text(encoding="utf-8"), origin=str(path))


# --------------------------------------------------------------------------- entry point


def derive_pros_cons(
    product: Product,
    catalog: Sequence[Product],
    *,
    items: Sequence[ReferenceItem] | None = None,
) -> ProsCons:
    """The pros and cons the data supports for ``product`` within ``catalog``.

    ``catalog`` may or may not contain ``product`` itself (matched by slug).
    """
    others = [p for p in catalog if p.slug != product.slug]
    total = len(others) + 1
    ref_items = bundled_reference_items() if items is None else tuple(items)
    pros: list[Point] = []
    cons: list[Point] = []

    for more_pros, more_cons in (_weight_points(product, others, total), _price_points(product, others, total)):
        pros.extend(more_pros)
        cons.extend(more_cons)
    pros.extend(_capacity_points(product, others, total))
    pros.extend(_fit_points(product, ref_items))
    pros.extend(_size_confirmed(product))
    pros.extend(_feature_points(product))

    cons.extend(_capacity_box_cons(product))
    cons.extend(_conflict_cons(product))
    cons.extend(_category_cons(product))
    cons.extend(_provenance_cons(product))
    cons.extend(_undated_price_cons(product))
    return ProsCons(_ordered(pros), _ordered(cons))


def _ordered(points: Iterable[Point]) -> tuple[Point, ...]:
    rank = {code: i for i, code in enumerate(POINT_ORDER)}
    return tuple(sorted(points, key=lambda p: (rank.get(p.code, len(rank)), p.text, p.evidence)))


# --------------------------------------------------------------------------- citing


def _shown(claim: Claim) -> str:
    """The value as the source printed it, else formatted from the parsed value."""
    if claim.published:
        return claim.published
    value = claim.value
    if isinstance(value, Dimensions):
        return format_dimensions(value)
    if isinstance(value, Capacity):
        return format_volume(value)
    if isinstance(value, Money):
        return format_price(value)
    if claim.field == "weight":
        return format_weight(value)
    if isinstance(value, frozenset):
        return ", ".join(sorted(value))
    return str(value)


def _cite(claim: Claim) -> str:
    src = claim.source
    return f"{_shown(claim)} ({src.title}, {src.date.stated}, {src.kind.value})"


def _num(value: Decimal | int) -> str:
    text = f"{value:f}" if isinstance(value, Decimal) else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pool_phrase(pool: int, total: int, what: str) -> str:
    """'in the catalog' when every bag is compared, else 'of the N bags with <what>'."""
    return "in the catalog" if pool == total else f"of the {pool} bags with {what}"


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class _Bounds:
    """The lowest and highest value a bag's sources allow for one measure."""

    low: int
    high: int


@dataclass(frozen=True)
class _Scale:
    """How one superlative reads and which way it counts."""

    best: str  # 'Lightest' (the outright or joint first)
    top: str  # 'lightest' (as in 'Among the 3 lightest')
    code: str  # point code; 'top_' + code for the among-the-top-N form
    lower_wins: bool  # True for lightest / cheapest, False for heaviest / largest
    pool_noun: str  # 'a stated weight': which bags were compared
    rival_noun: str  # 'bags with a weight may be lighter' (after 'N of the other M')
    rival_rule: str  # how each rival was valued, for the evidence


LIGHTEST = _Scale(
    "Lightest",
    "lightest",
    "lightest",
    True,
    "a stated weight",
    "bags with a weight may be lighter",
    "each at the lowest weight any source gives it",
)
HEAVIEST = _Scale(
    "Heaviest",
    "heaviest",
    "heaviest",
    False,
    "a stated weight",
    "bags with a weight may be heavier",
    "each at the highest weight any source gives it",
)
LARGEST = _Scale(
    "Largest capacity",
    "largest capacities",
    "largest_capacity",
    False,
    "stated litres",
    "bags with stated litres may hold more",
    "each at the most any source gives it, capped at its own largest outer box",
)


def _price_scales(currency: str) -> tuple[_Scale, _Scale]:
    cheapest = _Scale(
        "Cheapest",
        "cheapest",
        "cheapest",
        True,
        f"a {currency} price",
        f"bags with a {currency} price may cost less",
        f"compared only with {currency} prices, each at its lowest {currency} price from any source",
    )
    dearest = _Scale(
        "Most expensive",
        "most expensive",
        "most_expensive",
        False,
        f"a {currency} price",
        f"bags with a {currency} price may cost more",
        f"compared only with {currency} prices, each at its highest {currency} price from any source",
    )
    return cheapest, dearest


def _superlative(
    scale: _Scale, value: int, value_text: str, rivals: Sequence[_Bounds], total: int, cited: str
) -> Point | None:
    """'Lightest …' / 'Among the 3 lightest …' when no more than TOP_N - 1 rivals could beat ``value``."""
    if not rivals:
        return None  # a bag compared with nothing is not the lightest of anything
    if scale.lower_wins:
        ahead = sum(1 for r in rivals if r.low < value)
        ties = sum(1 for r in rivals if r.low == value)
    else:
        ahead = sum(1 for r in rivals if r.high > value)
        ties = sum(1 for r in rivals if r.high == value)
    pool = len(rivals) + 1
    where = _pool_phrase(pool, total, scale.pool_noun)
    if ahead == 0:
        best = f"Joint {scale.best[0].lower()}{scale.best[1:]}" if ties else scale.best
        text, code = f"{best} {where} ({value_text})", scale.code
    elif ahead < TOP_N and pool >= MIN_POOL_FOR_TOP_N:
        text, code = f"Among the {TOP_N} {scale.top} {where} ({value_text})", f"top_{scale.code}"
    else:
        return None
    evidence = f"{cited}; {ahead} of the other {len(rivals)} {scale.rival_noun} ({scale.rival_rule})."
    return Point(text, code, evidence)


def _weight_bounds(product: Product) -> _Bounds | None:
    weights = [c.value for c in product.claims_for("weight")]
    return _Bounds(min(weights), max(weights)) if weights else None


def _weight_points(product: Product, others: Sequence[Product], total: int) -> tuple[list[Point], list[Point]]:
    chosen = product.chosen("weight")
    if chosen is None or product.conflicts("weight"):
        return [], []
    grams: int = chosen.value
    rivals = [b for b in map(_weight_bounds, others) if b is not None]
    cited = f"{_cite(chosen)} = {format_weight(grams)}"
    light = _superlative(LIGHTEST, grams, format_weight(grams), rivals, total, cited)
    heavy = _superlative(HEAVIEST, grams, format_weight(grams), rivals, total, cited)
    return [p for p in (light,) if p], [p for p in (heavy,) if p]


def _capacity_bounds(product: Product) -> _Bounds | None:
    caps: list[Capacity] = [c.value for c in product.claims_for("capacity")]
    if not caps:
        return None
    high = max(c.high_ml for c in caps)
    boxes = [c.value.box_ml for c in product.claims_for("exterior")]
    if boxes:
        # Litres beyond the largest stated outer box cannot be real.
        high = min(high, max(boxes))
    return _Bounds(min(c.low_ml for c in caps), high)


def _capacity_points(product: Product, others: Sequence[Product], total: int) -> list[Point]:
    chosen = product.chosen("capacity")
    if chosen is None or product.conflicts("capacity") or _capacity_box_findings(product):
        return []
    cap: Capacity = chosen.value
    rivals = [b for b in map(_capacity_bounds, others) if b is not None]
    # A range ('5-7 L') competes for 'largest' with its low end only.
    point = _superlative(LARGEST, cap.low_ml, format_volume(cap), rivals, total, _cite(chosen))
    return [point] if point else []


def _price_in(product: Product, currency: str) -> Claim | None:
    return choose("price", (c for c in product.claims_for("price") if c.value.currency == currency))


def _price_bounds(product: Product, currency: str) -> _Bounds | None:
    amounts = [c.value.amount_minor for c in product.claims_for("price") if c.value.currency == currency]
    return _Bounds(min(amounts), max(amounts)) if amounts else None


def _price_points(product: Product, others: Sequence[Product], total: int) -> tuple[list[Point], list[Point]]:
    pros: list[Point] = []
    cons: list[Point] = []
    for currency in sorted({c.value.currency for c in product.claims_for("price")}):
        chosen = _price_in(product, currency)
        assert chosen is not None  # the currency came from this product's own prices
        money: Money = chosen.value
        rivals = [b for b in (_price_bounds(o, currency) for o in others) if b is not None]
        cheapest, dearest = _price_scales(currency)
        cheap = _superlative(cheapest, money.amount_minor, format_price(money), rivals, total, _cite(chosen))
        dear = _superlative(dearest, money.amount_minor, format_price(money), rivals, total, _cite(chosen))
        pros.extend(p for p in (cheap,) if p)
        cons.extend(p for p in (dear,) if p)
    return pros, cons


# --------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class _Fit:
    upright: bool  # the item stands along the side the source labels as height
    margin: Decimal  # spare room on the tightest side, in mm
    interior: tuple[int, int, int]


def _fit(item: ReferenceItem, dims: Dimensions) -> _Fit | None:
    """How ``item`` fits inside ``dims`` after the wall allowance, or None if it does not.

    Sides are paired largest with largest, which is the best any axis-aligned
    placement can do. An upright item must also have its longest side along
    the side the source labels H; where the source labels none we only know
    that it fits some way round. A sheet gives two sides, so its thickness is
    ignored.
    """
    a, b, c = (side - 2 * WALL_ALLOWANCE_MM for side in dims.mm)
    inside = (a, b, c)
    if min(inside) <= 0:
        return None
    height = dims.side("H")
    if item.pose == "upright" and height is not None and dims.axes is not None:
        across = sorted((v for axis, v in zip(dims.axes, inside, strict=True) if axis != "H"), reverse=True)
        margin = _margin(item.sides_mm, [height - 2 * WALL_ALLOWANCE_MM, *across])
        if margin is not None:
            return _Fit(True, margin, inside)
    margin = _margin(item.sides_mm, sorted(inside, reverse=True))
    return None if margin is None else _Fit(False, margin, inside)


def _margin(sides: tuple[Decimal, ...], room: Sequence[int]) -> Decimal | None:
    """The least spare room when each side goes into the room at the same position, or None if one is too long."""
    spare = [Decimal(r) - side for side, r in zip(sides, room, strict=False)]
    return min(spare) if all(m >= 0 for m in spare) else None


def _fit_points(product: Product, items: Sequence[ReferenceItem]) -> list[Point]:
    exteriors = product.claims_for("exterior")
    if not exteriors:
        return []
    points: list[Point] = []
    for item in items:
        fits = [(claim, _fit(item, claim.value)) for claim in exteriors]
        if any(f is None for _, f in fits):
            continue  # some source gives a size it would not fit: claim nothing
        claim, tightest = min(
            ((c, f) for c, f in fits if f is not None), key=lambda cf: (cf[1].margin, cf[0].source.title)
        )
        all_upright = all(f is not None and f.upright for _, f in fits)
        if item.pose == "flat":
            text = f"Fits {item.label} flat"
        elif all_upright:
            text = f"Holds {item.label} upright"
        else:
            text = f"Holds {item.label}"
        if tightest.margin < SNUG_MARGIN_MM:
            text += " (snug)"
        n = len(exteriors)
        under = "the only size given" if n == 1 else f"every one of the {n} sizes given; tightest"
        evidence = (
            f"Fits under {under}: {_cite(claim)}, {' x '.join(str(v) for v in claim.value.mm)} mm outside, "
            f"about {' x '.join(str(v) for v in tightest.interior)} mm inside after an assumed "
            f"{WALL_ALLOWANCE_MM} mm per side for walls and corners (our allowance, not a measurement). "
            f"Item: {item.label} at {item.describe()}; {_num(tightest.margin)} mm to spare on the tightest side."
        )
        points.append(Point(text, f"fits_{item.key}", evidence))
    return points


# --------------------------------------------------------------------------- other pros


def _size_confirmed(product: Product) -> list[Point]:
    exteriors = product.claims_for("exterior")
    sources = {c.source.key for c in exteriors}
    if len(sources) < 2 or product.conflicts("exterior"):
        return []
    return [
        Point(
            f"Size agrees across {len(sources)} sources",
            "size_confirmed",
            f"Within rounding ({DIMENSION_TOLERANCE_MM} mm or {DIMENSION_TOLERANCE_SHARE:.0%} a side): "
            + "; ".join(_cite(c) for c in exteriors)
            + ".",
        )
    ]


def _feature_points(product: Product) -> list[Point]:
    # A feature list is not exhaustive, so a source that omits a feature does
    # not deny it: any source stating it is enough, and the evidence names it.
    stated: dict[str, list[Claim]] = {}
    for claim in product.claims_for("features"):
        for code in claim.value:
            stated.setdefault(code, []).append(claim)
    points = []
    for code in PRO_FEATURES:
        claims = stated.get(code)
        if not claims:
            continue
        by = "; ".join(f"{c.source.title} ({c.source.date.stated}, {c.kind.value})" for c in claims)
        only_articles = all(c.kind is ClaimKind.ARTICLE for c in claims)
        caveat = " Only articles say so." if only_articles else ""
        points.append(Point(FEATURES[code], f"feature_{code}", f"Stated by {by}.{caveat}"))
    return points


# --------------------------------------------------------------------------- cons


def _capacity_box_findings(product: Product) -> list[Finding]:
    return [f for f in check_capacity_vs_box(product) if f.code == "capacity_exceeds_box"]


def _capacity_box_cons(product: Product) -> list[Point]:
    findings = _capacity_box_findings(product)
    if not findings:
        return []
    return [
        Point(
            "Stated litres exceed its own outer box",
            "capacity_exceeds_box",
            " ".join(f.message for f in findings),
        )
    ]


_CONFLICT_TEXT = {
    "exterior": "Sources disagree on its size",
    "capacity": "Sources disagree on its capacity",
    "weight": "Sources disagree on its weight",
}


def _conflict_cons(product: Product) -> list[Point]:
    points = []
    for field_name, text in _CONFLICT_TEXT.items():
        conflicts = product.conflicts(field_name)
        if not conflicts:
            continue
        chosen = product.chosen(field_name)
        assert chosen is not None  # conflicts exist only against a chosen claim
        points.append(
            Point(
                text,
                f"conflicting_{field_name}",
                f"Shown: {_cite(chosen)}. Also claimed: " + "; ".join(_cite(c) for c in conflicts) + ".",
            )
        )
    return points


def _category_cons(product: Product) -> list[Point]:
    findings = check_category(product)
    if not findings:
        return []
    # check_category reports one finding per mislabelling claim; the buyer needs one point.
    listed = sorted({c.value for c in product.claims_for("category")} - {implied_category(product.name)})
    named = implied_category(product.name)
    return [
        Point(
            f"Listed as a {' or '.join(listed)}, but its name says {named}",
            "category_mismatch",
            " ".join(f.message for f in findings),
        )
    ]


_NUMERIC_FIELDS = ("exterior", "capacity", "weight")
_MAKER_KINDS = (ClaimKind.MANUFACTURER, ClaimKind.MEASURED)


def _provenance_cons(product: Product) -> list[Point]:
    numeric = [c for c in product.claims if c.field in _NUMERIC_FIELDS]
    if not numeric:
        return [
            Point(
                "No size, capacity or weight found",
                "no_specs",
                "No source in the catalog gives its exterior size, capacity or weight.",
            )
        ]
    if all(c.kind is ClaimKind.ARTICLE for c in numeric):
        titles = sorted({c.source.title for c in numeric})
        text = (
            "Sizes only from an article (unverified)" if len(titles) == 1 else "Sizes only from articles (unverified)"
        )
        return [
            Point(
                text,
                "sizes_article_only",
                "Every size, capacity or weight comes from: " + "; ".join(_cite(c) for c in numeric) + ".",
            )
        ]
    if not any(c.kind in _MAKER_KINDS for c in numeric):
        best = min(numeric, key=lambda c: c.kind.rank)
        return [
            Point(
                "No maker spec found",
                "no_maker_spec",
                f"No manufacturer or measured figure; the most authoritative is from a {best.kind.value}: "
                f"{_cite(best)}.",
            )
        ]
    return []


def _undated_price_cons(product: Product) -> list[Point]:
    price = product.chosen("price")
    if price is None or price.source.date.is_dated:
        return []
    return [Point("No date on this price", "price_undated", f"Shown price: {_cite(price)}; the source gives no date.")]


__all__ = [
    "MIN_POOL_FOR_TOP_N",
    "SNUG_MARGIN_MM",
    "TOP_N",
    "WALL_ALLOWANCE_MM",
    "Point",
    "ProsCons",
    "ReferenceItem",
    "bundled_reference_items",
    "derive_pros_cons",
    "load_reference_items",
    "parse_reference_items",
]
