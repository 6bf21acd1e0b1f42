"""A request whose database write finds the disk full (or the database busy, or its server down) gets a 503, not a 500.

Django would answer such a request with its generic 500 page and log it as a
bug. It is not one: the server is short of space (RELIABILITY check 24), the
view's transaction was rolled back, and the same request will work once an
operator frees space (or once PostgreSQL is back from a restart, RELIABILITY
check 29). So the visitor is told that, with ``Retry-After``, and
the log gets one error line naming the cause, which is what alerting keys on.
The comment and newsletter forms catch these errors themselves, to keep the
visitor's text; this covers every other view (the admin, confirmations,
unsubscribes, the API).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from minipack_web.database.errors import Unavailable, Why, unavailable

logger = logging.getLogger(__name__)

# Seconds. A busy database is free again within a lock timeout; a full disk waits for a person.
# A restarting database server is back within seconds.
RETRY_AFTER_S = {Why.BUSY: 5, Why.DISK_FULL: 300, Why.RESOURCES: 60, Why.DOWN: 10}


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        found = unavailable(exception)
        if found is None:
            return None  # a bug: Django's 500 handling and its error log
        logger.error(
            "%s %s answered 503: %s",
            request.method,
            request.path,
            found.explanation,
            exc_info=(type(exception), exception, exception.__traceback__),
        )
        return unavailable_response(request, found)


def unavailable_response(request: HttpRequest, found: Unavailable) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        # The API's error shape (api/errors.py), so a client reads it like any other refusal.
        what = "is not available" if found.why is Why.DOWN else "cannot take writes"
        response = JsonResponse({"error": f"the database {what} just now; try again later", "detail": []})
    else:
        # Rendered without the request: no context processor runs, so the page needs nothing from the database.
        context = {"busy": found.why is Why.BUSY, "down": found.why is Why.DOWN}
        response = HttpResponse(render_to_string("503.html", context))
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_S[found.why])
    add_never_cache_headers(response)  # a proxy must not keep serving the outage after it is over
    return response
