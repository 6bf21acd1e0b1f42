"""/healthz: what a load balancer reads to decide whether this server gets traffic."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_in_json_after_one_database_query(client: Client, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok"}}


def test_healthz_is_never_cached_by_the_page_cache_or_anyone_else(
    client: Client, django_assert_num_queries: Any
) -> None:
    client.get("/healthz")
    with django_assert_num_queries(1):  # asked again, the database is asked again
        response = client.get("/healthz")

    assert "X-Cache" not in response
    assert {"no-cache", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_healthz_answers_503_naming_the_database_and_nothing_of_the_error(client: Client) -> None:
    error = OperationalError('connection to server at "db.internal" (10.0.0.7), user "minipack" refused')
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "checks": {"database": "unavailable"}}
    assert b"db.internal" not in response.content and b"minipack" not in response.content


def test_healthz_only_reads(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200
