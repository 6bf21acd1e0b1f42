"""Airline under-seat and carry-on checks, from dated and sourced rules.

This module is responsible for one question: does a bag of a given outer
size meet an airline's published limit for a personal item (under the seat)
or a carry-on (overhead bin)? The limits are read from the shipped data file
``minipack/data/airlines.json`` (its header says what each field means); every
rule keeps the size as the airline printed it, the source it was read at and
the date that source states, and its earlier sizes where they changed.

The check (docs/decisions/0006-airline-tolerance.md) compares sides, largest
first against largest first, because a sizer or an under-seat space takes a
bag whichever way round it goes in. The verdict is ``within`` (every side has
at least ``BORDERLINE_MARGIN_MM`` to spare), ``borderline`` (no side is over,
but some side has less than that to spare), ``exceeds`` (some side is over) or
``no_published_size`` (the airline publishes no size, so nothing can be
promised). A soft bag that is not full may be squashed thinner: its smallest
side may shrink by ``SOFT_COMPRESS_PERCENT``, or, given a kit, down to the
depth the kit packs to plus the walls (``packed_compress_mm``). Structured
bags do not give. Rules change and gate staff decide, so every verdict carries
the rule's source, date and a note to confirm with the airline.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

from minipack.errors import MinipackError, ParseError, RuleDataError
from minipack.fit.engine import check_fit
from minipack.fit.interior import estimate_interior
from minipack.fit.model import BagSpace, Dims, Item, Placement, check_dims
from minipack.records import Product
from minipack.units import parse_dimensions

__all__ = [
    "BORDERLINE_MARGIN_MM",
    "FORMAT",
    "KINDS",
    "SOFT_COMPRESS_PERCENT",
    "AirlineQueryError",
    "AirlineRule",
    "AirlineVerdict",
    "Kind",
    "RuleChange",
    "TripVerdict",
    "VerdictName",
    "check_bag",
    "check_trip",
    "kit_compress_mm",
    "load_airline_rules",
    "packed_compress_mm",
    "parse_airline_rules",
    "rules_for",
    "strictest_rule",
]

FORMAT = "minipack-airlines/1"

Kind = Literal["personal", "carry_on"]
VerdictName = Literal["within", "borderline", "exceeds", "no_published_size"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# A bag "within" the limit has at least this much to spare on every side; with
# less it is "borderline". Makers print sizes rounded to the centimetre or the
# half inch (up to 6.4 mm hidden), and a full front pocket or a zip pull adds a
# few millimetres more, so a bag within 10 mm of a sizer may not go in
# (docs/decisions/0006-airline-tolerance.md).
BORDERLINE_MARGIN_MM = 10

# How much thinner a part-full soft (fabric) bag may be pressed, as a share of
# its smallest side. Structured and unknown bags are not squashed at all.
SOFT_COMPRESS_PERCENT = 15

# Worse verdicts rank higher. A leg whose airline publishes no size is worse
# than a borderline one (nothing is promised) but better than a known excess.
_RANK: dict[str, int] = {"within": 0, "borderline": 1, "no_published_size": 2, "exceeds": 3}

_KIND_LABEL: dict[str, str] = {"personal": "personal item", "carry_on": "carry-on"}


class AirlineQueryError(MinipackError, ValueError):
    """An airline question cannot be asked as given: an unknown IATA code or kind, or a bad allowance.

    Also a ``ValueError``, for argparse and form layers.
    """


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class RuleChange:
    """An earlier size of a rule, with the source that gave it and when it applied (as far as known)."""

    published: str
    dims_mm: Dims
    since: str | None
    until: str | None
    source_url: str
    source_date: str
    note: str


@dataclass(frozen=True)
class AirlineRule:
    """One airline's limit for one kind of bag, as published, with its source and date.

    ``dims_mm`` keeps the published order; ``sorted_mm`` is what checks use.
    Both are ``None`` when the airline publishes no size. ``weight_g`` is the
    published weight limit in whole grams, ``free_on_basic`` is ``None`` when
    our sources do not say.
    """

    airline: str
    iata: str
    kind: Kind
    published: str | None
    published_alt: str | None
    dims_mm: Dims | None
    weight_g: int | None
    free_on_basic: bool | None
    source_url: str
    checked_on: str
    official_url: str
    confidence: str
    note: str
    history: tuple[RuleChange, ...] = ()

    @property
    def no_published_size(self) -> bool:
        return self.dims_mm is None

    @property
    def sorted_mm(self) -> Dims | None:
        """Sides largest first, or ``None`` when no size is published."""
        if self.dims_mm is None:
            return None
        a, b, c = sorted(self.dims_mm, reverse=True)
        return (a, b, c)

    @property
    def label(self) -> str:
        """'Ryanair (FR) personal item'."""
        return f"{self.airline} ({self.iata}) {_KIND_LABEL[self.kind]}"


@dataclass(frozen=True)
class AirlineVerdict:
    """The answer for one bag and one rule.

    ``margins_mm`` are per side in the rule's sorted order (largest first):
    the rule's side minus the bag's, so positive is room to spare and negative
    is by how much the bag is over. ``bag_mm`` is the bag as checked (sorted,
    after any compression of ``compressed_mm`` on its smallest side). Both
    margins and ``bag_mm`` are ``None`` only for ``no_published_size``.
    """

    rule: AirlineRule
    verdict: VerdictName
    margins_mm: Dims | None
    bag_mm: Dims
    compressed_mm: int
    note: str

    @property
    def airline(self) -> str:
        return self.rule.airline

    @property
    def iata(self) -> str:
        return self.rule.iata

    @property
    def kind(self) -> Kind:
        return self.rule.kind

    @property
    def source_url(self) -> str:
        return self.rule.source_url

    @property
    def checked_on(self) -> str:
        return self.rule.checked_on

    @property
    def rank(self) -> int:
        """Higher is worse: within < borderline < no_published_size < exceeds."""
        return _RANK[self.verdict]


@dataclass(frozen=True)
class TripVerdict:
    """A bag on several legs: the verdict of the worst leg, which leg that is, and every leg's answer."""

    verdict: VerdictName
    worst: AirlineVerdict
    legs: tuple[AirlineVerdict, ...]


# --------------------------------------------------------------------------- reading the data file

_RULE_KEYS = frozenset(
    {
        "airline",
        "iata",
        "kind",
        "published",
        "published_alt",
        "dims_mm",
        "no_published_size",
        "weight_kg",
        "free_on_basic",
        "source_url",
        "checked_on",
        "official_url",
        "confidence",
        "note",
        "history",
    }
)
_CHANGE_KEYS = frozenset({"published", "dims_mm", "since", "until", "source_url", "source_date", "note"})
_CONFIDENCE = ("high", "medium-high", "medium", "low")


@functools.cache
def load_airline_rules() -> tuple[AirlineRule, ...]:
    """The rules shipped in ``minipack/data/airlines.json``; read once and cached (the file is immutable)."""
    data = importlib.resources.files("minipack").joinpath("data/airlines.json").read_bytes()
    return parse_airline_rules(data, name="minipack/data/airlines.json")


def parse_airline_rules(data: bytes | str, *, name: str = "airlines.json") -> tuple[AirlineRule, ...]:
    """Read an airline rules file; any malformed part is a ``RuleDataError`` naming the file, the rule and the key."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RuleDataError(f"{name}: not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise RuleDataError(f"{name}: expected a JSON object with 'format', 'fields' and 'rules'")
    if doc.get("format") != FORMAT:
        raise RuleDataError(f"{name}: 'format' must be {FORMAT!r}, got {doc.get('format')!r}")
    if not isinstance(doc.get("fields"), dict):
        raise RuleDataError(f"{name}: the 'fields' header saying what each field means is missing")
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleDataError(f"{name}: 'rules' must be a non-empty list")
    rules: list[AirlineRule] = []
    seen: set[tuple[str, str]] = set()
    for n, raw in enumerate(raw_rules):
        rule = _rule(raw, f"{name}: rule {n}")
        key = (rule.iata, rule.kind)
        if key in seen:
            raise RuleDataError(f"{name}: rule {n}: a second {rule.kind} rule for {rule.iata}")
        seen.add(key)
        rules.append(rule)
    return tuple(rules)


def _rule(raw: object, where: str) -> AirlineRule:
    obj = _object(raw, _RULE_KEYS, where)
    iata = _text(obj, "iata", where)
    where = f"{where} ({iata})"
    if len(iata) != 2 or not iata.isascii() or not iata.isalnum() or iata != iata.upper():
        raise RuleDataError(f"{where}: 'iata' must be two upper-case letters or digits, got {iata!r}")
    kind = _text(obj, "kind", where)
    if kind not in KINDS:
        raise RuleDataError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    published = _optional_text(obj, "published", where)
    no_size = obj["no_published_size"]
    if not isinstance(no_size, bool) or no_size != (published is None):
        raise RuleDataError(f"{where}: 'no_published_size' must be true exactly when 'published' is null")
    dims = None if published is None else _dims(published, obj["dims_mm"], where)
    if published is None and obj["dims_mm"] is not None:
        raise RuleDataError(f"{where}: 'dims_mm' must be null when no size is published")
    free = obj["free_on_basic"]
    if free is not None and not isinstance(free, bool):
        raise RuleDataError(f"{where}: 'free_on_basic' must be true, false or null, got {free!r}")
    confidence = _text(obj, "confidence", where)
    if not confidence.startswith(_CONFIDENCE):
        raise RuleDataError(f"{where}: 'confidence' must start with one of {', '.join(_CONFIDENCE)}")
    history = obj["history"]
    if not isinstance(history, list):
        raise RuleDataError(f"{where}: 'history' must be a list")
    return AirlineRule(
        airline=_text(obj, "airline", where),
        iata=iata,
        kind=kind,  # narrowed by the check against KINDS above
        published=published,
        published_alt=_optional_text(obj, "published_alt", where),
        dims_mm=dims,
        weight_g=_weight_g(obj["weight_kg"], where),
        free_on_basic=free,
        source_url=_url(obj, "source_url", where),
        checked_on=_text(obj, "checked_on", where),
        official_url=_url(obj, "official_url", where),
        confidence=confidence,
        note=_text(obj, "note", where),
        history=tuple(_change(h, f"{where}: history {k}") for k, h in enumerate(history)),
    )


def _change(raw: object, where: str) -> RuleChange:
    obj = _object(raw, _CHANGE_KEYS, where)
    published = _text(obj, "published", where)
    return RuleChange(
        published=published,
        dims_mm=_dims(published, obj["dims_mm"], where),
        since=_optional_text(obj, "since", where),
        until=_optional_text(obj, "until", where),
        source_url=_url(obj, "source_url", where),
        source_date=_text(obj, "source_date", where),
        note=_text(obj, "note", where),
    )


def _object(raw: object, keys: frozenset[str], where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise RuleDataError(f"{where}: expected an object, got {type(raw).__name__}")
    missing, unknown = keys - raw.keys(), raw.keys() - keys
    if missing or unknown:
        parts = ([f"missing {sorted(missing)}"] if missing else []) + (
            [f"unknown {sorted(unknown)}"] if unknown else []
        )
        raise RuleDataError(f"{where}: {'; '.join(parts)}")
    return raw


def _text(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleDataError(f"{where}: {key!r} must be non-empty text, got {value!r}")
    return value


def _optional_text(obj: dict[str, Any], key: str, where: str) -> str | None:
    return None if obj[key] is None else _text(obj, key, where)


def _url(obj: dict[str, Any], key: str, where: str) -> str:
    value = _text(obj, key, where)
    if not value.startswith(("https://", "http://")):
        raise RuleDataError(f"{where}: {key!r} must be an http(s) address, got {value!r}")
    return value


def _dims(published: str, stored: object, where: str) -> Dims:
    # The stored millimetres are for readers of the file; the published text is
    # the fact, so the two must agree or the file was edited by half.
    try:
        parsed = parse_dimensions(published).mm
    except ParseError as exc:
        raise RuleDataError(f"{where}: cannot read 'published' {published!r}: {exc.reason}") from exc
    if not isinstance(stored, list) or tuple(stored) != parsed:
        raise RuleDataError(f"{where}: 'dims_mm' {stored!r} does not match {published!r} ({list(parsed)})")
    return parsed


def _weight_g(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleDataError(f"{where}: 'weight_kg' must be a number or null, got {value!r}")
    try:
        # Through the decimal text, so 15.9 kg is 15900 g and not 15899.999….
        grams = int(Decimal(str(value)) * 1000)
    except InvalidOperation as exc:  # pragma: no cover - json gives finite numbers
        raise RuleDataError(f"{where}: 'weight_kg' {value!r} is not a number") from exc
    if not 0 < grams <= 50_000:
        raise RuleDataError(f"{where}: 'weight_kg' {value!r} is not a plausible cabin limit")
    return grams


# --------------------------------------------------------------------------- choosing rules


def rules_for(
    codes: Sequence[str] | None = None,
    kinds: Iterable[str] = KINDS,
    *,
    rules: Sequence[AirlineRule] | None = None,
) -> tuple[AirlineRule, ...]:
    """The rules of airlines ``codes`` (IATA, any case; ``None`` for all) for ``kinds``, in the codes' order.

    Raises ``AirlineQueryError`` naming an unknown code or kind and listing the known ones.
    """
    pool = load_airline_rules() if rules is None else tuple(rules)
    wanted = tuple(kinds)
    bad_kinds = [k for k in wanted if k not in KINDS]
    if bad_kinds or not wanted:
        raise AirlineQueryError(f"unknown kind(s) {bad_kinds or wanted!r}; known: {', '.join(KINDS)}")
    known = list(dict.fromkeys(r.iata for r in pool))
    if codes is None:
        order = known
    else:
        order = list(dict.fromkeys(code.strip().upper() for code in codes))
        unknown = [c for c in order if c not in known]
        if unknown:
            raise AirlineQueryError(
                f"unknown airline code(s) {', '.join(unknown)}; known IATA codes: {', '.join(sorted(known))}"
            )
    kind_order = {k: i for i, k in enumerate(KINDS)}
    chosen = [r for r in pool if r.iata in order and r.kind in wanted]
    return tuple(sorted(chosen, key=lambda r: (order.index(r.iata), kind_order[r.kind])))


# --------------------------------------------------------------------------- checking a bag


def check_bag(dims_mm: Sequence[int], rule: AirlineRule, *, soft: bool = False, compress_mm: int = 0) -> AirlineVerdict:
    """Does a bag of outer size ``dims_mm`` (any order) meet ``rule``? See the module docstring.

    ``soft``: the bag is fabric and may be pressed ``SOFT_COMPRESS_PERCENT``
    thinner on its smallest side. ``compress_mm``: the smallest side may
    shrink by this many mm (from ``packed_compress_mm`` for a packed bag).
    The larger of the two allowances counts, and a side never shrinks below
    1 mm. Raises ``FitError`` for a bad size and ``AirlineQueryError`` for a
    negative allowance.
    """
    bag = check_dims(tuple(dims_mm), "bag")
    if isinstance(compress_mm, bool) or not isinstance(compress_mm, int) or compress_mm < 0:
        raise AirlineQueryError(f"compress_mm must be whole millimetres >= 0, got {compress_mm!r}")
    a, b, c = sorted(bag, reverse=True)
    allowance = max(compress_mm, c * SOFT_COMPRESS_PERCENT // 100 if soft else 0)
    squeezed = min(allowance, c - 1)
    checked: Dims = (a, b, c - squeezed)  # c stays the smallest side, so still sorted
    limit = rule.sorted_mm
    if limit is None:
        return AirlineVerdict(rule, "no_published_size", None, checked, squeezed, _note(rule, "no_published_size"))
    margins: Dims = (limit[0] - checked[0], limit[1] - checked[1], limit[2] - checked[2])
    worst = min(margins)
    verdict: VerdictName = "exceeds" if worst < 0 else "borderline" if worst < BORDERLINE_MARGIN_MM else "within"
    return AirlineVerdict(rule, verdict, margins, checked, squeezed, _note(rule, verdict))


def _note(rule: AirlineRule, verdict: VerdictName) -> str:
    confirm = f"Confirm with {rule.airline} before you fly ({rule.official_url}): rules change and gate staff decide."
    if verdict == "no_published_size":
        return f"{rule.airline} publishes no size for its {_KIND_LABEL[rule.kind]}. {confirm}"
    said = f"{rule.airline} {_KIND_LABEL[rule.kind]} limit: {rule.published} (source dated {rule.checked_on})."
    if rule.confidence.startswith("low"):
        said += " Our sources disagree on this limit."
    return f"{said} {confirm}"


def check_trip(
    dims_mm: Sequence[int],
    codes: Sequence[str],
    kind: Kind,
    *,
    soft: bool = False,
    compress_mm: int = 0,
) -> TripVerdict:
    """A bag on a trip of several legs (IATA codes) as ``kind``: the verdict of the worst leg, naming it.

    The worst leg is the worst verdict (exceeds > no_published_size >
    borderline > within), then the smallest margin on any side, then the
    first leg given.
    """
    if not codes:
        raise AirlineQueryError("a trip needs at least one airline code")
    legs = tuple(check_bag(dims_mm, r, soft=soft, compress_mm=compress_mm) for r in rules_for(codes, (kind,)))
    worst = min(legs, key=_badness)
    return TripVerdict(worst.verdict, worst, legs)


def _badness(v: AirlineVerdict) -> tuple[int, int]:
    # min() picks the worst: highest rank first, then the least room on any side.
    return (-v.rank, min(v.margins_mm) if v.margins_mm is not None else 0)


def strictest_rule(rules: Sequence[AirlineRule], dims_mm: Sequence[int] | None = None) -> AirlineRule:
    """The strictest of ``rules``.

    For a bag (``dims_mm``), the rule it does worst against (as ``check_trip``
    ranks legs). Without a bag, the published limit with the smallest box, since
    one limit need not be smaller than another on every side (40 x 30 x 20 cm
    against 43 x 25 x 22 cm); rules without a published size are passed over
    then. Raises ``AirlineQueryError`` when there is nothing to choose from.
    """
    if not rules:
        raise AirlineQueryError("no rules to choose the strictest from")
    if dims_mm is not None:
        return min((check_bag(dims_mm, r) for r in rules), key=_badness).rule
    sized = [r for r in rules if r.sorted_mm is not None]
    if not sized:
        raise AirlineQueryError("none of these airlines publishes a size")
    return min(sized, key=lambda r: (_box(r.sorted_mm), r.sorted_mm))


def _box(dims: Dims | None) -> int:
    assert dims is not None  # callers pass sized rules only
    return dims[0] * dims[1] * dims[2]


# --------------------------------------------------------------------------- a packed bag


def packed_compress_mm(interior_mm: Sequence[int], placements: Sequence[Placement], *, construction: str) -> int:
    """How far a packed soft bag's smallest side can shrink: down to the kit's packed depth plus the walls.

    The placements are the fit engine's, along the axes of ``interior_mm``.
    The depth is how far the items reach along the interior's thinnest axis;
    the engine's layout need not be the thinnest one, so this errs towards
    less compression. As the inside is the outside less two walls on every
    side, "packed depth plus walls" leaves the interior's thinnest side minus
    the packed depth to squeeze. Soft items (a scarf) spread into the room
    around and are not counted. Structured and unknown bags do not give: 0.
    """
    interior = check_dims(tuple(interior_mm), "interior")
    if construction != "soft":
        return 0
    axis = min(range(3), key=lambda k: (interior[k], k))
    depth = max((p.end_mm[axis] for p in placements), default=0)
    return max(0, interior[axis] - depth)


def kit_compress_mm(product: Product, items: Sequence[Item], *, budget_s: float = 5.0) -> int:
    """``packed_compress_mm`` for a catalog bag and a kit; 0 when the kit does not fit or the bag has no size."""
    estimate = estimate_interior(product)
    if estimate is None:
        return 0
    space: BagSpace = estimate.space
    result = check_fit(space, items, budget_s=budget_s)
    if not result.fits:
        return 0
    return packed_compress_mm(space.interior_mm, result.pack.placements, construction=estimate.construction)
