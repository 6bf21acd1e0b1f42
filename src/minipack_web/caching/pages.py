"""Whole public pages, cached per address and generation; the decision record is docs/decisions/0008-page-cache.md.

A page is filed under ``minipack:page:<build>:<generation>:<request hash>``:

* the *request hash* covers every part of the request a page can depend on:
  method, scheme, host (and the proxy headers Django may read instead), path
  and the query string as the view sees it (``request.GET``, names sorted,
  so ``?a=1&b=2`` and ``?b=2&a=1`` share an entry). Read from the raw WSGI
  environ, so the front door below and the middleware compute the same key;
* the *generation* is a random token, replaced by every write to the
  catalog or the guides (``invalidate_pages``) in the database, in the
  writer's transaction, and copied to the shared cache once that commits,
  so every process stops serving old pages within ``GENERATION_REUSE_S``
  (0.1 s), the time a process reuses what it last read there. The copy
  is trusted for ``GENERATION_COPY_S`` seconds and then read from the
  database again, so a cache that missed a change (down during an edit,
  restarted from an old dump) serves old pages for seconds, not an hour;
* the *build* is a hash of the code, templates, shipped data and settings,
  so a deploy or a changed setting never serves pages made by the previous one.

Pages live twice: in the shared cache (``CACHES["default"]``, a directory of
files on a single server) so that any process can reuse what another
rendered, and as a copy in this process's memory, because reading a 40 kB
page back from a file costs ~170 µs and the dict ~1 µs (measured). The
generation is kept in memory for a tenth of a second only: the shared cache's
copy is what makes an edit visible to every process, on every server.
Several servers share Redis (docs/decisions/0012-several-servers.md).

Who does what: ``cache_public_page`` marks a view's pages as the same for
every visitor; ``PageCacheMiddleware`` (first in ``MIDDLEWARE``) stores a
marked response once every other middleware has finished with it, and only
if it is safe to share; ``PageCacheFront`` (in ``wsgi.py``) serves stored
pages before Django builds a request at all, the fast path for hits.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.http.cookie import parse_cookie
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import resolve
from django.utils.html import escape

import minipack
import minipack_web
from minipack_web.caching.csrf_tokens import token_for

logger = logging.getLogger(__name__)

CACHE_ALIAS = "default"
GENERATION_KEY = "minipack:pages:generation"
# How long the shared cache's copy of the generation is believed before the database is asked again: the
# longest a cache that missed a change (down during an edit, restarted from an old dump) can serve pages
# older than that change. It costs one small query per this many seconds for the whole site, and the
# database holding the truth is what lets a generation outlive an outage without emptying the cache.
GENERATION_COPY_S = 5
# How long a process reuses the generation it last read from the shared cache. Read on every request,
# it cost a sixth of a cached hit in gunicorn (a file read, or a Redis round trip; measured in
# docs/decisions/0014-cached-hit-cost.md); reused for 0.1 s it is read about once per 100 hits under load.
# The price: an edit reaches the other processes within 0.1 s rather than on their next request. The
# process that saved the edit uses the new generation at once, and an editor (signed in, so with a
# session) is never served a cached page, so nobody who made a change is shown the page before it.
GENERATION_REUSE_S = 0.1
# The request.META / environ key under which the WSGI front leaves what it found, so the middleware
# does not ask the shared cache again for the same request.
FOUND = "minipack.page_cache_found"
HEADER = "X-Cache"
# The request.META / environ key by which cache_public_page hands its timeout to the middleware.
MARK = "minipack.page_cache_timeout"
# For public pages: an edit takes effect at once (a new generation), so this only bounds how long
# anything a write cannot signal (none known today) could stay stale.
PAGE_TIMEOUT = 60 * 60
# Per process. 32 MB holds ~1,000 pages of 30-40 kB; the least recently served go first.
LOCAL_BUDGET_BYTES = 32 * 1024 * 1024

# The request.META key by which {% csrf_field %} and {% fresh_value %} say the page has slots to fill per visitor.
SLOT_MARK = "minipack.page_slots"

# (expires at, in time.time() seconds; status; reason; headers; body; has a CSRF slot). A tuple, not a
# class, so an entry in the shared cache never depends on a class that a later release renames.
Page = tuple[float, int, str, tuple[tuple[str, str], ...], bytes, bool]
View = Callable[..., HttpResponseBase]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _shared() -> BaseCache:
    return caches[CACHE_ALIAS]


# --------------------------------------------------------------------------- generation


def new_generation(*, using: str | None = None) -> bool:
    """Start a new generation now: every process stops serving the pages cached so far.

    For use outside a transaction (``manage.py invalidate_pages``); writes call
    ``invalidate_pages``. The token is written to the database and copied to
    the shared cache. A fresh random token rather than a counter: two writers
    that bump at the same moment cannot both write "n + 1" and let a page
    cached in between survive under the winning value.

    Returns False when the shared cache did not take the copy (it is
    unreachable): the database has the new generation all the same, and
    every server uses it within ``GENERATION_COPY_S`` seconds of the cache
    answering again.
    """
    token = _write_generation(using)
    return _publish(token)


def invalidate_pages(*, using: str | None = None) -> None:
    """Start a new generation: in the database now, in the shared cache once the transaction commits.

    The database row changes with the write itself, so the two commit or roll
    back together (a rolled-back dry run invalidates nothing). The shared
    cache's copy changes only after the commit: before it, a request could
    read the old rows and file them under the new generation. ``robust``: the
    write is already committed, so a cache that cannot be reached is logged,
    not turned into an error page.
    """
    token = _write_generation(using)
    transaction.on_commit(functools.partial(_publish, token), using=using, robust=True)


def _write_generation(using: str | None) -> str:
    from minipack_web.caching.models import PageGeneration  # models load after this module (the middleware)

    token = secrets.token_hex(8)
    PageGeneration.objects.using(using).update_or_create(pk=1, defaults={"token": token})
    return token


def _publish(token: str) -> bool:
    global _reused
    _reused = None
    cache = _shared()
    if isinstance(cache, DummyCache):
        return True  # caching nothing: no page to drop
    cache.set(GENERATION_KEY, token, timeout=GENERATION_COPY_S)
    # django-redis with IGNORE_EXCEPTIONS returns None for a failure as for a success; read it back.
    if cache.get(GENERATION_KEY) is not None:
        _reused = (time.monotonic() + GENERATION_REUSE_S, token)  # this process: the new pages at once
        return True
    logger.error(
        "page cache: the shared cache did not take the new generation; it is in the database, and every "
        "server uses it within %s s of the cache answering again",
        GENERATION_COPY_S,
    )
    return False


# (time.monotonic() until which it is reused, the generation) or None. One tuple, replaced whole: the
# threads of a gthread worker read it without a lock.
_reused: tuple[float, str] | None = None


def current_generation() -> str | None:
    """The shared cache's copy of the generation (reused for ``GENERATION_REUSE_S``); None when it has none.

    None too when the cache keeps nothing (the dummy cache) or cannot be reached.
    """
    global _reused
    reused = _reused
    if reused is not None and time.monotonic() < reused[0]:
        return reused[1]
    cache = _shared()
    if isinstance(cache, DummyCache):
        return None
    generation: str | None = cache.get(GENERATION_KEY)
    _reused = None if generation is None else (time.monotonic() + GENERATION_REUSE_S, generation)
    return generation


def copy_generation() -> None:
    """Copy the database's generation to the shared cache for ``GENERATION_COPY_S`` seconds, unless one is there.

    ``add``, not ``set``: a write that published a newer generation meanwhile keeps it.
    """
    from minipack_web.caching.models import INITIAL_TOKEN, PageGeneration

    token = PageGeneration.objects.filter(pk=1).values_list("token", flat=True).first() or INITIAL_TOKEN
    _shared().add(GENERATION_KEY, token, timeout=GENERATION_COPY_S)


def _cacheable_path(path_info: str) -> bool:
    """Whether the view at ``path_info`` is marked with ``cache_public_page`` (asked only when no copy is at hand)."""
    try:
        match = resolve(path_info)
    except Http404:
        return False
    return getattr(match.func, "page_cache_timeout", None) is not None


@functools.cache
def csrf_placeholder() -> str:
    """What ``{% csrf_field %}`` writes where the token goes: 64 characters, as long as a real token.

    Derived from the secret key, so every process agrees on it and nobody outside can write it into a
    comment to have their visitors' tokens printed there.
    """
    return hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=32, person=b"csrf-slot").hexdigest()


# Values a cached page must not keep from when it was rendered (a form's signed "made at" time): an app
# registers how to make one, ``{% fresh_value name arg %}`` leaves a placeholder naming it, and every
# response gets a value made for it. The argument says what the value is for ('bag:kanken-mini').
FreshValue = Callable[[str], str]
_FRESH: dict[str, FreshValue] = {}
_FRESH_NAME = re.compile(r"[a-z0-9-]+")
_FRESH_ARG = re.compile(r"[A-Za-z0-9:_-]*")


def register_fresh_value(name: str, make: FreshValue) -> None:
    """Let ``{% fresh_value name arg %}`` stand for ``make(arg)``, made anew for every response."""
    if not _FRESH_NAME.fullmatch(name):
        raise ValueError(f"fresh value name {name!r}: use lower-case letters, digits and '-'")
    _FRESH[name] = make


@functools.cache
def _fresh_prefix() -> str:
    return hashlib.blake2b(settings.SECRET_KEY.encode(), digest_size=12, person=b"fresh-slot").hexdigest()


def fresh_placeholder(name: str, arg: str) -> str:
    if name not in _FRESH or not _FRESH_ARG.fullmatch(arg):
        raise ValueError(
            f"fresh value {name!r} with argument {arg!r}: unknown name, or characters outside A-Za-z0-9:_-"
        )
    return f"{_fresh_prefix()}.{name}.{arg}."


@functools.cache
def _slot_pattern() -> re.Pattern[bytes]:
    """Either slot: the CSRF placeholder (no groups) or a fresh value's (its name and argument)."""
    fresh = re.escape(_fresh_prefix().encode()) + rb"\.([a-z0-9-]+)\.([A-Za-z0-9:_-]*)\."
    return re.compile(re.escape(csrf_placeholder().encode()) + b"|" + fresh)


# A page cut where its slots are: the bytes between them (views of the stored body, not copies) and, at
# each slot, None for the CSRF token or the (name, argument) of a fresh value.
Piece = memoryview | tuple[str, str] | None


def cut_slots(body: bytes) -> tuple[tuple[Piece, ...], bool]:
    """Cut ``body`` where its slots are, once per stored page; filling it is then a join."""
    view = memoryview(body)
    pieces: list[Piece] = []
    has_csrf = False
    start = 0
    for match in _slot_pattern().finditer(body):
        pieces.append(view[start : match.start()])
        if match.lastindex is None:
            pieces.append(None)
            has_csrf = True
        else:
            pieces.append((match[1].decode(), match[2].decode()))
        start = match.end()
    pieces.append(view[start:])
    return tuple(pieces), has_csrf


def _filled(pieces: tuple[Piece, ...], token: bytes) -> bytes:
    out: list[bytes | memoryview] = []
    for piece in pieces:
        if piece is None:
            out.append(token)
        elif isinstance(piece, tuple):
            make = _FRESH.get(piece[0])
            # Escaped: a value lands in an HTML attribute; an unknown name (a renamed value) leaves nothing.
            out.append(escape(make(piece[1])).encode() if make else b"")
        else:
            out.append(piece)
    return b"".join(out)


def fill_slots(request: HttpRequest, response: HttpResponse) -> None:
    """Fill a page's per-visitor slots: fresh values, and the visitor's own CSRF token (setting their cookie).

    Runs outside Django's CSRF middleware (after it on a miss, instead of it on a
    hit), so it calls that middleware's own request and response steps: the
    first reads the visitor's cookie, the second sets one when they had none.
    ``PageCacheFront`` does the same for a hit without building the response.
    """
    pieces, has_csrf = cut_slots(response.content)
    token = b""
    if has_csrf:
        if "CSRF_COOKIE" not in request.META:  # a hit: the CSRF middleware has not seen this request
            _csrf().process_request(request)
        token = token_for(request).encode()
    content = _filled(pieces, token)
    if has_csrf:
        _csrf().process_response(request, response)  # sets the csrftoken cookie if this visitor had none
    response.content = content
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))
    # The filled page is this visitor's alone: no shared cache (a proxy, a CDN) may keep it.
    response["Cache-Control"] = "private"


@functools.cache
def _csrf() -> CsrfViewMiddleware:
    """Django's CSRF middleware, for its request and response steps; it keeps no state between requests."""
    return CsrfViewMiddleware(lambda _request: HttpResponse())


def _setting_value(value: Any) -> Any:
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(map(str, value))
    return f"{type(value).__module__}.{type(value).__qualname__}"  # its repr may hold a memory address


@functools.cache
def build_id() -> str:
    """A hash of both packages' files (code, templates, static files, shipped data) and of the settings.

    Read once per process. By content, not modification time, so servers
    running one release share entries in a shared cache; the settings are in
    it because pages print some (the site's URL) and baked-in headers follow others.
    """
    digest = hashlib.blake2b(digest_size=8)
    for package in (minipack, minipack_web):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    values = {name: getattr(settings, name) for name in dir(settings) if name.isupper()}
    digest.update(json.dumps(values, sort_keys=True, default=_setting_value).encode())
    return digest.hexdigest()


def _request_hash(environ: dict[str, Any]) -> str:
    raw_query = environ.get("QUERY_STRING", "")
    query = ""
    if raw_query:
        # What the view reads as request.GET (same bytes, same decoding), names sorted; each name's
        # values keep their order, since request.GET[name] is the last one.
        query = urlencode(sorted(QueryDict(raw_query.encode("iso-8859-1")).lists()), doseq=True)
    proxy_header = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    # Every raw input Django builds the scheme, host and path from. More than it needs costs a few more
    # entries; less could hand one address's page to another. SERVER_NAME and SERVER_PORT are the address
    # the server itself listens on, which differs from server to server behind one proxy (10.0.0.11:8000,
    # 10.0.0.12:8000); Django reads them only for a request with no Host header (HttpRequest.get_host), so
    # with one they stay out, and every server files a page under the same key.
    has_host = bool(environ.get("HTTP_HOST"))
    address = "\n".join(
        str(environ.get(name, ""))
        for name in (
            "REQUEST_METHOD",
            "wsgi.url_scheme",
            proxy_header,
            "HTTP_HOST",
            "HTTP_X_FORWARDED_HOST",
            "HTTP_X_FORWARDED_PORT",
            "" if has_host else "SERVER_NAME",
            "" if has_host else "SERVER_PORT",
            "SCRIPT_NAME",
            "SCRIPT_URL",
            "PATH_INFO",
        )
    )
    return hashlib.blake2b(f"{address}\n{query}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def page_key(environ: dict[str, Any], generation: str) -> str:
    return f"minipack:page:{build_id()}:{generation}:{_request_hash(environ)}"


# --------------------------------------------------------------------------- this process's copies


class _LocalPages:
    """Pages this process served recently, dropped least recently used first past a byte budget.

    A page with slots is kept cut where they go as well (``cut_slots``), so a hit fills it with a join.
    """

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._pages: OrderedDict[str, tuple[Page, tuple[tuple[Piece, ...], bool] | None]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # gthread workers serve several requests at once

    def get(self, key: str, now: float) -> Page | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            page = entry[0]
            if page[0] <= now:
                del self._pages[key]
                self._size -= len(page[4])
                return None
            self._pages.move_to_end(key)
            return page

    def slots(self, key: str, page: Page) -> tuple[tuple[Piece, ...], bool]:
        """``page`` cut where its slots are: as kept with it, or cut now if it is not kept (too big, dropped)."""
        with self._lock:
            entry = self._pages.get(key)
        if entry is not None and entry[0] is page and entry[1] is not None:
            return entry[1]
        return cut_slots(page[4])

    def put(self, key: str, page: Page) -> None:
        size = len(page[4])
        if size > self._budget // 8:  # one huge page must not push out everything else
            return
        slots = cut_slots(page[4]) if page[5] else None
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._size -= len(old[0][4])
            self._pages[key] = (page, slots)
            self._size += size
            while self._size > self._budget:
                _, evicted = self._pages.popitem(last=False)
                self._size -= len(evicted[0][4])

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._size = 0


_local = _LocalPages(LOCAL_BUDGET_BYTES)


def clear_local_pages() -> None:
    """Forget this process's copies and the generation it reuses (for tests; the shared cache: ``cache.clear()``)."""
    global _reused
    _reused = None
    _local.clear()


# --------------------------------------------------------------------------- the rules


def cache_public_page(timeout: int) -> Callable[[View], View]:
    """Let this view's pages be cached for up to ``timeout`` seconds, or until the next edit.

    Only for pages that are the same for every visitor. The middleware still
    refuses any response that sets a cookie, used the CSRF token, touched
    the session or varies on a request header, so a form added to such a
    page later makes it uncached rather than wrong.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            request.META[MARK] = timeout
            return view(request, *args, **kwargs)

        wrapped.page_cache_timeout = timeout  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _may_use_cache(environ: dict[str, Any]) -> bool:
    """Reads, by visitors with nothing personal: an editor (a session) always gets a fresh page."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in environ:
        return False
    cookie_header = environ.get("HTTP_COOKIE")
    if not cookie_header:
        return True
    cookies = parse_cookie(cookie_header)
    # "messages" is django.contrib.messages' cookie: the visitor may be due to see one.
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _storable(request: HttpRequest, response: HttpResponseBase) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    # The CSRF middleware sets this when the token was read (a form): the page holds a per-visitor token.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    # The key holds no request headers, so a page that varies on one (Cookie, after a session
    # read; Accept-Language; Accept-Encoding) is not shared.
    if response.has_header("Vary"):
        return False
    control = {d.split("=")[0].strip().lower() for d in response.get("Cache-Control", "").split(",")}
    return not control & {"private", "no-store", "no-cache"}


def find_page(environ: dict[str, Any], *, path_info: str | None = None) -> tuple[str | None, Page | None]:
    """(key to store this request's page under, the stored page); (None, None) when it must not be cached.

    ``path_info``: given by the middleware, which may then copy the
    generation from the database when the shared cache has no copy and the
    address is a cached page's. The WSGI front passes none: without a copy
    it hands the request to Django, and it leaves what it found in the
    environ so the middleware does not ask the cache again.

    A cache that fails costs speed, never the page: errors are logged and
    the request is served as if uncached (RELIABILITY B.28).
    """
    if path_info is not None and FOUND in environ:
        found: tuple[str | None, Page | None] = environ[FOUND]
        return found
    if not _may_use_cache(environ):
        return None, None
    try:
        # Read before the view runs: a page is only ever filed under a generation that predates its rows.
        generation = current_generation()
        if generation is None and path_info is not None and _cacheable_path(path_info):
            copy_generation()
            generation = current_generation()
        if generation is None:
            if path_info is not None:
                environ[FOUND] = (None, None)
            return None, None
        key = page_key(environ, generation)
        now = time.time()
        page = _local.get(key, now)
        if page is None:
            page = _shared().get(key)
            if page is None or page[0] <= now:
                page = None
            else:
                _local.put(key, page)
        environ[FOUND] = (key, page)
        return key, page
    except SuspiciousOperation:  # e.g. too many query parameters: Django answers 400 itself
        return None, None
    except Exception:  # noqa: BLE001 - any backend's error
        logger.warning("page cache unreachable; serving uncached", exc_info=True)
        environ[FOUND] = (None, None)
        return None, None


class PageCacheMiddleware:
    """Store what ``cache_public_page`` allows, as the client gets it; serve it again while the generation holds.

    First in ``MIDDLEWARE`` (checked at start-up, caching.E001), so a stored
    page carries every header the other middleware add, and any cookie or
    Vary they add is seen before storing. ``PageCacheFront`` serves the same
    entries earlier still; this serves them where there is no front (the
    test client, ASGI).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key, page = find_page(request.META, path_info=request.path_info)
        if page is not None:
            response = HttpResponse(page[4], status=page[1], reason=page[2], headers=dict(page[3]))
            response[HEADER] = "hit"
            if page[5]:
                fill_slots(request, response)
            return response
        response = self.get_response(request)
        has_slot = bool(request.META.get(SLOT_MARK))
        timeout = request.META.get(MARK)
        if key is not None and timeout is not None and _storable(request, response):
            stored: Page = (
                time.time() + timeout,
                response.status_code,
                response.reason_phrase,
                tuple(response.items()),
                response.content,  # type: ignore[attr-defined]
                has_slot,
            )
            try:
                _local.put(key, stored)
                _shared().set(key, stored, timeout)
            except Exception:  # noqa: BLE001
                logger.warning("page cache unreachable; page not stored", exc_info=True)
            else:
                response[HEADER] = "miss"
        if has_slot and isinstance(response, HttpResponse):
            fill_slots(request, response)
        return response


class PageCacheFront:
    """The WSGI application with stored pages answered before Django builds a request (``wsgi.py``).

    A hit here costs a generation read and a dict lookup; through Django it
    also costs the request object, the request signals and every
    middleware, about twice as much (docs/decisions/0008-page-cache.md).
    """

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key, page = find_page(environ)
        if page is None or key is None or (page[5] and settings.CSRF_USE_SESSIONS):
            return self.application(environ, start_response)
        if page[5]:
            return _serve_with_slots(environ, key, page, start_response)
        start_response(f"{page[1]} {page[2]}", [*page[3], (HEADER, "hit")])
        return [page[4]]


def _serve_with_slots(environ: dict[str, Any], key: str, page: Page, start_response: StartResponse) -> list[bytes]:
    """A stored page with slots, filled as ``PageCacheMiddleware`` fills it, without building a response.

    The same steps as ``fill_slots`` (Django's CSRF middleware reads the
    visitor's cookie; the token and fresh values go into the slots; the
    cookie goes out again, renewed), with the response's headers written
    directly: on every page with a form, building an ``HttpResponse`` and its
    cookie was a third of a hit. tests/web/test_caching.py checks that both
    ways answer alike.
    """
    pieces, has_csrf = _local.slots(key, page)
    token = b""
    request = _CookieRequest(environ)
    if has_csrf:
        _csrf().process_request(request)  # type: ignore[arg-type]
        token = token_for(request).encode()
    body = _filled(pieces, token)
    headers: list[tuple[str, str]] = []
    private = False
    for name, value in page[3]:
        lowered = name.lower()
        if lowered == "content-length":
            value = str(len(body))
        elif lowered == "cache-control":
            value, private = "private", True
        headers.append((name, value))
    if has_csrf:
        headers.append(("Vary", "Cookie"))  # a stored page has none (_storable refuses it)
    if not private:
        headers.append(("Cache-Control", "private"))
    if has_csrf:
        headers.append(("Set-Cookie", _csrf_cookie(request.META["CSRF_COOKIE"])))
    headers.append((HEADER, "hit"))
    start_response(f"{page[1]} {page[2]}", headers)
    return [body]


# ((the second it was made in, the cookie settings it was made with), the Set-Cookie value's attributes)
_cookie_tail: tuple[tuple[Any, ...], str] = ((), "")


def _csrf_cookie(secret: str) -> str:
    """The Set-Cookie value Django's CSRF middleware sends for ``secret``.

    Django's own ``set_cookie`` makes the attributes (path, expiry, SameSite,
    Secure) once a second, the expiry's resolution, and the secret (letters
    and digits, never quoted) is put in front of them.
    """
    global _cookie_tail
    made_for = (
        int(time.time()),
        settings.CSRF_COOKIE_NAME,
        settings.CSRF_COOKIE_AGE,
        settings.CSRF_COOKIE_DOMAIN,
        settings.CSRF_COOKIE_PATH,
        settings.CSRF_COOKIE_SECURE,
        settings.CSRF_COOKIE_HTTPONLY,
        settings.CSRF_COOKIE_SAMESITE,
    )
    made, tail = _cookie_tail
    if made != made_for:
        _, name, age, domain, path, secure, httponly, samesite = made_for
        response = HttpResponse()
        response.set_cookie(
            name, "", max_age=age, domain=domain, path=path, secure=secure, httponly=httponly, samesite=samesite
        )
        tail = response.cookies[name].output(header="").partition(";")[2]
        _cookie_tail = (made_for, tail)
    return f" {made_for[1]}={secret};{tail}" if tail else f" {made_for[1]}={secret}"


class _CookieRequest:
    """What Django's CSRF steps read from a request when the token lives in a cookie: META and COOKIES.

    Building a full WSGIRequest would double the cost of a cached hit (docs/decisions/0008-page-cache.md);
    with CSRF_USE_SESSIONS the token lives in the session and the front hands the request to Django instead.
    """

    def __init__(self, environ: dict[str, Any]) -> None:
        self.META: dict[str, Any] = {}
        self.COOKIES = parse_cookie(environ.get("HTTP_COOKIE", ""))
