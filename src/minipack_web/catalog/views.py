"""Catalog pages. Thin: check the request with a form, call one selector, render."""

from __future__ import annotations

from django import forms
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minipack.photos import CONTENT_TYPES
from minipack.table import TableFilters
from minipack_web.caching import PAGE_TIMEOUT, cache_public_page
from minipack_web.catalog.fit_forms import FitForm
from minipack_web.catalog.fit_selectors import fit_answer
from minipack_web.catalog.forms import SORT_CHOICES, CompareForm, TableForm
from minipack_web.catalog.selectors import (
    bag_page,
    catalog_currency,
    comparison,
    photo_file_path,
    table_csv,
    table_rows,
)


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def bag(request: HttpRequest, slug: str) -> HttpResponse:
    page = bag_page(slug=slug)
    if page is None:
        raise Http404("No bag with this address.")
    return render(request, "catalog/bag.html", {"page": page})


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def table(request: HttpRequest) -> HttpResponse:
    form = TableForm(request.GET, currency=catalog_currency())
    if not form.is_valid():
        return bad_request(request, form)
    view = table_rows(filters=form.filters(), units=form.chosen_units, currency=form.currency)
    if form.wants_csv:
        response = HttpResponse(
            table_csv(table=view, base_url=request.build_absolute_uri("/").rstrip("/")),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="minipack-bags.csv"'
        return response
    sort = form.filters().sort
    return render(
        request,
        "catalog/table.html",
        {
            "form": form,
            "table": view,
            "filters_active": form.filters() != TableFilters(sort=sort),
            "sorts": _sort_links(request.GET, sort),
            "csv_query": _query(request.GET, format="csv"),
            "other_units_query": _query(request.GET, units="cm" if form.chosen_units == "in" else "in"),
        },
    )


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form)
    slugs = form.cleaned_data["bags"]
    return render(
        request,
        "catalog/compare.html",
        {
            "table": comparison(slugs=slugs, only_differences=form.only_differences),
            "only_differences": form.only_differences,
            "toggle_query": _query(
                QueryDict(mutable=True), bags=",".join(slugs), diff="" if form.only_differences else "1"
            ),
        },
    )


def bad_request(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """A 400 page naming each bad parameter and why, instead of guessing what was meant."""
    problems = [(name, " ".join(str(m) for m in messages)) for name, messages in form.errors.items()]
    return render(request, "catalog/bad_request.html", {"problems": problems}, status=400)


def _query(params: QueryDict, **changes: str) -> str:
    """``params`` with ``changes`` applied (an empty value removes the parameter), as '?a=1&b=2'."""
    query = params.copy()
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    if "format" not in changes:
        query.pop("format", None)
    return "?" + query.urlencode() if query else "?"


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (flipping the direction if it is the current sort)."""
    links = {}
    for value, _label in SORT_CHOICES:
        if value.startswith("-"):
            continue
        if current == value:
            target, state = f"-{value}", "ascending"
        elif current == f"-{value}":
            target, state = value, "descending"
        else:
            target, state = value, "none"
        links[value] = {"href": _query(params, sort=target), "aria_sort": state}
    return links


# A year: a photo file's name is a hash of its bytes, so the bytes behind a name never change.
PHOTO_CACHE_CONTROL = "public, max-age=31536000, immutable"


@require_safe
def photo_file(request: HttpRequest, name: str) -> HttpResponse:
    """One stored photo variant, in development and in production alike (docs/decisions/0007-bag-photos.md)."""
    path = photo_file_path(name=name)
    try:
        if path is None:
            raise FileNotFoundError(name)
        file = path.open("rb")
    except FileNotFoundError:  # also a photo deleted since the check
        raise Http404("No photo with this name.") from None
    response = FileResponse(file, content_type=CONTENT_TYPES[path.suffix.lstrip(".")])
    response["Cache-Control"] = PHOTO_CACHE_CONTROL
    return response


@cache_public_page(PAGE_TIMEOUT)
@require_safe
def fit(request: HttpRequest) -> HttpResponse:
    """Will my things fit? The form, and once something is chosen, every bag's answer."""
    form = FitForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # The form comes back filled in, with each bad field named, so one typo costs one fix.
        return render(request, "catalog/fit.html", {"form": form, "problems": form.problems()}, status=400)
    kit = form.kit_items
    return render(
        request,
        "catalog/fit.html",
        {"form": form, "answer": fit_answer(kit=kit) if kit else None, "share_query": form.share_query()},
    )
