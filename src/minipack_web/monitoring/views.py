"""``/healthz``: whether this process can serve pages, for load balancers and uptime checks."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # the cheapest round trip that proves the database answers
    except DatabaseError:
        # The reason goes to the log, never into the answer: a probe may be public, and a driver's message
        # can name hosts, users or paths.
        logger.warning("health check: the database is unavailable", exc_info=True)
        return False
    return True


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 {"status": "ok", ...}; 503 with each failing component marked "unavailable" (not a 500 page).

    Only the database is checked: without it no page can be made. The cache is not, because the site
    serves pages uncached when it is down (RELIABILITY B.28); taking the server out of rotation for it
    would turn lost speed into lost pages.
    """
    checks = {"database": "ok" if _database() else "unavailable"}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
