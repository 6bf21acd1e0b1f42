"""Fixtures for the web tests: an empty page cache per test, catalog files on disk, catalog table row counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from minipack_web.caching import clear_local_pages
from minipack_web.catalog.models import Brand, Claim, Finding, Product, Source

from .factories import make_catalog_csv


@pytest.fixture(autouse=True)
def empty_page_cache() -> Iterator[None]:
    """Each test starts with no cached pages: the database is rolled back between tests without a commit,
    so nothing would tell the page cache that the rows a cached page shows are gone."""
    cache.clear()
    clear_local_pages()
    yield
    cache.clear()
    clear_local_pages()


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
