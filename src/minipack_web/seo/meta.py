"""What a page tells search engines about itself: its canonical address, whether to index it, its OpenGraph type.

The canonical address is the path without its query string, except where
the query is the page:

- ``/table/?sort=…&units=…&features=…``: filters, sorts and units re-arrange
  the one catalog, and ``?format=csv`` is a download, so every variant's
  canonical is ``/table/``, which stays indexable. Canonicalised, not
  noindexed: a noindex beside a canonical that points elsewhere gives search
  engines two opposite signals.
- ``/compare/?bags=a,b``: the bags are the page, so the canonical keeps them,
  sorted (a,b and b,a are one comparison), and drops ``diff`` (it only hides
  equal rows). Compare pages are noindex: any 2 to 6 of our bags is over
  100,000 pages, each a re-cut of bag pages that are indexed.
- ``/search/?q=…``: noindex, canonical ``/search/``. Results for whatever
  anyone types are unbounded and thin; every result has its own page.
- Every other page: its path. No other page reads a parameter, so
  ``?utm_source=…`` and the like never split one page into several.

A page object may name its own canonical path (``page.canonical_url``): the
flagship guide's second address, ``/guides/top-10-…/``, points to ``/``.
robots.txt (``views.robots_txt``) also keeps crawlers off /search/ and
/compare/; the table's variants stay crawlable so their canonical is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest

from minipack_web.seo.origin import absolute_url

NOINDEX_VIEWS = frozenset({"catalog:compare", "guides:search"})
OG_TYPES = {"guides:guide": "article"}  # a guide is written and dated; every other page is 'website'


@dataclass(frozen=True)
class PageMeta:
    canonical_url: str  # absolute, on MINIPACK_SITE_URL
    noindex: bool
    og_type: str
    image: str  # absolute URL of the page's photo; '' when it has none


def page_meta(*, request: HttpRequest | None, page: object = None) -> PageMeta:
    """The tags for ``request``'s page; ``page`` is the view's page object, when it has one."""
    view = request.resolver_match.view_name if request and request.resolver_match else ""
    own = getattr(page, "canonical_url", "")
    path = own if isinstance(own, str) and own else _canonical_path(request, view)
    # A photo arrives as a path or an absolute URL, depending on who built the page; the tag wants it absolute.
    photo = getattr(page, "photo_url", "")
    return PageMeta(
        canonical_url=absolute_url(path),
        noindex=view in NOINDEX_VIEWS,
        og_type=OG_TYPES.get(view, "website"),
        image=absolute_url(photo) if isinstance(photo, str) and photo else "",
    )


def _canonical_path(request: HttpRequest | None, view: str) -> str:
    if request is None:
        return "/"
    if view == "catalog:compare":
        slugs = sorted(s.strip() for value in request.GET.getlist("bags") for s in value.split(",") if s.strip())
        return f"{request.path}?{urlencode({'bags': ','.join(slugs)}, safe=',')}" if slugs else request.path
    return request.path
