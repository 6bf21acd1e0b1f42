"""Run every benchmark and print one table per benchmark."""

from __future__ import annotations

import sys

from benchmarks import bench_catalog, bench_comments, bench_fit, bench_load, bench_rank, bench_units

BENCHMARKS = (bench_units, bench_catalog, bench_fit, bench_rank, bench_load, bench_comments)


def main() -> int:
    for module in BENCHMARKS:
        module.run()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
