"""`minipack airline-check`: does a bag meet airlines' personal-item and carry-on limits?

The bag is a bundled catalog bag (``--bag SLUG``, its chosen exterior) or a
size (``--dims "45 x 36 x 25 cm"``); the rules are the core's
(``minipack.airlines``), each answer with its source and date. Like the other
read-only commands it never starts Django. Exit codes: 0 answered; 1 the input
was refused (an unknown slug or airline, a size that cannot be read); 2 the
command line itself is wrong.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from typing import Any

from minipack.errors import MinipackError

# The table's width for the limit column: "16.25 x 13.5 x 8 in" and "no size published" fit.
_LIMIT_WIDTH = 22


def add_parser(subparsers: Any) -> None:
    """Register `airline-check` on the `minipack` command's subparsers."""
    p = subparsers.add_parser(
        "airline-check",
        help="does a bag meet airlines' personal-item (under-seat) and carry-on size limits?",
        description=(
            "Check a bag against airlines' published personal-item and carry-on limits. Every answer names "
            "its source and date; confirm with the airline before you fly."
        ),
    )
    bag = p.add_mutually_exclusive_group(required=True)
    bag.add_argument("--bag", metavar="SLUG", help="a bag of the bundled catalog, by slug")
    bag.add_argument("--dims", metavar='"L x W x D UNIT"', help="an outer size such as '45 x 36 x 25 cm'")
    p.add_argument(
        "--airline",
        action="append",
        metavar="XX",
        help="an IATA code such as FR (may be repeated or comma-separated; default: every airline)",
    )
    p.add_argument("--kind", choices=("personal", "carry_on"), help="one kind of bag (default: both)")
    p.add_argument(
        "--squeeze",
        action="store_true",
        help="count on a part-full soft bag being pressed 15%% thinner (with --bag, only fabric bags give)",
    )
    p.add_argument(
        "--items",
        metavar="ITEM,ITEM,...",
        help="with --bag: what you will pack: a fabric bag is checked at its as-packed depth (fit engine)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list, one object per airline and kind")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """The handler: answers, or a message on standard error and exit code 1 for refused input."""
    try:
        return _run(args)
    except MinipackError as exc:
        print(f"minipack: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    from minipack.airlines import KINDS, check_bag, rules_for
    from minipack.units import parse_dimensions

    if args.bag is not None:
        resolved = _catalog_bag(args.bag)
        if resolved is None:
            return 1
        label, dims, soft = resolved
    else:
        dims = parse_dimensions(args.dims).mm
        label, soft = args.dims.strip(), True
    codes = None if not args.airline else [c for value in args.airline for c in value.split(",") if c.strip()]
    kinds = (args.kind,) if args.kind else KINDS
    squeeze = bool(args.squeeze and soft)
    compress = 0
    if args.items:
        if args.bag is None:
            raise MinipackError("--items needs --bag: the as-packed depth comes from a catalog bag's interior")
        from minipack.airlines import kit_compress_mm
        from minipack.catalog import bundled_catalog
        from minipack.fit.items import resolve_items

        compress = kit_compress_mm(bundled_catalog().by_slug(args.bag), resolve_items(_split_items(args.items)))
    verdicts = [check_bag(dims, rule, soft=squeeze, compress_mm=compress) for rule in rules_for(codes, kinds)]
    if args.json:
        print(json.dumps([_as_json(v) for v in verdicts], ensure_ascii=False, indent=2))
        return 0
    _print_table(label, dims, verdicts, squeezed=squeeze)
    if compress:
        print(f"Packed with {args.items}, the bag can be pressed {compress} mm thinner (fit engine's placement).")
    return 0


def _split_items(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _catalog_bag(slug: str) -> tuple[str, tuple[int, int, int], bool] | None:
    """The bag's name, chosen exterior and whether it is fabric; ``None`` (after a message) when it cannot be used."""
    from minipack.catalog import bundled_catalog
    from minipack.fit.interior import construction_of
    from minipack.units import Dimensions

    catalog = bundled_catalog()
    if slug not in catalog:
        slugs = [p.slug for p in catalog]
        # A part of a slug ('kanken') is the commonest near miss; spelling slips come next.
        close = [s for s in slugs if slug.lower() in s][:3] or difflib.get_close_matches(slug, slugs, n=3, cutoff=0.5)
        hint = "did you mean " + " or ".join(close) + "?" if close else "`minipack fits-in-catalog` lists the bags"
        print(f"minipack: no bag {slug!r} in the bundled catalog; {hint}", file=sys.stderr)
        return None
    product = catalog.by_slug(slug)
    exterior = product.value("exterior")
    if not isinstance(exterior, Dimensions):
        print(f"minipack: {product.name} ({slug}) has no published size to check", file=sys.stderr)
        return None
    material = product.value("material")
    soft = construction_of(material if isinstance(material, str) else None) == "soft"
    return f"{product.name} ({slug})", exterior.mm, soft


def _as_json(v: Any) -> dict[str, Any]:
    rule = v.rule
    return {
        "airline": v.airline,
        "iata": v.iata,
        "kind": v.kind,
        "verdict": v.verdict,
        "margins_mm": None if v.margins_mm is None else list(v.margins_mm),
        "source_url": v.source_url,
        "checked_on": v.checked_on,
        "published": rule.published,
        "limit_mm": None if rule.sorted_mm is None else list(rule.sorted_mm),
        "bag_mm": list(v.bag_mm),
        "compressed_mm": v.compressed_mm,
        "weight_kg": None if rule.weight_g is None else rule.weight_g / 1000,
        "free_on_basic": rule.free_on_basic,
        "confidence": rule.confidence,
        "official_url": rule.official_url,
        "note": v.note,
    }


def _print_table(label: str, dims: tuple[int, int, int], verdicts: list[Any], *, squeezed: bool) -> None:
    from minipack.airlines import BORDERLINE_MARGIN_MM, SOFT_COMPRESS_PERCENT

    sides = " x ".join(str(s) for s in sorted(dims, reverse=True))
    print(f"Bag: {label}, {sides} mm largest side first")
    if squeezed:
        print(f"  counted as a soft bag pressed up to {SOFT_COMPRESS_PERCENT} % thinner when not full")
    print(f"  'borderline': no side over, but less than {BORDERLINE_MARGIN_MM} mm to spare on one")
    print()
    width = max(len(v.airline) for v in verdicts) if verdicts else 7
    head = f"  {'airline':<{width}} {'':2}  {'kind':<8}  {'verdict':<17}  {'limit':<{_LIMIT_WIDTH}}  {'room (mm)':<17}"
    print(f"{head}  source date")
    for v in verdicts:
        limit = v.rule.published or "no size published"
        room = "" if v.margins_mm is None else ", ".join(f"{m:+d}" for m in v.margins_mm)
        verdict = v.verdict.replace("_", " ")
        print(
            f"  {v.airline:<{width}} {v.iata:2}  {v.kind:<8}  {verdict:<17}  {limit:<{_LIMIT_WIDTH}}  {room:<17}  "
            f"{v.checked_on}"
        )
    print()
    print("Room is the limit's side minus the bag's, largest side first; negative means over.")
    print("Sources (confirm with the airline before you fly; rules change):")
    for url in dict.fromkeys(v.source_url for v in verdicts):
        codes = ", ".join(dict.fromkeys(v.iata for v in verdicts if v.source_url == url))
        print(f"  {codes}: {url}")
