"""How much the strict parsers cost next to a naive float()-based reading of the same text.

The peer is what a hurried importer would write: split on 'x', float() each
part, multiply. It accepts 'nan', '1_000' and full-width digits; ours refuses
them, and this shows what that care costs per value.
"""

from __future__ import annotations

import random
import re

from benchmarks.timing import median_seconds, print_table
from minipack.units import parse_dimensions, parse_price

N = 20_000


def _inputs() -> tuple[list[str], list[str]]:
    rng = random.Random(7)
    dims = [
        f"{rng.randint(50, 400) / 10} x {rng.randint(50, 400) / 10} x {rng.randint(20, 150) / 10} cm" for _ in range(N)
    ]
    prices = [f"${rng.randint(1, 3000):,}.{rng.randint(0, 99):02d}" for _ in range(N)]
    return dims, prices


def _naive_dims(text: str) -> tuple[int, ...]:
    return tuple(round(float(p) * 10) for p in text.removesuffix(" cm").split(" x "))


def _naive_price(text: str) -> int:
    return round(float(re.sub(r"[$,]", "", text)) * 100)


def run() -> None:
    dims, prices = _inputs()
    per_value = f"{N:,} values, median of 7 runs; ratio against the peer"
    print_table(
        f"Dimensions ({per_value})",
        [
            ("naive float() split (peer)", median_seconds(lambda: [_naive_dims(d) for d in dims]), ""),
            ("minipack.units.parse_dimensions", median_seconds(lambda: [parse_dimensions(d) for d in dims]), ""),
        ],
    )
    print_table(
        f"Prices ({per_value})",
        [
            (
                "naive float() after stripping $ and , (peer)",
                median_seconds(lambda: [_naive_price(p) for p in prices]),
                "",
            ),
            ("minipack.units.parse_price", median_seconds(lambda: [parse_price(p) for p in prices]), ""),
        ],
    )
