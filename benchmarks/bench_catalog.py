"""Reading catalog CSV files: Minipack's checked reader next to the csv module alone.

The peer reads the same file with ``csv.DictReader`` and checks nothing. The
ratio is what it costs to parse every size, volume, weight and price strictly
and to collect every bad cell before anything is written.
"""

from __future__ import annotations

import csv
import io

from tests.core.catalog_factory import make_catalog_csv

from benchmarks.timing import median_seconds, print_table
from minipack.catalog import parse_catalog_csv


def run() -> None:
    for rows in (1_000, 10_000):
        data = make_catalog_csv(rows)
        print_table(
            f"Catalog CSV, {rows:,} rows ({len(data) / 1e6:.1f} MB), median of 5 runs; ratio against the peer",
            [
                (
                    "csv.DictReader, no checks (peer)",
                    median_seconds(lambda data=data: list(csv.DictReader(io.StringIO(data.decode()))), repeat=5),
                    "",
                ),
                (
                    "minipack.catalog.parse_catalog_csv",
                    median_seconds(lambda data=data: parse_catalog_csv(data, name="bench.csv"), repeat=5),
                    "every cell parsed and checked",
                ),
            ],
        )
