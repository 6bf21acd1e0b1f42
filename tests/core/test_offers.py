"""Where to buy: offers are the shop and maker price claims with a link, newest per page, cheapest first."""

from __future__ import annotations

from datetime import date

import pytest

from minipack.catalog import claim_from_text
from minipack.offers import STALE_AFTER_DAYS, offers, seen_on, shop_name
from minipack.records import Claim, ClaimKind, Product, Source, SourceDate
from minipack.units import Money

TODAY = date(2025, 3, 1)


def source(title: str, kind: ClaimKind, when: str, url: str = "") -> Source:
    return Source(title, kind, SourceDate.parse(when), url)


def price(text: str, src: Source) -> Claim:
    return claim_from_text("price", text, src)


def bag(*claims: Claim) -> Product:
    return Product("kanken-mini", "Fjällräven", "Kånken Mini", "backpack", claims=claims)


REI = source("REI: Kånken Mini", ClaimKind.RETAILER, "2025-02-20", "https://www.rei.com/product/kanken-mini")
MAKER = source(
    "Fjällräven: Kånken Mini", ClaimKind.MANUFACTURER, "2025-02-01", "https://www.fjallraven.com/kanken-mini"
)
AMAZON = source("Amazon listing", ClaimKind.RETAILER, "2025-02-25", "https://amazon.com/dp/B0001")


def test_only_shop_and_maker_prices_with_a_link_are_offers() -> None:
    review = source("A review", ClaimKind.REVIEW, "2025-02-01", "https://blog.example/review")
    article = source("A listicle", ClaimKind.ARTICLE, "2025-02-01", "https://news.example/top10")
    unlinked_shop = source("A shop's flyer", ClaimKind.RETAILER, "2025-02-01")
    product = bag(
        price("$80", REI),
        price("$70", review),
        price("$60", article),
        price("$50", unlinked_shop),
        price("$90", MAKER),
    )

    found = offers(product, today=TODAY)

    assert [(o.shop, o.price) for o in found] == [
        ("rei.com", Money(8000, "USD")),
        ("fjallraven.com", Money(9000, "USD")),
    ]
    assert {o.kind for o in found} == {ClaimKind.RETAILER, ClaimKind.MANUFACTURER}


def test_offers_are_cheapest_first_within_a_currency_preferred_currency_first() -> None:
    euro_shop = source("Shop DE", ClaimKind.RETAILER, "2025-02-20", "https://shop.example.de/kanken")
    pound_shop = source("Shop UK", ClaimKind.RETAILER, "2025-02-20", "https://shop.example.co.uk/kanken")
    product = bag(
        price("€59,99", euro_shop),
        price("$80", REI),
        price("£40", pound_shop),
        price("$75", AMAZON),
        price("$90", MAKER),
    )

    found = offers(product, today=TODAY, preferred_currency="USD")

    assert [(o.price.currency, o.price.amount_minor) for o in found] == [
        ("USD", 7500),
        ("USD", 8000),
        ("USD", 9000),
        ("EUR", 5999),  # the others alphabetically: no exchange rates, so no ranking across currencies
        ("GBP", 4000),
    ]


def test_a_page_read_on_several_dates_is_one_offer_at_its_newest_price() -> None:
    url = "https://www.rei.com/product/kanken-mini"
    older = source("REI: Kånken Mini", ClaimKind.RETAILER, "2024-06-01", url)

    found = offers(bag(price("$60", older), price("$80", REI)), today=TODAY)

    assert len(found) == 1
    assert (found[0].price, found[0].seen.stated) == (Money(8000, "USD"), "2025-02-20")


def test_the_offer_keeps_its_source_and_date() -> None:
    (offer,) = offers(bag(price("$80", REI)), today=TODAY)

    assert offer.url == REI.url
    assert offer.source_title == "REI: Kånken Mini"
    assert offer.seen == SourceDate.parse("2025-02-20")
    assert offer.age_days == 9 and not offer.stale


def test_a_price_older_than_the_limit_or_undated_is_stale() -> None:
    limit_day = source("Edge", ClaimKind.RETAILER, "2024-12-01", "https://edge.example/k")  # exactly 90 days
    old = source("Old", ClaimKind.RETAILER, "2024-11-30", "https://old.example/k")  # 91 days
    undated = source("Undated", ClaimKind.RETAILER, "undated", "https://undated.example/k")

    found = {
        o.shop: o for o in offers(bag(price("$1", limit_day), price("$2", old), price("$3", undated)), today=TODAY)
    }

    assert STALE_AFTER_DAYS == 90
    assert (found["edge.example"].age_days, found["edge.example"].stale) == (90, False)
    assert (found["old.example"].age_days, found["old.example"].stale) == (91, True)
    assert (found["undated.example"].age_days, found["undated.example"].stale) == (None, True)


def test_a_month_or_year_counts_from_its_first_day() -> None:
    assert seen_on(SourceDate.parse("2024-05")) == date(2024, 5, 1)
    assert seen_on(SourceDate.parse("2020 (page title)")) == date(2020, 1, 1)
    assert seen_on(SourceDate.parse("undated")) is None
    month = source("Month", ClaimKind.RETAILER, "2024-12", "https://month.example/k")
    (offer,) = offers(bag(price("$1", month)), today=date(2025, 3, 1))
    assert offer.age_days == 90 and not offer.stale


def test_a_future_date_is_not_stale() -> None:
    later = source("Later", ClaimKind.RETAILER, "2025-06-01", "https://later.example/k")
    (offer,) = offers(bag(price("$1", later)), today=TODAY)
    assert not offer.stale


def test_no_price_claims_means_no_offers() -> None:
    assert offers(bag(), today=TODAY) == ()


@pytest.mark.parametrize(
    ("url", "shop"),
    [
        ("https://www.REI.com/product/1", "rei.com"),
        ("http://shop.example.co.uk:8080/x?y=1", "shop.example.co.uk"),
        ("https://www.fjallraven.com.", "fjallraven.com"),
        ("https://[not-closed", ""),
    ],
)
def test_the_shop_name_is_the_host_without_www(url: str, shop: str) -> None:
    assert shop_name(url) == shop
