"""The JSON Lines batch protocol of the fit engine: one question per line in, one answer per line out.

This module is responsible for reading fit requests written by other
programs, refusing each bad one with a message that names the field and the
reason, and answering the good ones with ``check_fit``, in input order, one
line each (docs/fit.md describes the format). A bad request never stops the
batch: it gets an error line and the next line is read. Input is streamed,
so a batch of any length runs in the memory of one request; no line may be
longer than ``MAX_LINE_BYTES``, and ``read_lines`` enforces that without
ever holding a longer line in memory.

Validation is strict in the way ``minipack.units`` is (decisions/0004):
sizes are whole millimetres, and anything a careless client might send by
mistake (true for a size, "147" as text, NaN, 7.5 mm, a key the protocol
does not know, a key given twice) is refused rather than guessed at.
"""

from __future__ import annotations

import difflib
import functools
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TextIO

from minipack.catalog import bundled_catalog
from minipack.errors import FitError, MinipackError
from minipack.fit import BagSpace, FitResult, Item, check_fit
from minipack.fit.interior import bag_space
from minipack.fit.model import MAX_ITEMS
from minipack.units import MAX_LENGTH_MM, MAX_VOLUME_ML, MAX_WEIGHT_G

__all__ = [
    "MAX_ID_CHARS",
    "MAX_ITEMS",
    "MAX_LINE_BYTES",
    "MAX_NAME_CHARS",
    "BatchSummary",
    "FitRequest",
    "RequestError",
    "answer_request",
    "bundled_bag",
    "parse_request",
    "read_lines",
    "response_for",
    "run_jsonl",
]

# 1 MiB is hundreds of times a 50-item request; a longer line is a mistake (a
# pasted file, a runaway generator), and the limit bounds the memory per line.
MAX_LINE_BYTES = 1_048_576
MAX_ID_CHARS = 200
# As for the item library's names: they are shown on pages and drawn in pictures.
MAX_NAME_CHARS = 60

_REQUEST_KEYS = ("id", "bag", "items")
_BAG_KEYS = ("interior_mm", "usable_ml", "slug")
_ITEM_KEYS = ("name", "dims_mm", "shape", "rigid", "volume_ml", "weight_g")


class RequestError(FitError):
    """A request line that cannot be answered: every problem found, each naming its field path.

    ``request_id`` is the request's id when it could be read (else None), so
    the error line can still be matched to the request.
    """

    def __init__(self, request_id: str | int | None, problems: list[str]) -> None:
        self.request_id = request_id
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class FitRequest:
    """One valid request: the id to echo, the bag's space and the kit."""

    id: str | int | None
    bag: BagSpace
    items: tuple[Item, ...]


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did; ``str()`` is the one-line summary the CLI prints to stderr."""

    requests: int = 0
    fit: int = 0
    not_fit: int = 0
    undecided: int = 0
    errors: int = 0

    def __str__(self) -> str:
        text = f"{self.requests} requests, {self.fit} fit, {self.not_fit} do not fit, {self.errors} errors"
        # Rare (the engine ran out of time), so only mentioned when it happened.
        return text + (f", {self.undecided} undecided" if self.undecided else "")


# --------------------------------------------------------------------------- reading lines


def read_lines(stream: TextIO, max_bytes: int = MAX_LINE_BYTES) -> Iterator[str]:
    """The lines of ``stream``, reading no more than ``max_bytes + 1`` characters of any line.

    A longer line is yielded cut to ``max_bytes + 1`` characters (which
    ``run_jsonl`` then refuses as too long) and the rest of it is read in
    small pieces and dropped, so one giant line cannot exhaust memory.
    """
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith("\n"):
            while True:
                rest = stream.readline(65_536)
                if not rest or rest.endswith("\n"):
                    break
        yield line


# --------------------------------------------------------------------------- the batch


def run_jsonl(lines: Iterable[str], out: TextIO) -> BatchSummary:
    """Answer every request in ``lines``, writing one JSON line per request to ``out`` in the same order.

    Blank lines are skipped. A bad request gets ``{"id": ..., "error": ...}``
    and the batch goes on. Each answer is flushed as it is written, so a
    reader at the other end of a pipe sees it at once.
    """
    requests = fit = not_fit = undecided = errors = 0
    first = True
    for raw in lines:
        line = raw.rstrip("\r\n")
        if first:
            # Windows tools put a byte-order mark before the first line; it is not part of the JSON.
            line = line.removeprefix("\ufeff")
            first = False
        if not line.strip():
            continue
        requests += 1
        response: dict[str, Any]
        try:
            request = parse_request(line)
            response = answer_request(request)
        except RequestError as exc:
            response = {"id": exc.request_id, "error": str(exc)}
        if "error" in response:
            errors += 1
        elif response["fits"]:
            fit += 1
        elif response["verdict"] == "undecided":
            undecided += 1
        else:
            not_fit += 1
        out.write(json.dumps(response, ensure_ascii=True) + "\n")
        out.flush()
    return BatchSummary(requests, fit, not_fit, undecided, errors)


def answer_request(request: FitRequest) -> dict[str, Any]:
    """The response object for a valid request (``check_fit``'s answer, as JSON values)."""
    try:
        result = check_fit(request.bag, request.items)
    except MinipackError as exc:  # e.g. a question the engine refuses to ask; the batch goes on
        raise RequestError(request.id, [f"request: cannot be checked: {exc}"]) from exc
    return response_for(request.id, result)


def response_for(request_id: str | int | None, result: FitResult) -> dict[str, Any]:
    """The protocol's view of a ``FitResult``; placements only when it fits (they prove it)."""
    placements = result.pack.placements if result.fits else ()
    proof = result.proof
    return {
        "id": request_id,
        "fits": result.fits,
        "verdict": result.verdict,
        "placements": [
            {"name": p.name, "position_mm": list(p.position_mm), "size_mm": list(p.size_mm)} for p in placements
        ],
        "reason": result.reason,
        "proof": None
        if proof is None
        else {"kind": proof.kind, "message": proof.message, "items": list(proof.items), "method": proof.method},
    }


# --------------------------------------------------------------------------- parsing one request


class _NonFinite:
    """What NaN, Infinity and -Infinity parse to, so that the field holding one can be named."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Float:
    """A JSON number with a fraction or exponent, kept exactly and as written ('7.5', '1e999')."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.value = Decimal(text)


class _Object(dict[str, Any]):
    """A JSON object that remembers keys given more than once (``json`` would keep only the last)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        obj.duplicates = tuple(key for key, n in counts.items() if n > 1)
    return obj


_DECODER = json.JSONDecoder(
    # Not float: 1e999 would become inf, and a message should show what was written.
    parse_float=_Float,
    parse_constant=_NonFinite,
    object_pairs_hook=_object,
)


def parse_request(line: str) -> FitRequest:
    """Read and check one request line; ``RequestError`` lists every problem, each with its field path."""
    size = _utf8_size(line)
    if size is None:
        raise RequestError(None, ["line: not valid UTF-8 text"])
    if size > MAX_LINE_BYTES:
        raise RequestError(None, [f"line: longer than {MAX_LINE_BYTES:,} bytes (1 MiB), the most a request may be"])
    try:
        doc = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        raise RequestError(None, [f"line: not valid JSON: {exc.msg} at column {exc.colno}"]) from exc
    except RecursionError as exc:
        raise RequestError(None, ["line: not valid JSON: nested too deeply"]) from exc
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise RequestError(None, [f"line: not valid JSON: {exc}"]) from exc
    if not isinstance(doc, dict):
        raise RequestError(None, [f"request: must be a JSON object, got {_shown(doc)}"])
    checker = _Checker()
    request_id = checker.request_id(doc)
    checker.keys(doc, "request", _REQUEST_KEYS)
    bag = checker.bag(doc)
    items = checker.items(doc)
    if checker.problems or bag is None or items is None:
        raise RequestError(request_id, checker.problems)
    return FitRequest(request_id, bag, items)


def _utf8_size(line: str) -> int | None:
    """Bytes of ``line`` in UTF-8; None when it holds undecodable input (lone surrogates)."""
    if len(line) > MAX_LINE_BYTES:
        return len(line)  # at least one byte a character: too long whatever it holds
    try:
        return len(line.encode("utf-8"))
    except UnicodeEncodeError:
        return None


class _Checker:
    """Collects every problem of one request rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(f"{path}: {reason}")

    def keys(self, obj: dict[str, Any], path: str, known: tuple[str, ...]) -> None:
        for key in getattr(obj, "duplicates", ()):
            self.problem(path, f"the key {json.dumps(key)} is given twice")
        for key in obj:
            if key not in known:
                self.problem(path, f"unknown key {_quoted(key)}; known keys: {', '.join(known)}")

    def request_id(self, doc: dict[str, Any]) -> str | int | None:
        value = doc.get("id")
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str) and len(value) <= MAX_ID_CHARS:
            return value
        if isinstance(value, str):
            self.problem("id", f"longer than {MAX_ID_CHARS} characters")
        else:
            self.problem("id", f"must be text, a whole number or null, got {_shown(value)}")
        return None

    # ---------------------------------------------------------------- bag

    def bag(self, doc: dict[str, Any]) -> BagSpace | None:
        if "bag" not in doc:
            self.problem("bag", 'missing; give {"interior_mm": [w, h, d]} or {"slug": "..."}')
            return None
        bag = doc["bag"]
        if not isinstance(bag, dict):
            self.problem("bag", f"must be an object, got {_shown(bag)}")
            return None
        before = len(self.problems)
        self.keys(bag, "bag", _BAG_KEYS)
        if "slug" in bag:
            if "interior_mm" in bag or "usable_ml" in bag:
                self.problem("bag", "give either slug or interior_mm (with usable_ml), not both")
                return None
            space = self.catalog_bag(bag["slug"])
            return space if len(self.problems) == before else None
        if "interior_mm" not in bag:
            self.problem("bag.interior_mm", 'missing; give {"interior_mm": [w, h, d]} or {"slug": "..."}')
            return None
        interior = self.dims(bag["interior_mm"], "bag.interior_mm")
        if interior is None:
            return None
        box_ml = interior[0] * interior[1] * interior[2] // 1000
        if box_ml > MAX_VOLUME_ML:
            self.problem(
                "bag.interior_mm",
                f"holds {box_ml:,} ml, more than the {MAX_VOLUME_ML // 1000} L Minipack checks (not a mini bag)",
            )
            return None
        usable = box_ml
        if "usable_ml" in bag:
            value = self.whole(bag["usable_ml"], "bag.usable_ml", "ml", low=0, high=MAX_VOLUME_ML)
            if value is None:
                return None
            if value > box_ml:
                self.problem("bag.usable_ml", f"{value} ml is more than the interior box holds ({box_ml} ml)")
                return None
            usable = value
        if len(self.problems) > before:
            return None
        name = "interior " + " x ".join(str(v) for v in interior) + " mm"
        return BagSpace(name=name, interior_mm=interior, usable_ml=usable)

    def catalog_bag(self, slug: object) -> BagSpace | None:
        if not isinstance(slug, str):
            self.problem("bag.slug", f"must be text, got {_shown(slug)}")
            return None
        try:
            return bundled_bag(slug)
        except FitError as exc:
            self.problem("bag.slug", str(exc))
            return None

    # ---------------------------------------------------------------- items

    def items(self, doc: dict[str, Any]) -> tuple[Item, ...] | None:
        if "items" not in doc:
            self.problem("items", "missing; give a list of items")
            return None
        value = doc["items"]
        if not isinstance(value, list):
            self.problem("items", f"must be a list of items, got {_shown(value)}")
            return None
        if not value:
            self.problem("items", "is empty; list at least one item")
            return None
        if len(value) > MAX_ITEMS:
            self.problem("items", f"at most {MAX_ITEMS} items per request, got {len(value)}")
            return None
        out = [self.item(obj, f"items[{i}]") for i, obj in enumerate(value)]
        if any(item is None for item in out):
            return None
        return tuple(item for item in out if item is not None)

    def item(self, obj: object, path: str) -> Item | None:
        if not isinstance(obj, dict):
            self.problem(path, f"must be an object, got {_shown(obj)}")
            return None
        before = len(self.problems)
        self.keys(obj, path, _ITEM_KEYS)
        name = self.name(obj, path)
        dims = self.dims(obj["dims_mm"], f"{path}.dims_mm") if "dims_mm" in obj else None
        if "dims_mm" not in obj:
            self.problem(f"{path}.dims_mm", "missing; give three sides in mm, e.g. [147, 71, 8]")
        shape = obj.get("shape", "box")
        if shape not in ("box", "cylinder"):
            self.problem(f"{path}.shape", f'must be "box" or "cylinder", got {_shown(shape)}')
        elif shape == "cylinder" and dims is not None and dims[0] != dims[1]:
            self.problem(
                f"{path}.dims_mm",
                f"a cylinder is [diameter, diameter, length]; got {dims[0]} and {dims[1]} mm for the diameter",
            )
        rigid = obj.get("rigid", True)
        if not isinstance(rigid, bool):
            self.problem(f"{path}.rigid", f"must be true or false, got {_shown(rigid)}")
        volume = None
        if "volume_ml" in obj:
            volume = self.whole(obj["volume_ml"], f"{path}.volume_ml", "ml", low=1, high=MAX_VOLUME_ML)
            if rigid is True:
                # A rigid item packs by its sides; a volume on it would be silently ignored.
                self.problem(f"{path}.volume_ml", 'only a soft item ("rigid": false) takes a volume')
        weight = None
        if "weight_g" in obj:
            weight = self.whole(obj["weight_g"], f"{path}.weight_g", "g", low=0, high=MAX_WEIGHT_G)
        if len(self.problems) > before or name is None or dims is None:
            return None
        try:
            return Item(name=name, dims_mm=dims, shape=shape, rigid=rigid, volume_ml=volume, weight_g=weight)
        except FitError as exc:  # the engine's own checks; ours should have caught everything first
            self.problem(path, str(exc))
            return None

    def name(self, obj: dict[str, Any], path: str) -> str | None:
        if "name" not in obj:
            self.problem(f"{path}.name", "missing; give the item a name")
            return None
        value = obj["name"]
        if not isinstance(value, str):
            self.problem(f"{path}.name", f"must be text, got {_shown(value)}")
            return None
        name = " ".join(value.split())
        if not name:
            self.problem(f"{path}.name", "is empty")
        elif len(name) > MAX_NAME_CHARS:
            self.problem(f"{path}.name", f"longer than {MAX_NAME_CHARS} characters")
        elif any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
            self.problem(f"{path}.name", "has control or unprintable characters")
        else:
            return name
        return None

    # ---------------------------------------------------------------- numbers

    def dims(self, value: object, path: str) -> tuple[int, int, int] | None:
        if not isinstance(value, list):
            self.problem(path, f"must be a list of 3 sizes in mm, got {_shown(value)}")
            return None
        if len(value) != 3:
            self.problem(path, f"must list 3 sizes in mm, got {len(value)}")
            return None
        sides = [self.whole(v, f"{path}[{k}]", "mm", low=1, high=MAX_LENGTH_MM) for k, v in enumerate(value)]
        a, b, c = sides
        if a is None or b is None or c is None:
            return None
        return (a, b, c)

    def whole(self, value: object, path: str, unit: str, *, low: int, high: int) -> int | None:
        """A whole number in [low, high]; 147.0 is 147, but 7.5, true, "147" and NaN are refused."""
        what = "a positive whole number" if low >= 1 else "a whole number (0 or more)"
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, _Float) and value.value == value.value.to_integral_value():
            # Compared before int(): int(Decimal('1e999999')) would build a million-digit number.
            exact = value.value
            number = low - 1 if exact < low else high + 1 if exact > high else int(exact)
        if number is None or number < low:
            self.problem(path, f"must be {what} of {unit}, got {_shown(value)}")
            return None
        if number > high:
            self.problem(path, f"must be at most {high} {unit}, got {_shown(value)}")
            return None
        return number


@functools.lru_cache(maxsize=256)
def bundled_bag(slug: str) -> BagSpace:
    """The interior of the bundled catalog's bag ``slug`` (docs/decisions/0005-bag-interior.md).

    Raises ``FitError`` for an unknown slug, naming the closest ones, and
    for a bag with no published size. Cached: the bundled catalog is
    immutable.
    """
    catalog = bundled_catalog()
    if slug not in catalog:
        close = difflib.get_close_matches(slug, [p.slug for p in catalog], n=3, cutoff=0.5)
        hint = (
            "did you mean " + " or ".join(_quoted(c) for c in close) + "?"
            if close
            else "`minipack fits-in-catalog` lists the slugs"
        )
        raise FitError(f"no bag {_quoted(slug)} in the bundled catalog; {hint}")
    space = bag_space(catalog.by_slug(slug))
    if space is None:
        raise FitError(f"the bag {_quoted(slug)} has no published size, so its interior is unknown")
    return space


def _quoted(text: str) -> str:
    return json.dumps(text if len(text) <= 40 else text[:40] + "\u2026", ensure_ascii=False)


def _shown(value: object) -> str:
    """A value as the request wrote it, short: -5, 7.5, true, null, "147", NaN, a list, an object."""
    if isinstance(value, _NonFinite):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        text = str(value) if value.bit_length() < 64 else f"a {len(str(abs(value)))}-digit number"
        return text
    if isinstance(value, _Float):
        return value.text if len(value.text) <= 40 else value.text[:40] + "\u2026"
    if isinstance(value, str):
        return "the text " + _quoted(value)
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
