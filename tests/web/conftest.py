"""Fixtures for the web tests: catalog files on disk and the row counts of every catalog table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from minipack_web.catalog.models import Brand, Claim, Finding, Product, Source

from .factories import make_catalog_csv


@pytest.fixture
def catalog_file(tmp_path: Path) -> Callable[..., Path]:
    """Write ``make_catalog_csv(n, bad=...)`` to a file and return its path."""

    def write(n: int, *, bad: dict[int, tuple[str, str]] | None = None, name: str = "catalog.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(make_catalog_csv(n, bad=bad))
        return path

    return write


@pytest.fixture
def table_counts() -> Callable[[], dict[str, int]]:
    """Row counts of every catalog table: 'nothing written' means these do not move."""

    def counts() -> dict[str, int]:
        return {m.__name__: m.objects.count() for m in (Brand, Source, Product, Claim, Finding)}

    return counts
