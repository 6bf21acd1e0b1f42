"""A shopper's preferences read from text: the one reading shared by `minipack rank` and ``GET /api/rank``.

``preferences_from_text`` takes a plain mapping of field name to text (what
a command line or a query string holds: ``{"budget_max": "$100", "must":
"water_resistant,usb_port", "max_depth": "12 cm"}``) and builds the
``minipack.rank.Preferences`` the ranking runs on. Sizes, volumes and
prices are read with ``minipack.units``, items with
``minipack.fit.items.resolve_items``; a value that cannot be used is a
``PreferenceError`` whose message starts with the field's name, so both
front ends can say which input to fix. An empty or blank value counts as
not given, as an empty form field does. The editorial guides keep their own
JSON form (``minipack.guides.preferences_from_dict``), whose values are
lists and numbers rather than text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from minipack.errors import MinipackError, PreferenceError
from minipack.fit.items import resolve_items
from minipack.rank import Preferences, Weights
from minipack.records import CATEGORIES, FEATURES
from minipack.units import CURRENCIES, parse_length_mm, parse_price, parse_volume_ml

__all__ = ["LIST_FIELDS", "TEXT_FIELDS", "WEIGHT_FIELDS", "TextValue", "preferences_from_text"]

# Fields holding one text each.
TEXT_FIELDS = ("budget_min", "budget_max", "currency", "min_capacity", "max_capacity", "max_weight_g", "max_depth")
# Fields holding comma-separated texts; a sequence is several such texts (a repeated command-line option).
LIST_FIELDS = ("must", "material", "not_material", "category", "airline", "items")
# The soft criteria's weights, as decimal numbers.
WEIGHT_FIELDS = {"w_price": "price", "w_capacity": "capacity", "w_weight": "weight", "w_organisation": "organisation"}

TextValue = str | Sequence[str] | None

_MAX_GRAMS = 10**6
# Items are separated by commas, except a comma between two digits (a decimal comma in 'pouch:soft 0,5L').
_ITEM_SEPARATOR = re.compile(r"(?<![0-9]),|,(?![0-9])")


def preferences_from_text(values: Mapping[str, TextValue]) -> Preferences:
    """The ``Preferences`` ``values`` ask for; ``PreferenceError`` naming the first field that cannot be used.

    Keys are ``TEXT_FIELDS``, ``LIST_FIELDS`` and ``WEIGHT_FIELDS``; a
    missing key, ``None`` or blank text means no constraint (the default
    weight). ``currency`` (default USD) is the currency of a budget written
    as a plain number; a budget written with its own currency ('€80') uses
    that one, and the two ends of a budget must agree.
    """
    known = (*TEXT_FIELDS, *LIST_FIELDS, *WEIGHT_FIELDS)
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise PreferenceError(f"unknown preference(s) {unknown}; known: {', '.join(known)}")
    text = {name: _one(values, name) for name in TEXT_FIELDS}

    currency = (text["currency"] or "USD").upper()
    if currency not in CURRENCIES:
        raise PreferenceError(f"currency: unknown currency {text['currency']!r}; known: {', '.join(CURRENCIES)}")
    budget: dict[str, int | None] = {}
    budget_currencies = set()
    for name in ("budget_min", "budget_max"):
        raw = text[name]
        budget[name] = None
        if raw is not None:
            with _field(name):
                money = parse_price(raw, default_currency=currency)
            budget[name] = money.amount_minor
            budget_currencies.add(money.currency)
    if len(budget_currencies) > 1:
        raise PreferenceError(f"budget_min, budget_max: the budget mixes currencies {sorted(budget_currencies)}")

    low_ml = high_ml = depth_mm = None
    if text["min_capacity"] is not None:
        with _field("min_capacity"):
            low_ml = parse_volume_ml(text["min_capacity"]).low_ml
    if text["max_capacity"] is not None:
        with _field("max_capacity"):
            high_ml = parse_volume_ml(text["max_capacity"]).high_ml
    if text["max_depth"] is not None:
        with _field("max_depth"):
            depth_mm = parse_length_mm(text["max_depth"], default_unit="mm")

    must = _listed(values, "must")
    _known("must", "feature", must, list(FEATURES))
    categories = _listed(values, "category")
    _known("category", "category", categories, CATEGORIES)
    airlines = [code.upper() for code in _listed(values, "airline")]
    bad_codes = [code for code in airlines if not re.fullmatch(r"[A-Z0-9]{2}", code)]
    if bad_codes:
        raise PreferenceError(f"airline: {bad_codes} are not two-character IATA codes such as FR or U2")
    with _field("items"):
        kit = tuple(resolve_items(_listed(values, "items", _ITEM_SEPARATOR)))

    _ordered("budget_min", budget["budget_min"], "budget_max", budget["budget_max"])
    _ordered("min_capacity", low_ml, "max_capacity", high_ml)
    return Preferences(
        budget_min=budget["budget_min"],
        budget_max=budget["budget_max"],
        currency=budget_currencies.pop() if budget_currencies else currency,
        capacity_min_ml=low_ml,
        capacity_max_ml=high_ml,
        max_weight_g=_grams(text["max_weight_g"]),
        max_depth_mm=depth_mm,
        must_have=frozenset(must),
        materials_include=tuple(_listed(values, "material")),
        materials_exclude=tuple(_listed(values, "not_material")),
        categories=frozenset(categories),
        airlines=tuple(airlines),
        kit=kit,
        weights=_weights(values),
    )


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Re-raise a core error as a ``PreferenceError`` that starts with the field's name."""
    try:
        yield
    except MinipackError as exc:
        raise PreferenceError(f"{name}: {exc}") from exc


def _ordered(low_name: str, low: int | None, high_name: str, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise PreferenceError(f"{low_name}, {high_name}: the lowest ({low_name}) is above the highest ({high_name})")


def _one(values: Mapping[str, TextValue], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PreferenceError(f"{name}: give one value, not {len(value)}")
    return value.strip() or None


def _listed(values: Mapping[str, TextValue], name: str, separator: str | re.Pattern[str] = ",") -> list[str]:
    value = values.get(name)
    texts = [value] if isinstance(value, str) else list(value or ())
    out: list[str] = []
    for text in texts:
        if not isinstance(text, str):
            raise PreferenceError(f"{name}: expected text, got {text!r}")
        out.extend(part.strip() for part in re.split(separator, text) if part.strip())
    return out


def _known(name: str, what: str, given: list[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise PreferenceError(f"{name}: unknown {what}(s) {unknown}; known: {', '.join(allowed)}")


def _grams(text: str | None) -> int | None:
    if text is None:
        return None
    if not re.fullmatch(r"[0-9]{1,7}", text) or int(text) > _MAX_GRAMS:
        raise PreferenceError(f"max_weight_g: {text[:40]!r} is not a whole number of grams from 0 to {_MAX_GRAMS:,}")
    return int(text)


def _weights(values: Mapping[str, TextValue]) -> Weights:
    defaults = Weights()
    chosen: dict[str, float] = {}
    for name, criterion in WEIGHT_FIELDS.items():
        text = _one(values, name)
        if text is None:
            chosen[criterion] = getattr(defaults, criterion)
            continue
        try:
            weight = float(text)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight < 0:
            raise PreferenceError(f"{name}: the {criterion} weight must be a number >= 0, got {text[:40]!r}")
        chosen[criterion] = weight
    return Weights(**chosen)
