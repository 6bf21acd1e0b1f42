"""Small timing helpers shared by the benchmarks: repeat, take the median, print a table."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], *, repeat: int = 7) -> float:
    """Median wall time of ``repeat`` calls (the first call warms caches and is discarded)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def print_table(title: str, rows: list[tuple[str, float, str]], *, unit: str = "ms") -> None:
    """Rows are (label, seconds, note); the first row is the baseline for the ratio column."""
    print(title)
    base = rows[0][1]
    print(f"  {'':44} {unit:>10} {'ratio':>8}")
    for label, seconds, note in rows:
        value = seconds * 1000 if unit == "ms" else seconds
        print(f"  {label:44} {value:10.2f} {seconds / base:8.2f}x  {note}")
