"""Guide, search and FAQ pages. Thin: read the path or query string, call one selector, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minipack_web.caching import PAGE_TIMEOUT, cache_public_page
from minipack_web.catalog.selectors import product_list
from minipack_web.guides.forms import ForYouForm
from minipack_web.guides.selectors import (
    FLAGSHIP_SLUG,
    faq_page,
    for_you_page,
    guide_page,
    search_page,
    search_suggestions,
)
from minipack_web.ratelimit import rate_limit


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The flagship guide, "Top 10 mini backpack purses", then every bag in the catalog at a glance."""
    page = guide_page(slug=FLAGSHIP_SLUG)
    if page is None:
        raise Http404("No guide with this address.")
    return render(request, "guides/guide.html", {"page": page, "catalog_rows": product_list()})


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    page = guide_page(slug=slug)
    if page is None:
        raise Http404("No guide with this address.")
    return render(request, "guides/guide.html", {"page": page})


@cache_public_page(PAGE_TIMEOUT)
@rate_limit("search")  # inside the page cache's mark: a refusal is never stored, and a stored page is not counted
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "guides/search.html", {"page": search_page(q=request.GET.get("q", ""))})


@rate_limit("search", json_errors=True)
@require_safe
def suggest(request: HttpRequest) -> JsonResponse:
    # A list at the top level is safe to serve as JSON since ES5 (no Array-constructor hijacking).
    return JsonResponse(search_suggestions(q=request.GET.get("q", "")), safe=False)


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def faq(request: HttpRequest) -> HttpResponse:
    return render(request, "guides/faq.html", {"page": faq_page()})


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def for_you(request: HttpRequest) -> HttpResponse:
    """A personal top 10: the preferences form, and once submitted, the ranking it gives."""
    form = ForYouForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "guides/for_you.html", {"form": form, "problems": form.problems()}, status=400)
    page = for_you_page(prefs=form.preferences()) if form.is_bound else None
    return render(request, "guides/for_you.html", {"form": form, "page": page})
