"""`minipack rank` and `minipack guide`: a personal top 10 that explains itself (minipack.rank).

Both read the bundled catalog through the pure core and never start Django.
``add_parsers(subparsers)`` registers them on the `minipack` parser; each
sets ``func``, which returns the exit code (``MinipackError`` is left to the
caller, which prints it and exits 1).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping

from minipack.preferences import LIST_FIELDS, TEXT_FIELDS, WEIGHT_FIELDS, preferences_from_text
from minipack.rank import Preferences, Ranking, Weights


def preferences_from_args(args: argparse.Namespace) -> Preferences:
    """The ``Preferences`` the command line asks for, read by the core as the API reads its query string."""
    names = (*TEXT_FIELDS, *LIST_FIELDS, *WEIGHT_FIELDS)
    return preferences_from_text({name: getattr(args, name) for name in names})


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
    p.add_argument("--max-weight-g", metavar="G")
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
