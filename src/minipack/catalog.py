"""Catalog files: reading and writing the JSON and CSV formats of docs/catalog-format.md.

This module turns catalog files into ``ImportRecord``s (one per CSV row or
JSON product, each with its line number) and catalogs back into files. It is
responsible for three promises. *All or nothing*: every row is read and
every bad cell of every row is collected, then a file with any problem is
refused once, as a whole, with an ``ImportRowError`` listing them all.
*One reader*: ``claim_from_text`` is the only place a written value ("8 W x
11 H x 4.75 D in", "$49.99", "front_pocket; rain_flap") becomes a ``Claim``;
imports and the Django layer's reads both go through it, so a value is
always judged by the same strict ``minipack.units`` parsers. *Exports
re-import*: the writers are deterministic (products sorted by slug, sources
and claims in a fixed order) and write values that the readers turn back
into exactly the same claims.

CSV specifics (docs/catalog-format.md leaves these to the implementation):

* The ``category`` cell: on a row with a source, a filled cell is that
  source's ``category`` claim (the source files the bag there) and an empty
  cell means the source says nothing about it. The product's catalog
  category is set by a row *without* a source when there is one, otherwise
  by the category cells of its rows, which must then agree. So a file can
  say "the catalog lists it as a crossbody, and this article calls it a
  backpack", and the writer adds a source-less row exactly when it must.
* Brand, model and colourways are the product's, repeated on its rows; rows
  of one slug that disagree are a problem, never a silent "last one wins".
* Aliases are the product's too, like colourways. The ``note`` cell is the
  note of every claim on its row (a note on a row without claims is a
  problem, since it would be lost).
* One product's claims from one source may span several rows: one row per
  note, and more rows when the source gives one field several values (a
  review quoting three prices). The reader merges the rows of one (slug,
  source) into one record, whose line is the first of them, so an import
  still replaces that source's claims as a whole; a claim repeated exactly
  (same field, value and note) is a problem naming both lines. The writer
  groups a source's claims by note and splits a group into as many rows as
  it needs, so CSV carries everything JSON does.
"""

from __future__ import annotations

import csv
import difflib
import functools
import importlib.resources
import io
import json
import re
import sys
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from minipack.errors import ImportRowError, MinipackError, ParseError, RowProblem, RuleDataError, SpecError
from minipack.records import (
    CATEGORIES,
    FEATURES,
    FIELDS,
    Claim,
    ClaimKind,
    Product,
    Source,
    SourceDate,
    fold,
    slugify,
)
from minipack.units import (
    Dimensions,
    format_dimensions,
    format_price,
    format_volume,
    format_weight,
    parse_dimensions,
    parse_price,
    parse_volume_ml,
    parse_weight_g,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Catalog",
    "ImportRecord",
    "bundled_catalog",
    "claim_from_text",
    "claim_to_text",
    "dump_catalog_csv",
    "dump_catalog_json",
    "merge_records",
    "neutralise_cell",
    "parse_catalog_csv",
    "parse_catalog_json",
    "read_catalog_file",
]

T = TypeVar("T")

FORMAT = "minipack-catalog/1"

# Refused before any row is parsed: far beyond any real catalog, small enough
# that a mistaken upload (a database dump, a video) cannot tie up a worker.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000

# Longest text accepted per field, so that whatever the core accepts also fits
# the site's database columns (minipack_web.catalog.models) instead of failing
# there, after the all-or-nothing check has already passed.
MAX_CHARS = {
    "brand": 120,
    "model": 200,
    "colourway": 100,
    "alias": 200,
    "material": 200,
    "source_title": 500,
    "source_url": 1000,
    "source_date": 200,
    "note": 2000,
}

CSV_COLUMNS = (
    "slug",
    "brand",
    "model",
    "category",
    "colourways",
    "aliases",
    "exterior",
    "capacity",
    "weight",
    "material",
    "features",
    "price",
    "note",
    "source_title",
    "source_url",
    "source_date",
    "source_kind",
)
# The value columns (and colourways, aliases, note) may be left out of a file (a file of
# prices only, or one written before aliases and notes had columns); the identity and
# source columns may not, because without them no row can be read.
REQUIRED_CSV_COLUMNS = ("slug", "brand", "model", "category", "source_title", "source_date", "source_kind")
# Claim cells other than ``category``, which is special (see the module docstring).
VALUE_COLUMNS = ("exterior", "capacity", "weight", "material", "features", "price")

# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@")

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# docs/catalog-format.md: YYYY-MM-DD, YYYY-MM or YYYY, or 'undated', each optionally followed by words.
# SourceDate.parse alone would read '13/01/2024' as an undated source with words; a file must not.
_SOURCE_DATE = re.compile(r"(?:[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?|undated)(?:\s+\S.*)?", re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ImportRecord:
    """One CSV row or one JSON product, read and checked, with where it came from.

    ``line`` is the 1-based physical line where the record starts: for CSV the
    line its row starts on (the header is line 1; a quoted cell holding a line
    break makes its row span several lines), for JSON the line of the
    product's opening ``{``.
    """

    line: int
    product: Product


@dataclass(frozen=True)
class Catalog:
    """Products with unique slugs, sorted by slug."""

    products: tuple[Product, ...]
    _index: dict[str, Product] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Product] = {}
        for product in self.products:
            if product.slug in index:
                raise SpecError(f"the catalog has two products with the slug {product.slug!r}")
            index[product.slug] = product
        object.__setattr__(self, "_index", index)

    def by_slug(self, slug: str) -> Product:
        """The product with this slug; ``KeyError`` if there is none."""
        return self._index[slug]

    def __contains__(self, slug: object) -> bool:
        return slug in self._index

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)


# --------------------------------------------------------------------------- values <-> text


def claim_from_text(field: str, value: str | list[str], source: Source, *, note: str = "") -> Claim:
    """The claim that ``source`` makes by writing ``value`` for ``field``.

    ``value`` is text as published ('8 W x 11 H x 4.75 D in', '5-7 L',
    '7.68 oz', '$49.99', 'Vinylon F', 'backpack'); features also take a list
    of vocabulary codes or a ';'-separated text. The claim keeps the
    (stripped) text as ``published``. Raises ``ParseError`` for a value the
    unit parsers refuse and ``SpecError`` for anything else wrong.
    """
    parsed, published = _read_value(field, value)
    return Claim(field, parsed, source, published=published, note=note)


def claim_to_text(claim: Claim) -> str | list[str]:
    """The text to write for ``claim``: what ``claim_from_text`` reads back to the same value.

    That is the published text when it reads back to the claim's value (so a
    file keeps the source's own words and units), else the value formatted by
    ``minipack.units``. Features come back as a list of codes.
    """
    if claim.published:
        try:
            value, published = _read_value(claim.field, claim.published)
        except MinipackError:
            value = published = None
        if value == claim.value and published is not None:
            return _feature_list(published) if claim.field == "features" else published
    return _format_value(claim.field, claim.value)


def _read_value(field: str, value: object) -> tuple[Any, str]:
    """(value, published text) for one written value; the rules behind ``claim_from_text``."""
    if field == "features":
        codes = _feature_codes(value)
        return frozenset(codes), "; ".join(codes)
    if field not in FIELDS:
        raise SpecError(f"unknown field {field!r}; known: {', '.join(FIELDS)}")
    if not isinstance(value, str):
        raise SpecError(f"expected text, got {_json_type(value)}")
    text = value.strip()
    if field == "exterior":
        return parse_dimensions(text), text
    if field == "capacity":
        return parse_volume_ml(text), text
    if field == "weight":
        return parse_weight_g(text), text
    if field == "price":
        return parse_price(text), text
    if field == "category":
        return _category(text), text.lower()
    # material: free text, but not nothing.
    _check_text(text, "material")
    return text, text


def _format_value(field: str, value: Any) -> str | list[str]:
    if field == "features":
        return sorted(value)
    if field == "exterior":
        return _format_dimensions(value)
    if field == "capacity":
        return format_volume(value)
    if field == "weight":
        return format_weight(value)
    if field == "price":
        return format_price(value)
    return str(value)


def _format_dimensions(dims: Dimensions) -> str:
    """In the unit the source used, so the value reads back with the same ``unit``."""
    if dims.unit == "mm":
        nums = [str(v) for v in dims.mm]
        if dims.axes:
            nums = [f"{n} {a}" for n, a in zip(nums, dims.axes, strict=True)]
        return " x ".join(nums) + " mm"
    return format_dimensions(dims, "imperial" if dims.unit == "in" else "metric")


def _feature_codes(value: object) -> list[str]:
    if isinstance(value, str):
        items: list[object] = list(value.split(";"))
    elif isinstance(value, list):
        items = value
    else:
        raise SpecError(f"features take a list of codes or a ';'-separated text, not {_json_type(value)}")
    if not all(isinstance(item, str) for item in items):
        raise SpecError("every feature must be a text code")
    # Order kept (it is how the source listed them), repeats dropped.
    codes = list(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    if not codes:
        raise SpecError("no features given; leave the claim out instead")
    unknown = [code for code in codes if code not in FEATURES]
    if unknown:
        hints = [f"{code!r} (did you mean {_suggest_feature(code)!r}?)" for code in unknown if _suggest_feature(code)]
        plain = [repr(code) for code in unknown if not _suggest_feature(code)]
        raise SpecError(f"unknown feature {', '.join(hints + plain)}; known: {', '.join(FEATURES)}")
    return codes


def _suggest_feature(text: str) -> str | None:
    """The code a person probably meant: 'Front pocket' or 'front-pocket' -> 'front_pocket'."""
    key = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
    if key in FEATURES:
        return key
    for code, label in FEATURES.items():
        if fold(label) == fold(text).strip():
            return code
    close = difflib.get_close_matches(key, list(FEATURES), n=1, cutoff=0.8)
    return close[0] if close else None


def _feature_list(published: str) -> list[str]:
    return [part.strip() for part in published.split(";") if part.strip()]


def _category(text: str) -> str:
    # Lower-casing is safe (the four names are lower-case words); anything else is refused.
    if text.lower() not in CATEGORIES:
        raise SpecError(f"unknown category {text!r}; known: {', '.join(CATEGORIES)}")
    return text.lower()


def _check_text(text: str, what: str) -> None:
    if not text:
        raise SpecError(f"{what} is empty")
    limit = MAX_CHARS[what]
    if len(text) > limit:
        raise SpecError(f"{what} is longer than {limit} characters")


def _check_slug(slug: str, brand: str, model: str) -> str | None:
    """Why ``slug`` is refused, with the slug we would suggest; None if it is fine."""
    if _SLUG.fullmatch(slug) and len(slug) <= 80:
        return None
    try:
        hint = f"; for this bag: {slugify(brand, model)!r}" if brand and model else ""
    except SpecError:
        hint = ""
    if not slug:
        return "a slug is required" + hint
    return "a slug is 1-80 lower-case letters and digits in words joined by single dashes" + hint


def _read_source_date(text: str) -> SourceDate:
    if not text:
        raise SpecError("a source date is required; write 'undated' if the source gives none")
    if not _SOURCE_DATE.fullmatch(text):
        raise SpecError("expected YYYY-MM-DD, YYYY-MM or YYYY (optionally followed by words), or 'undated'")
    _check_text(text, "source_date")
    return SourceDate.parse(text)


def _read_kind(text: str) -> ClaimKind:
    if not text:
        raise SpecError(f"a source kind is required: one of {', '.join(k.value for k in ClaimKind)}")
    try:
        return ClaimKind(text.lower())
    except ValueError:
        raise SpecError(f"unknown source kind {text!r}; known: {', '.join(k.value for k in ClaimKind)}") from None


def _read_url(text: str) -> str:
    if text and not re.match(r"^https?://\S+$", text):
        raise SpecError("a source URL must start with http:// or https:// and contain no spaces")
    if len(text) > MAX_CHARS["source_url"]:
        raise SpecError(f"source_url is longer than {MAX_CHARS['source_url']} characters")
    return text


def _reason(exc: MinipackError) -> str:
    return exc.reason if isinstance(exc, ParseError) else str(exc)


# --------------------------------------------------------------------------- files


def read_catalog_file(path: Path, *, progress: bool = False) -> list[ImportRecord]:
    """Read a ``.csv`` or ``.json`` catalog file; see ``parse_catalog_csv`` and ``parse_catalog_json``.

    ``progress`` shows a progress bar on stderr while rows are checked.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise RuleDataError(f"{path.name}: unknown catalog file type {suffix or '(none)'!r}; use .csv or .json")
    try:
        # Checked before reading, so a huge file is never loaded into memory.
        size = path.stat().st_size
        _check_size(size, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise RuleDataError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    if suffix == ".csv":
        return _parse_csv(data, path.name, progress=progress)
    return _parse_json(data, path.name, progress=progress)


def _check_size(size: int, name: str) -> None:
    if size > MAX_FILE_BYTES:
        raise RuleDataError(
            f"{name}: {size / 1024 / 1024:.1f} MB is over the {MAX_FILE_BYTES // 1024 // 1024} MB limit; split the file"
        )


def _check_rows(count: int, name: str) -> None:
    if count > MAX_ROWS:
        raise RuleDataError(f"{name}: more than {MAX_ROWS:,} rows; split the file")


def _decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped), or a clear refusal: never mojibake."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RuleDataError(f"{name}: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise RuleDataError(f"{name}: a NUL byte at byte {nul}: UTF-16 or a binary file? save it as UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at, byte = exc.start, data[exc.start]
        line = data.count(b"\n", 0, at) + 1
        # 0x80-0x9F are control codes in Latin-1 but curly quotes and dashes in Windows-1252.
        guess = "Latin-1" if byte >= 0xA0 else "Windows-1252"
        shown = bytes([byte]).decode("latin-1" if byte >= 0xA0 else "cp1252", errors="replace")
        raise RuleDataError(
            f"{name}: not UTF-8 (looks like {guess}?) at byte {at} (line {line}): byte 0x{byte:02X}, "
            f"which {guess} reads as {shown!r}; save the file as UTF-8"
        ) from None


def _progress(items: Sequence[T], name: str, enabled: bool) -> Iterable[T]:
    if not enabled:
        return items
    # Imported only when asked for: importing tqdm costs more than parsing a small file. It ships no
    # type information (types-tqdm is not a dependency), hence the ignore and the annotation.
    from tqdm import tqdm  # type: ignore[import-untyped]

    bar: Iterable[T] = tqdm(items, desc=name, unit="row", file=sys.stderr)
    return bar


def neutralise_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading "'"; ``_unneutralise`` undoes it.

    Apostrophes already in front of such a cell count too ("'=x" is written
    "''=x"), so that every text survives export and import unchanged.
    """
    return "'" + text if text.lstrip("'").startswith(_FORMULA_START) else text


# The old private name, kept for callers written before the CSV download made it public.
_neutralise = neutralise_cell


def _unneutralise(text: str) -> str:
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_START) else text


# --------------------------------------------------------------------------- CSV: reading


@dataclass
class _CsvRow:
    """One CSV row as read, before the rows of one slug are checked against each other."""

    line: int
    slug: str | None  # None when the slug cell was refused
    brand: str
    model: str
    category: str  # '' when the cell is empty or refused
    colourways: tuple[str, ...]
    aliases: tuple[str, ...]
    source: Source | None
    source_failed: bool  # the row names a source that was refused: skip cross-row checks on it
    failed: bool  # the row has a problem of its own
    claims: list[Claim]
    cells: dict[str, str]  # the raw cell of each claim's field, to show in a problem about the claim


def parse_catalog_csv(data: bytes, *, name: str) -> list[ImportRecord]:
    """Read a CSV catalog (docs/catalog-format.md): one record per product and source, in file order.

    The rows of one (slug, source) become one record, at the line of the
    first of them; a row without a source is a record of its own (no
    claims, it sets the catalog category). ``name`` labels messages (the file name). Raises ``ImportRowError`` with
    every bad cell if any row is bad, ``RuleDataError`` for a problem with the
    file as a whole (encoding, header, malformed quoting, size).
    """
    return _parse_csv(data, name, progress=False)


def _parse_csv(data: bytes, name: str, *, progress: bool) -> list[ImportRecord]:
    _check_size(len(data), name)
    rows = _csv_rows(_decode(data, name), name)
    if not rows:
        raise RuleDataError(f"{name}: the file is empty; the first line must be the header")
    header_line, header = rows[0]
    columns = _csv_header(header, header_line, name)
    problems: list[RowProblem] = []
    read: list[_CsvRow] = []
    for line, cells in _progress(rows[1:], name, progress):
        row = _read_csv_row(line, cells, columns, problems)
        if row is not None:
            read.append(row)
    records = _csv_records(read, problems)
    if problems:
        raise ImportRowError(name, sorted(problems, key=lambda p: p.line))
    return records


def _csv_rows(text: str, name: str) -> list[tuple[int, list[str]]]:
    """(start line, cells) of every non-blank row; the first is the header."""
    # newline='' lets the csv module see quoted line breaks, and line_num then
    # counts physical lines, so a row's start is one past the previous row's end.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, cells))
                # The header does not count; checked while reading, before any value is parsed.
                _check_rows(len(rows) - 1, name)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RuleDataError(f"{name}: line {reader.line_num}: malformed CSV: {exc}") from None
    return rows


def _csv_header(cells: list[str], line: int, name: str) -> dict[str, int]:
    names = [cell.strip().lower() for cell in cells]
    complaints = []
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        complaints.append("repeated column(s) " + ", ".join(map(repr, repeated)))
    unknown = [n for n in dict.fromkeys(names) if n not in CSV_COLUMNS]
    if unknown:
        described = []
        for n in unknown:
            close = difflib.get_close_matches(n, CSV_COLUMNS, n=1)
            described.append(f"{n!r} (did you mean {close[0]!r}?)" if close else repr(n))
        complaints.append("unknown column(s) " + ", ".join(described))
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in names]
    if missing:
        complaints.append("missing required column(s) " + ", ".join(map(repr, missing)))
    if complaints:
        raise RuleDataError(
            f"{name}: line {line} (the header): {'; '.join(complaints)}. Columns: {', '.join(CSV_COLUMNS)}"
        )
    return {n: i for i, n in enumerate(names)}


class _Cells:
    """The cells of one CSV row by column name, and the problems found in them."""

    def __init__(self, line: int, cells: list[str], columns: dict[str, int], problems: list[RowProblem]) -> None:
        self.line, self.cells, self.columns, self.problems = line, cells, columns, problems

    def raw(self, column: str) -> str:
        """The cell as the file wrote it (an optional column left out of the file reads as empty)."""
        return self.cells[self.columns[column]] if column in self.columns else ""

    def __getitem__(self, column: str) -> str:
        """The cell's text: stripped, with the export's anti-formula "'" taken off again."""
        return _unneutralise(self.raw(column).strip())

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(RowProblem(self.line, column, self.raw(column), reason))

    def read(self, column: str, reader: Callable[[str], T]) -> T | None:
        """``reader(cell)``, or None with a problem recorded if it refuses the cell."""
        try:
            return reader(self[column])
        except (ParseError, SpecError) as exc:
            self.problem(column, _reason(exc))
            return None


def _read_csv_row(line: int, cells: list[str], columns: dict[str, int], problems: list[RowProblem]) -> _CsvRow | None:
    if len(cells) != len(columns):
        problems.append(
            RowProblem(
                line,
                "(row)",
                ",".join(cells)[:200],
                f"{len(cells)} cells where the header has {len(columns)}; check the quoting on this row",
            )
        )
        return None
    row = _Cells(line, cells, columns, problems)
    before = len(problems)
    brand = row.read("brand", lambda text: _checked(text, "brand")) or ""
    model = row.read("model", lambda text: _checked(text, "model")) or ""
    slug: str | None = row["slug"]
    reason = _check_slug(row["slug"], brand, model)
    if reason:
        row.problem("slug", reason)
        slug = None
    category = (row.read("category", _category) or "") if row["category"] else ""
    colourways = row.read("colourways", lambda text: _text_list(text.split(";"), "colourway")) or ()
    aliases = row.read("aliases", lambda text: _text_list(text.split(";"), "alias")) or ()
    note = row.read("note", _read_note) or ""
    # Every value is read whether or not the source is valid, so one pass reports all of a row's problems.
    values: dict[str, tuple[Any, str]] = {}
    for column in VALUE_COLUMNS:
        if row[column]:  # an empty cell: this source says nothing about it
            value = row.read(column, functools.partial(_read_value, column))
            if value is not None:
                values[column] = value
    has_values = any(row[c] for c in VALUE_COLUMNS)
    source, source_failed = _csv_source(row, has_values=has_values)
    if row["note"] and not has_values and not (row["source_title"] and row["category"]):
        row.problem("note", "a note is the note of the claims on its row, and this row has no claim; it would be lost")
    claims: list[Claim] = []
    if source is not None:
        if category:
            claims.append(Claim("category", category, source, published=category, note=note))
        claims += [Claim(column, value, source, published=text, note=note) for column, (value, text) in values.items()]
    return _CsvRow(
        line,
        slug,
        brand,
        model,
        category,
        colourways,
        aliases,
        source,
        source_failed,
        len(problems) > before,
        claims,
        {claim.field: row.raw(claim.field) for claim in claims},
    )


def _csv_source(row: _Cells, *, has_values: bool) -> tuple[Source | None, bool]:
    """The row's source, or None; and whether the row names a source that was refused."""
    if not row["source_title"]:
        if has_values:
            row.problem("source_title", "a source title is required on a row with values: every value needs its source")
            return None, True
        if row["source_url"] or row["source_date"] or row["source_kind"]:
            row.problem("source_title", "a source title is required when the row names a source")
            return None, True
        return None, False
    title = row.read("source_title", lambda text: _checked(text, "source_title"))
    url = row.read("source_url", _read_url)
    date = row.read("source_date", _read_source_date)
    kind = row.read("source_kind", _read_kind)
    if title is None or url is None or date is None or kind is None:
        return None, True
    return Source(title=title, kind=kind, date=date, url=url), False


def _checked(text: str, what: str) -> str:
    _check_text(text, what)
    return text


def _read_note(text: str) -> str:
    if len(text) > MAX_CHARS["note"]:
        raise SpecError(f"note is longer than {MAX_CHARS['note']} characters")
    return text


def _text_list(items: Iterable[object], what: str) -> tuple[str, ...]:
    """Stripped, non-empty, unrepeated texts (colourways, aliases), in their order."""
    out = []
    for item in items:
        if not isinstance(item, str):
            raise SpecError(f"every {what} must be text, not {_json_type(item)}")
        text = item.strip()
        if text:
            _check_text(text, what)
            out.append(text)
    return tuple(dict.fromkeys(out))


def _csv_records(rows: list[_CsvRow], problems: list[RowProblem]) -> list[ImportRecord]:
    """Check the rows of each slug against each other; if all is well, one record per (slug, source).

    The rows of one (slug, source) are merged in file order into one record
    at the line of the first of them, so an import replaces that source's
    claims with all of them at once.
    """
    by_slug: dict[str, list[_CsvRow]] = defaultdict(list)
    for row in rows:
        if row.slug is not None:
            by_slug[row.slug].append(row)
    identity: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    for slug, group in by_slug.items():
        first = group[0]
        for row in group:
            for column, mine, theirs in (("brand", row.brand, first.brand), ("model", row.model, first.model)):
                if mine and theirs and mine != theirs:
                    problems.append(
                        RowProblem(row.line, column, mine, f"{slug!r} has {column} {theirs!r} on line {first.line}")
                    )
        colourways = _csv_list(slug, group, "colourways", lambda r: r.colourways, problems)
        aliases = _csv_list(slug, group, "aliases", lambda r: r.aliases, problems)
        _csv_check_sources(slug, group, problems)
        category = _csv_category(slug, group, problems)
        if category is not None:
            identity[slug] = (category, colourways, aliases)
    if problems:
        return []
    merged: dict[tuple[str, tuple[str, str, str] | None], tuple[_CsvRow, list[Claim]]] = {}
    for row in rows:
        assert row.slug is not None  # a refused slug is a problem, and there are none
        key = (row.slug, row.source.key if row.source else None)
        if key in merged:
            merged[key][1].extend(row.claims)
        else:
            merged[key] = (row, list(row.claims))
    return [
        ImportRecord(
            row.line,
            Product(
                slug=slug,
                brand=row.brand,
                model=row.model,
                category=identity[slug][0],
                claims=tuple(claims),
                colourways=identity[slug][1],
                aliases=identity[slug][2],
            ),
        )
        for (slug, _), (row, claims) in merged.items()
    ]


def _csv_list(
    slug: str,
    group: list[_CsvRow],
    column: str,
    items: Callable[[_CsvRow], tuple[str, ...]],
    problems: list[RowProblem],
) -> tuple[str, ...]:
    """The product's colourways or aliases: those of the first row that gives any; a row giving others is a problem."""
    given = next((r for r in group if items(r)), None)
    if given is None:
        return ()
    for row in group:
        if items(row) and items(row) != items(given):
            problems.append(
                RowProblem(
                    row.line,
                    column,
                    "; ".join(items(row)),
                    f"{slug!r} has {column} {'; '.join(items(given))!r} on line {given.line}",
                )
            )
    return items(given)


def _csv_check_sources(slug: str, group: list[_CsvRow], problems: list[RowProblem]) -> None:
    """Rows of one slug and source: the source written the same way, and no claim given twice."""
    firsts: dict[tuple[str, str, str] | None, _CsvRow] = {}
    claims: dict[tuple[tuple[str, str, str], str, Any, str], int] = {}
    for row in group:
        if row.source_failed:
            continue
        key = row.source.key if row.source else None
        earlier = firsts.setdefault(key, row)
        if earlier is not row:
            if row.source is None:
                problems.append(
                    RowProblem(
                        row.line,
                        "source_title",
                        "",
                        f"{slug!r} already has a row without a source on line {earlier.line}; "
                        "one such row sets its catalog category",
                    )
                )
            elif earlier.source is not None and row.source != earlier.source:
                problems.append(
                    RowProblem(
                        row.line,
                        "source_title",
                        row.source.title,
                        f"{slug!r} has this source (same URL, date and kind) titled {earlier.source.title!r} "
                        f"on line {earlier.line}; write a source the same way on each of its rows",
                    )
                )
        if row.source is None:
            continue
        for claim in row.claims:
            seen = claims.setdefault((row.source.key, claim.field, claim.value, claim.note), row.line)
            if seen != row.line:
                problems.append(
                    RowProblem(
                        row.line,
                        claim.field,
                        row.cells[claim.field],
                        f"{slug!r} already has this {claim.field} from this source, with the same note, "
                        f"on line {seen}; give a claim once",
                    )
                )


def _csv_category(slug: str, group: list[_CsvRow], problems: list[RowProblem]) -> str | None:
    """The product's catalog category: from its source-less rows if any, else its rows' agreeing cells."""
    sourceless = [r for r in group if r.source is None and not r.source_failed and r.category]
    deciding = sourceless or [r for r in group if r.category]
    if not deciding:
        if any(r.failed for r in group):
            return None  # a refused cell may have been the category: its problem is reported already
        problems.append(RowProblem(group[0].line, "category", "", f"no row gives {slug!r} a category"))
        return None
    first = deciding[0]
    for row in deciding[1:]:
        if row.category != first.category:
            fix = "" if sourceless else "; add a row without a source to set the catalog category"
            problems.append(
                RowProblem(
                    row.line,
                    "category",
                    row.category,
                    f"{slug!r} is a {first.category!r} on line {first.line}{fix}",
                )
            )
            return None
    return first.category


# --------------------------------------------------------------------------- CSV: writing


def dump_catalog_csv(products: Iterable[Product]) -> str:
    """The CSV form of ``products``: deterministic, and read back by ``parse_catalog_csv`` unchanged.

    Products by slug; within a product, sources by title, URL, date and
    kind, and a source's claims grouped by note (notes in text order). A
    group takes as many rows as its most repeated field has values (three
    prices from one review: three rows), values of a field in the writing
    order of ``_with_text``. A row without a source is added for a product
    whose catalog category its sources' rows do not already say. Lines end
    with CRLF (RFC 4180). A colourway or alias containing ';' cannot be
    written and raises ``SpecError``. Write the result as UTF-8;
    'utf-8-sig' (with a BOM) makes Excel read it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for product in _sorted_products(products):
        for row in _csv_product_rows(product):
            writer.writerow([neutralise_cell(row.get(column, "")) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_product_rows(product: Product) -> list[dict[str, str]]:
    for what, items in (("colourway", product.colourways), ("alias", product.aliases)):
        for item in items:
            if ";" in item:
                raise SpecError(f"{product.slug}: {what} {item!r} contains ';', which CSV uses to separate them")
    # Rows are per source *key*: that is what the importer (and the site) treat as one source.
    groups: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
    for claim in product.claims:
        groups[claim.source.key].append(claim)
    ordered = sorted(groups.values(), key=lambda claims: _source_order(claims[0].source))
    identity = {
        "slug": product.slug,
        "brand": product.brand,
        "model": product.model,
        "colourways": "; ".join(product.colourways),
        "aliases": "; ".join(product.aliases),
    }
    rows = []
    for claims in ordered:
        source = min((c.source for c in claims), key=_source_order)
        by_note: dict[str, list[tuple[Claim, str | list[str]]]] = defaultdict(list)
        for claim, text in _with_text(claims):
            by_note[claim.note].append((claim, text))
        for note in sorted(by_note):
            # The n-th value of a field goes on the n-th row of the group: one value per field per row.
            group_rows: list[dict[str, str]] = []
            taken: dict[str, int] = defaultdict(int)
            for claim, text in by_note[note]:
                n = taken[claim.field]
                taken[claim.field] += 1
                if n == len(group_rows):
                    group_rows.append(
                        dict(
                            identity,
                            category="",
                            note=note,
                            source_title=source.title,
                            source_url=source.url,
                            source_date=source.date.stated,
                            source_kind=source.kind.value,
                        )
                    )
                group_rows[n][claim.field] = text if isinstance(text, str) else "; ".join(text)
            rows += group_rows
    # The importer takes the catalog category from the category cells when they all agree,
    # else from a row without a source: write that row exactly when the cells do not already say it.
    cells = {row["category"] for row in rows if row["category"]}
    if cells != {product.category}:
        rows.insert(0, dict(identity, category=product.category))
    return rows


# --------------------------------------------------------------------------- JSON: reading


class _Repeated(dict[str, Any]):
    """A JSON object that had a key twice; ``repeated`` names the keys (json keeps only the last value)."""

    repeated: tuple[str, ...] = ()


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    marked.repeated = tuple(sorted({k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i])}))
    return marked


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# Numbers become Decimal: never a float, and no int-size limit to trip over (they are all type errors anyway).
_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_pairs, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
)
_SKIPPER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal)

PRODUCT_KEYS = ("slug", "brand", "model", "category", "colourways", "aliases", "claims")
CLAIM_KEYS = ("field", "value", "source", "note")
SOURCE_KEYS = ("title", "url", "date", "kind")


def parse_catalog_json(data: bytes | str, *, name: str) -> list[ImportRecord]:
    """Read a JSON catalog (``minipack-catalog/1``): one record per product, in file order.

    Problems name the JSON path in ``RowProblem.column``
    ('products[3].claims[2].value') and the line of the product, claim or
    source they are in. Raises ``ImportRowError`` with every problem if there
    is any, ``RuleDataError`` for a file that is not a catalog at all
    (encoding, malformed JSON with its line and column, wrong "format", size).
    """
    return _parse_json(data, name, progress=False)


def _parse_json(data: bytes | str, name: str, *, progress: bool) -> list[ImportRecord]:
    if isinstance(data, bytes):
        _check_size(len(data), name)
        text = _decode(data, name)
    else:
        _check_size(len(data.encode("utf-8", "surrogatepass")), name)
        text = data.removeprefix("\ufeff")
    try:
        doc = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise RuleDataError(f"{name}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise RuleDataError(f"{name}: malformed JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise RuleDataError(f'{name}: the top level must be an object with "format", "sources" and "products"')
    if doc.get("format") != FORMAT:
        found = f"format {doc['format']!r}" if "format" in doc else 'no "format"'
        raise RuleDataError(f'{name}: {found}; expected "format": {FORMAT!r}')
    sources, products = doc.get("sources"), doc.get("products")
    if not isinstance(sources, dict):
        raise RuleDataError(f'{name}: "sources" must be an object mapping source ids to sources')
    if not isinstance(products, list):
        raise RuleDataError(f'{name}: "products" must be a list')
    _check_rows(len(products), name)
    lines = _json_lines(text, len(products))
    reader = _JsonReader(lines, [])
    reader.keys(doc, "", ("format", "sources", "products"), (), lines.top)
    known = {sid: reader.source(sid, obj) for sid, obj in sources.items()}
    records = []
    slugs: dict[str, int] = {}
    for i, obj in _progress(list(enumerate(products)), name, progress):
        product = reader.product(i, obj, known)
        # Checked on the raw slug, so a repeated product is reported even when it has other problems too.
        slug = obj.get("slug") if isinstance(obj, dict) else None
        if isinstance(slug, str) and slug.strip() in slugs:
            j = slugs[slug.strip()]
            reader.problem(
                lines.product(i),
                f"products[{i}].slug",
                slug,
                f"also products[{j}] (line {lines.product(j)}); a product appears once",
            )
            continue
        if isinstance(slug, str):
            slugs[slug.strip()] = i
        if product is not None:
            records.append(ImportRecord(lines.product(i), product))
    if reader.problems:
        raise ImportRowError(name, sorted(reader.problems, key=lambda p: p.line))
    return records


@dataclass
class _JsonReader:
    """Checks the decoded document piece by piece, collecting every problem with its path and line."""

    lines: _JsonLines
    problems: list[RowProblem]

    def problem(self, line: int, path: str, value: object, reason: str) -> None:
        self.problems.append(RowProblem(line, path, _raw(value), reason))

    def keys(
        self,
        obj: dict[str, Any],
        path: str,
        allowed: Sequence[str],
        required: Sequence[str],
        line: int | dict[str, int],
    ) -> None:
        """Unknown, repeated and missing keys; ``line`` maps a key to its line, or is the object's line."""
        prefix = f"{path}." if path else ""

        def at(key: str) -> int:
            return line.get(key, 1) if isinstance(line, dict) else line

        for key in obj:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(at(key), prefix + key, obj[key], f"unknown key{hint}; known: {', '.join(allowed)}")
        for key in getattr(obj, "repeated", ()):
            self.problem(at(key), prefix + key, obj[key], "key given twice; the first value would be lost")
        for key in required:
            if key not in obj:
                self.problem(at(key), prefix + key, "", "required")

    def text(self, obj: dict[str, Any], key: str, path: str, line: int) -> str | None:
        """The stripped text at ``key``, or None (a problem is recorded when the value is there but not text)."""
        if key not in obj:
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.problem(line, f"{path}.{key}", value, f"expected text, got {_json_type(value)}")
            return None
        return value.strip()

    def source(self, sid: str, obj: object) -> Source | None:
        path, line = f"sources.{sid}", self.lines.sources.get(sid, 1)
        if not isinstance(obj, dict):
            self.problem(line, path, obj, f"expected an object with {', '.join(SOURCE_KEYS)}")
            return None
        before = len(self.problems)
        self.keys(obj, path, SOURCE_KEYS, ("title", "date", "kind"), line)
        read: dict[str, Any] = {}
        readers: list[tuple[str, Any]] = [
            ("title", lambda t: _check_text(t, "source_title")),
            ("url", _read_url),
            ("date", _read_source_date),
            ("kind", _read_kind),
        ]
        for key, reader in readers:
            text = self.text(obj, key, path, line)
            if text is None:
                continue
            try:
                read[key] = reader(text)
            except SpecError as exc:
                self.problem(line, f"{path}.{key}", obj[key], str(exc))
        if len(self.problems) > before:
            return None
        return Source(title=obj["title"].strip(), kind=read["kind"], date=read["date"], url=read.get("url") or "")

    def product(self, i: int, obj: object, known: dict[str, Source | None]) -> Product | None:
        path, line = f"products[{i}]", self.lines.product(i)
        if not isinstance(obj, dict):
            self.problem(line, path, obj, "expected an object (a product)")
            return None
        before = len(self.problems)
        self.keys(obj, path, PRODUCT_KEYS, ("slug", "brand", "model", "category"), line)
        identity = {key: self.text(obj, key, path, line) for key in ("slug", "brand", "model", "category")}
        brand, model = identity["brand"], identity["model"]
        for key in ("brand", "model"):
            value = identity[key]
            if value is not None:
                try:
                    _check_text(value, key)
                except SpecError as exc:
                    self.problem(line, f"{path}.{key}", obj[key], str(exc))
        slug = identity["slug"]
        if slug is not None:
            reason = _check_slug(slug, brand or "", model or "")
            if reason:
                self.problem(line, f"{path}.slug", obj["slug"], reason)
        category = identity["category"]
        if category is not None:
            try:
                category = _category(category)
            except SpecError as exc:
                self.problem(line, f"{path}.category", obj["category"], str(exc))
        lists: dict[str, tuple[str, ...]] = {}
        for key, what in (("colourways", "colourway"), ("aliases", "alias")):
            value = obj.get(key, [])
            try:
                if not isinstance(value, list):
                    raise SpecError(f"expected a list of texts, got {_json_type(value)}")
                lists[key] = _text_list(value, what)
            except SpecError as exc:
                self.problem(line, f"{path}.{key}", value, str(exc))
        claims = self.claims(i, obj.get("claims", []), known)
        if len(self.problems) > before or claims is None:
            return None
        assert slug and brand and model and category  # all checked above: no new problem means present
        return Product(
            slug=slug,
            brand=brand,
            model=model,
            category=category,
            claims=claims,
            colourways=lists["colourways"],
            aliases=lists["aliases"],
        )

    def claims(self, i: int, value: object, known: dict[str, Source | None]) -> tuple[Claim, ...] | None:
        path = f"products[{i}].claims"
        if not isinstance(value, list):
            self.problem(self.lines.product(i), path, value, f"expected a list of claims, got {_json_type(value)}")
            return None
        out: list[Claim] = []
        ok = True
        for j, obj in enumerate(value):
            claim = self.claim(f"{path}[{j}]", self.lines.claim(i, j), obj, known)
            if claim is None:
                ok = False
            else:
                out.append(claim)
        return tuple(out) if ok else None

    def claim(self, path: str, line: int, obj: object, known: dict[str, Source | None]) -> Claim | None:
        if not isinstance(obj, dict):
            self.problem(line, path, obj, "expected an object with field, value and source")
            return None
        before = len(self.problems)
        self.keys(obj, path, CLAIM_KEYS, ("field", "value", "source"), line)
        field_name = self.text(obj, "field", path, line)
        if field_name is not None and field_name not in FIELDS:
            self.problem(line, f"{path}.field", obj["field"], f"unknown field; known: {', '.join(FIELDS)}")
            field_name = None
        sid = obj.get("source")
        source: Source | None = None
        if "source" in obj:
            if not isinstance(sid, str):
                self.problem(line, f"{path}.source", sid, f"expected a source id, got {_json_type(sid)}")
            elif sid not in known:
                shown = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
                self.problem(line, f"{path}.source", sid, f'unknown source id; "sources" defines: {shown}')
            else:
                source = known[sid]  # None when the source itself was refused (already reported)
        note = obj.get("note", "")
        if not isinstance(note, str):
            self.problem(line, f"{path}.note", note, f"expected text, got {_json_type(note)}")
        elif len(note) > MAX_CHARS["note"]:
            self.problem(line, f"{path}.note", note, f"longer than {MAX_CHARS['note']} characters")
        parsed: tuple[Any, str] | None = None
        if field_name is not None and "value" in obj:
            try:
                parsed = _read_value(field_name, obj["value"])
            except (ParseError, SpecError) as exc:
                self.problem(line, f"{path}.value", obj["value"], _reason(exc))
        if len(self.problems) > before or parsed is None or source is None or field_name is None:
            return None
        return Claim(field_name, parsed[0], source, published=parsed[1], note=str(note))


def _json_type(value: object) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return type(value).__name__


def _raw(value: object) -> str:
    """The value as the file wrote it, for a RowProblem (shortened: a problem report is not a dump)."""
    text = value if isinstance(value, str) else json.dumps(_plain(value), ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "\u2026"


def _plain(value: object) -> object:
    """The decoded JSON with its Decimal numbers as int/float again, to show it as it was written."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- JSON: line numbers


@dataclass
class _JsonLines:
    """Where things start in a JSON catalog: 1-based lines of top keys, sources, products and claims."""

    top: dict[str, int] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    products: list[int] = field(default_factory=list)
    claims: list[list[int]] = field(default_factory=list)

    def product(self, i: int) -> int:
        return self.products[i] if i < len(self.products) else i + 1

    def claim(self, i: int, j: int) -> int:
        if i < len(self.claims) and j < len(self.claims[i]):
            return self.claims[i][j]
        return self.product(i)


_WS = re.compile(r"[ \t\n\r]*")


def _ws(text: str, i: int) -> int:
    """The index of the first non-whitespace character at or after ``i`` (JSON's four whitespace characters)."""
    match = _WS.match(text, i)
    return match.end() if match else i


def _json_lines(text: str, count: int) -> _JsonLines:
    """Line numbers for a document ``json`` has already accepted (so its syntax is valid).

    ``json`` does not report positions, so this walks the top levels again,
    skipping each value with the C scanner: a few fast passes, cheap next
    to the checks that follow.
    """
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line(pos: int) -> int:
        return bisect_left(newlines, pos) + 1

    out = _JsonLines()
    try:
        top, _ = _members(text, _ws(text, 0))
        out.top = {key: line(pos) for key, pos in top.items()}
        if text.startswith("{", top.get("sources", 0)):
            sources, _ = _members(text, top["sources"])
            out.sources = {key: line(pos) for key, pos in sources.items()}
        if text.startswith("[", top.get("products", 0)):
            for start in _elements(text, top["products"])[0]:
                out.products.append(line(start))
                claims: list[int] = []
                if text.startswith("{", start):
                    members, _ = _members(text, start)
                    if text.startswith("[", members.get("claims", 0)):
                        claims = [line(pos) for pos in _elements(text, members["claims"])[0]]
                out.claims.append(claims)
    except (ValueError, IndexError, AttributeError):
        # Cannot happen for a document json accepted; if it did, fall back to positions in the list.
        return _JsonLines(products=list(range(1, count + 1)))
    return out


def _members(text: str, i: int) -> tuple[dict[str, int], int]:
    """For the object starting at ``text[i]``: each key's value start, and the index after the object."""
    out: dict[str, int] = {}
    i = _ws(text, i + 1)
    if text[i] == "}":
        return out, i + 1
    while True:
        key, i = _SKIPPER.raw_decode(text, i)
        i = _ws(text, i) + 1  # past ':'
        i = _ws(text, i)
        out[key] = i
        _, i = _SKIPPER.raw_decode(text, i)
        i = _ws(text, i)
        if text[i] == "}":
            return out, i + 1
        i = _ws(text, i + 1)  # past ','


def _elements(text: str, i: int) -> tuple[list[int], int]:
    """For the array starting at ``text[i]``: each element's start, and the index after the array."""
    out: list[int] = []
    i = _ws(text, i + 1)
    if text[i] == "]":
        return out, i + 1
    while True:
        out.append(i)
        _, i = _SKIPPER.raw_decode(text, i)
        i = _ws(text, i)
        if text[i] == "]":
            return out, i + 1
        i = _ws(text, i + 1)  # past ','


# --------------------------------------------------------------------------- JSON: writing


def dump_catalog_json(products: Iterable[Product]) -> str:
    """The JSON form of ``products``: deterministic, and read back by ``parse_catalog_json`` unchanged.

    Products are sorted by slug, claims by field then source; each source is
    written once under an id made from its title ('kaya-quintana-herschel-nova'),
    numbered '-2', '-3'... in a fixed order when titles collide, so ids stay put
    when other sources are added. One claim per line, so diffs stay readable.
    """
    items = _sorted_products(products)
    sources = sorted({c.source for p in items for c in p.claims}, key=_source_order)
    ids = _source_ids(sources)

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    out = ["{", f'  "format": {dumps(FORMAT)},']
    if sources:
        out.append('  "sources": {')
        for n, source in enumerate(sources):
            fields = {"title": source.title, "url": source.url, "date": source.date.stated, "kind": source.kind.value}
            out.append(f"    {dumps(ids[source])}: {dumps(fields)}" + ("," if n < len(sources) - 1 else ""))
        out.append("  },")
    else:
        out.append('  "sources": {},')
    if not items:
        out.append('  "products": []')
    else:
        out.append('  "products": [')
        for n, product in enumerate(items):
            out.append("    {")
            head: dict[str, object] = {
                "slug": product.slug,
                "brand": product.brand,
                "model": product.model,
                "category": product.category,
            }
            if product.colourways:
                head["colourways"] = list(product.colourways)
            if product.aliases:
                head["aliases"] = list(product.aliases)
            out.extend(f"      {dumps(key)}: {dumps(value)}," for key, value in head.items())
            claims = _with_text(product.claims)
            if not claims:
                out.append('      "claims": []')
            else:
                out.append('      "claims": [')
                for m, (claim, text) in enumerate(claims):
                    item: dict[str, object] = {"field": claim.field, "value": text, "source": ids[claim.source]}
                    if claim.note:
                        item["note"] = claim.note
                    out.append(f"        {dumps(item)}" + ("," if m < len(claims) - 1 else ""))
                out.append("      ]")
            out.append("    }" + ("," if n < len(items) - 1 else ""))
        out.append("  ]")
    out.append("}")
    return "\n".join(out) + "\n"


def _source_ids(sources: list[Source]) -> dict[Source, str]:
    ids: dict[Source, str] = {}
    used: set[str] = set()
    for source in sources:  # already in _source_order, which fixes who gets the plain id
        try:
            words = slugify(source.title).split("-")
        except SpecError:
            words = ["source"]
        # Whole words up to ~32 characters: short enough to type, long enough to recognise.
        base = words[0][:32]
        for word in words[1:]:
            if len(base) + 1 + len(word) > 32:
                break
            base += "-" + word
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        ids[source] = candidate
    return ids


# --------------------------------------------------------------------------- shared


def _sorted_products(products: Iterable[Product]) -> list[Product]:
    items = sorted(products, key=lambda p: p.slug)
    for a, b in zip(items, items[1:], strict=False):
        if a.slug == b.slug:
            raise SpecError(f"two products with the slug {a.slug!r}; merge them first (merge_records)")
    return items


def _source_order(source: Source) -> tuple[str, str, str, str]:
    return (source.title, source.url, source.date.stated, source.kind.value)


def _with_text(claims: Iterable[Claim]) -> list[tuple[Claim, str | list[str]]]:
    """Claims with the text to write for them, in writing order: field, source, text, note."""
    pairs = [(claim, claim_to_text(claim)) for claim in claims]
    return sorted(
        pairs, key=lambda pair: (FIELDS.index(pair[0].field), _source_order(pair[0].source), str(pair[1]), pair[0].note)
    )


def merge_records(records: Iterable[ImportRecord]) -> Catalog:
    """One product per slug: claims of all its records, in order, without exact repeats.

    Brand, model and category come from the last record of the slug;
    colourways and aliases from the last record that gives any. (Within one
    file the parsers have already refused records that disagree.)
    """
    merged: dict[str, Product] = {}
    claims: dict[str, dict[Claim, None]] = defaultdict(dict)
    for record in records:
        product = record.product
        before = merged.get(product.slug)
        claims[product.slug].update(dict.fromkeys(product.claims))
        merged[product.slug] = Product(
            slug=product.slug,
            brand=product.brand,
            model=product.model,
            category=product.category,
            colourways=product.colourways or (before.colourways if before else ()),
            aliases=product.aliases or (before.aliases if before else ()),
        )
    return Catalog(
        tuple(
            Product(
                slug=slug,
                brand=p.brand,
                model=p.model,
                category=p.category,
                claims=tuple(claims[slug]),
                colourways=p.colourways,
                aliases=p.aliases,
            )
            for slug, p in sorted(merged.items())
        )
    )


@functools.cache
def bundled_catalog() -> Catalog:
    """The catalog shipped in ``minipack/data/catalog.json``; read once and cached (it is immutable)."""
    data = importlib.resources.files("minipack").joinpath("data/catalog.json").read_bytes()
    return merge_records(parse_catalog_json(data, name="minipack/data/catalog.json"))
