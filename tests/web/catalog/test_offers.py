"""Where to buy on the bag page: dated shop and maker prices, marked links, a disclosure, old prices flagged."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

import minipack.records as core
from minipack_web.catalog.services import catalog_import

from ..factories import ARTICLE, MAKER, as_records, make_product

pytestmark = pytest.mark.django_db

BAG = "/bags/fjallraven-kanken-mini/"
DISCLOSURE = "Minipack has no affiliate links: we earn nothing when you follow a link to a shop or buy a bag"


def shop(url: str, days_ago: int, title: str = "A shop listing") -> core.Source:
    seen = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    return core.Source(title, core.ClaimKind.RETAILER, core.SourceDate.parse(seen), url)


def offers_section(html: str) -> str:
    match = re.search(r'<section aria-labelledby="offers">(.*?)</section>', html, re.DOTALL)
    assert match, "the page has a 'Where to buy' section"
    return match.group(1)


def offer_items(html: str) -> list[str]:
    return re.findall(r'<li class="offer[^"]*">(.*?)</li>', offers_section(html), re.DOTALL)


@pytest.fixture
def fresh() -> core.Source:
    return shop("https://www.rei.com/product/kanken-mini", 10, "REI: Kånken Mini")


@pytest.fixture
def html(client: Client, fresh: core.Source) -> str:
    # The maker's page (2024-05-01, long ago) at $80, a shop 10 days ago at $75, and an article's $70 (no link).
    catalog_import(
        records=as_records(
            make_product(),
            make_product(claims={"price": "$75"}, source=fresh),
            make_product(claims={"price": "$70"}, source=ARTICLE),
        )
    )
    response = client.get(BAG)
    assert response.status_code == 200
    return response.content.decode()


def test_offers_list_the_shop_and_the_maker_cheapest_first_with_price_currency_and_date(
    html: str, fresh: core.Source
) -> None:
    items = offer_items(html)

    assert len(items) == 2  # the article quotes a price, but it is not a place to buy
    cheapest, maker = items
    assert '<a href="https://www.rei.com/product/kanken-mini" rel="sponsored nofollow noopener">rei.com</a>' in cheapest
    assert '<span class="value">$75 USD</span>' in cheapest
    assert f'seen <time datetime="{fresh.date.stated}">{fresh.date.stated}</time>' in cheapest
    assert "retailer: REI: Kånken Mini" in cheapest
    assert (
        '<a href="https://www.fjallraven.com/kanken-mini" rel="sponsored nofollow noopener">fjallraven.com</a>' in maker
    )
    assert '<span class="value">$80 USD</span>' in maker
    assert '<time datetime="2024-05-01">2024-05-01</time>' in maker


def test_an_old_price_says_it_may_have_changed_and_a_recent_one_does_not(html: str) -> None:
    recent, old = offer_items(html)

    assert "may have changed" not in recent
    assert MAKER.date.stated == "2024-05-01"
    days = (timezone.localdate() - date(2024, 5, 1)).days
    assert f"Seen {days} days ago: the price may have changed." in old
    assert '<li class="offer offer-stale">' in offers_section(html)


def test_the_offers_carry_a_plain_disclosure(html: str) -> None:
    section = offers_section(html)

    assert DISCLOSURE in section
    assert "no shop paid to be listed" in section
    assert "A price seen more than 90 days ago, or on an undated page, may have changed" in section


def test_a_bag_without_offers_says_so(client: Client) -> None:
    catalog_import(records=as_records(make_product(claims={"price": "$70"}, source=ARTICLE)))

    section = offers_section(client.get(BAG).content.decode())

    assert "No offers yet" in section
    assert "<li" not in section and "sponsored" not in section


def test_an_undated_shop_price_is_listed_and_flagged(client: Client) -> None:
    undated = core.Source("Shop", core.ClaimKind.RETAILER, core.SourceDate.parse("undated"), "https://shop.example/k")
    catalog_import(records=as_records(make_product(claims={"price": "€65"}, source=undated)))

    (item,) = offer_items(client.get(BAG).content.decode())

    assert "shop.example" in item and "€65 EUR" in item
    assert "seen undated" in item and "<time" not in item
    assert "Undated: the price may have changed." in item


def test_the_guide_and_the_bag_page_disclose_the_same_thing(html: str, client: Client) -> None:
    guide = client.get("/").content.decode()

    assert "Minipack has no affiliate links" in guide
    assert "Minipack has no affiliate links" in offers_section(html)
