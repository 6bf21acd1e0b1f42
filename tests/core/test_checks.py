"""Spec checks: the findings a reader sees next to untrustworthy values."""

from __future__ import annotations

from minipack.checks import implied_category, run_checks
from minipack.records import Claim, ClaimKind, Product, Source, SourceDate
from minipack.units import parse_dimensions, parse_price, parse_volume_ml

ARTICLE = Source("Launch article", ClaimKind.ARTICLE, SourceDate.parse("undated"))
REVIEW = Source("Owner review", ClaimKind.REVIEW, SourceDate.parse("undated"))
SHOP = Source("Shop", ClaimKind.RETAILER, SourceDate.parse("2025-03-01"))


def bag(*claims: Claim, name: str = "Nova Mini", category: str = "backpack") -> Product:
    return Product("bag", "Brand", name, category, claims=claims)


def codes(product: Product) -> set[str]:
    return {f.code for f in run_checks(product)}


def test_litres_above_the_outer_box_are_impossible():
    product = bag(
        Claim("exterior", parse_dimensions("8 x 10 x 5 in"), ARTICLE, "8 x 10 x 5 in"),
        Claim("capacity", parse_volume_ml("7 L"), ARTICLE, "7 L"),
    )
    [finding] = [f for f in run_checks(product) if f.code == "capacity_exceeds_box"]
    assert finding.severity == "error"
    assert "6.548 L" in finding.message
    assert any("8 x 10 x 5 in" in value for _, value in finding.evidence)


def test_each_capacity_is_checked_against_its_own_sources_box():
    product = bag(
        Claim("exterior", parse_dimensions("8 x 10 x 5 in"), ARTICLE),
        Claim("capacity", parse_volume_ml("6 L"), ARTICLE),  # fits the article's own 6.55 L box
        Claim("exterior", parse_dimensions("8 W x 11 H x 4.75 D in"), REVIEW),
        Claim("capacity", parse_volume_ml("9 L"), REVIEW),  # more than the review's own 6.85 L box
    )
    exceeds = [f for f in run_checks(product) if f.code == "capacity_exceeds_box"]
    assert len(exceeds) == 1
    assert "Owner review" in exceeds[0].message


def test_a_capacity_that_fits_is_not_flagged_and_a_tiny_one_is():
    ok = bag(
        Claim("exterior", parse_dimensions("20 x 29 x 13 cm"), SHOP), Claim("capacity", parse_volume_ml("7 L"), SHOP)
    )
    assert not codes(ok) & {"capacity_exceeds_box", "capacity_suspiciously_low"}
    low = bag(
        Claim("exterior", parse_dimensions("20 x 29 x 13 cm"), SHOP), Claim("capacity", parse_volume_ml("2 L"), SHOP)
    )
    assert "capacity_suspiciously_low" in codes(low)


def test_a_crossbody_listed_as_a_backpack_is_a_category_mismatch():
    product = bag(Claim("category", "backpack", ARTICLE), name="Provence Crossbody", category="crossbody")
    assert "category_mismatch" in codes(product)
    convertible = bag(Claim("category", "backpack", ARTICLE), name="Mini Backpack Crossbody", category="convertible")
    assert "category_mismatch" not in codes(convertible)


def test_implied_category_reads_the_name():
    assert implied_category("Provence Crossbody") == "crossbody"
    assert implied_category("Mini Backpack for Women Multi Crossbody Bags") == "convertible"
    assert implied_category("Le Pliage") is None


def test_an_undated_current_price_is_flagged_and_a_dated_one_is_not():
    assert "price_undated" in codes(bag(Claim("price", parse_price("$49.99"), ARTICLE)))
    assert "price_undated" not in codes(bag(Claim("price", parse_price("$49.99"), SHOP)))


def test_conflicts_and_missing_fields_are_reported():
    product = bag(
        Claim("exterior", parse_dimensions("8 x 10 x 5 in"), ARTICLE),
        Claim("exterior", parse_dimensions("8 x 11 x 4.75 in"), SHOP),
    )
    findings = run_checks(product)
    assert {f.code for f in findings} >= {"conflicting_claims", "missing_field"}
    assert {f.field for f in findings if f.code == "missing_field"} == {"price", "capacity", "weight", "material"}


def test_sizes_from_an_article_alone_get_a_caveat():
    only_article = bag(Claim("exterior", parse_dimensions("10 x 13 x 4.5 in"), ARTICLE))
    assert "article_only" in codes(only_article)
    with_shop = bag(
        Claim("exterior", parse_dimensions("10 x 13 x 4.5 in"), ARTICLE),
        Claim("exterior", parse_dimensions("10 x 13 x 4.5 in"), SHOP),
    )
    assert "article_only" not in codes(with_shop)


def test_findings_are_sorted_errors_first():
    product = bag(
        Claim("exterior", parse_dimensions("8 x 10 x 5 in"), ARTICLE),
        Claim("capacity", parse_volume_ml("7 L"), ARTICLE),
        Claim("price", parse_price("$49.99"), ARTICLE),
    )
    severities = [f.severity for f in run_checks(product)]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
