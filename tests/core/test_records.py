"""Claims, sources and the rule that chooses the value a page shows."""

from __future__ import annotations

import pytest

from minipack.errors import SpecError
from minipack.records import Claim, ClaimKind, Product, Source, SourceDate, choose, slugify
from minipack.units import Money, parse_dimensions, parse_price, parse_volume_ml


def source(title: str, kind: ClaimKind, date: str = "undated") -> Source:
    return Source(title=title, kind=kind, date=SourceDate.parse(date))


ARTICLE = source("Launch article", ClaimKind.ARTICLE, "2024")
MAKER = source("Maker page", ClaimKind.MANUFACTURER, "2019-05-01")
SHOP = source("Shop page", ClaimKind.RETAILER, "2025-01-10")
OLD_SHOP = source("Old shop page", ClaimKind.RETAILER, "2016-08-22")


def exterior(text: str, src: Source) -> Claim:
    return Claim("exterior", parse_dimensions(text), src, published=text)


def test_manufacturer_wins_over_retailer_and_article_whatever_the_dates():
    claims = [
        exterior("8 x 10 x 5 in", ARTICLE),
        exterior("8 x 11 x 4.75 in", SHOP),
        exterior("20 x 28 x 12 cm", MAKER),
    ]
    assert choose("exterior", claims).source is MAKER


def test_newer_wins_between_claims_of_the_same_kind():
    claims = [exterior("8 x 11 x 4.75 in", OLD_SHOP), exterior("8 x 11 x 5 in", SHOP)]
    assert choose("exterior", claims).source is SHOP


def test_an_undated_claim_counts_as_older_than_a_dated_one():
    undated = source("Undated shop", ClaimKind.RETAILER)
    claims = [exterior("8 x 11 x 5 in", undated), exterior("8 x 11 x 4.75 in", OLD_SHOP)]
    assert choose("exterior", claims).source is OLD_SHOP


def test_the_newest_price_wins_over_an_older_manufacturer_price():
    claims = [Claim("price", parse_price("$50"), MAKER), Claim("price", parse_price("$55"), SHOP)]
    assert choose("price", claims).value == Money(5500, "USD")


def test_conflicting_claims_are_kept_and_reported_not_dropped():
    product = Product(
        "herschel-nova-mini",
        "Herschel Supply Co.",
        "Nova Mini",
        "backpack",
        claims=(
            exterior("8 x 10 x 5 in", ARTICLE),
            exterior("8 W x 11 H x 4.75 D in", SHOP),
            Claim("capacity", parse_volume_ml("7 L"), ARTICLE),
            Claim("capacity", parse_volume_ml("9 L"), SHOP),
        ),
    )
    assert product.chosen("exterior").source is SHOP
    assert [c.source for c in product.conflicts("exterior")] == [ARTICLE]
    assert [c.source for c in product.conflicts("capacity")] == [ARTICLE]
    assert len(product.claims_for("exterior")) == 2


def test_rounding_differences_are_not_conflicts():
    product = Product(
        "fjallraven-kanken-mini",
        "Fj\u00e4llr\u00e4ven",
        "K\u00e5nken Mini",
        "backpack",
        claims=(exterior("7.87 x 11.42 x 5 in", ARTICLE), exterior("20 x 29 x 13 cm", SHOP)),
    )
    assert product.conflicts("exterior") == ()


def test_price_history_is_the_dated_prices_oldest_first():
    product = Product(
        "x",
        "Brand",
        "Model",
        "backpack",
        claims=(
            Claim("price", parse_price("$55"), SHOP),
            Claim("price", parse_price("$60"), ARTICLE),
            Claim("price", parse_price("$50"), MAKER),
            Claim("price", parse_price("$1"), source("u", ClaimKind.RETAILER)),
        ),
    )
    assert [c.value.amount_minor for c in product.price_history()] == [5000, 6000, 5500]


@pytest.mark.parametrize(
    ("stated", "key"),
    [
        ("2017-09-06", (2017, 9, 6)),
        ("2020 (page title)", (2020, 0, 0)),
        ("2022-09", (2022, 9, 0)),
        ("undated", None),
        ("undated (bought 2018)", None),
        ("", None),
    ],
)
def test_source_dates_keep_the_words_and_sort_by_what_they_say(stated, key):
    date = SourceDate.parse(stated)
    assert date.key == key
    assert date.stated == (stated or "undated")


def test_impossible_source_dates_are_refused():
    with pytest.raises(SpecError, match="not a real date"):
        SourceDate.parse("2023-02-30")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("exterior", "8 x 10 x 5 in", "needs a"),
        ("features", frozenset({"jetpack"}), "unknown feature"),
        ("category", "hat", "unknown category"),
        ("colour", "red", "unknown field"),
        ("weight", 0, "positive"),
        ("weight", True, "needs a"),
    ],
)
def test_claims_refuse_values_of_the_wrong_kind(field, value, message):
    with pytest.raises(SpecError, match=message):
        Claim(field, value, ARTICLE)


def test_sources_need_a_title_and_a_web_url():
    with pytest.raises(SpecError):
        Source(title=" ", kind=ClaimKind.ARTICLE, date=SourceDate.parse(None))
    with pytest.raises(SpecError, match="http"):
        Source(title="t", kind=ClaimKind.ARTICLE, date=SourceDate.parse(None), url="javascript:alert(1)")


def test_slugs_fold_accents_and_products_refuse_bad_ones():
    assert slugify("Fj\u00e4llr\u00e4ven", "K\u00e5nken Mini") == "fjallraven-kanken-mini"
    assert slugify("Herschel Supply Co.", "Nova Mini") == "herschel-supply-co-nova-mini"
    with pytest.raises(SpecError):
        Product("Bad Slug", "b", "m", "backpack")
    with pytest.raises(SpecError, match="unknown category"):
        Product("ok", "b", "m", "suitcase")


def test_features_are_the_union_of_what_sources_name():
    product = Product(
        "longchamp-le-pliage-backpack",
        "Longchamp",
        "Le Pliage Backpack",
        "backpack",
        claims=(
            Claim("features", frozenset({"water_resistant"}), ARTICLE),
            Claim("features", frozenset({"foldable"}), SHOP),
        ),
    )
    assert product.features == {"water_resistant", "foldable"}
    assert product.conflicts("features") == ()
