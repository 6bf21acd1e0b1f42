"""schema.org JSON-LD: a Product on each bag page, an ItemList on each guide, and catalog text that stays inside."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from minipack.records import Source, SourceDate
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import
from minipack_web.guides.selectors import GuidePage

from ..factories import MAKER, as_records, make_product
from .conftest import jsonld, jsonld_of_type, meta, parse

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"  # the test default of MINIPACK_SITE_URL, written out so a change is noticed
EVIL = "</script><script>alert(1)</script> & co"


def test_the_site_default_is_the_dev_server() -> None:
    assert settings.MINIPACK_SITE_URL == SITE


def recent_maker(days_ago: int = 10) -> Source:
    """The factory's maker page, seen ``days_ago`` days before today."""
    return replace(MAKER, date=SourceDate.parse((timezone.localdate() - timedelta(days=days_ago)).isoformat()))


def test_a_bag_page_is_a_product_with_the_catalogs_price_and_measured_sizes(client: Client) -> None:
    catalog_import(records=as_records(make_product(source=recent_maker())))  # the maker's page says $80
    stored = Product.objects.get(slug="fjallraven-kanken-mini")

    data = jsonld_of_type(parse(client.get("/bags/fjallraven-kanken-mini/").content.decode()), "Product")

    assert data["name"] == stored.name == "Fjällräven Kånken Mini"
    assert data["brand"] == {"@type": "Brand", "name": "Fjällräven"}
    assert data["url"] == f"{SITE}/bags/fjallraven-kanken-mini/"
    offer = data["offers"]
    assert offer["@type"] == "Offer"
    assert (offer["priceCurrency"], Decimal(offer["price"]) * 100) == (stored.price_currency, stored.price_minor)
    assert offer["url"] == "https://www.fjallraven.com/kanken-mini"
    properties = {p["name"]: (p["value"], p["unitCode"]) for p in data["additionalProperty"]}
    assert properties == {
        "Outer width": (200, "MMT"),
        "Outer height": (290, "MMT"),
        "Outer depth": (130, "MMT"),
        "Capacity": (7000, "MLT"),
        "Weight": (220, "GRM"),
    }
    assert "7 L" in data["description"] and "220 g" in data["description"]
    assert not {"aggregateRating", "review", "image"} & data.keys()


@pytest.mark.parametrize(("days_ago", "offered"), [(90, True), (91, False)])
def test_a_price_seen_more_than_90_days_ago_is_shown_with_its_date_but_not_offered(
    client: Client, days_ago: int, offered: bool
) -> None:
    catalog_import(records=as_records(make_product(source=recent_maker(days_ago=days_ago))))

    html = client.get("/bags/fjallraven-kanken-mini/").content.decode()

    data = jsonld_of_type(parse(html), "Product")
    if offered:
        assert data["offers"]["price"] == "80.00"
    else:
        assert "Seen 91 days ago: the price may have changed." in html  # the page says so...
        assert "offers" not in data  # ...and search engines, which show an offer as today's price, get none


def test_an_undated_price_is_shown_on_the_page_but_never_offered(client: Client, bundled: None) -> None:
    # The bundled Kånken Mini's only price is an undated $70 from a review.
    html = client.get("/bags/fjallraven-kanken-mini/").content.decode()

    data = jsonld_of_type(parse(html), "Product")
    assert "$70" in html
    assert "offers" not in data
    assert "70" not in str(data.get("offers", ""))


@pytest.mark.parametrize("path", ["/", "/guides/best-under-100/", "/guides/best-for-an-ipad-mini/"])
def test_a_guide_is_an_item_list_in_rank_order_of_the_entries_shown(client: Client, bundled: None, path: str) -> None:
    response = client.get(path)
    page: GuidePage = response.context["page"]
    tree = parse(response.content.decode())

    data = jsonld_of_type(tree, "ItemList")
    shown = tree.css("ol.guide-list > li.guide-entry")
    assert data["numberOfItems"] == len(data["itemListElement"]) == len(page.entries) == len(shown)
    assert data["url"] == meta(tree, "og:url")
    assert [(i["position"], i["url"], i["name"]) for i in data["itemListElement"]] == [
        (e.position, f"{SITE}{e.url}", e.name) for e in page.entries
    ]
    assert [i["position"] for i in data["itemListElement"]] == list(range(1, len(page.entries) + 1))


def test_the_flagship_lists_ten_and_every_entry_links_to_a_bag_page(client: Client, bundled: None) -> None:
    data = jsonld_of_type(parse(client.get("/").content.decode()), "ItemList")

    assert data["numberOfItems"] == 10
    for item in data["itemListElement"]:
        assert client.get(item["url"].removeprefix(SITE)).status_code == 200


@pytest.mark.parametrize("path", ["/bags/evil-mini/", "/"])
def test_catalog_text_cannot_break_out_of_the_jsonld(client: Client, path: str) -> None:
    catalog_import(
        records=as_records(make_product("evil-mini", model=f"Mini {EVIL}", claims={"material": EVIL, "price": "$80"}))
    )
    html = client.get(path).content.decode()
    tree = parse(html)

    # Had '</script>' ended an element, the parser would see a script that runs alert(1).
    assert "<script>alert(1)" not in html
    for script in tree.css("script"):
        if script.attributes.get("type") != "application/ld+json":
            assert "alert" not in script.text()
    names = [d["name"] for d in jsonld(tree) if d["@type"] == "Product"]
    names += [i["name"] for d in jsonld(tree) if d["@type"] == "ItemList" for i in d["itemListElement"]]
    assert names == [f"Fjällräven Mini {EVIL}"]  # read back whole, neither cut nor escaped twice
    if path.startswith("/bags/"):
        assert (meta(tree, "og:title") or "").startswith(f"Fjällräven Mini {EVIL}:")
