"""The item library and what people type for their own things, turned into engine ``Item``s.

This module is responsible for one promise: every size the fit engine is
given is either a fact with a source or a size the user typed, never a
guess. The library lives in ``minipack/data/items.json`` (format
``minipack-items/1``, fields described in the file's own header): each item
has a stable id slug, the sides its sources state, a shape (box, or cylinder
for bottles and folded umbrellas), whether it is rigid, and one or more
sources, each with the URL and the date as that source states it.

Sizes are stated in the file as the sources print them (decimals allowed) and
rounded *up* to whole millimetres when read, so an item is never smaller
than its source says; a fit that holds for the rounded item holds for the
real one.

``parse_item_spec`` reads a custom item such as ``"book:180x120x20mm"``,
``"bottle:cyl 70x200mm"`` or ``"scarf:soft 0.5L"`` with the strict parsers of
``minipack.units``. ``resolve_items`` turns a list of library ids and custom
specs into engine items with distinct names (a second lip balm becomes
``"lip-balm-stick #2"``); an unknown id is refused with the closest ids.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from minipack.errors import ParseError, RuleDataError
from minipack.fit.model import MAX_ITEMS, Item
from minipack.records import fold
from minipack.units import parse_dimensions, parse_length_mm, parse_volume_ml

__all__ = [
    "CATEGORIES",
    "CONFIDENCE",
    "ItemLibrary",
    "ItemSource",
    "LibraryItem",
    "UnknownItemError",
    "distinct_names",
    "load_item_library",
    "parse_item_library",
    "parse_item_spec",
    "resolve_items",
]

FORMAT = "minipack-items/1"

# The order pages list the library in; every item names one of these.
CATEGORIES = (
    "phone",
    "e-reader",
    "tablet",
    "audio",
    "power-bank",
    "bottle",
    "umbrella",
    "glasses",
    "wallet",
    "document",
    "cosmetics",
    "hygiene",
    "stationery",
    "keys",
)
CONFIDENCE = ("high", "medium", "low")

# Names are drawn in pictures and listed on pages; a sentence is not a name.
MAX_NAME_CHARS = 60

Shape = Literal["box", "cylinder"]

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_URL = re.compile(r"https?://\S+")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ItemSource:
    """Where some of an item's facts were read: the address, its date as stated, and which facts."""

    url: str
    date: str
    gives: str


@dataclass(frozen=True)
class LibraryItem:
    """One everyday thing with sourced sides.

    ``dims_mm`` is what the engine packs: a box's sides longest first, or a
    cylinder's ``(diameter, diameter, length)``, each rounded up to whole mm.
    ``stated_mm`` keeps the sources' own figures ('147.6'), for display.
    ``volume_ml`` is set only for a soft item whose source states a capacity.
    """

    id: str
    name: str
    category: str
    dims_mm: tuple[int, int, int]
    shape: Shape
    rigid: bool
    weight_g: int | None
    sources: tuple[ItemSource, ...]
    confidence: str
    note: str
    stated_mm: tuple[str, ...] = ()
    volume_ml: int | None = None

    @property
    def source_url(self) -> str:
        """The first (main) source's address; ``sources`` lists every one."""
        return self.sources[0].url

    @property
    def source_date(self) -> str:
        return self.sources[0].date

    def as_item(self, name: str | None = None) -> Item:
        """The engine's view of this item, named ``name`` (default: the library id)."""
        return Item(
            name=self.id if name is None else name,
            dims_mm=self.dims_mm,
            shape=self.shape,
            rigid=self.rigid,
            volume_ml=self.volume_ml,
            weight_g=self.weight_g,
        )


class ItemLibrary:
    """The items of one library file, in file order, looked up by id."""

    def __init__(self, items: Sequence[LibraryItem]) -> None:
        self._items = tuple(items)
        self._by_id = {item.id: item for item in self._items}
        if len(self._by_id) != len(self._items):
            raise RuleDataError("the item library has two items with one id")

    def get(self, item_id: str) -> LibraryItem | None:
        return self._by_id.get(item_id)

    def __getitem__(self, item_id: str) -> LibraryItem:
        return self._by_id[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __iter__(self) -> Iterator[LibraryItem]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self._items)

    def by_category(self) -> dict[str, tuple[LibraryItem, ...]]:
        """Items grouped by category, categories in ``CATEGORIES`` order, empty ones left out."""
        groups: dict[str, list[LibraryItem]] = {c: [] for c in CATEGORIES}
        for item in self._items:
            groups[item.category].append(item)
        return {c: tuple(items) for c, items in groups.items() if items}


class UnknownItemError(ParseError):
    """A name that is neither a library id nor a custom spec; ``suggestions`` holds the closest ids."""

    def __init__(self, raw: str, suggestions: Sequence[str]) -> None:
        self.suggestions = tuple(suggestions)
        if self.suggestions:
            hint = "did you mean " + ", ".join(repr(s) for s in self.suggestions) + "?"
        else:
            hint = "use an id from the item library, or describe it as 'name:180x120x20mm'"
        super().__init__(raw, f"no such item in the library; {hint}", what="item")


# --------------------------------------------------------------------------- the library file


@lru_cache(maxsize=1)
def load_item_library() -> ItemLibrary:
    """The library shipped in ``minipack/data/items.json``; read once, it is immutable."""
    text = resources.files("minipack").joinpath("data/items.json").read_text(encoding="utf-8")
    return parse_item_library(text, origin="minipack/data/items.json")


def parse_item_library(text: str, *, origin: str = "item library") -> ItemLibrary:
    """Read ``minipack-items/1`` JSON; the first malformed entry is a ``RuleDataError`` naming it."""
    try:
        # Decimal, not float: '7.8' must round up to 8 mm, not to whatever 7.8000001 does.
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleDataError(f"{origin}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RuleDataError(f"{origin}: expected format {FORMAT!r}")
    raw_items = doc.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise RuleDataError(f"{origin}: 'items' must be a non-empty list")
    items = [_library_item(raw, f"{origin}, item {i + 1}") for i, raw in enumerate(raw_items)]
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise RuleDataError(f"{origin}: the id {item.id!r} is used twice")
        seen.add(item.id)
    return ItemLibrary(items)


_FIELDS = {
    "id",
    "name",
    "category",
    "shape",
    "sides_mm",
    "diameter_mm",
    "length_mm",
    "rigid",
    "weight_g",
    "volume_ml",
    "sources",
    "confidence",
    "note",
}


def _library_item(raw: Any, where: str) -> LibraryItem:
    if not isinstance(raw, dict):
        raise RuleDataError(f"{where}: expected an object")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise RuleDataError(f"{where}: unknown field(s) {sorted(unknown)}")
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not _ID.fullmatch(item_id):
        raise RuleDataError(f"{where}: 'id' must be a lower-case slug such as 'iphone-15'")
    where = f"{where} ({item_id})"
    name = _text(raw, "name", where)
    category = raw.get("category")
    if category not in CATEGORIES:
        raise RuleDataError(f"{where}: 'category' must be one of {', '.join(CATEGORIES)}")
    shape = raw.get("shape")
    if shape == "box":
        if "diameter_mm" in raw or "length_mm" in raw:
            raise RuleDataError(f"{where}: a box gives 'sides_mm', not a diameter and length")
        stated = _sizes(raw.get("sides_mm"), 3, "sides_mm", where)
        sides = sorted((_ceil_whole(v) for v in stated), reverse=True)
        dims = (sides[0], sides[1], sides[2])
    elif shape == "cylinder":
        if "sides_mm" in raw:
            raise RuleDataError(f"{where}: a cylinder gives 'diameter_mm' and 'length_mm', not 'sides_mm'")
        stated = _sizes([raw.get("diameter_mm"), raw.get("length_mm")], 2, "diameter_mm and length_mm", where)
        diameter, length = (_ceil_whole(v) for v in stated)
        dims = (diameter, diameter, length)
    else:
        raise RuleDataError(f"{where}: 'shape' must be 'box' or 'cylinder'")
    rigid = raw.get("rigid")
    if not isinstance(rigid, bool):
        raise RuleDataError(f"{where}: 'rigid' must be true or false")
    weight = _optional_whole(raw.get("weight_g"), "weight_g", where)
    volume = _optional_whole(raw.get("volume_ml"), "volume_ml", where)
    if volume is not None and rigid:
        raise RuleDataError(f"{where}: only a soft item takes a 'volume_ml' (a rigid one packs by its sides)")
    confidence = raw.get("confidence")
    if confidence not in CONFIDENCE:
        raise RuleDataError(f"{where}: 'confidence' must be one of {', '.join(CONFIDENCE)}")
    return LibraryItem(
        id=item_id,
        name=name,
        category=category,
        dims_mm=dims,
        shape=shape,
        rigid=rigid,
        weight_g=weight,
        sources=_sources(raw.get("sources"), where),
        confidence=confidence,
        note=_text(raw, "note", where),
        stated_mm=tuple(_plain(v) for v in stated),
        volume_ml=volume,
    )


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleDataError(f"{where}: {key!r} must be non-empty text")
    return value.strip()


def _sizes(values: object, count: int, key: str, where: str) -> list[Decimal]:
    if (
        not isinstance(values, list)
        or len(values) != count
        or not all(isinstance(v, Decimal | int) and not isinstance(v, bool) and 0 < v <= 5000 for v in values)
    ):
        raise RuleDataError(f"{where}: {key!r} must be {count} positive sizes in mm")
    return [Decimal(v) for v in values]


def _optional_whole(value: object, key: str, where: str) -> int | None:
    """A weight or volume; the source may print decimals ('85.05 g'), the engine takes whole units."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or value <= 0:
        raise RuleDataError(f"{where}: {key!r} must be a positive number or null")
    return _ceil_whole(Decimal(value))


def _sources(value: object, where: str) -> tuple[ItemSource, ...]:
    if not isinstance(value, list) or not value:
        raise RuleDataError(f"{where}: 'sources' must list at least one source")
    out = []
    for i, raw in enumerate(value):
        if not isinstance(raw, dict) or set(raw) != {"url", "date", "gives"}:
            raise RuleDataError(f"{where}: source {i + 1} needs exactly 'url', 'date' and 'gives'")
        if not all(isinstance(raw[k], str) and raw[k].strip() for k in ("url", "date", "gives")):
            raise RuleDataError(f"{where}: source {i + 1}: url, date and gives must be non-empty text")
        if not _URL.fullmatch(raw["url"]):
            raise RuleDataError(f"{where}: source {i + 1}: {raw['url']!r} is not an http(s) address")
        out.append(ItemSource(url=raw["url"], date=raw["date"].strip(), gives=raw["gives"].strip()))
    return tuple(out)


def _ceil_whole(value: Decimal) -> int:
    # Up, never to nearest: a 7.8 mm phone in an 8 mm slot is fine, in a 7 mm one it is not.
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------- what users type

_LENGTH_UNIT = r"(?:mm|cm|in|inch|inches|\"|millimet(?:er|re)s?|centimet(?:er|re)s?)"
_CYLINDER = re.compile(
    rf"(?P<d>[0-9][0-9.,]*)\s*(?P<du>{_LENGTH_UNIT})?\s*(?:x|\u00d7|\*|by)\s*"
    rf"(?P<l>[0-9][0-9.,]*)\s*(?P<lu>{_LENGTH_UNIT})",
    re.IGNORECASE,
)
_KIND_WORDS = {"cyl": "cylinder", "cylinder": "cylinder", "soft": "soft", "box": "box"}


def parse_item_spec(text: str) -> Item:
    """A custom item typed by a user: ``'name:size'``.

    The size is one of:

    * a box, ``'book:180x120x20mm'`` or ``'book:18 x 12 x 2 cm'`` (rigid);
    * a cylinder, ``'bottle:cyl 70x200mm'`` (diameter x length, rigid);
    * a soft box, ``'pouch:soft 150x100x50mm'``;
    * a soft volume, ``'scarf:soft 0.5L'``: it has no shape of its own, so
      the engine gets a cube of that volume (for the picture) and the volume
      (for the fit).

    Raises ``ParseError`` naming the input and the reason.
    """
    if not isinstance(text, str):
        raise ParseError(text, "expected text", what="item")
    raw = text
    name, sep, spec = text.partition(":")
    if not sep:
        raise ParseError(raw, "expected 'name:size', e.g. 'book:180x120x20mm' or 'bottle:cyl 70x200mm'", what="item")
    name = _clean_name(name, raw)
    spec = spec.strip()
    words = spec.split(None, 1)
    kind = _KIND_WORDS.get(words[0].lower()) if words else None
    if kind is not None:
        spec = words[1].strip() if len(words) > 1 else ""
    if not spec:
        raise ParseError(raw, f"no size after {name + ':'!r}", what="item")
    try:
        if kind == "cylinder":
            diameter, length = _cylinder_mm(spec, raw)
            return Item(name=name, dims_mm=(diameter, diameter, length), shape="cylinder", rigid=True)
        if kind == "soft" and not _looks_like_box(spec):
            volume = parse_volume_ml(spec).high_ml  # a range: the larger end, so the fit is not optimistic
            side = _cube_side(volume)
            return Item(name=name, dims_mm=(side, side, side), rigid=False, volume_ml=volume)
        dims = parse_dimensions(spec)
    except ParseError as exc:
        # Report the whole input the user typed, with the parser's reason.
        raise ParseError(raw, exc.reason, what="item") from exc
    a, b, c = sorted(dims.mm, reverse=True)
    return Item(name=name, dims_mm=(a, b, c), rigid=kind != "soft")


def _clean_name(name: str, raw: str) -> str:
    # Names are shown on pages and drawn in pictures: printable text only, one line, not too long.
    name = " ".join(name.split())
    if not name:
        raise ParseError(raw, "the item has no name before ':'", what="item")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise ParseError(raw, "the name has control or unprintable characters", what="item")
    if len(name) > MAX_NAME_CHARS:
        raise ParseError(raw, f"the name is longer than {MAX_NAME_CHARS} characters", what="item")
    return name


def _looks_like_box(spec: str) -> bool:
    return bool(re.search(r"[0-9]\s*(?:[a-z\"]+\s*)?(?:x|\u00d7|\*|by)\s*[0-9]", spec.lower()))


def _cylinder_mm(spec: str, raw: str) -> tuple[int, int]:
    m = _CYLINDER.fullmatch(spec.strip())
    if not m:
        raise ParseError(raw, "a cylinder is 'cyl DIAMETER x LENGTH unit', e.g. 'cyl 70x200mm'", what="item")
    unit = m.group("lu")
    if m.group("du") and m.group("du").lower() != unit.lower():
        raise ParseError(raw, "mixed units in a cylinder size", what="item")
    diameter = parse_length_mm(f"{m.group('d')} {unit}")
    length = parse_length_mm(f"{m.group('l')} {unit}")
    return diameter, length


def _cube_side(volume_ml: int) -> int:
    # Rounded to a micrometre first, so an exact cube (1 L) does not come out a millimetre too big.
    side = math.ceil(round(math.cbrt(volume_ml * 1000), 3))
    return max(side, 1)


def resolve_items(names: Sequence[str]) -> list[Item]:
    """Library ids (``'iphone-15'``, also written ``'iPhone 15'``) and custom specs, as engine items.

    A name may repeat: each further copy is named ``'<name> #2'``, ``'#3'``…
    so placements and pictures can tell them apart. Raises
    ``UnknownItemError`` for an unknown id and ``ParseError`` for a bad spec
    or a list longer than ``MAX_ITEMS``.
    """
    if isinstance(names, str):
        raise ParseError(names, "expected a list of item names, not one text", what="item list")
    if len(names) > MAX_ITEMS:
        raise ParseError(f"{len(names)} items", f"at most {MAX_ITEMS} items can be checked at once", what="item list")
    library = load_item_library()
    return distinct_names([_resolve_one(name, library) for name in names])


def distinct_names(items: Sequence[Item]) -> list[Item]:
    """``items`` with each repeated name numbered: the second ``'pen'`` becomes ``'pen #2'``, and so on.

    Proofs, what to leave out and pictures name items, so two items must
    never share a name. A copy's number never takes a name given to
    another item (``'pen', 'pen', 'pen #2'`` gives ``'pen', 'pen #3', 'pen #2'``).
    """
    typed = {item.name for item in items}
    taken: set[str] = set()
    out = []
    for item in items:
        name, n = item.name, 1
        while name in taken or (n > 1 and name in typed):
            n += 1
            name = f"{item.name} #{n}"
        taken.add(name)
        out.append(item if n == 1 else replace(item, name=name))
    return out


def _resolve_one(name: str, library: ItemLibrary) -> Item:
    if not isinstance(name, str):
        raise ParseError(name, "expected text", what="item")
    if ":" in name:
        return parse_item_spec(name)
    key = _id_key(name)
    found = library.get(key)
    if found is None:
        suggestions = difflib.get_close_matches(key, library.ids, n=3, cutoff=0.6)
        raise UnknownItemError(name, suggestions)
    return found.as_item()


def _id_key(name: str) -> str:
    """'iPhone 15', ' IPHONE-15 ' and 'iphone_15' all look up 'iphone-15'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")
