"""robots.txt, and the sitemap and the feed behind the same read-only guard as every other page."""

from __future__ import annotations

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from minipack_web.seo.feeds import GuidesFeed
from minipack_web.seo.origin import absolute_url
from minipack_web.seo.sitemaps import SITEMAPS

# What crawlers may fetch. Everything a reader can land on is open (the guides, every bag, the table, the FAQ,
# and static files, which search engines need to render a page). Kept out:
ROBOTS_DISALLOW = (
    # The editors' admin: a login page, nothing public behind it.
    "/admin/",
    # The JSON API is data for programs, not pages for readers (its docs, allowed below, are a page).
    "/api/",
    # Search results (and /search/suggest): one page per typed query, unbounded; every result has its own page.
    "/search/",
    # Every 2 to 6 bag combination is a page: over 100,000 re-cuts of the indexed bag pages.
    "/compare/",
)
# Search and compare pages also say noindex, for crawlers that ignore this file; blocking them too spares the
# database unbounded crawling, at the cost that a URL someone links to may be listed bare.
#
# Not blocked: the query variants of /table/ (and of /fit/ and /for-you/). Their canonical link names the plain
# page, and a crawler barred from a URL never reads its canonical. A 'Disallow: /table/?' would also be read
# as 'Disallow: /table/' by parsers that drop an empty query (Python's urllib.robotparser does).
#
# Allow lines go before the Disallow lines: Google takes the longest matching rule, but simpler parsers
# (urllib.robotparser among them) take the first, and /api/docs must win over /api/ for both.
ROBOTS_ALLOW_FIRST = ("/api/docs",)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *"]
    lines += [f"Allow: {path}" for path in ROBOTS_ALLOW_FIRST]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["Allow: /", "", f"Sitemap: {absolute_url(reverse('seo:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_view(request, sitemaps=SITEMAPS)


guides_feed = require_safe(GuidesFeed())
