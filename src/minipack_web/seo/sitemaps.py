"""/sitemap.xml: every guide, every bag and the site's other indexable pages, each with when it last changed.

Locations are built on ``MINIPACK_SITE_URL``, not on the request: Django's
sitemaps take the domain and scheme from the request by default.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import Resolver404, resolve

from minipack_web.catalog.selectors import ProductUpdate, catalog_updated_at, product_updates
from minipack_web.guides.selectors import GuideSummary, guide_summaries

# Pages outside the guides and the bags, by path. A path that does not resolve (yet) is left out, so a page
# another change adds (/fit/, /for-you/) joins the sitemap once it exists. Not /search/ or /compare/: noindex.
OTHER_PAGES = ("/table/", "/faq/", "/fit/", "/for-you/")
# Pages computed from the catalog: they change when it does.
CATALOG_PAGES = frozenset({"/table/", "/faq/"})


class OriginSitemap(Sitemap):
    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.MINIPACK_SITE_URL).scheme

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.MINIPACK_SITE_URL).netloc


class GuideSitemap(OriginSitemap):
    def items(self) -> list[GuideSummary]:
        return guide_summaries()

    def location(self, item: GuideSummary) -> str:
        return item.url

    def lastmod(self, item: GuideSummary) -> datetime:
        return item.updated


class BagSitemap(OriginSitemap):
    def items(self) -> list[ProductUpdate]:
        return product_updates()

    def location(self, item: ProductUpdate) -> str:
        return item.url

    def lastmod(self, item: ProductUpdate) -> datetime:
        return item.updated_at


class PageSitemap(OriginSitemap):
    def items(self) -> list[str]:
        return [path for path in OTHER_PAGES if _exists(path)]

    def location(self, item: str) -> str:
        return item

    def lastmod(self, item: str) -> datetime | None:
        return catalog_updated_at() if item in CATALOG_PAGES else None


def _exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


SITEMAPS = {"guides": GuideSitemap, "bags": BagSitemap, "pages": PageSitemap}
