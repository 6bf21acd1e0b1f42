"""/sitemap.xml, /robots.txt and the Atom feed of guides: valid, absolute, complete, and agreeing with each other."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.robotparser import RobotFileParser

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from minipack.guides import load_guides
from minipack_web.catalog.models import Product
from minipack_web.catalog.selectors import catalog_updated_at
from minipack_web.guides.selectors import guide_page, guide_url

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def sitemap(client: Client) -> dict[str, str]:
    """loc -> lastmod ('' when none), from the sitemap parsed as XML."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SITEMAP}urlset"
    urls = [(u.findtext(f"{SITEMAP}loc") or "", u.findtext(f"{SITEMAP}lastmod") or "") for u in root]
    locs = [loc for loc, _ in urls]
    assert len(locs) == len(set(locs)), "a URL listed twice"
    return dict(urls)


def robots(client: Client) -> RobotFileParser:
    parser = RobotFileParser()
    parser.parse(client.get("/robots.txt").content.decode().splitlines())
    return parser


def site(path: str) -> str:
    return settings.MINIPACK_SITE_URL + path


def exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def test_the_sitemap_lists_every_bag_guide_and_page_absolutely_with_lastmod(client: Client, bundled: None) -> None:
    listed = sitemap(client)

    bags = {site(f"/bags/{slug}/"): updated for slug, updated in Product.objects.values_list("slug", "updated_at")}
    assert len(bags) == 23
    for url, updated in bags.items():
        assert listed[url] == updated.date().isoformat()
    for guide in load_guides():
        assert site(guide_url(guide.slug)) in listed
    newest = catalog_updated_at()
    assert newest is not None
    assert listed[site("/")] == newest.date().isoformat()
    assert listed[site("/table/")] == listed[site("/faq/")] == newest.date().isoformat()
    for path in ("/fit/", "/for-you/"):  # joined by the pages' own change
        assert (site(path) in listed) == exists(path)
    assert all(url.startswith(settings.MINIPACK_SITE_URL + "/") for url in listed)
    assert not [url for url in listed if "/search/" in url or "/compare/" in url or "?" in url]
    expected = len(bags) + len(load_guides()) + 2 + sum(exists(p) for p in ("/fit/", "/for-you/"))
    assert len(listed) == expected


@override_settings(MINIPACK_SITE_URL="https://minipack.example")
def test_sitemap_robots_and_feed_use_the_site_url_not_the_host_header(client: Client, bundled: None) -> None:
    listed = sitemap(client)
    text = client.get("/robots.txt", HTTP_HOST="localhost").content.decode()
    feed = client.get("/feeds/guides.atom", HTTP_HOST="localhost").content.decode()

    assert all(url.startswith("https://minipack.example/") for url in listed)
    assert "Sitemap: https://minipack.example/sitemap.xml" in text.splitlines()
    assert "localhost" not in feed and "testserver" not in feed and "https://minipack.example/guides/" in feed


def test_robots_keeps_crawlers_off_the_admin_api_search_and_compare_only(client: Client, bundled: None) -> None:
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert f"Sitemap: {site('/sitemap.xml')}" in response.content.decode().splitlines()
    parser = robots(client)

    for path in ("/admin/", "/api/bags", "/search/?q=kanken", "/search/suggest?q=ka", "/compare/?bags=a,b"):
        assert not parser.can_fetch("*", site(path)), path
    for path in ("/", "/table/", "/faq/", "/fit/", "/for-you/", "/bags/fjallraven-kanken-mini/", "/api/docs"):
        assert parser.can_fetch("*", site(path)), path
    # Crawlable, so a crawler reads their canonical link (the plain table) instead of guessing.
    assert parser.can_fetch("*", site("/table/?sort=-price&units=cm"))


def test_every_sitemap_url_is_open_to_crawlers_and_indexable(client: Client, bundled: None) -> None:
    parser = robots(client)

    for url in sitemap(client):
        assert parser.can_fetch("*", url), url
        page = client.get(url.removeprefix(settings.MINIPACK_SITE_URL)).content.decode()
        assert 'name="robots" content="noindex"' not in page, url
        assert f'<link rel="canonical" href="{url}">' in page, url


def test_the_feed_is_atom_with_one_entry_per_guide(client: Client, bundled: None) -> None:
    response = client.get("/feeds/guides.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == site("/feeds/guides.atom")

    entries = root.findall(f"{ATOM}entry")
    guides = load_guides()
    assert len(entries) == len(guides)
    for entry, guide in zip(entries, guides, strict=True):
        page = guide_page(slug=guide.slug)
        assert page is not None
        assert entry.findtext(f"{ATOM}title") == page.title  # the honest title the page states
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None and link.get("href") == site(guide_url(guide.slug))
        assert entry.findtext(f"{ATOM}id") == site(guide_url(guide.slug))
        # Loaded just now, the catalog is newer than any guide's words: it is what last changed each page.
        assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated") or "") == catalog_updated_at()
        summary = entry.find(f"{ATOM}summary")
        assert summary is not None and summary.get("type") == "html"
        assert html.unescape(summary.text or "") == guide.intro


def test_an_empty_catalog_still_dates_each_guide_by_its_words(client: Client) -> None:
    root = ET.fromstring(client.get("/feeds/guides.atom").content)

    updated = [e.findtext(f"{ATOM}updated") for e in root.findall(f"{ATOM}entry")]
    assert updated == [f"{g.written}-01T00:00:00+00:00" for g in load_guides()]


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt", "/feeds/guides.atom"])
def test_the_files_refuse_writes(client: Client, path: str) -> None:
    assert client.post(path).status_code == 405
