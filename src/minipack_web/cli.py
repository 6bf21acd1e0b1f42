"""The `minipack` command: one front door to the core and to the site's database.

Commands that only read files (`import-article`, `check`, `fit`,
`fits-in-catalog`) call the pure core directly and never start Django. Commands that touch the database
(`import-catalog`, `import-history`, `export-catalog`, `load-bundled`,
`backup`, `restore`, and the newsletter's `send-digest`, `send-mail`,
`import-subscribers`) start Django with the
development settings (or DJANGO_SETTINGS_MODULE) and run the same management
commands an operator would run through manage.py, so there is one
implementation of each.

Exit codes: 0 done; 1 the input was refused (the message says which input and
why; nothing was written), or some mail did not go out (`send-digest`,
`send-mail` list which); 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from minipack.errors import MinipackError

if TYPE_CHECKING:
    from minipack.fit import BagSpace, FitResult, Item
    from minipack.fit.screen import BagVerdict


def _cmd_import_article(args: argparse.Namespace) -> int:
    from minipack.extract import extract_article, format_report, read_article, report_as_json

    text = read_article(Path(args.path))
    report = extract_article(
        text,
        source_url=args.source_url,
        source_date=args.source_date,
    )
    if args.json:
        print(json.dumps(report_as_json(report), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from minipack.catalog import bundled_catalog, merge_records, read_catalog_file
    from minipack.checks import check_catalog

    if args.file:
        catalog = merge_records(read_catalog_file(Path(args.file)))
        label = args.file
    else:
        catalog = bundled_catalog()
        label = "the bundled catalog"
    findings = check_catalog(catalog)
    if args.json:
        print(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2))
        return 0
    print(f"{len(findings)} finding(s) for {len(catalog)} bag(s) in {label}")
    current = None
    for f in findings:
        if f.product != current:
            current = f.product
            print(f"\n{current}")
        print(f"  [{f.severity}] {f.code} ({f.field}): {f.message}")
        for label_, value in f.evidence:
            print(f"      {label_}: {value}")
    return 0


# --------------------------------------------------------------------------- fit (docs/fit.md)

# Items are separated by commas, except a comma between two digits, which is a
# decimal comma inside a custom size ('pouch:soft 0,5L').
_ITEM_SEPARATOR = re.compile(r"(?<![0-9]),|,(?![0-9])")
SMALLEST_BAGS = 3


def _item_names(values: Sequence[str]) -> list[str]:
    return [name.strip() for value in values for name in _ITEM_SEPARATOR.split(value) if name.strip()]


def _mm(dims: Sequence[int]) -> str:
    return " x ".join(str(v) for v in dims) + " mm"


def _litres(dims: Sequence[int]) -> str:
    return f"{dims[0] * dims[1] * dims[2] / 1e6:.1f} L"


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "name": item.name,
        "dims_mm": list(item.dims_mm),
        "shape": item.shape,
        "rigid": item.rigid,
        "volume_ml": item.volume_ml,
    }


def _bag_json(space: BagSpace) -> dict[str, Any]:
    return {"slug": space.name, "interior_mm": list(space.interior_mm), "usable_ml": space.usable_ml}


def _cmd_fit(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.bag or args.items or args.json or args.svg:
            print(
                "minipack fit: --jsonl reads every request from standard input; drop the other options", file=sys.stderr
            )
            return 2
        return _fit_jsonl()
    if not args.bag or not args.items:
        print("minipack fit: give --bag SLUG and --items ITEM,ITEM,... (or --jsonl)", file=sys.stderr)
        return 2

    from minipack.catalog import bundled_catalog
    from minipack.fit import check_fit
    from minipack.fit.items import resolve_items
    from minipack.fit.jsonl import bundled_bag, response_for
    from minipack.fit.screen import catalog_spaces, screen_catalog, smallest_bags

    space = bundled_bag(args.bag)
    items = resolve_items(_item_names(args.items))
    result = check_fit(space, items)
    smallest = smallest_bags(screen_catalog(catalog_spaces(bundled_catalog()), items), SMALLEST_BAGS)
    if args.svg:
        from minipack.fit.svg import packing_svg

        title = f"{bundled_catalog().by_slug(space.name).name}: {result.verdict.replace('_', ' ')}"
        Path(args.svg).write_text(packing_svg(space, items, result.pack.placements, title=title), encoding="utf-8")
    if args.json:
        document = response_for(None, result)
        del document["id"]
        document = {
            "bag": _bag_json(space),
            "items": [_item_json(item) for item in items],
            **document,
            "remove_to_fit": None if result.remove_to_fit is None else list(result.remove_to_fit),
            "soft_ml": result.soft_ml,
            "soft_room_ml": result.soft_room_ml,
            "smallest_bags": [_bag_json(v.space) for v in smallest],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_fit(space, items, result, smallest)
    if args.svg:
        print(f"picture written to {args.svg}", file=sys.stderr)
    return 0


def _print_fit(space: BagSpace, items: Sequence[Item], result: FitResult, smallest: Sequence[BagVerdict]) -> None:
    from minipack.catalog import bundled_catalog

    catalog = bundled_catalog()
    print(f"{catalog.by_slug(space.name).name} ({space.name})")
    print(f"  inside: {_mm(space.interior_mm)}, {space.usable_ml:,} ml usable")
    print("  kit: " + ", ".join(f"{item.name} ({_mm(item.dims_mm)}{'' if item.rigid else ', soft'})" for item in items))
    print()
    print(f"{result.verdict.replace('_', ' ').upper()}: {result.reason}")
    if result.proof is not None:
        how = f", by {result.proof.method.replace('_', ' ')}" if result.proof.method else ""
        print(f"  proof: {result.proof.kind.replace('_', ' ')}{how}")
    if result.soft_ml:
        print(f"  soft items: {result.soft_ml:,} ml to squeeze into {result.soft_room_ml:,} ml of room")
    if result.fits and result.pack.placements:
        width = max(len(p.name) for p in result.pack.placements)
        print()
        print(f"  {'item':<{width}}  {'at x, y, z (mm)':>17}  {'size (mm)':>17}")
        for p in result.pack.placements:
            at = ", ".join(str(v) for v in p.position_mm)
            size = " x ".join(str(v) for v in p.size_mm)
            print(f"  {p.name:<{width}}  {at:>17}  {size:>17}")
    if result.remove_to_fit:
        print()
        print("  leave out to fit: " + ", ".join(result.remove_to_fit))
    print()
    if smallest:
        print("Smallest bags in the catalog that take this kit:")
        for v in smallest:
            print(f"  {catalog.by_slug(v.space.name).name} ({v.space.name}): inside {_mm(v.space.interior_mm)}")
    else:
        print("No bag in the catalog takes this kit.")


def _fit_jsonl() -> int:
    from minipack.fit.jsonl import read_lines, run_jsonl

    summary = run_jsonl(read_lines(_utf8(sys.stdin)), sys.stdout)
    print(summary, file=sys.stderr)
    return 0  # error lines are answers too: the batch itself succeeded


def _utf8(stream: TextIO) -> TextIO:
    """Standard input read as UTF-8 whatever the locale; undecodable bytes become an error line, not a crash."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # already text (a test's StringIO)
        return stream
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape")


def _cmd_fits_in_catalog(args: argparse.Namespace) -> int:
    from minipack.catalog import bundled_catalog
    from minipack.fit.interior import bag_space
    from minipack.fit.items import resolve_items
    from minipack.fit.screen import screen_catalog

    catalog = bundled_catalog()
    items = resolve_items(_item_names(args.items))
    spaces = [s for s in (bag_space(p) for p in catalog) if s is not None]
    sized = {s.name for s in spaces}
    unsized = [p for p in catalog if p.slug not in sized]
    screened = screen_catalog(spaces, items)
    verdicts = sorted(screened, key=lambda v: (_volume(v.space.interior_mm), v.space.name))
    if args.json:
        document = {
            "items": [_item_json(item) for item in items],
            "bags": [
                {
                    **_bag_json(v.space),
                    "name": catalog.by_slug(v.space.name).name,
                    "verdict": _verdict(v),
                    "decided_by": v.decided_by,
                    "reason": v.reason,
                }
                for v in verdicts
            ],
            "no_size_published": [{"slug": p.slug, "name": p.name} for p in unsized],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return 0
    print("Kit: " + ", ".join(f"{item.name} ({_mm(item.dims_mm)})" for item in items))
    print(f"{len(screened.fitting)} of {len(verdicts)} bags with a published size take it ({len(unsized)} without one)")
    print()
    print(f"  {'verdict':<17} {'decided by':<10} {'inside (mm)':>15} {'box':>7}  bag")
    for v in verdicts:
        inside = " x ".join(str(x) for x in v.space.interior_mm)
        verdict = _verdict(v).replace("_", " ")
        print(f"  {verdict:<17} {v.decided_by:<10} {inside:>15} {_litres(v.space.interior_mm):>7}  {v.space.name}")
    for p in unsized:
        print(f"  {'no size published':<17} {'':<10} {'':>15} {'':>7}  {p.slug}")
    return 0


def _volume(dims: Sequence[int]) -> int:
    return dims[0] * dims[1] * dims[2]


def _verdict(v: BagVerdict) -> str:
    # The engine may know that a fit is tight; the prepass and dominance only know that it fits.
    if v.engine is not None and v.engine.verdict == "tight":
        return "tight"
    return v.verdict


def _django_command(name: str, *args: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipack_web.settings.dev")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    try:
        call_command(name, *args)
    except CommandError as exc:
        print(f"minipack: {exc}", file=sys.stderr)
        return 1
    return 0


def _progress_flag(args: argparse.Namespace) -> list[str]:
    return [] if args.progress is None else ["--progress" if args.progress else "--no-progress"]


def _add_progress_flags(p: argparse.ArgumentParser) -> None:
    progress = p.add_mutually_exclusive_group()
    progress.add_argument("--progress", action="store_true", default=None, help="show progress bars")
    progress.add_argument("--no-progress", dest="progress", action="store_false", help="never show them")


def _cmd_import_catalog(args: argparse.Namespace) -> int:
    extra = ["--dry-run"] if args.dry_run else []
    return _django_command("import_catalog", args.file, *extra, *_progress_flag(args))


def _cmd_export_catalog(args: argparse.Namespace) -> int:
    extra = ["--output", args.output] if args.output else []
    return _django_command("export_catalog", "--format", args.format, *extra)


def _cmd_load_bundled(args: argparse.Namespace) -> int:
    return _django_command("load_bundled_catalog")


def _cmd_import_history(args: argparse.Namespace) -> int:
    return _django_command("import_history", "--limit", str(args.limit))


def _cmd_backup(args: argparse.Namespace) -> int:
    extra = ["--output", args.output] if args.output else []
    return _django_command("backup_db", *extra, *_progress_flag(args))


def _cmd_restore(args: argparse.Namespace) -> int:
    extra = ["--force"] if args.force else []
    return _django_command("restore_db", args.path, *extra, *_progress_flag(args))


# --------------------------------------------------------------------------- the newsletter (docs/decisions/0010)


def _cmd_send_digest(args: argparse.Namespace) -> int:
    extra = ["--rate", str(args.rate)] if args.rate else []
    if args.dry_run:
        extra.append("--dry-run")
    if args.progress is not None:
        extra.append("--progress" if args.progress else "--no-progress")
    return _django_command("send_digest", *extra)


def _cmd_send_mail(args: argparse.Namespace) -> int:
    return _django_command("send_mail")


def _cmd_import_subscribers(args: argparse.Namespace) -> int:
    extra = ["--dry-run"] if args.dry_run else []
    return _django_command("import_subscribers", args.file, *extra)


def _rate(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of mails per second above zero")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minipack",
        description="Minipack: an honest buying guide for mini backpack purses.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import-article", help="extract products, claims and findings from a listicle")
    p.add_argument("path", help="the article, as plain text or HTML")
    p.add_argument("--json", action="store_true", help="print one JSON document (see docs/article-import.md)")
    p.add_argument("--source-url", default="", help="where the article was read (recorded on every claim)")
    p.add_argument("--source-date", default="undated", help="the article's date as it states it")
    p.set_defaults(func=_cmd_import_article)

    p = sub.add_parser("check", help="list the spec-check findings of the bundled catalog or a catalog file")
    p.add_argument("--file", help="a catalog file (CSV or JSON) instead of the bundled catalog")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("import-catalog", help="import a catalog file (CSV or JSON) into the site, all or nothing")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    _add_progress_flags(p)
    p.set_defaults(func=_cmd_import_catalog)

    p = sub.add_parser(
        "import-history", help="list recent catalog imports and how each ended (an interrupted one says so)"
    )
    p.add_argument("--limit", type=int, default=20, help="how many, newest first (default 20)")
    p.set_defaults(func=_cmd_import_history)

    p = sub.add_parser("export-catalog", help="export the site's catalog")
    p.add_argument("--format", choices=("csv", "json"), required=True)
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_export_catalog)

    p = sub.add_parser("load-bundled", help="load the bundled catalog into the site's database")
    p.set_defaults(func=_cmd_load_bundled)

    p = sub.add_parser(
        "backup", help="back up the site's database (safe while it serves), with a manifest restore checks"
    )
    p.add_argument("--output", help="file or folder to write (default: MINIPACK_VAR_DIR/backups, named by UTC time)")
    _add_progress_flags(p)
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser(
        "restore", help="restore a backup into an empty database; checks its checksum and every table's rows"
    )
    p.add_argument("path", help="the backup file, or its .manifest.json")
    p.add_argument("--force", action="store_true", help="replace a database that has data (backed up first)")
    _add_progress_flags(p)
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser(
        "send-digest",
        help="build this week's newsletter issue and send it to confirmed subscribers (resumable: once each)",
    )
    p.add_argument("--rate", type=_rate, help="mails per second (default: MINIPACK_NEWSLETTER_RATE, 10)")
    p.add_argument("--dry-run", action="store_true", help="print the issue a send would build; keep nothing")
    progress = p.add_mutually_exclusive_group()
    progress.add_argument("--progress", action="store_true", default=None, help="show a progress bar")
    progress.add_argument("--no-progress", dest="progress", action="store_false", help="never show one")
    p.set_defaults(func=_cmd_send_digest)

    p = sub.add_parser(
        "send-mail", help="send queued newsletter mail (confirmations) and delete expired signups; for cron"
    )
    p.set_defaults(func=_cmd_send_mail)

    p = sub.add_parser(
        "import-subscribers",
        help="import people who confirmed elsewhere (CSV with their consent), all or nothing; suppressions win",
    )
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    p.set_defaults(func=_cmd_import_subscribers)

    p = sub.add_parser(
        "fit",
        help="does a kit fit a catalog bag? (or answer JSON Lines requests with --jsonl; see docs/fit.md)",
    )
    p.add_argument("--bag", metavar="SLUG", help="a bag of the bundled catalog, by slug")
    p.add_argument(
        "--items",
        action="append",
        metavar="ITEM,ITEM,...",
        help="item library ids or custom items such as 'book:180x120x20mm' (may be repeated)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("--svg", metavar="FILE", help="also draw the packing as an SVG picture in FILE")
    p.add_argument(
        "--jsonl",
        action="store_true",
        help="read one JSON request per line from standard input, answer one per line on standard output",
    )
    p.set_defaults(func=_cmd_fit)

    p = sub.add_parser("fits-in-catalog", help="which bags of the bundled catalog take a kit")
    p.add_argument("--items", action="append", required=True, metavar="ITEM,ITEM,...", help="as for `fit`")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=_cmd_fits_in_catalog)

    from minipack_web.commands import airline, rank

    airline.add_parser(sub)
    rank.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except MinipackError as exc:  # includes ImportRowError, which lists every bad row
        print(f"minipack: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `minipack check | head` is fine
        return 0
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
