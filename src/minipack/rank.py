"""A personal "top 10 for you": hard constraints, a weighted score, and every answer explained.

This module is responsible for turning a shopper's ``Preferences`` and a list
of catalog ``Product``s into a ``Ranking`` a page can show without adding
anything: the ranked bags with each criterion's contribution (raw value,
source, points), the bags that are "not for you" with every constraint they
fail, the smallest change to one constraint that would add bags
("counterfactuals"), and which shown bags are on the Pareto front.

The rules (docs in the docstrings below say why):

* **Hard constraints filter.** A bag whose value for a constrained field is
  unknown is excluded with the reason ``"unknown <field>"``: we never assume
  an unpublished weight is light enough. A price in another currency than
  the budget's is unknown too (there is no exchange-rate data in the core).
* **Soft criteria score** what is left: price (lower is better), capacity
  (higher), weight (lower) and organisation (more organising features).
  Each is min-max normalised across the bags that passed, 1 the best and 0
  the worst; a bag with no published value gets 0 and its explanation says
  so. The score is the weighted sum; shown as points out of 100.
* **Ties** go to the cheaper bag (a bag without a price counts as the
  dearest), then to the slug, so the same input always gives the same list.
* **One bag per model family** in the top N (``family_key``): a second
  colourway or material of the same model is listed under the first.
* The scoring runs on numpy column arrays (``Columns``, ``rank_arrays``) so
  that 100,000 products rank in milliseconds; ``rank`` builds the columns,
  adds the two constraints that need the per-bag engines (airline size
  rules, will-my-kit-fit), and writes the explanations.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from minipack.errors import PreferenceError, SpecError
from minipack.fit.interior import bag_space
from minipack.fit.model import BagSpace, Item
from minipack.fit.screen import screen_catalog
from minipack.records import CATEGORIES, FEATURES, Claim, Product, fold
from minipack.units import CURRENCIES, Capacity, Dimensions, Money, format_price, format_volume, format_weight

__all__ = [
    "CRITERIA",
    "ORGANISATION_FEATURES",
    "AirlineCheck",
    "ArrayRanking",
    "Columns",
    "Contribution",
    "Counterfactual",
    "Exclusion",
    "Preferences",
    "RankedBag",
    "Ranking",
    "Weights",
    "columns_from_products",
    "default_airline_check",
    "family_key",
    "rank",
    "rank_arrays",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

CRITERIA = ("price", "capacity", "weight", "organisation")
# Only these features organise what is inside; "water_resistant" or a USB port
# are worth having but do not help find the keys, so they do not count here.
ORGANISATION_FEATURES = frozenset(
    {"front_pocket", "exterior_pockets", "interior_pockets", "laptop_sleeve", "tablet_sleeve", "key_fob"}
)
_FEATURE_BIT = {code: 1 << i for i, code in enumerate(FEATURES)}
_ORGANISATION_MASK = sum(_FEATURE_BIT[code] for code in ORGANISATION_FEATURES)
_UNKNOWN = -1
# A bag without a price sorts after every priced bag in the price tie-break.
_NO_PRICE_KEY = np.int64(1) << 62
# Brands that are not a maker: two "unbranded" bags with one model name are not one model.
_NO_BRAND = frozenset({"unbranded", "generic", "no brand", "unknown"})

AirlineCheck = Callable[[tuple[int, int, int], str], tuple[str, str]]
"""(exterior sides in mm, airline code) -> (verdict, detail) for the airline's personal-item rule.

The verdict is one of ``within``, ``borderline``, ``exceeds`` or
``no_published_size`` (``minipack.airlines``); only ``within`` meets the
rule, because a borderline bag is one a gate agent may refuse.
"""


# --------------------------------------------------------------------------- preferences


@dataclass(frozen=True)
class Weights:
    """How much each soft criterion counts; non-negative, and only their ratios matter.

    The defaults put price and room first, since those are what shoppers
    sort by, and weight and organisation at half: they separate otherwise
    similar bags, and few sources publish a weight, so a large weight would
    mostly punish missing data.
    """

    price: float = 1.0
    capacity: float = 1.0
    weight: float = 0.5
    organisation: float = 0.5

    def __post_init__(self) -> None:
        for name in CRITERIA:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value) or value < 0:
                raise PreferenceError(f"the {name} weight must be a finite number >= 0, got {value!r}")

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (float(self.price), float(self.capacity), float(self.weight), float(self.organisation))

    @property
    def total(self) -> float:
        return sum(self.as_tuple())


@dataclass(frozen=True)
class Preferences:
    """What one shopper wants: hard constraints (``None`` or empty: no constraint) and soft weights.

    Money is in minor units of ``currency``; capacity in ml, weight in g,
    depth in mm (a bag's depth is its smallest exterior side). Materials
    match as case- and accent-insensitive substrings of the bag's chosen
    material ('leather' also excludes 'faux leather'). ``airlines`` are
    IATA codes whose personal-item size the bag must meet; ``kit`` is what
    the bag must hold (``minipack.fit.items.resolve_items``).
    """

    budget_min: int | None = None
    budget_max: int | None = None
    currency: str = "USD"
    capacity_min_ml: int | None = None
    capacity_max_ml: int | None = None
    max_weight_g: int | None = None
    max_depth_mm: int | None = None
    must_have: frozenset[str] = frozenset()
    materials_include: tuple[str, ...] = ()
    materials_exclude: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset()
    airlines: tuple[str, ...] = ()
    kit: tuple[Item, ...] = ()
    weights: Weights = field(default_factory=Weights)

    def __post_init__(self) -> None:
        if self.currency not in CURRENCIES:
            raise PreferenceError(f"unknown currency {self.currency!r}; known: {', '.join(CURRENCIES)}")
        for name in ("budget_min", "budget_max", "capacity_min_ml", "capacity_max_ml", "max_weight_g", "max_depth_mm"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise PreferenceError(f"{name} must be a whole number >= 0, got {value!r}")
        for low, high in (("budget_min", "budget_max"), ("capacity_min_ml", "capacity_max_ml")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise PreferenceError(f"{low} ({a}) is above {high} ({b})")
        object.__setattr__(self, "must_have", frozenset(self.must_have))
        unknown = sorted(self.must_have - FEATURES.keys())
        if unknown:
            raise PreferenceError(f"unknown feature(s) {unknown}; known: {', '.join(FEATURES)}")
        object.__setattr__(self, "categories", frozenset(self.categories))
        bad = sorted(self.categories - set(CATEGORIES))
        if bad:
            raise PreferenceError(f"unknown categor(ies) {bad}; known: {', '.join(CATEGORIES)}")
        for name in ("materials_include", "materials_exclude"):
            terms = tuple(fold(t).strip() for t in getattr(self, name))
            if any(not t for t in terms):
                raise PreferenceError(f"{name} has an empty material")
            object.__setattr__(self, name, tuple(dict.fromkeys(terms)))
        codes = tuple(dict.fromkeys(c.strip().upper() for c in self.airlines))
        if any(not re.fullmatch(r"[A-Z0-9]{2}", c) for c in codes):
            raise PreferenceError(f"airlines must be two-character IATA codes, got {list(self.airlines)}")
        object.__setattr__(self, "airlines", codes)
        object.__setattr__(self, "kit", tuple(self.kit))
        if not all(isinstance(item, Item) for item in self.kit):
            raise PreferenceError("the kit must be a list of fit Items (see minipack.fit.items.resolve_items)")
        if not isinstance(self.weights, Weights):
            raise PreferenceError("weights must be a Weights")

    def money(self, amount: int) -> str:
        return format_price(Money(amount, self.currency))

    def describe(self) -> str:
        """One line for a heading: 'budget up to $100; must have water_resistant; …'."""
        parts: list[str] = []
        if self.budget_min is not None and self.budget_max is not None:
            parts.append(f"budget {self.money(self.budget_min)}-{self.money(self.budget_max)}")
        elif self.budget_max is not None:
            parts.append(f"budget up to {self.money(self.budget_max)}")
        elif self.budget_min is not None:
            parts.append(f"budget from {self.money(self.budget_min)}")
        if self.capacity_min_ml is not None:
            parts.append(f"at least {format_volume(self.capacity_min_ml)}")
        if self.capacity_max_ml is not None:
            parts.append(f"at most {format_volume(self.capacity_max_ml)}")
        if self.max_weight_g is not None:
            parts.append(f"at most {format_weight(self.max_weight_g)}")
        if self.max_depth_mm is not None:
            parts.append(f"at most {self.max_depth_mm} mm deep")
        if self.must_have:
            parts.append("must have " + ", ".join(sorted(self.must_have)))
        if self.materials_include:
            parts.append("material: " + " or ".join(self.materials_include))
        if self.materials_exclude:
            parts.append("no " + ", no ".join(self.materials_exclude))
        if self.categories:
            parts.append("category: " + " or ".join(sorted(self.categories)))
        if self.airlines:
            parts.append("personal item on " + ", ".join(self.airlines))
        if self.kit:
            parts.append("holds " + ", ".join(item.name for item in self.kit))
        return "; ".join(parts) if parts else "no constraints"


# --------------------------------------------------------------------------- model families


def family_key(product: Product) -> str:
    """The model a product is a variant of: brand and model, without what only names a variant.

    'Kate Spade' + 'Mini Backpack (patent leather)' and 'Kate Spade' +
    'Mini Backpack - Black' are one family ('kate spade|mini backpack'):
    text in brackets and after ' - ', ' / ' or a comma names a colourway or
    material, not a different bag. A product's own ``colourways`` are already
    one product. Unbranded bags are each their own family, since one model
    name from different unnamed makers says nothing.
    """
    brand = " ".join(re.sub(r"[^a-z0-9]+", " ", fold(product.brand)).split())
    if brand in _NO_BRAND:
        return f"slug|{product.slug}"
    model = re.sub(r"[(\[].*?[)\]]", " ", fold(product.model))
    model = re.split(r"\s[-\u2013\u2014/]\s|,", model)[0]
    model = " ".join(re.sub(r"[^a-z0-9]+", " ", model).split())
    return f"{brand}|{model or product.slug}"


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True, eq=False)
class Columns:
    """The catalog as column arrays, one row per product; ``-1`` means unknown.

    ``price`` is in minor units of ``currency`` (a price in another currency
    is unknown); ``capacity`` is the low end of a stated range (the bag is
    promised that much); ``depth`` the smallest exterior side;
    ``organisation`` the count of ``ORGANISATION_FEATURES`` named (unknown
    when no source lists features); ``features`` a bit mask over
    ``records.FEATURES``; ``material`` an index into ``materials`` (folded
    texts), ``category`` into ``records.CATEGORIES``, ``family`` into the
    model families; ``slug_order`` is each slug's place in sorted order.
    """

    slugs: tuple[str, ...]
    currency: str
    price: I64
    capacity: I64
    weight: I64
    depth: I64
    organisation: I64
    features: I64
    features_known: Bool
    material: I64
    materials: tuple[str, ...]
    category: I64
    family: I64
    slug_order: I64

    def __len__(self) -> int:
        return len(self.slugs)

    def criterion(self, name: str) -> I64:
        values: I64 = getattr(self, name)
        return values


def columns_from_products(products: Sequence[Product], currency: str = "USD") -> Columns:
    """The column arrays ``rank_arrays`` scores, read from each product's chosen claims."""
    slugs = tuple(p.slug for p in products)
    if len(set(slugs)) != len(slugs):
        raise SpecError("products to rank must have distinct slugs")
    n = len(products)
    price = np.full(n, _UNKNOWN, dtype=np.int64)
    capacity = np.full(n, _UNKNOWN, dtype=np.int64)
    weight = np.full(n, _UNKNOWN, dtype=np.int64)
    depth = np.full(n, _UNKNOWN, dtype=np.int64)
    organisation = np.full(n, _UNKNOWN, dtype=np.int64)
    features = np.zeros(n, dtype=np.int64)
    features_known = np.zeros(n, dtype=np.bool_)
    material = np.full(n, _UNKNOWN, dtype=np.int64)
    category = np.zeros(n, dtype=np.int64)
    family = np.zeros(n, dtype=np.int64)
    materials: dict[str, int] = {}
    families: dict[str, int] = {}
    for i, p in enumerate(products):
        money = p.value("price")
        if isinstance(money, Money) and money.currency == currency:
            price[i] = money.amount_minor
        cap = p.value("capacity")
        if isinstance(cap, Capacity):
            capacity[i] = cap.low_ml
        grams = p.value("weight")
        if isinstance(grams, int):
            weight[i] = grams
        ext = p.value("exterior")
        if isinstance(ext, Dimensions):
            depth[i] = min(ext.mm)
        if p.claims_for("features"):
            bits = sum(_FEATURE_BIT[code] for code in p.features)
            features[i] = bits
            features_known[i] = True
            organisation[i] = (bits & _ORGANISATION_MASK).bit_count()
        text = p.value("material")
        if isinstance(text, str) and text.strip():
            material[i] = materials.setdefault(fold(text), len(materials))
        category[i] = CATEGORIES.index(p.category)
        family[i] = families.setdefault(family_key(p), len(families))
    slug_order = np.empty(n, dtype=np.int64)
    slug_order[np.argsort(np.array(slugs, dtype=object), kind="stable")] = np.arange(n, dtype=np.int64)
    return Columns(
        slugs=slugs,
        currency=currency,
        price=price,
        capacity=capacity,
        weight=weight,
        depth=depth,
        organisation=organisation,
        features=features,
        features_known=features_known,
        material=material,
        materials=tuple(materials),
        category=category,
        family=family,
        slug_order=slug_order,
    )


# --------------------------------------------------------------------------- the vectorised ranking


@dataclass(frozen=True, eq=False)
class ArrayRanking:
    """What ``rank_arrays`` computes, as arrays over the products (K constraints, n products).

    ``fails[k, i]`` is True when product ``i`` fails constraint ``keys[k]``,
    which includes ``unknown[k, i]`` (its value is not known). ``norm`` and
    ``missing`` are (4, n) in ``CRITERIA`` order, 0/False outside
    ``eligible``. ``score`` is the weighted sum (-inf when not eligible).
    ``order`` lists every eligible product best first; ``top`` the first
    ``top`` of them after keeping one per family; ``pareto[j]`` whether
    ``top[j]`` is on the Pareto front of the eligible bags.
    """

    keys: tuple[str, ...]
    fails: Bool
    unknown: Bool
    eligible: Bool
    norm: F64
    missing: Bool
    score: F64
    top: I64
    pareto: Bool
    price_key: I64  # price with unknown last, the second sort key
    slug_order: I64  # the third sort key

    @functools.cached_property
    def order(self) -> I64:
        """Every eligible product, best first (computed on demand: a full sort of 100,000 bags costs ~40 ms)."""
        return _best_first(np.flatnonzero(self.eligible), self.score, self.price_key, self.slug_order)


_DIRECTION = {"price": -1, "capacity": 1, "weight": -1, "organisation": 1}


def constraint_keys(prefs: Preferences) -> tuple[str, ...]:
    """The hard constraints ``prefs`` sets, one key each; a feature, excluded material or airline is its own."""
    keys: list[str] = []
    for key, value in (
        ("budget_min", prefs.budget_min),
        ("budget_max", prefs.budget_max),
        ("capacity_min", prefs.capacity_min_ml),
        ("capacity_max", prefs.capacity_max_ml),
        ("weight_max", prefs.max_weight_g),
        ("depth_max", prefs.max_depth_mm),
    ):
        if value is not None:
            keys.append(key)
    keys += [f"feature:{code}" for code in sorted(prefs.must_have)]
    if prefs.materials_include:
        keys.append("material")
    keys += [f"not_material:{term}" for term in prefs.materials_exclude]
    if prefs.categories:
        keys.append("category")
    keys += [f"airline:{code}" for code in prefs.airlines]
    if prefs.kit:
        keys.append("kit")
    return tuple(keys)


# Each numeric limit: the constraint key -> (the column it reads, whether it is an upper bound).
# The preference holding its bound is named in ``_LIMIT_PREFS``; the filter and the
# counterfactuals both read these two tables, so a new limit is added in one place.
_LIMITS: dict[str, tuple[str, bool]] = {
    "budget_min": ("price", False),
    "budget_max": ("price", True),
    "capacity_min": ("capacity", False),
    "capacity_max": ("capacity", True),
    "weight_max": ("weight", True),
    "depth_max": ("depth", True),
}
_LIMIT_PREFS = {
    "budget_min": "budget_min",
    "budget_max": "budget_max",
    "capacity_min": "capacity_min_ml",
    "capacity_max": "capacity_max_ml",
    "weight_max": "max_weight_g",
    "depth_max": "max_depth_mm",
}


def _limit_bound(prefs: Preferences, key: str) -> int:
    bound = getattr(prefs, _LIMIT_PREFS[key])
    assert isinstance(bound, int), f"{key} is set whenever it is a constraint key"
    return bound


def _numeric(values: I64, bound: int, *, upper: bool) -> tuple[Bool, Bool]:
    unknown = values < 0
    violated = (values > bound) if upper else (values < bound)
    return unknown | violated, unknown


def _constraint(cols: Columns, prefs: Preferences, key: str) -> tuple[Bool, Bool]:
    """(fails, unknown) for one constraint key computed from the columns."""
    n = len(cols)
    if key in _LIMITS:
        column, upper = _LIMITS[key]
        return _numeric(getattr(cols, column), _limit_bound(prefs, key), upper=upper)
    if key.startswith("feature:"):
        unknown = ~cols.features_known
        return unknown | ((cols.features & _FEATURE_BIT[key[8:]]) == 0), unknown
    if key == "material" or key.startswith("not_material:"):
        # Substring tests run once per distinct material text, then spread by index.
        if key == "material":
            ok = [any(t in m for t in prefs.materials_include) for m in cols.materials]
        else:
            ok = [key[13:] not in m for m in cols.materials]
        table = np.array([*ok, False], dtype=np.bool_)  # index -1 (unknown) reads the final False
        unknown = cols.material < 0
        return ~table[cols.material], unknown
    if key == "category":
        allowed = np.array([c in prefs.categories for c in CATEGORIES], dtype=np.bool_)
        return ~allowed[cols.category], np.zeros(n, dtype=np.bool_)
    raise PreferenceError(f"the constraint {key!r} needs its result passed in (external)")


def _normalise(values: I64, eligible: Bool, direction: int) -> tuple[F64, Bool]:
    known = values >= 0
    use = eligible & known
    norm = np.zeros(len(values), dtype=np.float64)
    if use.any():
        picked = values[use]
        lo, hi = int(picked.min()), int(picked.max())
        if hi == lo:
            norm[use] = 1.0
        else:
            # Integer differences first, then one division: exactly what the plain-Python reference does.
            diff = (picked - lo) if direction > 0 else (hi - picked)
            norm[use] = diff.astype(np.float64) / float(hi - lo)
    return norm, eligible & ~known


def rank_arrays(
    cols: Columns,
    prefs: Preferences,
    *,
    top: int = 10,
    external: Mapping[str, tuple[Bool, Bool]] | None = None,
) -> ArrayRanking:
    """Filter, score, order, keep one per family and mark the Pareto front, on column arrays.

    ``external`` gives (fails, unknown) for constraints the columns cannot
    decide ("airline:XX", "kit"); every key of ``constraint_keys(prefs)``
    must be decidable one way or the other.
    """
    if top < 1:
        raise PreferenceError(f"top must be at least 1, got {top}")
    if cols.currency != prefs.currency:
        raise PreferenceError(f"the columns hold {cols.currency} prices, the preferences ask in {prefs.currency}")
    n = len(cols)
    external = external or {}
    keys = constraint_keys(prefs)
    fails = np.zeros((len(keys), n), dtype=np.bool_)
    unknown = np.zeros((len(keys), n), dtype=np.bool_)
    for k, key in enumerate(keys):
        f, u = external[key] if key in external else _constraint(cols, prefs, key)
        fails[k], unknown[k] = f | u, u
    eligible: Bool = np.asarray(~fails.any(axis=0), dtype=np.bool_)

    norm = np.zeros((len(CRITERIA), n), dtype=np.float64)
    missing = np.zeros((len(CRITERIA), n), dtype=np.bool_)
    for c, name in enumerate(CRITERIA):
        norm[c], missing[c] = _normalise(cols.criterion(name), eligible, _DIRECTION[name])
    weights = prefs.weights.as_tuple()
    # Summed criterion by criterion in CRITERIA order, so the float result is the reference's to the bit.
    score = weights[0] * norm[0]
    for c in range(1, len(CRITERIA)):
        score = score + weights[c] * norm[c]
    score[~eligible] = -np.inf

    price_key = np.where(cols.price >= 0, cols.price, _NO_PRICE_KEY)
    shown = _top_families(np.flatnonzero(eligible), score, price_key, cols, top)
    return ArrayRanking(
        keys=keys,
        fails=fails,
        unknown=unknown,
        eligible=eligible,
        norm=norm,
        missing=missing,
        score=score,
        top=shown,
        pareto=_pareto(norm, eligible, shown, weights),
        price_key=price_key,
        slug_order=cols.slug_order,
    )


def _best_first(idx: I64, score: F64, price_key: I64, slug_order: I64) -> I64:
    """``idx`` ordered by score (high first), then price (low first), then slug: the deterministic tie-breaks."""
    return idx[np.lexsort((slug_order[idx], price_key[idx], -score[idx]))]


def _top_families(idx: I64, score: F64, price_key: I64, cols: Columns, top: int) -> I64:
    """The best ``top`` bags, one per family, without sorting every eligible bag.

    Only the bags scoring at least the k-th best score are sorted (ties kept,
    so that prefix is exactly the start of the full order); k grows until the
    prefix holds ``top`` families or covers everything.
    """
    k = min(len(idx), max(64, 8 * top))
    while True:
        if k >= len(idx):
            candidates = idx
        else:
            scores = score[idx]
            threshold = scores[np.argpartition(-scores, k - 1)[k - 1]]
            candidates = idx[scores >= threshold]
        order = _best_first(candidates, score, price_key, cols.slug_order)
        _, first = np.unique(cols.family[order], return_index=True)
        shown = order[np.sort(first)][:top]
        if len(shown) == top or len(candidates) == len(idx):
            return shown
        k *= 4


def _pareto(norm: F64, eligible: Bool, candidates: I64, weights: Sequence[float]) -> Bool:
    """For each candidate: does no eligible bag match it on every weighted criterion and beat it on one?

    Compared on normalised values, which order bags exactly as their raw
    values do (in the better direction), with a missing value the worst.
    """
    active = [c for c, w in enumerate(weights) if w > 0]
    out = np.ones(len(candidates), dtype=np.bool_)
    if not active:
        return out
    pool = norm[np.ix_(np.array(active, dtype=np.int64), np.flatnonzero(eligible))]
    for j, i in enumerate(candidates):
        mine = norm[active, i][:, None]
        dominated = (pool >= mine).all(axis=0) & (pool > mine).any(axis=0)
        out[j] = not bool(dominated.any())
    return out


# --------------------------------------------------------------------------- explained results


@dataclass(frozen=True)
class Contribution:
    """One criterion's part in a bag's score, with the figure and where it came from."""

    criterion: str
    weight: float
    raw: str
    source: str
    normalised: float
    points: float
    missing: bool
    note: str = ""


@dataclass(frozen=True)
class RankedBag:
    """One bag in the top N: its place, score (points out of 100), why, and its hidden variants."""

    position: int
    slug: str
    name: str
    score: float
    contributions: tuple[Contribution, ...]
    pareto: bool
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Exclusion:
    """A bag that is not for you, and every constraint it fails."""

    slug: str
    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Counterfactual:
    """The smallest change to one constraint that would add bags, and which bags it adds."""

    constraint: str
    change: str
    adds: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Ranking:
    """Everything a "top N for you" page shows; built by ``rank``."""

    preferences: Preferences
    ranked: tuple[RankedBag, ...]
    eligible: int
    excluded: tuple[Exclusion, ...]
    counterfactuals: tuple[Counterfactual, ...]

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(bag.slug for bag in self.ranked)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready document (``--json``, the API)."""
        return {
            "preferences": self.preferences.describe(),
            "weights": dict(zip(CRITERIA, self.preferences.weights.as_tuple(), strict=True)),
            "eligible": self.eligible,
            "ranked": [
                {
                    "position": b.position,
                    "slug": b.slug,
                    "name": b.name,
                    "score": round(b.score, 2),
                    "pareto": b.pareto,
                    "variants": list(b.variants),
                    "contributions": [
                        {
                            "criterion": c.criterion,
                            "weight": c.weight,
                            "raw": c.raw,
                            "source": c.source,
                            "normalised": round(c.normalised, 4),
                            "points": round(c.points, 2),
                            "missing": c.missing,
                            "note": c.note,
                        }
                        for c in b.contributions
                    ],
                }
                for b in self.ranked
            ],
            "not_for_you": [{"slug": e.slug, "name": e.name, "reasons": list(e.reasons)} for e in self.excluded],
            "counterfactuals": [
                {"constraint": c.constraint, "change": c.change, "adds": list(c.adds), "message": c.message}
                for c in self.counterfactuals
            ],
        }


# --------------------------------------------------------------------------- rank


def rank(
    products: Iterable[Product],
    prefs: Preferences,
    *,
    top: int = 10,
    airline_check: AirlineCheck | None = None,
) -> Ranking:
    """The top ``top`` bags for ``prefs``, explained; see the module docstring for the rules.

    ``airline_check`` decides the airline constraint; by default it comes
    from ``minipack.airlines`` (``default_airline_check``).
    """
    items = list(products)
    cols = columns_from_products(items, prefs.currency)
    external: dict[str, tuple[Bool, Bool]] = {}
    reasons: dict[str, dict[int, str]] = {}
    if prefs.airlines:
        check = airline_check or default_airline_check()
        for code in prefs.airlines:
            external[f"airline:{code}"], reasons[f"airline:{code}"] = _airline_masks(items, code, check)
    spaces: dict[int, BagSpace] = {}
    if prefs.kit:
        external["kit"], reasons["kit"], spaces = _kit_masks(items, prefs.kit)
    result = rank_arrays(cols, prefs, top=top, external=external)

    ranked = _explain_ranked(items, cols, prefs, result)
    excluded = tuple(
        Exclusion(
            items[i].slug,
            items[i].name,
            # Several airlines fail a bag without a size for one reason; say it once.
            tuple(
                dict.fromkeys(
                    _reason(items[i], prefs, key, bool(result.unknown[k, i]), reasons.get(key, {}).get(i, ""))
                    for k, key in enumerate(result.keys)
                    if result.fails[k, i]
                )
            ),
        )
        for i in sorted(np.flatnonzero(~result.eligible).tolist(), key=lambda i: items[i].slug)
    )
    counterfactuals = _counterfactuals(items, cols, prefs, result, spaces) + _weight_counterfactuals(
        items, cols, prefs, result, top, external
    )
    return Ranking(prefs, ranked, int(result.eligible.sum()), excluded, counterfactuals)


def _explain_ranked(
    items: list[Product], cols: Columns, prefs: Preferences, result: ArrayRanking
) -> tuple[RankedBag, ...]:
    weights = prefs.weights.as_tuple()
    total = sum(weights)
    shown = result.top.tolist()
    by_family: dict[int, list[str]] = {}
    for i in result.order.tolist():
        by_family.setdefault(int(cols.family[i]), []).append(items[i].slug)
    out = []
    for position, (i, pareto) in enumerate(zip(shown, result.pareto.tolist(), strict=True), start=1):
        p = items[i]
        contributions = tuple(
            _contribution(p, prefs, name, weights[c], float(result.norm[c, i]), bool(result.missing[c, i]), total)
            for c, name in enumerate(CRITERIA)
        )
        score = 100 * float(result.score[i]) / total if total > 0 else 0.0
        variants = tuple(s for s in by_family[int(cols.family[i])] if s != p.slug)
        out.append(RankedBag(position, p.slug, p.name, score, contributions, bool(pareto), variants))
    return tuple(out)


def _cite(claim: Claim) -> str:
    return f"{claim.source.title}, {claim.source.date.stated}, {claim.kind.value}"


def _contribution(
    p: Product, prefs: Preferences, name: str, weight: float, norm: float, missing: bool, total: float
) -> Contribution:
    points = 100 * weight * norm / total if total > 0 else 0.0
    if name == "organisation":
        claims = p.claims_for("features")
        if not claims:
            return Contribution(name, weight, "unknown", "", norm, points, missing, "no source lists features")
        found = sorted(p.features & ORGANISATION_FEATURES)
        raw = f"{len(found)} ({', '.join(found)})" if found else "0"
        source = "; ".join(dict.fromkeys(_cite(c) for c in claims))
        return Contribution(name, weight, raw, source, norm, points, missing)
    claim = p.chosen(name)
    if claim is None:
        return Contribution(name, weight, "unknown", "", norm, points, missing, f"no published {name}")
    raw = _show(name, claim.value)
    if name == "price" and claim.value.currency != prefs.currency:
        note = f"no {prefs.currency} price (only {claim.value.currency})"
        return Contribution(name, weight, raw, _cite(claim), norm, points, missing, note)
    return Contribution(name, weight, raw, _cite(claim), norm, points, missing)


def _show(name: str, value: Any) -> str:
    if name == "price":
        return format_price(value)
    if name == "capacity":
        return format_volume(value)
    if name == "weight":
        return format_weight(value)
    if name in ("exterior", "depth") and isinstance(value, Dimensions):
        return " x ".join(str(v) for v in value.mm) + " mm"
    return str(value)


def _reason(p: Product, prefs: Preferences, key: str, unknown: bool, external: str) -> str:
    """Why ``p`` fails constraint ``key``, in words: 'unknown weight', 'over budget: $295 > $100'…"""
    if key in ("budget_min", "budget_max"):
        money = p.value("price")
        if unknown:
            if isinstance(money, Money):
                return f"unknown price in {prefs.currency} (only a price in {money.currency} is published)"
            return "unknown price"
        if key == "budget_max":
            assert prefs.budget_max is not None
            return f"over budget: {format_price(money)} > {prefs.money(prefs.budget_max)}"
        assert prefs.budget_min is not None
        return f"under your minimum: {format_price(money)} < {prefs.money(prefs.budget_min)}"
    if key in ("capacity_min", "capacity_max"):
        if unknown:
            return "unknown capacity"
        cap = p.value("capacity")
        if key == "capacity_min":
            assert prefs.capacity_min_ml is not None
            return f"too small: {format_volume(cap)} < {format_volume(prefs.capacity_min_ml)}"
        assert prefs.capacity_max_ml is not None
        return f"too big: {format_volume(cap)} > {format_volume(prefs.capacity_max_ml)}"
    if key == "weight_max":
        if unknown:
            return "unknown weight"
        assert prefs.max_weight_g is not None
        return f"too heavy: {format_weight(p.value('weight'))} > {format_weight(prefs.max_weight_g)}"
    if key == "depth_max":
        if unknown:
            return "unknown exterior"
        assert prefs.max_depth_mm is not None
        return f"too deep: {min(p.value('exterior').mm)} mm > {prefs.max_depth_mm} mm"
    if key.startswith("feature:"):
        return "unknown features" if unknown else f"lacks {feature_name(key[8:])}"
    if key == "material":
        if unknown:
            return "unknown material"
        return f"material {p.value('material')!r} is not {' or '.join(prefs.materials_include)}"
    if key.startswith("not_material:"):
        return "unknown material" if unknown else f"material {p.value('material')!r} is {key[13:]}"
    if key == "category":
        return f"a {p.category}, not a {' or '.join(sorted(prefs.categories))}"
    # Airline and kit reasons come from their engines; a bag without a size cannot be checked.
    if unknown and not external:
        return "unknown exterior"
    return external or key


def _airline_masks(items: list[Product], code: str, check: AirlineCheck) -> tuple[tuple[Bool, Bool], dict[int, str]]:
    n = len(items)
    fails = np.zeros(n, dtype=np.bool_)
    unknown = np.zeros(n, dtype=np.bool_)
    reasons: dict[int, str] = {}
    for i, p in enumerate(items):
        ext = p.value("exterior")
        if not isinstance(ext, Dimensions):
            unknown[i] = True
            continue
        verdict, detail = check(ext.mm, code)
        if verdict == "within":
            continue
        fails[i] = True
        if verdict == "no_published_size":
            unknown[i] = True
            reasons[i] = f"unknown {code} personal-item size"
        else:
            reasons[i] = f"{verdict} {code} personal-item size" + (f" ({detail})" if detail else "")
    return (fails, unknown), reasons


def _kit_masks(
    items: list[Product], kit: Sequence[Item]
) -> tuple[tuple[Bool, Bool], dict[int, str], dict[int, BagSpace]]:
    n = len(items)
    fails = np.zeros(n, dtype=np.bool_)
    unknown = np.zeros(n, dtype=np.bool_)
    reasons: dict[int, str] = {}
    spaces: dict[int, BagSpace] = {}
    for i, p in enumerate(items):
        try:
            space = bag_space(p)
        except SpecError as exc:  # walls thicker than the bag: nothing fits
            fails[i], reasons[i] = True, f"the kit does not fit: {exc}"
            continue
        if space is None:
            unknown[i] = True
        else:
            spaces[i] = space
    verdicts = _fit_verdicts(spaces, kit)
    for i, (verdict, why) in verdicts.items():
        if verdict == "fits":
            continue
        fails[i] = True
        # An undecided fit is not a fit: the shopper would be the one to find out at the gate.
        reasons[i] = f"the kit does not fit: {why}" if verdict == "does_not_fit" else f"kit fit undecided: {why}"
    return (fails, unknown), reasons, spaces


def _fit_verdicts(spaces: Mapping[int, BagSpace], kit: Sequence[Item]) -> dict[int, tuple[str, str]]:
    if not spaces:
        return {}
    index = list(spaces)
    screened = screen_catalog([spaces[i] for i in index], list(kit))
    return {i: (v.verdict, v.reason) for i, v in zip(index, screened.verdicts, strict=True)}


# --------------------------------------------------------------------------- counterfactuals


def _names(items: list[Product], added: Sequence[int]) -> str:
    names = [f"the {items[i].name}" for i in sorted(added, key=lambda i: items[i].slug)]
    if len(names) == 1:
        return names[0]
    if len(names) <= 3:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return f"{len(names)} bags ({', '.join(names[:3])}, …)"


def _counterfactuals(
    items: list[Product], cols: Columns, prefs: Preferences, result: ArrayRanking, spaces: Mapping[int, BagSpace]
) -> tuple[Counterfactual, ...]:
    """Relax one constraint at a time, by the smallest step that adds a bag; report what it adds.

    A bag is added only if it fails nothing else, so each answer is exact
    for that one change. For a limit (budget, size, weight) the step is to
    the nearest known value; bags whose value is unknown could only be
    added by dropping the limit, which is offered when nothing else would.
    """
    out: list[Counterfactual] = []
    only = result.fails & (result.fails.sum(axis=0) == 1)
    for k, key in enumerate(result.keys):
        blocked = np.flatnonzero(only[k])
        if key == "kit":
            out.extend(_kit_counterfactuals(items, prefs, [int(i) for i in blocked], spaces))
            continue
        if blocked.size == 0:
            continue
        if key in _LIMITS:
            column, upper = _LIMITS[key]
            out.append(
                _limit_counterfactual(items, prefs, key, getattr(cols, column), upper, blocked, result.unknown[k])
            )
        elif key == "category":
            for category in CATEGORIES:
                added = [int(i) for i in blocked if items[i].category == category]
                if added:
                    out.append(_adds(items, key, f"including {category} bags", added))
        elif key.startswith("feature:"):
            out.append(_adds(items, key, f"dropping {feature_name(key[8:])}", blocked.tolist()))
        elif key == "material":
            out.append(_adds(items, key, "allowing any material", blocked.tolist()))
        elif key.startswith("not_material:"):
            out.append(_adds(items, key, f"allowing {key[13:]}", blocked.tolist()))
        elif key.startswith("airline:"):
            out.append(_adds(items, key, f"dropping {key[8:]}'s personal-item rule", blocked.tolist()))
    return tuple(out)


def _weight_counterfactuals(
    items: list[Product],
    cols: Columns,
    prefs: Preferences,
    result: ArrayRanking,
    top: int,
    external: Mapping[str, tuple[Bool, Bool]],
) -> tuple[Counterfactual, ...]:
    """What caring twice as much about one criterion would bring into the top N.

    Constraints say which bags may appear; weights say which of those make the
    list. With no constraint to relax, this is still an honest "what would
    change the answer": rerun the same ranking with one weight doubled.
    """
    shown = set(result.top.tolist())
    out = []
    for name in CRITERIA:
        current = getattr(prefs.weights, name)
        if current == 0:
            continue
        heavier = replace(prefs, weights=replace(prefs.weights, **{name: current * 2}))
        entered = [int(i) for i in rank_arrays(cols, heavier, top=top, external=external).top if int(i) not in shown]
        if entered:
            ordered = sorted(entered, key=lambda i: items[i].slug)
            change = f"caring twice as much about {name}"
            message = f"{change} puts {_names(items, ordered)} in your top {top}"
            out.append(Counterfactual(f"weight:{name}", change, tuple(items[i].slug for i in ordered), message))
    return tuple(out)


def feature_name(key: str) -> str:
    """A feature as people read it, quoted: '“Adjustable straps”' for 'adjustable_straps'."""
    return f"“{FEATURES.get(key, key)}”"


def _adds(items: list[Product], key: str, change: str, added: Sequence[int]) -> Counterfactual:
    ordered = sorted(added, key=lambda i: items[i].slug)
    message = f"{change} adds {_names(items, ordered)}"
    return Counterfactual(key, change, tuple(items[i].slug for i in ordered), message)


def _limit_counterfactual(
    items: list[Product], prefs: Preferences, key: str, values: I64, upper: bool, blocked: I64, unknown: Bool
) -> Counterfactual:
    known = blocked[~unknown[blocked]]
    if known.size == 0:
        what = {"budget": "price", "capacity": "capacity", "weight": "weight", "depth": "exterior"}[key.split("_")[0]]
        return _adds(
            items, key, f"dropping the {key.replace('_', ' ')} limit (for bags of unknown {what})", blocked.tolist()
        )
    target = int(values[known].min() if upper else values[known].max())
    added = known[values[known] == target].tolist()
    bound = _limit_bound(prefs, key)
    step = abs(target - bound)
    if key.startswith("budget"):
        sign = "+" if upper else "-"
        change = f"{sign}{prefs.money(step)} of budget ({'up' if upper else 'down'} to {prefs.money(target)})"
    elif key.startswith("capacity"):
        more = "more" if upper else "less"
        change = f"{'allowing' if upper else 'accepting'} {format_volume(target)} ({format_volume(step)} {more})"
    elif key == "weight_max":
        change = f"+{format_weight(step)} of weight limit (up to {format_weight(target)})"
    else:
        change = f"+{step} mm of depth (up to {target} mm)"
    return _adds(items, key, change, added)


def _kit_counterfactuals(
    items: list[Product], prefs: Preferences, blocked: list[int], spaces: Mapping[int, BagSpace]
) -> list[Counterfactual]:
    sized = {i: spaces[i] for i in blocked if i in spaces}
    out: list[Counterfactual] = []
    if not sized or len(prefs.kit) < 2:
        return out
    for j, left in enumerate(prefs.kit):
        rest = [item for m, item in enumerate(prefs.kit) if m != j]
        verdicts = _fit_verdicts(sized, rest)
        added = [i for i, (verdict, _) in verdicts.items() if verdict == "fits"]
        if added:
            out.append(_adds(items, "kit", f"leaving the {left.name} at home", added))
    return out


# --------------------------------------------------------------------------- airlines


def default_airline_check() -> AirlineCheck:
    """The personal-item check of ``minipack.airlines``, on the bag's published size.

    A bag meets an airline when it is ``within`` every personal-item rule
    published for it. The bag is not credited with squeezing (``soft=False``):
    a published size is of the empty bag, and a full one does not get thinner.
    Imported on first use, so ranking without airlines never reads the rules.
    """
    from minipack import airlines

    order = ("within", "borderline", "no_published_size", "exceeds")

    def check(dims_mm: tuple[int, int, int], code: str) -> tuple[str, str]:
        try:
            found = airlines.rules_for([code], kinds=("personal",))
        except airlines.AirlineQueryError as exc:
            raise PreferenceError(str(exc)) from exc
        if not found:
            return "no_published_size", ""
        worst: tuple[str, str] = ("within", "")
        for rule in found:
            verdict = airlines.check_bag(dims_mm, rule)
            if order.index(verdict.verdict) > order.index(worst[0]):
                worst = (verdict.verdict, f"limit {rule.published}" if rule.published else "")
        return worst

    return check
