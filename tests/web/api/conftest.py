"""The bundled catalog in the database, and a client for the API."""

from __future__ import annotations

import pytest
from django.test import Client

from minipack_web.catalog.services import catalog_load_bundled


@pytest.fixture
def catalog(db: None) -> None:
    catalog_load_bundled()


@pytest.fixture
def api(catalog: None) -> Client:
    # enforce_csrf_checks: POST /api/fit must work without a cookie or token.
    return Client(enforce_csrf_checks=True)
