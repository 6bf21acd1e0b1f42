"""The `minipack` command: one front door to the core and to the site's database.

Commands that only read files (`import-article`, `check`) call the pure core
directly and never start Django. Commands that touch the database
(`import-catalog`, `export-catalog`, `load-bundled`) start Django with the
development settings (or DJANGO_SETTINGS_MODULE) and run the same management
commands an operator would run through manage.py, so there is one
implementation of each.

Exit codes: 0 done; 1 the input was refused (the message says which input and
why; nothing was written); 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from minipack.errors import MinipackError


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


def _cmd_import_catalog(args: argparse.Namespace) -> int:
    extra = ["--dry-run"] if args.dry_run else []
    return _django_command("import_catalog", args.file, *extra)


def _cmd_export_catalog(args: argparse.Namespace) -> int:
    extra = ["--output", args.output] if args.output else []
    return _django_command("export_catalog", "--format", args.format, *extra)


def _cmd_load_bundled(args: argparse.Namespace) -> int:
    return _django_command("load_bundled_catalog")


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
    p.set_defaults(func=_cmd_import_catalog)

    p = sub.add_parser("export-catalog", help="export the site's catalog")
    p.add_argument("--format", choices=("csv", "json"), required=True)
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(func=_cmd_export_catalog)

    p = sub.add_parser("load-bundled", help="load the bundled catalog into the site's database")
    p.set_defaults(func=_cmd_load_bundled)
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
