"""A request made while PostgreSQL is down or restarting gets a 503 with Retry-After, not a 500 (RELIABILITY check 29).

The drill itself (tests/ops/test_drills.py) restarts a real PostgreSQL under
load; these check, in milliseconds, which errors count as "the server is
down" and the page and JSON a visitor or an API client gets for them.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import OperationalError
from django.test import RequestFactory

from minipack_web.database.errors import Why, unavailable
from minipack_web.database.middleware import DatabaseUnavailableMiddleware
from minipack_web.ops.processes import free_port


def refused() -> psycopg.OperationalError:
    """The error psycopg raises when nothing listens where the database should be (no SQLSTATE: no server spoke)."""
    try:
        psycopg.connect(f"postgres://postgres@127.0.0.1:{free_port()}/postgres", connect_timeout=2)
    except psycopg.OperationalError as exc:
        return exc
    raise AssertionError("something listens on a free port")


def as_django_raises(driver_error: Exception) -> OperationalError:
    wrapped = OperationalError(str(driver_error))
    wrapped.__cause__ = driver_error
    return wrapped


@pytest.mark.parametrize(
    "error",
    [
        refused(),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),  # 57P01, a stop
        psycopg.errors.CannotConnectNow("the database system is starting up"),  # 57P03
        psycopg.errors.ConnectionFailure("connection failure"),  # class 08
    ],
    ids=["refused", "connection lost", "admin shutdown", "starting up", "class 08"],
)
def test_a_database_server_that_is_gone_is_down(error: psycopg.Error) -> None:
    found = unavailable(as_django_raises(error))
    assert found is not None and found.why is Why.DOWN
    assert "running and reachable" in found.remedy  # what `minipack import` tells an operator


def test_errors_of_a_server_that_answered_are_not_down() -> None:
    assert unavailable(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")) is None
    assert unavailable(psycopg.errors.UndefinedTable("relation does not exist")) is None
    assert unavailable(OperationalError("the connection is closed")) is None  # no driver error under it


@pytest.mark.parametrize("path", ["/bags/fjallraven-kanken-mini/", "/api/bags"])
def test_a_request_while_the_server_is_down_gets_503_with_retry_after(path: str) -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]

    response = middleware.process_exception(RequestFactory().get(path), as_django_raises(refused()))

    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "not available just now" in body
    assert "127.0.0.1" not in body and "Traceback" not in body  # the driver's words go to the log only
