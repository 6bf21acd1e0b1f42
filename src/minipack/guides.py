"""Editorial guides: saved preference sets with our own words, ranked against a catalog.

This module is responsible for reading ``minipack/data/guides.json`` (format
``minipack-guides/1``; the file's ``_about`` says what each field means)
into ``Guide`` records, and for running one: ``run_guide(slug, catalog)`` is
``rank.rank`` with the guide's preferences, so the same catalog and the same
guide always give the same ranking. Values are written as shops print them
('$100', '6 L') and read by the strict parsers of ``minipack.units``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from minipack.errors import MinipackError, RuleDataError
from minipack.fit.items import resolve_items
from minipack.rank import AirlineCheck, Preferences, Ranking, Weights, rank
from minipack.records import Product
from minipack.units import parse_length_mm, parse_price, parse_volume_ml, parse_weight_g

__all__ = ["FORMAT", "Guide", "guide_by_slug", "load_guides", "parse_guides", "preferences_from_dict", "run_guide"]

FORMAT = "minipack-guides/1"

_PREFERENCE_KEYS = frozenset(
    {
        "budget_min",
        "budget_max",
        "capacity_min",
        "capacity_max",
        "max_weight",
        "max_depth",
        "must_have",
        "materials_include",
        "materials_exclude",
        "categories",
        "airlines",
        "kit",
        "weights",
    }
)


@dataclass(frozen=True)
class Guide:
    """One editorial guide: where it lives, what it says, what it asks for, and our note per bag."""

    slug: str
    title: str
    intro: str
    preferences: Preferences
    top: int
    notes: Mapping[str, str]
    written: str


def preferences_from_dict(raw: Mapping[str, Any], *, where: str = "preferences") -> Preferences:
    """``Preferences`` from the JSON form in the guides file; ``RuleDataError`` naming the bad key."""
    unknown = set(raw) - _PREFERENCE_KEYS
    if unknown:
        raise RuleDataError(f"{where}: unknown key(s) {sorted(unknown)}")
    try:
        prices = {k: parse_price(raw[k]) for k in ("budget_min", "budget_max") if k in raw}
        currencies = {m.currency for m in prices.values()}
        if len(currencies) > 1:
            raise RuleDataError(f"{where}: the budget mixes currencies {sorted(currencies)}")
        weights = raw.get("weights", {})
        return Preferences(
            budget_min=prices["budget_min"].amount_minor if "budget_min" in prices else None,
            budget_max=prices["budget_max"].amount_minor if "budget_max" in prices else None,
            currency=currencies.pop() if currencies else "USD",
            capacity_min_ml=parse_volume_ml(raw["capacity_min"]).low_ml if "capacity_min" in raw else None,
            capacity_max_ml=parse_volume_ml(raw["capacity_max"]).high_ml if "capacity_max" in raw else None,
            max_weight_g=parse_weight_g(raw["max_weight"]) if "max_weight" in raw else None,
            max_depth_mm=parse_length_mm(raw["max_depth"]) if "max_depth" in raw else None,
            must_have=frozenset(_texts(raw, "must_have", where)),
            materials_include=_texts(raw, "materials_include", where),
            materials_exclude=_texts(raw, "materials_exclude", where),
            categories=frozenset(_texts(raw, "categories", where)),
            airlines=_texts(raw, "airlines", where),
            kit=tuple(resolve_items(list(_texts(raw, "kit", where)))),
            weights=Weights(**weights) if isinstance(weights, dict) else Weights(),
        )
    except RuleDataError:
        raise
    except (MinipackError, TypeError) as exc:
        raise RuleDataError(f"{where}: {exc}") from exc


def _texts(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleDataError(f"{where}: {key!r} must be a list of texts")
    return tuple(value)


def parse_guides(text: str, *, origin: str = "guides") -> tuple[Guide, ...]:
    """Read ``minipack-guides/1`` JSON; the first malformed guide is a ``RuleDataError`` naming it."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleDataError(f"{origin}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("guides"), list):
        raise RuleDataError(f"{origin}: expected format {FORMAT!r} with a list of 'guides'")
    guides: list[Guide] = []
    for i, raw in enumerate(doc["guides"]):
        where = f"{origin}, guide {i + 1}"
        if not isinstance(raw, dict):
            raise RuleDataError(f"{where}: expected an object")
        texts = {k: raw.get(k) for k in ("slug", "title", "intro", "written")}
        if not all(isinstance(v, str) and v.strip() for v in texts.values()):
            raise RuleDataError(f"{where}: slug, title, intro and written must be non-empty texts")
        notes, top = raw.get("notes", {}), raw.get("top", 10)
        if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
            raise RuleDataError(f"{where}: notes must map bag slugs to texts")
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
            raise RuleDataError(f"{where}: top must be a whole number from 1 to 50")
        prefs = raw.get("preferences", {})
        if not isinstance(prefs, dict):
            raise RuleDataError(f"{where}: preferences must be an object")
        guides.append(
            Guide(
                slug=str(texts["slug"]),
                title=str(texts["title"]),
                intro=str(texts["intro"]),
                preferences=preferences_from_dict(prefs, where=f"{where} ({texts['slug']})"),
                top=top,
                notes=dict(notes),
                written=str(texts["written"]),
            )
        )
    slugs = [g.slug for g in guides]
    if len(set(slugs)) != len(slugs):
        raise RuleDataError(f"{origin}: a guide slug is used twice")
    return tuple(guides)


@functools.cache
def load_guides() -> tuple[Guide, ...]:
    """The guides shipped in ``minipack/data/guides.json``; read once (they are immutable)."""
    text = importlib.resources.files("minipack").joinpath("data/guides.json").read_text(encoding="utf-8")
    return parse_guides(text, origin="minipack/data/guides.json")


def guide_by_slug(slug: str) -> Guide:
    """The shipped guide ``slug``; ``RuleDataError`` listing the known slugs if there is none."""
    for guide in load_guides():
        if guide.slug == slug:
            return guide
    raise RuleDataError(f"no guide {slug!r}; known: {', '.join(g.slug for g in load_guides())}")


def run_guide(slug: str, catalog: Iterable[Product], *, airline_check: AirlineCheck | None = None) -> Ranking:
    """The guide's ranking of ``catalog``: deterministic, so a page can be cached by (catalog, guide)."""
    guide = guide_by_slug(slug)
    return rank(catalog, guide.preferences, top=guide.top, airline_check=airline_check)
