"""Reading a ``POST /api/fit`` body: the JSON Lines request of docs/fit.md, plus library ids and catalog slugs.

The validation is ``minipack.fit.jsonl.parse_request``'s, unchanged. The
API adds two conveniences before handing it the text: an item may be a
library id or a custom spec (``"iphone-15"``, ``"book:180x120x20mm"``),
written out as the object it stands for; and ``{"slug": ...}`` names a bag
of the site's catalog (the database), whose interior replaces it. The body
is re-written token by token (numbers as written, a key given twice kept
twice), so ``parse_request`` still sees ``7.5``, ``NaN`` or a duplicated key
and refuses them with its own messages.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from minipack.errors import MinipackError
from minipack.fit import BagSpace, Item
from minipack.fit.items import resolve_items
from minipack.fit.jsonl import MAX_LINE_BYTES, FitRequest, RequestError, parse_request
from minipack_web.api import selectors


class _Raw(str):
    """A number or constant token, as written."""


class _Pairs(list[tuple[str, Any]]):
    """An object as its key/value pairs, a key given twice kept twice."""


_READER = json.JSONDecoder(parse_float=_Raw, parse_int=_Raw, parse_constant=_Raw, object_pairs_hook=_Pairs)


def read_fit_body(body: bytes) -> FitRequest:
    """The valid request in ``body``; ``RequestError`` (every problem, each with its field path) otherwise."""
    if len(body) > MAX_LINE_BYTES:
        raise RequestError(None, [f"request: longer than {MAX_LINE_BYTES:,} bytes (1 MiB), the most a request may be"])
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise RequestError(None, ["request: not valid UTF-8 text"]) from exc
    try:
        doc = _READER.decode(text)
    except (ValueError, RecursionError):
        doc = None
    if not isinstance(doc, _Pairs) or len({key for key, _ in doc}) != len(doc):
        return parse_request(text)  # not an object, or a key given twice: the core says exactly what is wrong
    problems: list[str] = []
    space: BagSpace | None = None
    rewritten = _Pairs()
    for key, value in doc:
        if key == "items" and isinstance(value, list):
            value = [_item(v, f"items[{i}]", problems) for i, v in enumerate(value[:51])] + value[51:]
        elif key == "bag" and isinstance(value, _Pairs) and [k for k, _ in value] == ["slug"]:
            space = _catalog_bag(value[0][1], problems)
            if space is not None:
                value = _Pairs(
                    [("interior_mm", [_Raw(n) for n in space.interior_mm]), ("usable_ml", _Raw(space.usable_ml))]
                )
        rewritten.append((key, value))
    if problems:
        raise RequestError(_id_of(doc), problems)
    try:
        request = parse_request(_write(rewritten))
    except RecursionError as exc:
        raise RequestError(None, ["request: nested too deeply"]) from exc
    return request if space is None else dataclasses.replace(request, bag=space)


def _id_of(doc: _Pairs) -> str | int | None:
    for key, value in doc:
        if key == "id" and isinstance(value, str) and not isinstance(value, _Raw) and len(value) <= 200:
            return value
    return None


def _item(value: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(value, str) or isinstance(value, _Raw):
        return value
    try:
        (item,) = resolve_items([value])
    except MinipackError as exc:
        problems.append(f"{path}: {getattr(exc, 'reason', exc)}")
        return value
    return _item_pairs(item)


def _item_pairs(item: Item) -> _Pairs:
    pairs = _Pairs(
        [
            ("name", item.name),
            ("dims_mm", [_Raw(n) for n in item.dims_mm]),
            ("shape", item.shape),
            ("rigid", item.rigid),
        ]
    )
    if item.volume_ml is not None and not item.rigid:
        pairs.append(("volume_ml", _Raw(item.volume_ml)))
    if item.weight_g is not None:
        pairs.append(("weight_g", _Raw(item.weight_g)))
    return pairs


def _catalog_bag(slug: Any, problems: list[str]) -> BagSpace | None:
    if not isinstance(slug, str) or isinstance(slug, _Raw):
        problems.append("bag.slug: must be text")
        return None
    if selectors.bag_record(slug=slug) is None:
        close = selectors.slugs_like(slug)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; GET /api/bags lists the slugs"
        problems.append(f"bag.slug: no bag {json.dumps(slug[:80])} in the catalog{hint}")
        return None
    space = selectors.bag_fit_space(slug=slug)
    if space is None:
        problems.append(f"bag.slug: the bag {json.dumps(slug)} has no published size, so its interior is unknown")
    return space


def _write(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, _Pairs):
        return "{" + ",".join(json.dumps(k) + ":" + _write(v) for k, v in value) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_write(v) for v in value) + "]"
    return json.dumps(value)
