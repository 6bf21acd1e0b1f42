"""Structured logs: one JSON object per line on standard error, and a line for the requests served.

Every request is logged, except pages answered from the page cache: one
cache hit in ``hit_sample`` is logged, with ``"sample": N`` saying how many
hits the line stands for (docs/decisions/0014-cached-hit-cost.md).

A log collector (journald, Docker, a hosted service) reads standard error
and indexes each field, so a question like "which paths answered 5xx in the
last hour, and how slowly" is a query, not a grep. Errors carry their
traceback in ``exc_info`` (Django's ``django.request`` logger logs every 500
with it). python-json-logger does the formatting.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

logger = logging.getLogger("minipack.request")

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

# Paths whose last part is a bearer token (a newsletter confirm or one-click unsubscribe link, a comment
# receipt): anyone holding the link can act on it, so logs keep only the route. A test checks that every
# URL pattern with a ``token`` parameter starts with one of these.
TOKEN_PATH_PREFIXES = ("/newsletter/confirm/", "/newsletter/unsubscribe/", "/comments/posted/")


def json_logging(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything at ``level`` and above, as JSON, to standard error."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",  # ISO 8601, UTC
                # Django's request logs attach the request object; its repr holds the query string, which
                # may hold what a visitor typed. The path is in the message already.
                "reserved_attrs": [*RESERVED_ATTRS, "request"],
            },
        },
        "filters": {"tokens": {"()": "minipack_web.monitoring.logs.RedactTokens"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["tokens"]}},
        "root": {"handlers": ["stderr"], "level": level},
        # Scanners send foreign Host headers all day; each is a 400 in the request log already, without
        # Django's traceback for it.
        "loggers": {"django.security.DisallowedHost": {"level": "CRITICAL"}},
    }


def loggable_path(path: str) -> str:
    """The request path, with a bearer token in it replaced by ``<token>``."""
    for prefix in TOKEN_PATH_PREFIXES:
        if path.startswith(prefix):
            return f"{prefix}<token>/"
    return path


class RedactTokens(logging.Filter):
    """Take tokens out of paths in any log message (Django logs "Bad Request: /newsletter/unsubscribe/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(loggable_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class RequestLog:
    """WSGI middleware: log method, path, status, duration and cache state once the response is sent.

    Outermost in ``wsgi.py``, outside ``PageCacheFront``, so a page served
    from the cache (which Django never sees) is logged like any other. The
    query string is left out: it holds what visitors search for.

    ``hit_sample``: log the first cache hit and then one in this many (1:
    every one). A hit is the same stored page sent again in a fraction of a
    millisecond; a line for each cost a quarter of the server's hit rate
    (measured, decision 0014), and the proxy in front logs every request anyway.
    """

    def __init__(self, application: WSGIApp, *, hit_sample: int = 1) -> None:
        if hit_sample < 1:
            raise ValueError(f"hit_sample={hit_sample}: log one hit in 1 or more")
        self.application = application
        self.hit_sample = hit_sample
        self._hits = itertools.count()  # next() on it is atomic: the threads of a worker share it

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not logger.isEnabledFor(logging.INFO):  # costs nothing when an operator turns request logs off
            return self.application(environ, start_response)
        started = time.perf_counter()
        answer: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"] = int(status.split(" ", 1)[0])
            answer["cache"] = next((value for name, value in headers if name.lower() == "x-cache"), None)
            return start_response(status, headers, exc_info)

        def done() -> None:
            if answer.get("cache") == "hit" and self.hit_sample > 1:
                if next(self._hits) % self.hit_sample:
                    return
                answer["sample"] = self.hit_sample
            _log(environ, answer, started)

        try:
            body = self.application(environ, start)
        except BaseException:
            _log(environ, {"status": 500, "cache": None}, started)
            raise
        wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(wrapper, type) and isinstance(body, wrapper):
            # A static file the server sends with sendfile(): wrapping it would lose that, so the
            # duration stops when the file is handed over.
            done()
            return body
        return _LoggedBody(body, done)


class _LoggedBody:
    """The response body, passed through; logs when the server closes it (after the last byte was sent)."""

    def __init__(self, body: Iterable[bytes], on_close: Callable[[], None]) -> None:
        self._body = body
        self._on_close = on_close

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()  # Django's request_finished signal runs here
        finally:
            self._on_close()


def _log(environ: dict[str, Any], answer: dict[str, Any], started: float) -> None:
    status = answer.get("status", 500)
    logger.log(
        logging.ERROR if status >= 500 else logging.INFO,
        "request",
        extra={
            "method": environ.get("REQUEST_METHOD", ""),
            # WSGI hands the path over as Latin-1; browsers send UTF-8.
            "path": loggable_path(environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "cache": answer.get("cache"),
            **({"sample": answer["sample"]} if "sample" in answer else {}),
        },
    )
