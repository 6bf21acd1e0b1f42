"""``/api/``: django-ninja's routes, with a wrong method answered as JSON like every other error."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from minipack_web.api.errors import error_body
from minipack_web.api.views import api
from minipack_web.ratelimit import rate_limit


def _json_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    # django-ninja answers a wrong method with a plain-text 405; keep its status and Allow header.
    @functools.wraps(view)  # copies csrf_exempt too
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            body = error_body(f"method {request.method} not allowed; this API is read-only (allowed: {allowed})")
            new = HttpResponse(json.dumps(body), status=405, content_type="application/json")
            new["Allow"] = allowed
            return new
        return response

    return wrapped


# The namespace django-ninja reverses its own routes in (docs and the schema link to it).
_patterns, _app, _namespace = api.urls
app_name = _namespace
# Every endpoint counts against one per-client limit (minipack_web.ratelimit); refusals in the API's JSON shape.
_limited = rate_limit("api", json_errors=True)
urlpatterns = [type(p)(p.pattern, _limited(_json_405(p.callback)), p.default_args, p.name) for p in _patterns]
