"""Catalog pages. Thin: call one selector, render."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from minipack_web.catalog.selectors import bag_page, product_list


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/home.html", {"rows": product_list()})


@require_safe
def bag(request: HttpRequest, slug: str) -> HttpResponse:
    page = bag_page(slug=slug)
    if page is None:
        raise Http404("No bag with this address.")
    return render(request, "catalog/bag.html", {"page": page})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 "ok" when the app can reach its database; 503 (not a 500 page) when it cannot, for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
