"""The bundled catalog, loaded once per test that asks for it."""

from __future__ import annotations

import pytest

from minipack_web.catalog.services import catalog_load_bundled


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()
