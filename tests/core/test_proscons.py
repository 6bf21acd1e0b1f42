"""Pros and cons derived from claims: superlatives, fit, provenance, and what missing data must not say."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minipack.errors import RuleDataError
from minipack.proscons import (
    WALL_ALLOWANCE_MM,
    Point,
    ProsCons,
    ReferenceItem,
    bundled_reference_items,
    derive_pros_cons,
    parse_reference_items,
)
from minipack.records import Claim, ClaimKind, Product, Source, SourceDate
from minipack.units import parse_dimensions, parse_price, parse_volume_ml, parse_weight_g

ARTICLE = Source("Listicle", ClaimKind.ARTICLE, SourceDate.parse("undated"))
REVIEW = Source("Owner review", ClaimKind.REVIEW, SourceDate.parse("2023-05-01"))
MAKER = Source("Maker page", ClaimKind.MANUFACTURER, SourceDate.parse("2025-01-10"))
SHOP = Source("Shop", ClaimKind.RETAILER, SourceDate.parse("2025-03-01"))

IPAD = ReferenceItem(
    "ipad_mini", "an iPad mini", (Decimal("195.4"), Decimal("134.8"), Decimal("6.3")), "upright", "T", "", "undated"
)
A4 = ReferenceItem("a4_sheet", "an A4 sheet", (Decimal(297), Decimal(210)), "flat", "T", "", "undated")


def weight(text: str, source: Source = MAKER) -> Claim:
    return Claim("weight", parse_weight_g(text), source, text)


def exterior(text: str, source: Source = MAKER) -> Claim:
    return Claim("exterior", parse_dimensions(text), source, text)


def capacity(text: str, source: Source = MAKER) -> Claim:
    return Claim("capacity", parse_volume_ml(text), source, text)


def price(text: str, source: Source = SHOP) -> Claim:
    return Claim("price", parse_price(text), source, text)


def bag(slug: str, *claims: Claim, name: str = "Mini Backpack", category: str = "backpack") -> Product:
    return Product(slug, slug.title(), name, category, claims=claims)


def codes(points: tuple[Point, ...]) -> list[str]:
    return [p.code for p in points]


def texts(points: tuple[Point, ...]) -> list[str]:
    return [p.text for p in points]


def derive(product: Product, catalog: list[Product], items: tuple[ReferenceItem, ...] = ()) -> ProsCons:
    return derive_pros_cons(product, catalog, items=items)


# --------------------------------------------------------------------------- weight


def test_lightest_and_heaviest_when_every_bag_has_a_weight() -> None:
    a, b, c = bag("a", weight("220 g")), bag("b", weight("300 g")), bag("c", weight("410 g"))
    catalog = [a, b, c]
    assert texts(derive(a, catalog).pros) == ["Lightest in the catalog (220 g)"]
    assert "Heaviest in the catalog (410 g)" in texts(derive(c, catalog).cons)
    middle = derive(b, catalog)
    assert not {"lightest", "heaviest", "top_lightest", "top_heaviest"} & set(codes(middle.pros + middle.cons))


def test_unknown_weight_is_never_light_and_narrows_the_claim_to_the_bags_that_state_one() -> None:
    light, heavy, unknown = bag("a", weight("220 g")), bag("b", weight("500 g")), bag("c")
    catalog = [light, heavy, unknown]
    result = derive(light, catalog)
    assert texts(result.pros) == ["Lightest of the 2 bags with a stated weight (220 g)"]
    assert "220 g (Maker page, 2025-01-10, manufacturer)" in result.pros[0].evidence
    nothing = derive(unknown, catalog)
    assert not {"lightest", "top_lightest", "heaviest"} & set(codes(nothing.pros + nothing.cons))


def test_a_bag_alone_with_a_weight_is_not_the_lightest_of_anything() -> None:
    only = bag("a", weight("220 g"))
    result = derive(only, [only, bag("b"), bag("c")])
    assert "lightest" not in codes(result.pros)
    assert "heaviest" not in codes(result.cons)


def test_rivals_are_compared_at_their_least_favourable_weight() -> None:
    # b's maker says 250 g but a review weighed 200 g: a (220 g) might not be the lightest.
    a = bag("a", weight("220 g"))
    b = bag("b", weight("250 g"), weight("205 g", REVIEW))
    result = derive(a, [a, b])
    assert "lightest" not in codes(result.pros)


def test_equal_weights_are_a_joint_first() -> None:
    a, b = bag("a", weight("220 g")), bag("b", weight("220 g"))
    assert texts(derive(a, [a, b]).pros) == ["Joint lightest in the catalog (220 g)"]


def test_among_the_three_lightest_needs_a_pool_of_six() -> None:
    grams = [200, 210, 220, 230, 240, 250]
    catalog = [bag(f"b{g}", weight(f"{g} g")) for g in grams]
    third = derive(catalog[2], catalog)
    assert texts(third.pros) == ["Among the 3 lightest in the catalog (220 g)"]
    assert "top_lightest" not in codes(derive(catalog[3], catalog).pros)
    small = catalog[:5]
    assert "top_lightest" not in codes(derive(small[1], small).pros)


def test_disputed_weight_earns_no_superlative_but_a_con() -> None:
    a = bag("a", weight("220 g"), weight("400 g", REVIEW))
    b = bag("b", weight("500 g"))
    result = derive(a, [a, b])
    assert "lightest" not in codes(result.pros)
    assert "conflicting_weight" in codes(result.cons)


# --------------------------------------------------------------------------- capacity


def test_largest_capacity_counts_rivals_at_most_their_own_box() -> None:
    # b claims 9 L but its own outer box is only 6.5 L, so a's 7 L is the largest possible.
    a = bag("a", exterior("20 x 29 x 13 cm"), capacity("7 L"))
    b = bag("b", exterior("8 x 10 x 5 in"), capacity("9 L"))
    result = derive(a, [a, b])
    assert texts(result.pros) == ["Largest capacity in the catalog (7 L)"]
    assert "capped at its own largest outer box" in result.pros[0].evidence


def test_litres_beyond_the_box_are_a_con_and_never_a_pro() -> None:
    a = bag("a", exterior("8 x 10 x 5 in"), capacity("9 L"))
    b = bag("b", exterior("20 x 29 x 13 cm"), capacity("5 L"))
    result = derive(a, [a, b])
    assert "largest_capacity" not in codes(result.pros)
    [con] = [p for p in result.cons if p.code == "capacity_exceeds_box"]
    assert con.text == "Stated litres exceed its own outer box"
    assert "6.548 L" in con.evidence


# --------------------------------------------------------------------------- price


def test_prices_are_compared_only_within_a_currency() -> None:
    dollars = bag("a", price("$49.99"))
    euros = bag("b", price("€20"))
    dearer = bag("c", price("$120"))
    catalog = [dollars, euros, dearer]
    result = derive(dollars, catalog)
    assert texts(result.pros) == ["Cheapest of the 2 bags with a USD price ($49.99)"]
    assert "compared only with USD prices" in result.pros[0].evidence
    assert "Most expensive of the 2 bags with a USD price ($120)" in texts(derive(dearer, catalog).cons)
    # A currency no other bag is priced in ranks nothing.
    assert not {"cheapest", "most_expensive"} & set(codes(derive(euros, catalog).pros + derive(euros, catalog).cons))


def test_an_undated_shown_price_is_a_con_and_a_dated_one_is_not() -> None:
    undated = bag("a", price("$50", ARTICLE))
    dated = bag("b", price("$50", ARTICLE), price("$60", SHOP))
    assert "price_undated" in codes(derive(undated, [undated]).cons)
    assert "price_undated" not in codes(derive(dated, [dated]).cons)


# --------------------------------------------------------------------------- fit


def test_an_ipad_mini_stands_upright_in_a_tall_enough_bag() -> None:
    product = bag("a", exterior("20 W x 13 D x 29 H cm"))
    [point] = derive(product, [product], (IPAD,)).pros
    assert point.text == "Holds an iPad mini upright"
    assert point.code == "fits_ipad_mini"
    assert f"{WALL_ALLOWANCE_MM} mm per side" in point.evidence
    assert "180 x 110 x 270 mm inside" in point.evidence


def test_a_bag_too_short_for_an_upright_ipad_only_holds_it_some_way_round() -> None:
    # 21 cm tall leaves 190 mm inside: the 195.4 mm iPad must lie along the 28 cm width.
    product = bag("a", exterior("28 W x 21 H x 8 D cm"))
    [point] = derive(product, [product], (IPAD,)).pros
    assert point.text == "Holds an iPad mini"


def test_no_fit_pro_unless_the_item_fits_under_every_size_a_source_gives() -> None:
    product = bag("a", exterior("20 W x 13 D x 29 H cm"), exterior("20 W x 13 D x 21 H cm", REVIEW))
    assert derive(product, [product], (IPAD,)).pros == ()


def test_a_narrow_margin_is_called_snug_and_unknown_size_claims_nothing() -> None:
    snug = bag("a", exterior("9.25 L x 12.5 H x 4.75 D in"))  # 215 x 298 mm inside vs 210 x 297 mm
    assert texts(derive(snug, [snug], (A4,)).pros) == ["Fits an A4 sheet flat (snug)"]
    unknown = bag("b", capacity("7 L"))
    assert derive(unknown, [unknown], (IPAD, A4)).pros == ()


def test_the_bundled_reference_items_carry_sources() -> None:
    items = {item.key: item for item in bundled_reference_items()}
    assert items["ipad_mini"].sides_mm == (Decimal("195.4"), Decimal("134.8"), Decimal("6.3"))
    assert items["a4_sheet"].sides_mm == (Decimal(297), Decimal(210))
    assert items["us_letter_sheet"].sides_mm == (Decimal("279.4"), Decimal("215.9"))
    for item in items.values():
        assert item.source_title and item.source_url.startswith("https://") and item.source_date


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"format": "other", "items": []}',
        '{"format": "minipack-reference-items/1", "items": [{"key": "x", "label": "x", "sides_mm": [0, 1],'
        ' "pose": "flat", "source": {"title": "t", "url": "", "date": "undated"}}]}',
        '{"format": "minipack-reference-items/1", "items": [{"key": "x", "label": "x", "sides_mm": [1, 1],'
        ' "pose": "sideways", "source": {"title": "t", "url": "", "date": "undated"}}]}',
        '{"format": "minipack-reference-items/1", "items": [{"key": "x", "label": "x", "sides_mm": [1, 1],'
        ' "pose": "flat", "source": {"title": "", "url": "", "date": "undated"}}]}',
    ],
)
def test_malformed_reference_items_are_refused(text: str) -> None:
    with pytest.raises(RuleDataError):
        parse_reference_items(text)


# --------------------------------------------------------------------------- provenance and features


def test_provenance_cons_say_where_the_numbers_come_from() -> None:
    article_only = bag("a", exterior("8 x 10 x 5 in", ARTICLE), capacity("7 L", ARTICLE))
    reviewed = bag("b", exterior("8 x 10 x 5 in", REVIEW))
    maker = bag("c", exterior("8 x 10 x 5 in", MAKER))
    bare = bag("d", Claim("material", "nylon", ARTICLE))
    assert "Sizes only from an article (unverified)" in texts(derive(article_only, []).cons)
    assert "No maker spec found" in texts(derive(reviewed, []).cons)
    assert not {"no_maker_spec", "sizes_article_only", "no_specs"} & set(codes(derive(maker, []).cons))
    assert codes(derive(bare, []).cons) == ["no_specs"]


def test_disagreeing_sizes_are_a_con_and_agreeing_ones_a_pro() -> None:
    disputed = bag("a", exterior("8 x 10 x 5 in", ARTICLE), exterior("8 W x 11 H x 4.75 D in", REVIEW))
    assert "Sources disagree on its size" in texts(derive(disputed, []).cons)
    agreed = bag("b", exterior("7.87 L x 11.42 H x 5 D in", ARTICLE), exterior("20 W x 13 D x 29 H cm", SHOP))
    assert "Size agrees across 2 sources" in texts(derive(agreed, [], ()).pros)


def test_features_become_pros_with_the_sources_that_state_them() -> None:
    product = bag(
        "a",
        Claim("features", frozenset({"water_resistant", "key_fob"}), ARTICLE),
        Claim("features", frozenset({"foldable"}), REVIEW),
    )
    result = derive(product, [product])
    assert texts(result.pros) == ["Water-resistant", "Folds flat"]
    assert "Only articles say so" in result.pros[0].evidence
    assert "Owner review" in result.pros[1].evidence


def test_a_crossbody_listed_as_a_backpack_is_a_con() -> None:
    product = bag("a", Claim("category", "backpack", ARTICLE), name="Provence Crossbody", category="crossbody")
    assert "Listed as a backpack, but its name says crossbody" in texts(derive(product, [product]).cons)


def test_output_is_deterministic_whatever_the_catalog_order() -> None:
    catalog = [
        bag("a", weight("220 g"), price("$40"), exterior("20 W x 13 D x 29 H cm"), capacity("7 L")),
        bag("b", weight("300 g"), price("$60"), exterior("8 x 10 x 5 in", ARTICLE)),
        bag("c", weight("410 g"), price("$90", ARTICLE)),
    ]
    for product in catalog:
        forward = derive_pros_cons(product, catalog)
        backward = derive_pros_cons(product, list(reversed(catalog)))
        assert forward == backward


# --------------------------------------------------------------------------- the bundled catalog


@pytest.fixture(scope="module")
def bundled() -> list[Product]:
    from minipack.catalog import bundled_catalog

    return list(bundled_catalog())


def by_slug(catalog: list[Product], slug: str) -> Product:
    [product] = [p for p in catalog if p.slug == slug]
    return product


def test_bundled_herschel_is_flagged_and_still_fits_an_ipad(bundled: list[Product]) -> None:
    result = derive_pros_cons(by_slug(bundled, "herschel-supply-co-nova-mini"), bundled)
    cons = codes(result.cons)
    assert {"capacity_exceeds_box", "conflicting_exterior", "conflicting_capacity", "price_undated"} <= set(cons)
    assert "largest_capacity" not in codes(result.pros)
    assert "fits_ipad_mini" in codes(result.pros)  # under both the article's and the review's size


def test_bundled_weights_rank_only_the_three_weighed_bags(bundled: list[Product]) -> None:
    jansport = derive_pros_cons(by_slug(bundled, "jansport-half-pint-mini-backpack"), bundled)
    assert "Lightest of the 3 bags with a stated weight (198 g)" in texts(jansport.pros)
    aotian = derive_pros_cons(by_slug(bundled, "aotian-mini-backpack"), bundled)
    assert "Heaviest of the 3 bags with a stated weight (308 g)" in texts(aotian.cons)
    coach = derive_pros_cons(by_slug(bundled, "coach-jordyn-backpack"), bundled)
    assert not {"lightest", "heaviest"} & set(codes(coach.pros + coach.cons))


def test_bundled_list_only_bags_get_no_number_based_pros(bundled: list[Product]) -> None:
    for slug in ("monnet-cauthy-backpack", "zara-mini-city-backpack", "kate-spade-mini-backpack-patent-leather"):
        result = derive_pros_cons(by_slug(bundled, slug), bundled)
        assert result.pros == ()
        assert codes(result.cons) == ["no_specs"]


def test_bundled_louis_vuitton_is_the_dearest_usd_price(bundled: list[Product]) -> None:
    result = derive_pros_cons(by_slug(bundled, "louis-vuitton-mini-palm-springs-backpack"), bundled)
    assert any(p.code == "most_expensive" and "$2,490" in p.text for p in result.cons)
    assert "capacity_exceeds_box" in codes(result.cons)
