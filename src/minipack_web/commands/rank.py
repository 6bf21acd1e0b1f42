"""`minipack rank` and `minipack guide`: a personal top 10 that explains itself (minipack.rank).

Both read the bundled catalog through the pure core and never start Django.
``add_parsers(subparsers)`` registers them on the `minipack` parser; each
sets ``func``, which returns the exit code (``MinipackError`` is left to the
caller, which prints it and exits 1).
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence

from minipack.errors import PreferenceError
from minipack.rank import Preferences, Ranking, Weights

# Items are separated by commas, except a comma between two digits (a decimal comma in 'pouch:soft 0,5L').
_ITEM_SEPARATOR = re.compile(r"(?<![0-9]),|,(?![0-9])")


def _split(values: Sequence[str] | None, pattern: str | re.Pattern[str] = ",") -> list[str]:
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip() for part in re.split(pattern, value) if part.strip())
    return out


def _budget(text: str | None, currency: str) -> tuple[int | None, str | None]:
    if text is None:
        return None, None
    from minipack.units import parse_price

    money = parse_price(text, default_currency=currency)
    return money.amount_minor, money.currency


def preferences_from_args(args: argparse.Namespace) -> Preferences:
    """The ``Preferences`` the command line asks for."""
    from minipack.fit.items import resolve_items
    from minipack.units import parse_length_mm, parse_volume_ml

    low, low_cur = _budget(args.budget_min, args.currency)
    high, high_cur = _budget(args.budget_max, args.currency)
    currencies = {c for c in (low_cur, high_cur) if c}
    if len(currencies) > 1:
        raise PreferenceError(f"the budget mixes currencies {sorted(currencies)}")
    return Preferences(
        budget_min=low,
        budget_max=high,
        currency=currencies.pop() if currencies else args.currency,
        capacity_min_ml=parse_volume_ml(args.min_capacity).low_ml if args.min_capacity else None,
        capacity_max_ml=parse_volume_ml(args.max_capacity).high_ml if args.max_capacity else None,
        max_weight_g=args.max_weight_g,
        max_depth_mm=parse_length_mm(args.max_depth, default_unit="mm") if args.max_depth else None,
        must_have=frozenset(_split(args.must)),
        materials_include=tuple(_split(args.material)),
        materials_exclude=tuple(_split(args.not_material)),
        categories=frozenset(_split(args.category)),
        airlines=tuple(_split(args.airline)),
        kit=tuple(resolve_items(_split(args.items, _ITEM_SEPARATOR))),
        weights=Weights(args.w_price, args.w_capacity, args.w_weight, args.w_organisation),
    )


def _cmd_rank(args: argparse.Namespace) -> int:
    from minipack.catalog import bundled_catalog
    from minipack.rank import rank

    ranking = rank(bundled_catalog(), preferences_from_args(args), top=args.top)
    if args.json:
        print(json.dumps(ranking.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_ranking(ranking))
    return 0


def _cmd_guide(args: argparse.Namespace) -> int:
    from minipack.catalog import bundled_catalog
    from minipack.guides import guide_by_slug, run_guide

    guide = guide_by_slug(args.slug)
    ranking = run_guide(guide.slug, bundled_catalog())
    if args.json:
        document = {"slug": guide.slug, "title": guide.title, "intro": guide.intro, "written": guide.written}
        document |= ranking.as_dict()
        for bag in document["ranked"]:
            bag["note"] = guide.notes.get(bag["slug"], "")
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        print(guide.title)
        print(guide.intro)
        print()
        print(format_ranking(ranking, notes=guide.notes))
    return 0


def format_ranking(ranking: Ranking, *, notes: Mapping[str, str] | None = None) -> str:
    """The text a person reads: ranked bags with their points, not-for-you, what would change, Pareto marks."""
    notes = notes or {}
    prefs = ranking.preferences
    weights = ", ".join(
        f"{name} {w:g}"
        for name, w in zip(("price", "capacity", "weight", "organisation"), prefs.weights.as_tuple(), strict=True)
    )
    lines = [
        f"Top {len(ranking.ranked)} for you ({prefs.describe()}); "
        f"{ranking.eligible} bag(s) pass, {len(ranking.excluded)} do not",
        f"weights: {weights}",
        "",
    ]
    if not ranking.ranked:
        lines.append("  No bag meets every constraint; see what would change the answer below.")
    for bag in ranking.ranked:
        mark = " *" if bag.pareto else ""
        lines.append(f"{bag.position:2}. {bag.name} ({bag.slug})  {bag.score:.1f} points{mark}")
        for c in bag.contributions:
            source = f"  [{c.source}]" if c.source else ""
            note = f"  ({c.note}: counted as the worst)" if c.missing else (f"  ({c.note})" if c.note else "")
            lines.append(f"      {c.criterion:<13} {c.raw:<38} {c.points:+6.1f}{note}{source}")
        if bag.variants:
            lines.append("      also as: " + ", ".join(bag.variants))
        if bag.slug in notes:
            lines.append(f"      our note: {notes[bag.slug]}")
    if any(bag.pareto for bag in ranking.ranked):
        lines.append("")
        lines.append("* on the Pareto front: no other bag that passes is at least as good on every weighted")
        lines.append("  criterion and better on one.")
    lines.append("")
    lines.append(f"Not for you ({len(ranking.excluded)}):")
    for e in ranking.excluded:
        lines.append(f"  {e.name} ({e.slug}): {'; '.join(e.reasons)}")
    lines.append("")
    lines.append("What would change the answer:")
    if not ranking.counterfactuals:
        lines.append("  Relaxing one constraint would add no bag.")
    for c in ranking.counterfactuals:
        lines.append(f"  {c.message[0].upper()}{c.message[1:]}.")
    return "\n".join(lines)


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document")


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `rank` and `guide` on the `minipack` command's sub-parsers."""
    p = subparsers.add_parser("rank", help="your top 10 bags of the bundled catalog, each explained")
    p.add_argument("--budget-max", metavar="PRICE", help="e.g. 100 or '$100' (in --currency unless written)")
    p.add_argument("--budget-min", metavar="PRICE")
    p.add_argument("--currency", default="USD", help="currency of a plain budget number (default USD)")
    p.add_argument("--must", action="append", metavar="FEATURE,...", help="features the bag must have")
    p.add_argument("--airline", action="append", metavar="CODE,...", help="IATA codes whose personal item it must be")
    p.add_argument("--items", action="append", metavar="ITEM,...", help="item library ids or custom items to hold")
    p.add_argument("--max-weight-g", type=int, metavar="G")
    p.add_argument("--max-depth", metavar="SIZE", help="smallest outer side, e.g. '12 cm' (mm if no unit)")
    p.add_argument("--min-capacity", metavar="VOLUME", help="e.g. '6 L'")
    p.add_argument("--max-capacity", metavar="VOLUME")
    p.add_argument("--material", action="append", metavar="TEXT,...", help="material must contain one of these")
    p.add_argument("--not-material", action="append", metavar="TEXT,...", help="material must contain none")
    p.add_argument("--category", action="append", metavar="CATEGORY,...")
    defaults = Weights()
    for name in ("price", "capacity", "weight", "organisation"):
        p.add_argument(
            f"--w-{name}",
            type=float,
            default=getattr(defaults, name),
            metavar="W",
            help=f"weight of {name} in the score (default {getattr(defaults, name):g})",
        )
    p.add_argument("--top", type=int, default=10)
    _add_output(p)
    p.set_defaults(func=_cmd_rank)

    p = subparsers.add_parser("guide", help="one of our editorial guides, ranked on the bundled catalog")
    p.add_argument("slug", metavar="SLUG", help="e.g. best-under-100")
    _add_output(p)
    p.set_defaults(func=_cmd_guide)
