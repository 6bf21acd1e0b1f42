"""Catalog files for tests: a deterministic CSV of any size, with chosen cells replaced.

Used by the core tests (tests/core/test_catalog.py) and the Django import
tests, so both check the same file. Row ``i`` (1-based, not counting the
header) is one product with one retailer source and starts on line ``i + 1``;
every row is one physical line. The file has the columns of the CSV format
as first published (``OLD_COLUMNS``: no ``aliases``, no ``note``), so it also
checks that such files still read.
"""

from __future__ import annotations

import csv
import io

from minipack.catalog import CSV_COLUMNS
from minipack.records import CATEGORIES

BRANDS = ("Fjällräven", "Herschel Supply Co.", "Kipling", "Longchamp", "Côte&Ciel", "JanSport", "Vera Bradley")
MATERIALS = ("Vinylon F", "Nylon, polyester lining", "Recycled polyester", 'Leather "Saffiano"', "Canvas")
FEATURE_SETS = ("front_pocket; adjustable_straps", "water_resistant", "", "anti_theft; usb_port; top_handle")
# The columns before aliases and notes had their own (both are optional in a file).
OLD_COLUMNS = tuple(c for c in CSV_COLUMNS if c not in ("aliases", "note"))


def catalog_row(i: int) -> dict[str, str]:
    """The cells of data row ``i`` (1-based); every value is valid and differs a little from row to row."""
    brand = BRANDS[i % len(BRANDS)]
    return {
        "slug": f"test-bag-{i:06d}",
        "brand": brand,
        "model": f"Mini {i}",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "colourways": "Black; Frost Green" if i % 3 else "",
        "exterior": f"{20 + i % 10} x {28 + i % 7} x {10 + i % 5} cm" if i % 4 else f"8 W x 11 H x {4 + i % 3}.75 D in",
        "capacity": f"{5 + i % 5} L" if i % 6 else "5-7 L",
        "weight": f"{200 + i % 500} g",
        "material": MATERIALS[i % len(MATERIALS)],
        "features": FEATURE_SETS[i % len(FEATURE_SETS)],
        "price": f"${30 + i % 70}.{i % 100:02d}" if i % 5 else f"€{40 + i % 60},99",
        "source_title": f"Test Shop product page {i}",
        "source_url": f"https://shop.example/bags/{i}",
        "source_date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "source_kind": "retailer",
    }


def make_catalog_csv(n: int, *, bad: dict[int, tuple[str, str]] | None = None) -> bytes:
    """A UTF-8 catalog CSV of ``n`` data rows (header on line 1, row ``i`` on line ``i + 1``).

    ``bad`` maps a row number (1-based, as above) to a (column, raw cell)
    that replaces that row's cell: a bad value for the all-or-nothing tests,
    or simply a changed one for re-import tests.
    """
    overrides = bad or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OLD_COLUMNS)
    for i in range(1, n + 1):
        row = catalog_row(i)
        if i in overrides:
            column, raw = overrides[i]
            if column not in row:
                raise KeyError(f"no column {column!r}")
            row[column] = raw
        writer.writerow([row[c] for c in OLD_COLUMNS])
    return buffer.getvalue().encode("utf-8")
