"""Tables: finding an article's comparison table and cutting its rows into cells.

A table is found by its header: a line (or an HTML header row) made of
column names this module knows ("Brand", "Model", "Size", "Capacity",
"Material", "Features", "Price", "Benefits"…). A parenthesised note after a
column name is read for what it says about the cells: "Size (L x H x D in
inches)" gives the unit and the axis order, "Capacity (L)" the volume unit,
"Price (USD)" the currency.

HTML and delimited text ("|" or tab) give the cells. A plain-text table
pasted from a web page gives none: "Herschel Supply Co. Nova Mini 8 x 10 x 5
7L Polyester Dual top handles, Internal storage sleeve $49.99 Comfortable to
carry, compact, stylish" is one run of words. Such a row is cut at its
*typed* cells, the ones whose shape is recognisable (a size "N x N x N", a
capacity starting with a digit, a price with a currency sign), searched in
header order; the free text between two typed cells is then shared among the
free columns between them: brand and model by the known-brand list
(``minipack.extract.names``), material and features by the material
vocabulary (``minipack.extract.features``), any other pair first word / rest.
The typed patterns are deliberately loose ("$2,49O" is still found as the
price cell) so that a misprint becomes an unreadable cell, reported, rather
than a row cut in the wrong place. This module only cuts; reading the cell
values is ``minipack.extract.article``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from minipack.extract.blocks import Block
from minipack.extract.features import split_material_features
from minipack.extract.names import split_brand_model

ColumnKind = Literal[
    "brand", "model", "name", "size", "capacity", "material", "features", "price", "benefits", "other"
]  # fmt: skip

# Folded column words -> kind. A header needs at least three known columns,
# one of them typed, before a line is taken for a table header.
COLUMN_WORDS: dict[str, ColumnKind] = {
    "brand": "brand",
    "maker": "brand",
    "manufacturer": "brand",
    "model": "model",
    "product": "name",
    "name": "name",
    "bag": "name",
    "size": "size",
    "dimensions": "size",
    "dimension": "size",
    "measurements": "size",
    "capacity": "capacity",
    "volume": "capacity",
    "material": "material",
    "materials": "material",
    "fabric": "material",
    "features": "features",
    "feature": "features",
    "price": "price",
    "cost": "price",
    "msrp": "price",
    "benefits": "benefits",
    "highlights": "benefits",
}
TYPED_KINDS: frozenset[ColumnKind] = frozenset({"size", "capacity", "price"})
_MIN_COLUMNS = 3

# One side of a size: a digit, then up to 20 characters that are not a separator
# (so "8x10x5" splits, "1O" is kept for the parser to refuse, and matching
# stays linear however long the line), then an optional unit.
_NUM = r"\d[^\sx\u00d7X*]{0,20}(?:\s?(?:inches|inch|in|cm|mm)\b)?"
_TYPED_PATTERNS: dict[ColumnKind, re.Pattern[str]] = {
    "size": re.compile(
        rf"(?<!\S){_NUM}\s*[x\u00d7X*]\s*{_NUM}\s*[x\u00d7X*]\s*{_NUM}(?:\s*(?:inches|inch|in|cm|mm)\b\.?)?"
    ),
    # A range with its unit ("5 - 7 L"), else the first word starting with a digit plus an optional unit.
    "capacity": re.compile(
        r"(?<!\S)(?:\d[\d.,]*\s*(?:-|\u2013|to)\s*\d[\d.,]*\s*(?:ml|l|liters?|litres?|ltr)\b"
        r"|\d\S*(?:\s+(?:ml|l|liters?|litres?|ltr)\b)?)",
        re.IGNORECASE,
    ),
    "price": re.compile(
        r"(?<!\S)(?:(?:US|CA|C|A)?\$|[\u20ac\u00a3\u00a5]|(?:USD|EUR|GBP|CAD|AUD|JPY)\s?)\s*\d\S*"
        r"|(?<!\S)\d[\d.,]*\s?(?:\u20ac|\u00a3|USD|EUR|GBP)(?!\S)"
    ),
}
_HEADER_TOKEN = re.compile(r"\(([^()]*)\)|([^\s()]+)")
_SEPARATOR_ROW = re.compile(r"^[\s|:+\-]+$")


@dataclass(frozen=True)
class Column:
    """One column as the header printed it, with what its note says about the cells."""

    kind: ColumnKind
    label: str
    unit: str | None = None  # size: 'in'/'cm'/'mm'; capacity: 'L'/'ml'; price: ISO currency
    axes: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class Cell:
    column: Column
    text: str


@dataclass(frozen=True)
class TableRow:
    """One row: its number in the table (from 1), the cells found and what could not be placed."""

    number: int
    text: str
    cells: tuple[Cell, ...]
    line: int | None = None
    problems: tuple[str, ...] = ()

    def cell(self, kind: ColumnKind) -> Cell | None:
        return next((c for c in self.cells if c.column.kind == kind), None)

    def value(self, kind: ColumnKind) -> str | None:
        cell = self.cell(kind)
        return cell.text if cell is not None and cell.text else None


@dataclass(frozen=True)
class Table:
    header: str
    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]
    blocks: frozenset[int]  # indices of the blocks the table took, header included

    @property
    def names_products(self) -> bool:
        kinds = {c.kind for c in self.columns}
        return bool(kinds & {"brand", "model", "name"})


# --------------------------------------------------------------------------- headers


def column_for(label: str) -> Column | None:
    """A header cell such as 'Size (L x H x D in inches)' as a ``Column``, or None if unknown."""
    match = re.match(r"\s*([A-Za-z]+)\s*(?:\((.*)\))?", label)
    if not match:
        return None
    kind = COLUMN_WORDS.get(match.group(1).lower())
    if kind is None:
        return None
    return _column(kind, label.strip(), match.group(2) or "")


def _column(kind: ColumnKind, label: str, note: str) -> Column:
    unit: str | None = None
    axes: tuple[str, str, str] | None = None
    if kind == "size":
        unit = _length_unit(note)
        found = re.search(r"\b([LWHD])\s*[x\u00d7]\s*([LWHD])\s*[x\u00d7]\s*([LWHD])\b", note)
        if found and len(set(found.groups())) == 3:
            axes = (found.group(1), found.group(2), found.group(3))
    elif kind == "capacity":
        lowered = note.strip().lower()
        if re.search(r"\bml\b|millilit", lowered):
            unit = "ml"
        elif re.search(r"\bl\b|\blit(?:er|re)s?\b", lowered):
            unit = "L"
    elif kind == "price":
        found = re.search(r"\b(USD|EUR|GBP|CAD|AUD|JPY)\b|([$\u20ac\u00a3\u00a5])", note.upper())
        if found:
            unit = found.group(1) or {"$": "USD", "\u20ac": "EUR", "\u00a3": "GBP", "\u00a5": "JPY"}[found.group(2)]
    return Column(kind, label, unit, axes)


def _length_unit(note: str) -> str | None:
    lowered = note.lower()
    # "in" is also a preposition ("L x H x D in cm"), so the explicit words win.
    if re.search(r"\b(?:cm|centimet(?:er|re)s?)\b", lowered):
        return "cm"
    if re.search(r"\b(?:mm|millimet(?:er|re)s?)\b", lowered):
        return "mm"
    if re.search(r"\binch(?:es)?\b|[\"\u201d\u2033]", lowered) or re.search(r"\bin\.?\s*$", lowered):
        return "in"
    return None


def _header_from_words(text: str) -> tuple[Column, ...] | None:
    """A whitespace-separated header line: every word a column name, each optionally followed by a note."""
    columns: list[tuple[ColumnKind, str, str]] = []
    for match in _HEADER_TOKEN.finditer(text):
        note, word = match.group(1), match.group(2)
        if note is not None:
            if not columns or columns[-1][2]:
                return None
            previous_kind, label, _ = columns[-1]
            columns[-1] = (previous_kind, f"{label} ({note})", note)
            continue
        kind = COLUMN_WORDS.get(word.lower().strip(":"))
        if kind is None:
            return None
        columns.append((kind, word, ""))
    built = tuple(_column(kind, label, note) for kind, label, note in columns)
    return built if _is_header(built) else None


def _header_from_cells(cells: Sequence[str]) -> tuple[Column, ...] | None:
    columns = tuple(column_for(c) or Column("other", c) for c in cells)
    return columns if _is_header(columns) else None


def _is_header(columns: Sequence[Column]) -> bool:
    known = [c for c in columns if c.kind != "other"]
    kinds = [c.kind for c in known]
    return len(known) >= _MIN_COLUMNS and len(set(kinds)) == len(kinds) and bool(TYPED_KINDS & set(kinds))


# --------------------------------------------------------------------------- finding tables


def find_tables(blocks: Sequence[Block]) -> list[Table]:
    """Every table in reading order; blocks that are not in a table are left alone."""
    tables: list[Table] = []
    i = 0
    while i < len(blocks):
        table = _table_at(blocks, i)
        if table is None:
            i += 1
            continue
        tables.append(table)
        i = max(table.blocks) + 1
    return tables


def _table_at(blocks: Sequence[Block], start: int) -> Table | None:
    block = blocks[start]
    if block.kind == "row":
        columns = _header_from_cells(block.cells)
        if columns is None:
            return None
        return _collect(blocks, start, columns, "cells")
    for mode, splitter in (("bar", "|"), ("tab", "\t")):
        if splitter in block.text:
            cells = [c.strip() for c in block.text.strip().strip("|").split(splitter)]
            columns = _header_from_cells(cells)
            return None if columns is None else _collect(blocks, start, columns, mode)
    columns = _header_from_words(block.text)
    return None if columns is None else _collect(blocks, start, columns, "words")


def _collect(blocks: Sequence[Block], start: int, columns: tuple[Column, ...], mode: str) -> Table:
    rows: list[TableRow] = []
    taken = {start}
    i = start + 1
    while i < len(blocks):
        block = blocks[i]
        if mode == "cells":
            if block.kind != "row":
                break
            cells = list(block.cells)
            row = _row_from_cells(len(rows) + 1, block, columns, cells)
        elif mode in ("bar", "tab"):
            splitter = "|" if mode == "bar" else "\t"
            if splitter not in block.text:
                break
            if _SEPARATOR_ROW.match(block.text):
                taken.add(i)
                i += 1
                continue
            cells = [c.strip() for c in block.text.strip().strip("|").split(splitter)]
            row = _row_from_cells(len(rows) + 1, block, columns, cells)
        else:
            if block.kind == "row" or not any(_TYPED_PATTERNS[k].search(block.text) for k in ("size", "price")):
                break
            row = _row_from_words(len(rows) + 1, block, columns)
        rows.append(row)
        taken.add(i)
        i += 1
    return Table(blocks[start].text, columns, tuple(rows), frozenset(taken))


# --------------------------------------------------------------------------- cutting rows


def _row_from_cells(number: int, block: Block, columns: tuple[Column, ...], cells: list[str]) -> TableRow:
    problems: list[str] = []
    if len(cells) != len(columns):
        problems.append(f"{len(cells)} cells under {len(columns)} columns; cells were matched by position")
    out: list[Cell] = []
    for column, text in zip(columns, cells, strict=False):
        if column.kind == "name":
            out.extend(_name_cells(column, text))
        elif column.kind != "other":
            out.append(Cell(column, text))
    return TableRow(number, block.text, tuple(out), block.line, tuple(problems))


def _name_cells(column: Column, text: str) -> list[Cell]:
    """A single 'Product' column holds brand and model together."""
    brand, model = split_brand_model(text)
    return [Cell(Column("brand", column.label), brand), Cell(Column("model", column.label), model)]


def _row_from_words(number: int, block: Block, columns: tuple[Column, ...]) -> TableRow:
    """Cut a row with no delimiters, by the rule in the module docstring."""
    text = block.text
    typed: list[tuple[int, int, int]] = []  # (column index, start, end)
    missing: set[int] = set()
    position = 0
    for index, column in enumerate(columns):
        pattern = _TYPED_PATTERNS.get(column.kind)
        if pattern is None:
            continue
        found = pattern.search(text, position)
        if found is None:
            missing.add(index)
            continue
        typed.append((index, found.start(), found.end()))
        position = found.end()

    cells: dict[int, str] = {}
    problems = [f"no {columns[i].label!r} cell found" for i in sorted(missing)]
    previous, previous_end = -1, 0
    for index, start, end in [*typed, (len(columns), len(text), len(text))]:
        free = [j for j in range(previous + 1, index) if columns[j].kind not in TYPED_KINDS]
        segment = text[previous_end:start].strip()
        if free:
            for j, part in zip(free, _share(segment, [columns[j] for j in free]), strict=True):
                cells[j] = part
        elif segment and previous >= 0:
            # Words between two typed cells with no column for them belong to
            # the cell before: "8 x 10 x 5 approx" is one (unreadable) size.
            cells[previous] = f"{cells[previous]} {segment}"
        elif segment:
            problems.append(f"text {segment!r} fits no column")
        if index < len(columns):
            cells[index] = text[start:end].strip()
        previous, previous_end = index, end

    out: list[Cell] = []
    for index, column in enumerate(columns):
        value = cells.get(index, "")
        if column.kind == "name":
            out.extend(_name_cells(column, value))
        elif column.kind != "other":
            out.append(Cell(column, value))
    return TableRow(number, text, tuple(out), block.line, tuple(problems))


def _share(segment: str, columns: list[Column]) -> list[str]:
    """Free text shared among the free columns between two typed cells."""
    if len(columns) == 1:
        return [segment]
    if len(columns) == 2:
        kinds = (columns[0].kind, columns[1].kind)
        if kinds == ("brand", "model"):
            brand, model = split_brand_model(segment) if segment else ("", "")
            return [brand, model]
        if kinds == ("material", "features"):
            material, features = split_material_features(segment)
            return [material or "", features or ""]
    # No rule for this run of columns: one word each, the last takes the rest.
    words = segment.split()
    head = len(columns) - 1
    return [*words[:head], *([""] * (head - len(words[:head]))), " ".join(words[head:])]
