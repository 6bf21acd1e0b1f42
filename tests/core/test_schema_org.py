"""schema.org data: a Product that says no more than the catalog (dated sellers' offers, units, no rating)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from minipack.catalog import claim_from_text
from minipack.records import ClaimKind, Product, Source, SourceDate
from minipack.schema_org import ListEntry, item_list_jsonld, offer_price, product_description, product_jsonld
from minipack.units import Money

MAKER = Source("Maker page", ClaimKind.MANUFACTURER, SourceDate.parse("2025-01-10"), "https://maker.example/bag")
SHOP = Source("Shop", ClaimKind.RETAILER, SourceDate.parse("2025-03"), "https://shop.example/bag")
UNDATED_SHOP = Source("Old shop page", ClaimKind.RETAILER, SourceDate.parse("undated"), "https://old.example/bag")
REVIEW = Source("Owner review", ClaimKind.REVIEW, SourceDate.parse("2025-06-01"), "https://blog.example/review")
URL = "https://minipack.example/bags/acme-mini/"
TODAY = date(2025, 4, 1)  # the dated sellers above were seen within 90 days of it


def bag(claims: dict[str, str | list[str]], source: Source = MAKER, *extra: tuple[str, str, Source]) -> Product:
    made = [claim_from_text(field, text, source) for field, text in claims.items()]
    made += [claim_from_text(field, text, src) for field, text, src in extra]
    return Product("acme-mini", "Acme", "Mini", "backpack", claims=tuple(made))


def test_a_bag_is_a_product_with_its_name_brand_url_and_measured_sizes_in_units() -> None:
    product = bag({"exterior": "20 W x 29 H x 13 D cm", "capacity": "7 L", "weight": "220 g", "material": "Nylon"})

    data = product_jsonld(product, url=URL, today=TODAY)

    assert (data["@context"], data["@type"]) == ("https://schema.org", "Product")
    assert data["name"] == "Acme Mini"
    assert data["brand"] == {"@type": "Brand", "name": "Acme"}
    assert data["url"] == URL
    assert data["material"] == "Nylon"
    assert data["description"] == "Acme Mini: backpack, outer size 20 W x 29 H x 13 D cm, 7 L, 220 g, Nylon."
    properties = {p["name"]: (p["value"], p["unitCode"], p["unitText"]) for p in data["additionalProperty"]}
    assert properties == {
        "Outer width": (200, "MMT", "mm"),
        "Outer height": (290, "MMT", "mm"),
        "Outer depth": (130, "MMT", "mm"),
        "Capacity": (7000, "MLT", "ml"),
        "Weight": (220, "GRM", "g"),
    }
    json.dumps(data)  # plain JSON types only


def test_unlabelled_sides_are_named_by_size_not_guessed_and_a_range_keeps_both_ends() -> None:
    data = product_jsonld(bag({"exterior": "29 x 20 x 13 cm", "capacity": "5-7 L"}), url=URL, today=TODAY)

    names = [p["name"] for p in data["additionalProperty"]]
    assert names[:3] == ["Outer size, longest side", "Outer size, middle side", "Outer size, shortest side"]
    capacity = data["additionalProperty"][3]
    assert (capacity["minValue"], capacity["maxValue"], capacity["unitCode"]) == (5000, 7000, "MLT")
    assert "value" not in capacity


def test_an_offer_comes_from_a_dated_sellers_price_with_its_currency() -> None:
    data = product_jsonld(bag({"price": "$80"}), url=URL, today=TODAY)

    assert data["offers"] == {
        "@type": "Offer",
        "price": "80.00",
        "priceCurrency": "USD",
        "url": "https://maker.example/bag",
    }


def test_the_offer_is_the_shown_price_the_newest_not_an_older_or_lower_one() -> None:
    product = bag({"price": "$80"}, MAKER, ("price", "$70", SHOP))

    assert product_jsonld(product, url=URL, today=TODAY)["offers"]["price"] == "70.00"  # SHOP is newer (2025-03)


@pytest.mark.parametrize(
    ("source", "why"),
    [(UNDATED_SHOP, "undated"), (REVIEW, "a review reports a price, it does not offer the bag")],
)
def test_no_offer_without_a_dated_seller(source: Source, why: str) -> None:
    data = product_jsonld(bag({"price": "$80", "capacity": "7 L"}, source), url=URL, today=TODAY)

    assert "offers" not in data, why
    assert "$80" not in json.dumps(data) and "80.00" not in json.dumps(data)


def test_a_price_seen_more_than_90_days_ago_is_no_offer() -> None:
    """The page says such a price may have changed; search engines would print it as standing today."""
    product = bag({"price": "$80"})  # MAKER, seen 2025-01-10

    assert product_jsonld(product, url=URL, today=date(2025, 4, 10))["offers"]["price"] == "80.00"  # 90 days
    stale = product_jsonld(product, url=URL, today=date(2025, 4, 11))  # 91 days
    assert "offers" not in stale and "80.00" not in json.dumps(stale)


def test_no_price_no_offer_and_never_a_rating() -> None:
    data = product_jsonld(bag({"capacity": "7 L"}), url=URL, today=TODAY)

    assert not {"offers", "aggregateRating", "review"} & data.keys()


def test_a_capacity_our_checks_call_impossible_is_left_out() -> None:
    # 10 L in a 20 x 20 x 10 cm box (4 L): an error finding, so structured data must not state it as fact.
    data = product_jsonld(
        bag({"exterior": "20 W x 20 H x 10 D cm", "capacity": "10 L", "weight": "300 g"}), url=URL, today=TODAY
    )

    names = [p["name"] for p in data["additionalProperty"]]
    assert "Capacity" not in names and "Weight" in names
    assert "10 L" not in data["description"]


def test_an_image_only_when_the_bag_has_one() -> None:
    product = bag({"capacity": "7 L"})

    assert "image" not in product_jsonld(product, url=URL, today=TODAY)
    assert product_jsonld(product, url=URL, today=TODAY, image="https://minipack.example/media/a.jpg")["image"] == (
        "https://minipack.example/media/a.jpg"
    )


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(8000, "USD"), "80.00"),
        (Money(249000, "USD"), "2490.00"),
        (Money(5999, "EUR"), "59.99"),
        (Money(12000, "JPY"), "12000"),
    ],
)
def test_offer_prices_use_a_dot_and_no_symbol_or_separator(money: Money, text: str) -> None:
    assert offer_price(money) == text


def test_a_description_without_figures_still_names_the_bag() -> None:
    assert product_description(bag({})) == "Acme Mini: backpack."


def test_an_item_list_keeps_rank_order_and_counts_the_entries_shown() -> None:
    entries = [ListEntry(1, "https://m.example/bags/a/", "A"), ListEntry(2, "https://m.example/bags/b/", "B")]

    data = item_list_jsonld(name="Top 2", url="https://m.example/", entries=entries)

    assert (data["@type"], data["name"], data["url"], data["numberOfItems"]) == (
        "ItemList",
        "Top 2",
        "https://m.example/",
        2,
    )
    assert data["itemListElement"] == [
        {"@type": "ListItem", "position": 1, "url": "https://m.example/bags/a/", "name": "A"},
        {"@type": "ListItem", "position": 2, "url": "https://m.example/bags/b/", "name": "B"},
    ]
