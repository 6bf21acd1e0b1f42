"""The API against its own OpenAPI document: schemathesis generates requests from ``/api/openapi.json``.

One test per operation (schemathesis's pytest integration), each sending
schema-valid and schema-invalid requests to the Django WSGI application
in-process (no server, no network) and checking every answer: no 5xx, the
status code, content type, headers and body documented for it, schema-invalid
input refused with a 4xx, schema-valid input accepted. A failure is a bug:
either the document lies or the code does.

The run is bounded and reproducible for ``make test``: a few examples per
operation (``MINIPACK_SCHEMA_EXAMPLES``, default 10; about 5 s in all) and
derandomized, so CI sees the same requests every time. A longer run, with
fresh random examples (docs/api.md)::

    MINIPACK_SCHEMA_EXAMPLES=500 MINIPACK_SCHEMA_RANDOM=1 .venv/bin/pytest tests/web/api/test_schema.py

The bundled catalog is loaded once for the module, inside a transaction
rolled back at the end: hypothesis sends every example of an operation
within one test, so per-test loading would buy no isolation, only time.
tests/web/api/test_fuzz.py stays: it sends what no schema describes
(malformed %-escapes, raw '&' and '=', repeated and unknown names).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from minipack_web.catalog.services import catalog_load_bundled

EXAMPLES = int(os.environ.get("MINIPACK_SCHEMA_EXAMPLES", "10"))
RANDOM = os.environ.get("MINIPACK_SCHEMA_RANDOM", "") not in ("", "0")

# Without a test that asks for the database, pytest-django would not create the test database at all.
pytestmark = pytest.mark.django_db

# Where a rule spans parameters or reads free text (two to six distinct slugs, 'exactly one of bag and
# dims', a budget such as '$100', a fit body naming a bag twice), the document cannot say it, so a
# schema-valid request may still be refused: 400 (422 for a fit body) is the documented answer there.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": not RANDOM},
        "operations": [
            {
                "include-path": ["/api/compare", "/api/rank", "/api/airline-check"],
                "checks": {"positive_data_acceptance": {"expected-statuses": [200, 400, 404]}},
            },
            {
                "include-path": "/api/fit",
                "checks": {"positive_data_acceptance": {"expected-statuses": [200, 422]}},
            },
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=CONFIG)


@pytest.fixture(scope="module")
def catalog_for_the_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    # A WSGI request closes the database connection when it ends (close_old_connections), which would
    # end this transaction; django.test.Client disconnects the same two signals for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            catalog_load_bundled()
            yield
            transaction.set_rollback(True)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=not RANDOM,
    database=None,
    deadline=None,
    # function_scoped_fixture: the database is shared by an operation's examples on purpose (see above).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_documented(case: schemathesis.Case, catalog_for_the_module: None) -> None:
    case.call_and_validate()
