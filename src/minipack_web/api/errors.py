"""Every error the API answers with, in one shape: ``{"error": "...", "detail": [...]}`` and a 4xx code.

Core errors are mapped here and nowhere else: a ``MinipackError`` is the
caller's input refused by a core rule (400), a fit request that cannot be
read is 422 with one detail per field path, django-ninja's own validation
of typed parameters is 400 for the query string and 422 for a body. Anything
else escaping a view is a bug and gets Django's generic 500 page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from minipack.errors import MinipackError
from minipack.fit.jsonl import RequestError


class ApiError(Exception):
    """A refused request: the HTTP status, one sentence naming the parameter, and optional details."""

    def __init__(self, status: int, message: str, detail: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail or []


def error_body(message: str, detail: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"error": message, "detail": detail or []}


def problems_detail(problems: list[str]) -> list[dict[str, str]]:
    """'items[0].dims_mm[1]: must be ...' (the core's form) as ``{"field", "message"}`` pairs."""
    out = []
    for problem in problems:
        field, sep, message = problem.partition(": ")
        out.append({"field": field, "message": message} if sep else {"field": "", "message": problem})
    return out


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``; the views raise, these answer."""

    def answer(request: HttpRequest, status: int, message: str, detail: list[dict[str, str]]) -> HttpResponse:
        return api.create_response(request, error_body(message, detail), status=status)

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return answer(request, exc.status, exc.message, exc.detail)

    @api.exception_handler(RequestError)
    def _fit_request(request: HttpRequest, exc: RequestError) -> HttpResponse:
        return answer(request, 422, "the fit request is not valid", problems_detail(exc.problems))

    @api.exception_handler(MinipackError)
    def _core(request: HttpRequest, exc: MinipackError) -> HttpResponse:
        return answer(request, 400, str(exc), [])

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        detail = []
        for error in exc.errors:
            loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path")]
            detail.append({"field": ".".join(loc), "message": str(error.get("msg", "invalid"))})
        in_query = all(error.get("loc", ("",))[0] == "query" for error in exc.errors)
        names = ", ".join(d["field"] for d in detail if d["field"]) or "the request"
        return answer(request, 400 if in_query else 422, f"invalid value for {names}", detail)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return answer(request, 404, str(exc) or "not found", [])

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return answer(request, 413, "the request body is too large", [])
