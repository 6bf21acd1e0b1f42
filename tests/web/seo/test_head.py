"""Every page's head: one absolute canonical link, OpenGraph and Twitter tags, the feed, noindex where it belongs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client, RequestFactory, override_settings

from minipack.photos import prepare_photo
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import bag_photo_create, catalog_import
from minipack_web.guides.selectors import FLAGSHIP_SLUG

from ..factories import as_records, image_bytes, make_product
from .conftest import browser_pages, canonical, jsonld_of_type, meta, parse

pytestmark = pytest.mark.django_db

KANKEN = "/bags/fjallraven-kanken-mini/"


@pytest.mark.parametrize("path", browser_pages())
def test_every_page_has_an_absolute_canonical_and_open_graph_tags(client: Client, bundled: None, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    tree = parse(response.content.decode())

    url = canonical(tree)
    assert url.startswith(settings.MINIPACK_SITE_URL + "/")
    assert meta(tree, "og:url") == url
    title = tree.css_first("title")
    assert title is not None and title.text() and meta(tree, "og:title") == title.text()
    assert meta(tree, "og:description") == meta(tree, "description") != ""
    assert meta(tree, "og:site_name") == "Minipack"
    assert meta(tree, "og:type") in {"website", "article"}
    assert meta(tree, "twitter:card") in {"summary", "summary_large_image"}
    feed = tree.css('link[rel="alternate"][type="application/atom+xml"]')
    assert [f.attributes.get("href") for f in feed] == [f"{settings.MINIPACK_SITE_URL}/feeds/guides.atom"]


@pytest.mark.parametrize(
    ("path", "canonical_path", "noindex"),
    [
        # Filters, sorts and units re-arrange one catalog: one canonical table, which stays indexable.
        ("/table/?sort=-capacity&units=cm&features=water_resistant", "/table/", False),
        # The bags are the page (in one order), the diff toggle is not; combinations are not indexed.
        (
            "/compare/?bags=longchamp-le-pliage-backpack,fjallraven-kanken-mini&diff=1",
            "/compare/?bags=fjallraven-kanken-mini,longchamp-le-pliage-backpack",
            True,
        ),
        ("/search/?q=kanken", "/search/", True),
        ("/?utm_source=newsletter", "/", False),
        (f"{KANKEN}?ref=someone", KANKEN, False),
        # The flagship guide's second address points to the root, where it lives.
        (f"/guides/{FLAGSHIP_SLUG}/", "/", False),
        ("/guides/best-under-100/", "/guides/best-under-100/", False),
    ],
)
def test_the_canonical_drops_what_does_not_change_the_page(
    client: Client, bundled: None, path: str, canonical_path: str, noindex: bool
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    tree = parse(response.content.decode())

    assert canonical(tree) == settings.MINIPACK_SITE_URL + canonical_path
    assert meta(tree, "robots") == ("noindex" if noindex else None)


@override_settings(MINIPACK_SITE_URL="https://minipack.example")
def test_absolute_urls_come_from_the_setting_never_the_host_header(client: Client, bundled: None) -> None:
    tree = parse(client.get(KANKEN, HTTP_HOST="localhost").content.decode())

    product = jsonld_of_type(tree, "Product")
    feed = tree.css_first('link[type="application/atom+xml"]')
    assert feed is not None
    published = [canonical(tree), meta(tree, "og:url"), product["url"], feed.attributes.get("href")]
    assert published == [
        f"https://minipack.example{KANKEN}",
        f"https://minipack.example{KANKEN}",
        f"https://minipack.example{KANKEN}",
        "https://minipack.example/feeds/guides.atom",
    ]


def test_a_bag_without_a_photo_has_no_og_image(client: Client, bundled: None) -> None:
    tree = parse(client.get(KANKEN).content.decode())

    assert meta(tree, "og:image") is None
    assert meta(tree, "twitter:card") == "summary"


@override_settings(MINIPACK_SITE_URL="https://minipack.example")
@pytest.mark.parametrize(
    "photo", ["/media/bag-photos/abc-1280w.jpg", "https://minipack.example/media/bag-photos/abc-1280w.jpg"]
)
def test_a_page_with_a_photo_gets_og_image_absolute_and_a_large_card(photo: str) -> None:
    rendered = Template("{% load seo %}{% seo_head title='T' description='D' %}").render(
        Context({"request": RequestFactory().get(KANKEN), "page": SimpleNamespace(photo_url=photo)})
    )
    tree = parse(f"<head>{rendered}</head>")

    assert meta(tree, "og:image") == "https://minipack.example/media/bag-photos/abc-1280w.jpg"
    assert meta(tree, "twitter:card") == "summary_large_image"


def test_a_bag_with_a_photo_shows_it_in_og_image_and_the_product_jsonld(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINIPACK_SITE_URL = "https://minipack.example"
    catalog_import(records=as_records(make_product()))
    photo = prepare_photo(image_bytes("JPEG", (1600, 1200)), file_name="kanken.jpg")
    bag_photo_create(product=Product.objects.get(), photo=photo, alt="The Kånken Mini, front view", position=0)

    response = client.get(KANKEN)
    tree = parse(response.content.decode())

    image = meta(tree, "og:image")
    assert image == response.context["page"].photo_url
    assert image and image.startswith("https://minipack.example/media/")
    assert jsonld_of_type(tree, "Product")["image"] == image
    assert meta(tree, "twitter:card") == "summary_large_image"


def test_guides_are_articles_and_the_feed_they_link_to_exists(client: Client, bundled: None) -> None:
    tree = parse(client.get("/guides/best-under-100/").content.decode())
    feed = tree.css_first('link[type="application/atom+xml"]')
    assert feed is not None
    href = feed.attributes.get("href") or ""

    assert meta(tree, "og:type") == "article"
    assert client.get(href.removeprefix(settings.MINIPACK_SITE_URL)).status_code == 200


def test_titles_with_quotes_and_ampersands_are_escaped_once(client: Client, bundled: None) -> None:
    # The title is captured once and printed in <title> and og:title: neither raw nor escaped twice.
    path = "/guides/best-personal-item-budget-airlines/"
    html = client.get(path).content.decode()
    tree = parse(html)

    title = tree.css_first("title")
    assert title is not None and "Ryanair's" in title.text()
    assert meta(tree, "og:title") == title.text()
    assert "&amp;#x27;" not in html
