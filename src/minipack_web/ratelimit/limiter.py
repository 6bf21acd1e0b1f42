"""Counting a client's requests per window in the shared cache, and the decorator that refuses the excess.

The counter's key names the scope, the rate (so a changed limit starts
afresh), the client's rate key (an IPv4 address, or an IPv6 /64) and the
window's number; it expires with its window. ``incr`` is atomic in Redis and
in the local-memory cache; the file cache's is not (two processes can both
read n and write n + 1), which on a single server only lets a few more
through. Cached pages answered by the WSGI front never reach a view, so they
are not counted: a hit costs ~30 µs, less than counting it would.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from minipack.client_ip import client_address, parse_networks, rate_key
from minipack.rate_limit import Rate, parse_rate, window

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
View = Callable[..., HttpResponseBase]


@dataclass(frozen=True)
class Verdict:
    """``allowed``; ``counted`` is False when the cache could not count (the scope's failure rule decided)."""

    allowed: bool
    retry_after: int
    counted: bool = True


def request_client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the X-Forwarded-For hop our trusted proxies vouch for (``minipack.client_ip``)."""
    return client_address(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        parse_networks(settings.MINIPACK_TRUSTED_PROXIES),
    )


@functools.lru_cache(maxsize=32)
def _rate(text: str) -> Rate | None:
    return parse_rate(text)


def configured_rate(scope: str) -> Rate | None:
    """The scope's limit from ``settings.MINIPACK_RATE_LIMITS`` (read per request, so tests can override it)."""
    return _rate(settings.MINIPACK_RATE_LIMITS.get(scope, "off"))


def _count(key: str, timeout: int) -> int | None:
    """This window's count after adding one; None when the cache could not count."""
    cache = caches[CACHE_ALIAS]
    try:
        try:
            # Most requests find the window's counter already there: one round trip.
            count = cache.incr(key)
        except ValueError:  # no counter yet in this window
            added = cache.add(key, 1, timeout)
            if added is None:  # django-redis ignoring a failure (IGNORE_EXCEPTIONS)
                return None
            count = 1 if added else cache.incr(key)  # else another request created it meanwhile
    except Exception:  # noqa: BLE001 - any backend's failure is "could not count"
        logger.warning("rate limit: the cache could not count %s", key, exc_info=True)
        return None
    # django-redis returns None from a failed incr (IGNORE_EXCEPTIONS), as from any failed call.
    return count if isinstance(count, int) else None


def check(scope: str, client: str, *, fail_open: bool = True, now: float | None = None) -> Verdict:
    """Count one request by ``client`` against ``scope``'s limit and say whether to serve it."""
    rate = configured_rate(scope)
    if rate is None:
        return Verdict(True, 0)
    index, left = window(rate, time.time() if now is None else now)
    # Seconds beyond the window, so a counter never expires while its window is still running.
    count = _count(f"minipack:ratelimit:{scope}:{rate}:{rate_key(client)}:{index}", timeout=left + 5)
    if count is None:
        return Verdict(fail_open, left, counted=False)
    return Verdict(count <= rate.count, left)


def rate_limit(
    scope: str, *, methods: Collection[str] | None = None, json_errors: bool = False, fail_open: bool = True
) -> Callable[[View], View]:
    """Refuse a client's requests beyond ``scope``'s limit with 429 and ``Retry-After``.

    ``methods``: only these are counted (None: all). ``json_errors``: answer
    in the API's error shape instead of a page. ``fail_open``: when the cache
    cannot count, serve the request (True) or refuse it with 503 (False).
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)  # keeps csrf_exempt and cache_public_page's mark
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is None or request.method in methods:
                verdict = check(scope, request_client_ip(request), fail_open=fail_open)
                if not verdict.allowed:
                    return refused(request, verdict, json_errors=json_errors)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def refused(request: HttpRequest, verdict: Verdict, *, json_errors: bool) -> HttpResponse:
    """429 (too many) or, when the limit could not be checked and the scope fails closed, 503; both say when."""
    status = 429 if verdict.counted else 503
    retry = verdict.retry_after if verdict.counted else 5
    if json_errors:
        message = (
            f"too many requests from your address; try again in {retry} s"
            if verdict.counted
            else f"this request cannot be served just now; try again in {retry} s"
        )
        response = HttpResponse(
            json.dumps({"error": message, "detail": []}), status=status, content_type="application/json"
        )
    else:
        context = {"retry_after": retry, "counted": verdict.counted}
        response = render(request, "ratelimit/refused.html", context, status=status)
        response["X-Robots-Tag"] = "noindex"
    response["Retry-After"] = str(retry)
    return response
