"""Per-client rate limits on the API, search and newsletter signups (minipack_web.ratelimit; decision 0012).

The test settings turn every limit off (the suite sends hundreds of requests
from one address); each test here turns on the one it checks. The counters
live in the test cache (local memory), emptied before each test. That the
count is shared by several servers through Redis is
tests/ops/test_cluster.py's to show.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import BaseCache
from django.test import Client

from minipack_web.caching.guarded_redis import circuit
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.newsletter.models import Subscriber
from minipack_web.ratelimit import check

from .newsletter.helpers import post_signup

OFF = {"api": "off", "search": "off", "newsletter": "off"}


@pytest.fixture
def limits(settings: Any) -> Any:
    """``limits(api="3/m")`` turns on the named limits (the rest stay off)."""

    def turn_on(**rates: str) -> None:
        settings.MINIPACK_RATE_LIMITS = OFF | rates

    return turn_on


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()


# --------------------------------------------------------------------------- the API


def test_the_api_answers_429_in_json_with_retry_after_past_the_limit(client: Client, limits: Any, db: None) -> None:
    limits(api="3/m")
    assert [client.get("/api/items").status_code for _ in range(3)] == [200, 200, 200]

    refused = client.get("/api/items")
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = json.loads(refused.content)
    assert body["detail"] == [] and "too many requests" in body["error"]
    # Every endpoint shares the one API limit: a client cannot move to another to go on.
    assert client.get("/api/bags").status_code == 429


def test_each_client_address_has_its_own_count(client: Client, limits: Any, db: None) -> None:
    limits(api="2/m")
    for _ in range(2):
        assert client.get("/api/items", REMOTE_ADDR="192.0.2.1").status_code == 200
    assert client.get("/api/items", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get("/api/items", REMOTE_ADDR="192.0.2.2").status_code == 200
    # An IPv6 client holds a whole /64: changing the last bits does not buy a new count.
    for suffix in ("1", "2"):
        assert client.get("/api/items", REMOTE_ADDR=f"2001:db8:1:2::{suffix}").status_code == 200
    assert client.get("/api/items", REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429


def test_behind_our_proxy_the_forwarded_address_is_counted_and_a_forged_one_is_not(
    client: Client, limits: Any, settings: Any, db: None
) -> None:
    limits(api="1/m")
    settings.MINIPACK_TRUSTED_PROXIES = ["10.0.0.2"]
    # nginx (10.0.0.2) vouches for two different visitors: two counts.
    assert client.get("/api/items", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert client.get("/api/items", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 200
    # A client talking to us directly cannot pick its address with the header.
    assert client.get("/api/items", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get("/api/items", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.2").status_code == 429


# --------------------------------------------------------------------------- search


def test_search_past_the_limit_gets_a_friendly_page_and_cached_answers_are_not_counted(
    client: Client, limits: Any, bundled: None
) -> None:
    limits(search="2/m")
    # The same search again and again is answered from the page cache, before the limit: free.
    for _ in range(5):
        assert client.get("/search/?q=kanken").status_code == 200
    assert client.get("/search/?q=mini").status_code == 200  # a second search that had to be made

    refused = client.get("/search/?q=leather")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("text/html")
    assert "Too many requests from your address" in refused.content.decode()
    assert "X-Cache" not in refused  # a refusal is never stored for others
    assert refused["X-Robots-Tag"] == "noindex"
    # The suggestions share the search limit, refused in JSON.
    suggest = client.get("/search/suggest?q=ka")
    assert suggest.status_code == 429 and json.loads(suggest.content)["error"]


# --------------------------------------------------------------------------- newsletter signups


def test_signups_past_the_limit_are_refused_and_the_form_itself_is_not_counted(
    client: Client, limits: Any, db: None
) -> None:
    limits(newsletter="2/h")
    for _ in range(5):
        assert client.get("/newsletter/").status_code == 200
    assert post_signup(client, "one@example.com").status_code == 200
    assert post_signup(client, "two@example.com").status_code == 200

    refused = post_signup(client, "three@example.com")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 3600
    assert not Subscriber.objects.filter(email="three@example.com").exists()
    # Someone else, from another address, still signs up.
    assert post_signup(client, "four@example.com", REMOTE_ADDR="192.0.2.44").status_code == 200


def test_the_default_limits_let_an_office_behind_one_address_sign_up_ten_people(settings: Any) -> None:
    """RELIABILITY C.33: 500 signups from 50 addresses in a minute is 10 per address, and must all pass."""
    from minipack.rate_limit import parse_rate
    from minipack_web.settings import base

    rate = parse_rate(base.MINIPACK_RATE_LIMITS["newsletter"])
    assert rate is not None and rate.count >= 10 and rate.seconds >= 60


# --------------------------------------------------------------------------- when the cache cannot count


class UnreachableCache(BaseCache):
    """A cache server that is down: every call fails."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    add = set = incr = get

    def clear(self) -> None:
        pass


@pytest.fixture
def dead_redis(settings: Any) -> Iterator[None]:
    """django-redis, as production configures it, pointed at a port where nothing listens."""
    from minipack_web.ops.processes import free_port
    from minipack_web.settings.base import cache_settings

    settings.CACHES = cache_settings(f"redis://127.0.0.1:{free_port()}/0", default_dir=Path("/nonexistent"))
    circuit.reset()
    yield
    circuit.reset()


@pytest.mark.parametrize("cache", ["unreachable", "dead_redis"])
def test_with_the_cache_down_reads_are_served_and_signups_refused_with_503(
    client: Client, limits: Any, settings: Any, cache: str, request: Any, bundled: None
) -> None:
    """Reads fail open (pages must keep serving, B.28); signups fail closed: nothing is stored, and the
    visitor is told to try again shortly."""
    if cache == "unreachable":
        settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}
    else:
        request.getfixturevalue("dead_redis")
    limits(api="1/m", search="1/m", newsletter="1/h")

    assert [client.get("/api/items").status_code for _ in range(3)] == [200, 200, 200]
    assert [client.get(f"/search/?q=bag{n}").status_code for n in range(3)] == [200, 200, 200]
    refused = post_signup(client, "reader@example.com")
    assert refused.status_code == 503
    assert refused["Retry-After"] == "5"
    assert "Please try again in a moment" in refused.content.decode()
    assert not Subscriber.objects.exists()


def test_check_reports_an_uncounted_request_as_such(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}
    settings.MINIPACK_RATE_LIMITS = OFF | {"api": "1/m"}
    assert check("api", "192.0.2.1").counted is False
    assert check("api", "192.0.2.1").allowed is True
    assert check("api", "192.0.2.1", fail_open=False).allowed is False


# --------------------------------------------------------------------------- configuration


def test_a_mistyped_limit_stops_start_up_with_the_variable_named(tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "-c", "import minipack_web.settings.base"],
        env={**keep, "MINIPACK_VAR_DIR": str(tmp_path), "MINIPACK_RATE_LIMIT_API": "120 per minute"},
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "MINIPACK_RATE_LIMIT_API" in done.stderr and "120 per minute" in done.stderr
