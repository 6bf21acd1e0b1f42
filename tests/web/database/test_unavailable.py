"""A request that finds the disk full gets a friendly 503 with Retry-After, never a 500 (RELIABILITY check 24).

The disk fills for real, as far as the database can tell: on SQLite the
page cap (``PRAGMA max_page_count``) is set to the file's current size and a
connection-local trigger makes the request's own write need more pages, so
SQLite itself raises SQLITE_FULL ("database or disk is full") inside the
view's transaction; on PostgreSQL a trigger fails the write with SQLSTATE
53100 (``disk_full``), the error a full disk gives. Each test checks what a
visitor and an operator would notice: the status, Retry-After, a page that
says what happened, nothing half-written, one error in the log.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from minipack_web.catalog.services import catalog_import
from minipack_web.community.models import Comment
from minipack_web.database.errors import Why, unavailable
from minipack_web.database.middleware import DatabaseUnavailableMiddleware
from minipack_web.newsletter.models import ConsentRecord, Subscriber
from minipack_web.newsletter.tokens import confirm_token

from ..community.conftest import BAG_SLUG, POST_URL, form_data, fresh_ip
from ..factories import as_records, make_product
from ..newsletter.helpers import signup_data, subscribe

FILLER = "zz_test_disk_filler"


@contextmanager
def disk_full(table: str, *events: str) -> Iterator[None]:
    """Until the block ends, an INSERT or UPDATE (``events``) on ``table`` fails as it would on a full disk."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"CREATE TABLE {FILLER} (data BLOB)")
            cursor.execute("PRAGMA page_size")
            page_size = cursor.fetchone()[0]
            cursor.execute("PRAGMA freelist_count")
            # More than the free pages left inside the file by earlier tests, so the file must grow, and cannot.
            blob = (cursor.fetchone()[0] + 64) * page_size
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
            for event in events:
                # TEMP: this connection only (the test client's requests run on it); the insert is the write that
                # finds no room.
                cursor.execute(
                    f"CREATE TEMP TRIGGER zz_full_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN INSERT INTO {FILLER} VALUES (zeroblob({blob})); END"
                )
        else:
            cursor.execute(
                "CREATE FUNCTION zz_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file \"base/16384/16999\": No space left on device' "
                "USING ERRCODE = 'disk_full'; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER zz_test_disk_full BEFORE {' OR '.join(events)} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION zz_test_disk_full()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for event in events:
                    cursor.execute(f"DROP TRIGGER temp.zz_full_{event.lower()}")
                cursor.execute("PRAGMA max_page_count = 4294967294")
                cursor.execute(f"DROP TABLE {FILLER}")
            else:
                cursor.execute(f"DROP TRIGGER zz_test_disk_full ON {table}")
                cursor.execute("DROP FUNCTION zz_test_disk_full()")


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def logged(*names: str) -> Iterator[list[logging.LogRecord]]:
    """What these loggers log, whatever the logging configuration propagates to the root."""
    handler = Captured()
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


FULL_MESSAGE = {"sqlite": "database or disk is full", "postgresql": "No space left on device"}


@pytest.mark.django_db(transaction=True)
def test_a_request_the_middleware_catches_gets_the_503_page_and_changes_nothing() -> None:
    """Confirming a newsletter signup has no handler of its own for a full disk: the middleware answers."""
    subscriber = subscribe("ann@example.com", state="pending")
    record = ConsentRecord.objects.get(subscriber=subscriber)
    link = reverse("newsletter:confirm", args=[confirm_token(record.key)])
    client = Client(raise_request_exception=False)

    with logged("minipack_web", "django.request") as records, disk_full("newsletter_subscriber", "UPDATE"):
        response = client.post(link)

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "no-store" in response["Cache-Control"]  # no proxy keeps serving the outage
    page = response.content.decode()
    assert "We could not save that just now" in page and "nothing from your request was stored" in page
    assert "Traceback" not in page and FULL_MESSAGE[connection.vendor] not in page
    # The consent record was updated before the subscriber in the same transaction: both rolled back.
    assert Subscriber.objects.get().status == "pending"
    assert not ConsentRecord.objects.filter(confirmed_at__isnull=False).exists()
    # One line saying why (what an alert should show), besides Django's usual line for any 5xx response.
    errors = {r.name: r.getMessage() for r in records if r.levelno >= logging.ERROR}
    assert sorted(errors) == ["django.request", "minipack_web.database.middleware"], errors
    assert "answered 503: the database has no room left" in errors["minipack_web.database.middleware"]
    assert FULL_MESSAGE[connection.vendor] in errors["minipack_web.database.middleware"]
    assert errors["django.request"].startswith("Service Unavailable")  # not "Internal Server Error"

    assert client.post(link).status_code == 200  # room again: the same link confirms
    assert Subscriber.objects.get().status == "confirmed"


@pytest.mark.django_db(transaction=True)
def test_a_comment_posted_on_a_full_disk_gets_503_with_the_text_kept_and_nothing_stored() -> None:
    catalog_import(records=as_records(make_product(BAG_SLUG)))
    body = "The zip held up for two years of daily use."

    with logged("minipack_web") as records, disk_full("community_comment", "INSERT"):
        response = Client().post(POST_URL, form_data(body=body), REMOTE_ADDR=fresh_ip())

    assert response.status_code == 503
    assert response["Retry-After"]
    assert body in response.content.decode()  # the writer's text comes back to send again
    assert Comment.objects.count() == 0
    assert any(r.levelno >= logging.ERROR and "comment not stored" in r.getMessage() for r in records)


@pytest.mark.django_db(transaction=True)
def test_a_newsletter_signup_on_a_full_disk_gets_503_and_nothing_stored() -> None:
    with logged("minipack_web") as records, disk_full("newsletter_subscriber", "INSERT"):
        response = Client().post("/newsletter/", signup_data("bea@example.com"))

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "nothing was stored" in response.content.decode()
    assert Subscriber.objects.count() == 0 and ConsentRecord.objects.count() == 0
    assert any(r.levelno >= logging.ERROR and "signup not stored" in r.getMessage() for r in records)


def test_the_middleware_leaves_other_errors_to_the_500_handler() -> None:
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().post("/anything/")

    assert middleware.process_exception(request, RuntimeError("a bug")) is None
    # Django's own wrapper without a driver error under it says nothing about space: a bug too.
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None


def test_an_api_client_gets_the_apis_json_error_shape() -> None:
    full = sqlite_error("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 2;", "INSERT INTO t VALUES (zeroblob(99999))")
    wrapped = OperationalError(str(full))
    wrapped.__cause__ = full
    middleware = DatabaseUnavailableMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]

    with logged("minipack_web"):
        response = middleware.process_exception(RequestFactory().post("/api/rank"), wrapped)

    assert response is not None and response.status_code == 503 and response["Retry-After"] == "300"
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": "the database cannot take writes just now; try again later",
        "detail": [],
    }


def sqlite_error(setup: str, statement: str) -> sqlite3.Error:
    database = sqlite3.connect(":memory:")
    database.executescript(setup)
    try:
        database.execute(statement)
    except sqlite3.Error as exc:
        return exc
    raise AssertionError(f"{statement!r} did not fail")


def test_unavailable_reads_the_engines_own_error_codes(tmp_path: Path) -> None:
    full = sqlite_error(
        "CREATE TABLE t (x BLOB); PRAGMA max_page_count = 2;", "INSERT INTO t VALUES (zeroblob(100000))"
    )
    wrapped = OperationalError(str(full))
    wrapped.__cause__ = full  # as Django wraps a driver error

    assert unavailable(wrapped) == unavailable(full)
    assert unavailable(full) is not None and unavailable(full).why is Why.DISK_FULL  # type: ignore[union-attr]
    assert unavailable(psycopg.errors.DiskFull("could not extend file")).why is Why.DISK_FULL  # type: ignore[union-attr]
    assert unavailable(psycopg.errors.TooManyConnections("too many")).why is Why.RESOURCES  # type: ignore[union-attr]
    assert unavailable(psycopg.errors.UndefinedTable("no such table")) is None
    assert unavailable(sqlite_error("", "SELECT * FROM missing")) is None
    holder = sqlite3.connect(tmp_path / "busy.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(tmp_path / "busy.sqlite3", timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as busy:
        waiter.execute("BEGIN IMMEDIATE")
    assert unavailable(busy.value).why is Why.BUSY  # type: ignore[union-attr]
