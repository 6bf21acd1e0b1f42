"""Name the app server that answered, in an ``X-Served-By`` header, when several stand behind one proxy.

Set per server with ``MINIPACK_SERVER_NAME`` (``web1``, ``web2``): an
operator comparing two servers, and the several-servers test, can then tell
which one answered a request through the proxy. Added outside the page
cache, so a page cached by one server and served by another names the one
serving it. Not a Django setting on purpose: every setting is part of the
page cache's build id (``caching.pages.build_id``), and servers with
different ids would not share cached pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

HEADER = "X-Served-By"


def served_by(application: WSGIApp, name: str | None) -> WSGIApp:
    """``application`` adding ``X-Served-By: name`` to every response; unchanged when ``name`` is empty."""
    if not name:
        return application

    def named(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, (HEADER, name)], exc_info)

        return application(environ, start)

    return named
