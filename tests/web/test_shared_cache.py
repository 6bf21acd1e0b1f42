"""The page cache on several servers sharing Redis (docs/decisions/0012-several-servers.md), in one process.

What is checked here: every server files a page under the same key; the
generation lives in the database, so a shared cache that missed an edit
serves old pages for at most ``GENERATION_COPY_S`` seconds, and one that
forgot the generation costs no page; django-redis pointed at a dead Redis
serves every page uncached instead of 500; ``GuardedRedis`` stops waiting
on a silent Redis after the first timeout and logs the outage once. The
same with real servers (two gunicorns, nginx, Redis stopped and restarted)
is tests/ops/test_cluster.py.
"""

from __future__ import annotations

import io
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, RequestFactory

from minipack_web.caching import GENERATION_COPY_S, GENERATION_REUSE_S
from minipack_web.caching.guarded_redis import Circuit, circuit
from minipack_web.caching.models import PageGeneration
from minipack_web.caching.pages import GENERATION_KEY, page_key
from minipack_web.catalog.models import Brand
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.ops.processes import free_port
from minipack_web.ops.served_by import served_by
from minipack_web.settings.base import cache_settings

KANKEN = "/bags/fjallraven-kanken-mini/"


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()


def state(client: Client, url: str) -> tuple[int, str | None, str]:
    response = client.get(url)
    return response.status_code, response.headers.get("X-Cache"), response.content.decode()


# --------------------------------------------------------------------------- one key on every server


def test_two_servers_behind_one_proxy_file_a_page_under_the_same_key(db: None) -> None:
    """gunicorn puts its own listening address in SERVER_NAME/PORT; with a Host header Django never reads them."""
    web1 = RequestFactory().get("/table/", HTTP_HOST="minipack.example", SERVER_NAME="10.0.0.11", SERVER_PORT="8000")
    web2 = RequestFactory().get("/table/", HTTP_HOST="minipack.example", SERVER_NAME="10.0.0.12", SERVER_PORT="8001")
    assert page_key(web1.environ, "g") == page_key(web2.environ, "g")
    # Without a Host header Django builds the host from them, so then they part the pages.
    del web1.environ["HTTP_HOST"], web2.environ["HTTP_HOST"]
    assert page_key(web1.environ, "g") != page_key(web2.environ, "g")


def test_the_server_name_header_is_added_outside_the_cache() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("X-Cache", "hit")])
        return [b"page"]

    seen: list[list[tuple[str, str]]] = []
    named = served_by(app, "web2")
    assert named({}, lambda status, headers, exc_info=None: seen.append(headers)) == [b"page"]
    assert seen == [[("X-Cache", "hit"), ("X-Served-By", "web2")]]
    assert served_by(app, None) is app and served_by(app, "") is app


# --------------------------------------------------------------------------- the generation in the database


def test_a_cache_that_missed_an_edit_serves_old_pages_only_until_its_copy_expires(
    client: Client, bundled: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert state(client, KANKEN)[1] == "miss"
    assert state(client, KANKEN)[1] == "hit"
    # The copy in the cache lives GENERATION_COPY_S seconds at most.
    expires = cache._expire_info[cache.make_and_validate_key(GENERATION_KEY)]  # type: ignore[attr-defined]
    assert 0 < expires - time.time() <= GENERATION_COPY_S

    # An edit whose publication to the cache is lost (the cache was down as it committed): the database has it.
    before = PageGeneration.objects.get().token
    with django_capture_on_commit_callbacks(execute=False):
        Brand.objects.filter(slug="fjallraven").update(name="Fjällräven Relaunched")
        Brand.objects.get(slug="fjallraven").save()  # the admin's save: a signal, a new generation
    assert PageGeneration.objects.get().token != before
    assert state(client, KANKEN)[1] == "hit"  # the cache still has the old copy: the old page, for now

    cache.delete(GENERATION_KEY)  # what GENERATION_COPY_S seconds do
    time.sleep(GENERATION_REUSE_S)  # and this process stops reusing the copy it read
    status, cached, html = state(client, KANKEN)
    assert (status, cached) == (200, "miss") and "Fjällräven Relaunched" in html


def test_another_process_s_edit_reaches_this_one_within_the_reuse_time(client: Client, bundled: None) -> None:
    """Each process reuses the generation it read for GENERATION_REUSE_S, then reads the new one."""
    assert state(client, "/faq/")[1] == "miss"
    started = time.monotonic()
    cache.set(GENERATION_KEY, "published-by-another-process", timeout=GENERATION_COPY_S)
    seen = state(client, "/faq/")[1]
    if time.monotonic() - started < GENERATION_REUSE_S:  # a slow machine may already be past it
        assert seen == "hit"
    time.sleep(GENERATION_REUSE_S)
    assert state(client, "/faq/")[1] == "miss"  # filed anew under the other process's generation
    assert state(client, "/faq/")[1] == "hit"


def test_a_cache_that_forgot_the_generation_keeps_its_pages(client: Client, bundled: None) -> None:
    """The copy expires every few seconds; nothing edited, the database gives the same token: no page is lost."""
    assert state(client, "/faq/")[1] == "miss"
    cache.delete(GENERATION_KEY)
    time.sleep(GENERATION_REUSE_S)
    assert state(client, "/faq/")[1] == "hit"


def test_a_page_that_is_not_cached_never_asks_the_database_for_the_generation(
    client: Client, db: None, django_assert_num_queries: Any
) -> None:
    cache.delete(GENERATION_KEY)
    with django_assert_num_queries(1):  # its own SELECT 1, as a load balancer's probe must cost
        assert client.get("/healthz").status_code == 200


# --------------------------------------------------------------------------- Redis down


@pytest.fixture
def dead_redis(settings: Any) -> Iterator[None]:
    """django-redis as production configures it, pointed at a port where nothing listens."""
    settings.CACHES = cache_settings(f"redis://127.0.0.1:{free_port()}/0", default_dir=Path("/nonexistent"))
    circuit.reset()
    yield
    circuit.reset()


def test_with_redis_down_every_page_is_served_uncached_and_an_edit_still_lands(
    client: Client, bundled: None, dead_redis: None, caplog: pytest.LogCaptureFixture
) -> None:
    for url in ("/", KANKEN, "/table/", "/search/?q=kanken", "/api/bags"):
        for _ in range(2):
            status, cached, _html = state(client, url)
            assert (status, cached) == (200, None), url

    before = PageGeneration.objects.get().token
    out, err = io.StringIO(), io.StringIO()
    call_command("invalidate_pages", stdout=out, stderr=err)
    assert PageGeneration.objects.get().token != before  # recorded where the servers will find it
    assert "unreachable" in err.getvalue() and out.getvalue() == ""
    assert any("Redis" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_even_django_s_own_redis_backend_costs_no_page_when_redis_is_down(bundled: None, settings: Any) -> None:
    """Belt and braces. Django's RedisCache raises where django-redis answers a miss (with Django's cache
    middleware every page was a 500: RELIABILITY finding 4); the page cache and the limiter catch a raising
    backend themselves, so a misconfigured cache still costs speed, not pages. What that backend lacks is
    GuardedRedis: the fail-fast circuit and the one-line alert."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    client = Client(raise_request_exception=False)
    assert client.get("/api/bags").status_code == 200  # the API never touches the cache
    assert client.get(KANKEN).status_code == 200  # the page cache catches its own errors
    settings.MINIPACK_RATE_LIMITS = {"api": "off", "search": "1/m", "newsletter": "off"}
    assert client.get("/search/?q=kanken").status_code == 200  # the limiter fails open on any error too


# --------------------------------------------------------------------------- a silent Redis


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: a Redis host lost to the network, not a stopped one."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_a_silent_redis_costs_one_timeout_then_calls_fail_at_once(
    settings: Any, silent_server: int, caplog: pytest.LogCaptureFixture
) -> None:
    settings.CACHES = cache_settings(f"redis://127.0.0.1:{silent_server}/0", default_dir=Path("/nonexistent"))
    circuit.reset()
    from django.core.cache import caches

    shared = caches["default"]
    try:
        started = time.monotonic()
        assert shared.get("anything") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            assert shared.get("anything") is None
        rest = time.monotonic() - started
    finally:
        circuit.reset()
    assert 0.2 <= first < 1.0  # SOCKET_TIMEOUT
    assert rest < 0.1  # 20 calls while the circuit is open: no waiting at all
    errors = [r for r in caplog.records if r.name.endswith("guarded_redis") and r.levelno == logging.ERROR]
    assert len(errors) == 1  # one alert, not one per call


def test_the_circuit_probes_once_after_its_cooldown_and_closes_on_success(caplog: pytest.LogCaptureFixture) -> None:
    breaker = Circuit(cooldown=0.05)
    assert breaker.allow()
    breaker.failed(ConnectionError("refused"))
    assert not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()  # one caller probes…
    assert not breaker.allow()  # …the others keep failing fast meanwhile
    breaker.succeeded()
    assert breaker.allow() and not breaker.down
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unreachable" in m for m in messages) == 1 and sum("reachable again" in m for m in messages) == 1
