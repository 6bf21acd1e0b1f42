"""Requests through the WSGI stack of ``minipack_web.wsgi`` (request log, page-cache front, Django), as gunicorn does.

The test client skips that stack: a page the cache's front door answers never reaches Django, so
what a visitor gets on a cache hit can only be seen from here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory


@dataclass(frozen=True)
class WsgiAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def _reload_middleware() -> None:
    # Middleware reads some settings once, when built (SecurityMiddleware's HSTS and redirect): rebuilt
    # here, the process-wide handler serves with the settings this test has, not those of the first test.
    from minipack_web.wsgi import django_application

    django_application.load_middleware()


def wsgi_get(path: str, **environ: Any) -> WsgiAnswer:
    """GET ``path`` through ``minipack_web.wsgi.application``; ``environ`` adds or overrides WSGI keys."""
    from minipack_web.wsgi import application

    _reload_middleware()
    request_environ = {**RequestFactory().get(path).environ, **environ}
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=int(status.split(" ", 1)[0]), headers=list(headers))

    chunks = application(request_environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # as a WSGI server does: Django's request_finished, the request log's line
    return WsgiAnswer(answer["status"], answer["headers"], body)


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Let the real WSGI handler finish a request without closing the test's database connection (the test
    client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
    _reload_middleware()  # torn down after the test's settings were restored: back to the suite's own
