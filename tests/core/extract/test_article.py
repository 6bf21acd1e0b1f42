"""Tests for minipack.extract: article import on the launch article, on HTML, and on bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipack.errors import MinipackError, SpecError
from minipack.extract import (
    PRODUCT_CHECK_CODES,
    ArticleProduct,
    ArticleReport,
    extract_article,
    format_report,
    read_article,
    report_as_json,
)
from minipack.extract.features import feature_codes, split_material_features
from minipack.extract.names import UNBRANDED, identity, same_product, split_brand_model
from minipack.extract.signals import TextUnit, off_topic_phrases, unsupported_expert_claims
from minipack.records import FEATURES, ClaimKind, Source, SourceDate

FIXTURES = Path(__file__).parent / "fixtures"
LAUNCH = FIXTURES / "launch-article.txt"
HTML = FIXTURES / "small-article.html"
HTML_AS_TEXT = FIXTURES / "small-article.txt"
TITLE = "Mini Backpack Purse: Top 10 Stunning Choices for 2024!"
TABLE_HEADER = "Brand Model Size (L x H x D in inches) Capacity (L) Material Features Price Benefits"


@pytest.fixture(scope="module")
def launch() -> ArticleReport:
    return extract_article(read_article(LAUNCH))


@pytest.fixture(scope="module")
def launch_json(launch: ArticleReport) -> dict[str, Any]:
    return report_as_json(launch)


def get(report: ArticleReport, name: str) -> ArticleProduct:
    found = report.find(name)
    assert found is not None, f"no single product named {name!r}"
    return found


def product_json(data: dict[str, Any], slug: str) -> dict[str, Any]:
    (found,) = [p for p in data["products"] if p["slug"] == slug]
    return found


def article_codes(report: ArticleReport) -> list[str]:
    return [f.code for f in report.findings]


def strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def small_table(header: str, *rows: str) -> str:
    return "\n".join(["Mini Backpack Test Article Title", "", header, *rows, "", "The end."])


# --------------------------------------------------------------------------- the comparison table

TABLE_ROWS = [
    (1, "Michael Kors", "Kelsey Backpack"),
    (2, "COACH", "Jordyn Backpack"),
    (3, "Fjällräven", "Kånken Mini"),
    (4, "Herschel Supply Co.", "Nova Mini"),
    (5, "Rebecca Minkoff", "Julian Backpack"),
    (6, "Baggallini", "Provence Crossbody"),
    (7, "Marc Jacobs", "The Backpack Mini"),
    (8, "Vera Bradley", "Mini Pixie Backpack"),
    (9, "Longchamp", "Le Pliage Backpack"),
    (10, "LOUIS VUITTON", "Mini Palm Springs Backpack"),
]


def test_the_table_gives_ten_rows_in_order(launch: ArticleReport) -> None:
    rows = [p for p in launch.products if p.in_table]
    assert [(p.table_row, p.brand, p.model) for p in rows] == TABLE_ROWS


@pytest.mark.parametrize(("row", "brand", "model"), TABLE_ROWS)
def test_each_row_splits_brand_from_model(launch: ArticleReport, row: int, brand: str, model: str) -> None:
    (product,) = [p for p in launch.products if p.table_row == row]
    assert (product.brand, product.model) == (brand, model)


def test_herschel_row_is_read_exactly(launch_json: dict[str, Any]) -> None:
    herschel = product_json(launch_json, "herschel-supply-co-nova-mini")
    assert herschel["dims_as_published"] == "8 x 10 x 5"
    assert herschel["exterior_mm"] == [203, 254, 127]
    assert herschel["capacity_ml"] == 7000
    assert "capacity_ml_high" not in herschel
    assert herschel["price"] == {"amount_minor": 4999, "currency": "USD"}
    assert herschel["price_as_published"] == "$49.99"
    assert herschel["material"] == "Polyester"
    assert herschel["features"] == ["interior_pockets", "top_handle"]
    assert herschel["features_as_published"] == "Dual top handles, Internal storage sleeve"
    assert herschel["benefits"] == ["Comfortable to carry", "compact", "stylish"]


def test_louis_vuitton_and_kanken_rows(launch: ArticleReport) -> None:
    vuitton = get(launch, "Louis Vuitton Mini Palm Springs")
    assert vuitton.exterior is not None and vuitton.exterior.mm == (170, 221, 99)
    assert vuitton.capacity is not None and vuitton.capacity.low_ml == 4000
    assert vuitton.price is not None and (vuitton.price.amount_minor, vuitton.price.currency) == (249000, "USD")
    assert vuitton.price_as_published == "$2,490"
    kanken = get(launch, "Fjällräven Kånken Mini")
    assert kanken.exterior is not None and kanken.exterior.mm == (200, 290, 127)
    assert kanken.capacity is not None and kanken.capacity.low_ml == 7000
    assert kanken.price is not None and (kanken.price.amount_minor, kanken.price.currency) == (7000, "USD")


def test_the_unit_and_axes_come_from_the_header(launch: ArticleReport) -> None:
    herschel = get(launch, "Herschel Supply Co. Nova Mini")
    assert herschel.exterior is not None
    assert herschel.exterior.unit == "in"
    assert herschel.exterior.axes == ("L", "H", "D")
    assert herschel.exterior.side("H") == 254


@pytest.mark.parametrize(
    ("row", "material", "features"),
    [
        (1, "Polyester", ["key_fob"]),
        (2, "Leather", ["interior_pockets"]),
        (3, "Vinylon-F", ["front_pocket", "rain_flap"]),
        (4, "Polyester", ["interior_pockets", "top_handle"]),
        (5, "Leather", ["adjustable_straps", "interior_pockets"]),
        (6, "Nylon", ["adjustable_straps", "interior_pockets", "removable_strap"]),
        (7, "Nylon", ["front_pocket"]),
        (8, "Recycled Cotton", ["adjustable_straps", "exterior_pockets", "recycled_material"]),
        (9, "Nylon", ["foldable"]),
        (10, "Monogram Canvas", ["exterior_pockets", "top_handle"]),
    ],
)
def test_material_and_features_are_split_and_mapped(
    launch_json: dict[str, Any], row: int, material: str, features: list[str]
) -> None:
    table = [p for p in launch_json["products"] if p["in_table"]]
    product = table[row - 1]
    assert product["material"] == material
    assert sorted(product["features"]) == sorted(features)
    assert set(product["features"]) <= FEATURES.keys()
    assert product["features_as_published"]  # the printed text is kept


def test_every_row_is_fully_read(launch: ArticleReport) -> None:
    for product in (p for p in launch.products if p.in_table):
        assert product.exterior is not None, product.name
        assert product.capacity is not None, product.name
        assert product.price is not None, product.name
        assert len(product.benefits) == 3, product.name
    assert "unreadable_value" not in article_codes(launch)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Key fob", ["key_fob"]),
        ("Front zip pocket", ["front_pocket"]),
        ("rain-flap protection", ["rain_flap"]),
        ("Foldable design", ["foldable"]),
        ("Top handle", ["top_handle"]),
        ("Dual top handles", ["top_handle"]),
        ("Adjustable straps", ["adjustable_straps"]),
        ("Recycled Cotton", ["recycled_material"]),
        ("Internal storage sleeve", ["interior_pockets"]),
        ("Inside zip and multifunction pockets", ["interior_pockets"]),
        ("Multiple pockets", ["interior_pockets"]),
        ("Organizational pockets", ["interior_pockets"]),
        ("Two zip pockets", ["exterior_pockets"]),
        ("Two external pockets", ["exterior_pockets"]),
        ("Anti Theft", ["anti_theft"]),
        ("USB Charging Port", ["usb_port"]),
        ("Water Resistant", ["water_resistant"]),
        ("Waterproof", ["water_resistant"]),
        ("Zip pockets, brand logo", []),
    ],
)
def test_feature_keyword_table(text: str, codes: list[str]) -> None:
    assert list(feature_codes(text)) == codes


def test_removable_adjustable_strap_is_both() -> None:
    assert feature_codes("Removable, adjustable strap") == ("adjustable_straps", "removable_strap")


@pytest.mark.parametrize(
    ("text", "material", "features"),
    [
        ("Recycled Cotton Two external pockets, Adjustable straps", "Recycled Cotton", "Two external pockets, "
         "Adjustable straps"),
        ("Monogram Canvas Top handle, Two zip pockets", "Monogram Canvas", "Top handle, Two zip pockets"),
        ("Nylon Foldable design", "Nylon", "Foldable design"),
        ("Tyvek Front zip pocket", "Tyvek", "Front zip pocket"),  # unknown one-word material
        ("Front zip pocket", None, "Front zip pocket"),  # no material at all
    ],
)  # fmt: skip
def test_material_is_cut_from_the_features(text: str, material: str | None, features: str) -> None:
    assert split_material_features(text) == (material, features)


def test_a_centimetre_header_is_honoured() -> None:
    report = extract_article(
        small_table(
            "Brand Model Size (W x H x D in cm) Capacity (L) Material Features Price Benefits",
            "Acme Trail Mini 20 x 29 x 13 7 Nylon Top handle $80 Light, tough",
        )
    )
    (bag,) = report.products
    assert bag.exterior is not None
    assert (bag.exterior.mm, bag.exterior.axes, bag.exterior.unit) == ((200, 290, 130), ("W", "H", "D"), "cm")
    assert bag.capacity is not None and bag.capacity.low_ml == 7000  # "7" under "Capacity (L)"


def test_without_a_unit_in_header_or_cell_the_size_is_unreadable() -> None:
    report = extract_article(small_table("Brand Model Size Capacity Price", "Acme Trail Mini 20 x 29 x 13 7L $80"))
    (bag,) = report.products
    assert bag.exterior is None and bag.dims_as_published == "20 x 29 x 13"
    (finding,) = [f for f in report.findings if f.code == "unreadable_value"]
    assert "no unit given" in finding.message


def test_a_capacity_range_gives_both_ends() -> None:
    report = extract_article(
        small_table(TABLE_HEADER, "Acme Trail Mini 8 x 11 x 5 5-7L Nylon Top handle $80 Light, tough, cheap")
    )
    data = report_as_json(report)["products"][0]
    assert (data["capacity_ml"], data["capacity_ml_high"]) == (5000, 7000)


def test_a_pipe_delimited_table() -> None:
    report = extract_article(
        small_table(
            "| Brand | Model | Size (cm) | Price |",
            "|---|---|---|---|",
            "| Acme | Trail Mini | 20 x 29 x 13 | €59,99 |",
        )
    )
    (bag,) = report.products
    assert (bag.brand, bag.model) == ("Acme", "Trail Mini")
    assert bag.exterior is not None and bag.exterior.mm == (200, 290, 130)
    assert bag.price is not None and (bag.price.amount_minor, bag.price.currency) == (5999, "EUR")


# --------------------------------------------------------------------------- the ranked list

LIST_POSITIONS = [
    (1, "Monnet Cauthy Backpack"),
    (2, "Herschel Nova Mini Backpack"),
    (3, "Leaper Retro Mini Backpack"),
    (4, "Michael Kors Abbey Jet Set Backpack"),
    (5, "Fjällräven Kånken Mini Backpack"),
    (6, "Marc Jacobs The Mini Backpack"),
    (7, "ZARA Mini City Backpack"),
    (8, "Longchamp Le Pliage BackPack"),
    (9, "Vera Bradley Signature Cotton Mini Backpack"),
    (10, "Kate Spade Backpack"),
]


def test_list_positions_come_from_order_and_section_headings(launch: ArticleReport) -> None:
    listed = sorted((p for p in launch.products if p.in_list), key=lambda p: p.list_position or 0)
    names = {name for _, name in LIST_POSITIONS}
    got = [(p.list_position, next(n for n in p.names_as_published if n in names)) for p in listed]
    assert got == LIST_POSITIONS


def test_a_list_entry_keeps_description_pros_and_cons(launch: ArticleReport) -> None:
    monnet = get(launch, "Monnet Cauthy Backpack")
    assert (monnet.brand, monnet.model, monnet.origin) == ("Monnet", "Cauthy Backpack", "list")
    assert monnet.description is not None and monnet.description.startswith("A bold yet minimalist design")
    assert monnet.pros == (
        "Able to transition from practical daywear to a refined night-time accessory, it offers versatile style.",
        "With its ample storage space, easily accessible zippers, and a separate compartment for valuables, "
        "it\u2019s an all-around winner.",
    )
    assert monnet.cons == (
        "The backpack\u2019s moderately minimalist aesthetic may not appeal to lovers of flamboyant fashion.",
    )
    assert not monnet.in_table and monnet.exterior is None and monnet.price is None


def test_the_tenth_entry_is_read_from_prose(launch: ArticleReport) -> None:
    kate = get(launch, "Kate Spade Backpack")
    assert (kate.brand, kate.model) == ("Kate Spade", "Backpack")
    assert (kate.in_list, kate.in_table, kate.list_position) == (True, False, 10)
    assert kate.description is not None and "Kate Spade backpack" in kate.description


def test_range_heading_restarts_the_count() -> None:
    text = "\n".join(
        [
            "(6-10) More Bags",
            "1. Acme Trail Mini: Small",
            "\u2022 Pros: Light.",
            "2. Brandy Roamer: Smaller",
            "\u2022 Cons: Heavy.",
        ]
    )
    report = extract_article(text)
    assert [(p.name, p.list_position) for p in report.products] == [("Acme Trail Mini", 6), ("Brandy Roamer", 7)]


# --------------------------------------------------------------------------- shop cards


@pytest.mark.parametrize(
    ("brand", "model", "features", "category"),
    [
        ("Montana West", "Anti-Theft Backpack Purse", ["anti_theft"], "backpack"),
        ("Carhartt", "Classic Mini Backpack", ["water_resistant", "adjustable_straps"], "backpack"),
        (UNBRANDED, "Mini Backpack", [], "convertible"),
        ("MATEIN", "Mini Backpack", ["water_resistant", "usb_port"], "convertible"),
    ],
)
def test_shop_cards_are_products(
    launch_json: dict[str, Any], brand: str, model: str, features: list[str], category: str
) -> None:
    cards = [p for p in launch_json["products"] if p["origin"] == "card"]
    (card,) = [c for c in cards if (c["brand"], c["model"]) == (brand, model)]
    assert card["in_table"] is False and card["in_list"] is False and card["list_position"] is None
    assert sorted(card["features"]) == sorted(features)
    assert card["category"] == category
    assert card["description"] and card["description"].split()[0] in ("The", "Introducing")
    assert len(card["names_as_published"]) == 1 and len(card["names_as_published"][0].split()) > 8


def test_there_are_four_cards_and_the_unbranded_one_has_its_material(launch: ArticleReport) -> None:
    cards = [p for p in launch.products if p.origin == "card"]
    assert len(cards) == 4
    (unbranded,) = [c for c in cards if c.brand == UNBRANDED]
    assert unbranded.material == "PU Leather"


def test_questions_repeated_in_the_faq_are_not_cards(launch: ArticleReport) -> None:
    assert not any("?" in n for p in launch.products for n in p.names_as_published)


# --------------------------------------------------------------------------- merging


def test_twenty_products_after_merging(launch: ArticleReport, launch_json: dict[str, Any]) -> None:
    assert len(launch.products) == 20
    assert launch_json["article"]["products_found"] == 20
    assert sum(p.in_table for p in launch.products) == 10
    assert sum(p.in_list for p in launch.products) == 10
    assert sum(p.in_table and p.in_list for p in launch.products) == 4
    assert len({p.slug for p in launch.products}) == 20


@pytest.mark.parametrize(
    ("table_name", "list_name", "position"),
    [
        ("Herschel Supply Co. Nova Mini", "Herschel Nova Mini Backpack", 2),
        ("Fjällräven Kånken Mini", "Fjällräven Kånken Mini Backpack", 5),
        ("Marc Jacobs The Backpack Mini", "Marc Jacobs The Mini Backpack", 6),
        ("Longchamp Le Pliage Backpack", "Longchamp Le Pliage BackPack", 8),
    ],
)
def test_list_entries_merge_into_table_rows(
    launch: ArticleReport, table_name: str, list_name: str, position: int
) -> None:
    (merged,) = [p for p in launch.products if table_name in p.names_as_published]
    assert merged.names_as_published == (table_name, list_name)
    assert (merged.in_table, merged.in_list, merged.list_position, merged.origin) == (True, True, position, "table")
    assert merged.pros and merged.exterior is not None
    assert list_name in merged.to_product().aliases


def test_same_brand_different_model_is_not_merged(launch: ArticleReport) -> None:
    kelsey, abbey = get(launch, "Michael Kors Kelsey"), get(launch, "Michael Kors Abbey Jet Set")
    assert kelsey is not abbey and kelsey.in_list is False and abbey.in_table is False
    pixie, signature = get(launch, "Vera Bradley Mini Pixie"), get(launch, "Vera Bradley Signature Cotton")
    assert pixie is not signature and pixie.in_list is False and signature.in_table is False


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Herschel Nova Mini Backpack", "Herschel Supply Co. Nova Mini", True),
        ("Marc Jacobs The Mini Backpack", "Marc Jacobs The Backpack Mini", True),
        ("Fjallraven Kanken Mini", "Fjällräven Kånken Mini Backpack", True),
        ("Fjällräven Kånken", "Fjällräven Kånken Mini", False),  # a size word must agree
        ("Michael Kors Abbey Jet Set Backpack", "Michael Kors Kelsey Backpack", False),
        ("Mini Backpack for Women", "Mini Backpack for Women", False),  # unbranded never merges
    ],
)
def test_same_product_rule(a: str, b: str, same: bool) -> None:
    assert same_product(identity(*split_brand_model(a)), identity(*split_brand_model(b))) is same


def test_brand_split_fallbacks() -> None:
    assert split_brand_model("ZARA Mini City Backpack") == ("ZARA", "Mini City Backpack")
    assert split_brand_model("Mini Backpack") == (UNBRANDED, "Mini Backpack")
    assert split_brand_model("Kate Spade New York Mini Backpack") == ("Kate Spade New York", "Mini Backpack")


# --------------------------------------------------------------------------- per-product findings


def test_exactly_two_bags_claim_more_than_their_box(launch: ArticleReport) -> None:
    exceeding = {p.slug for p in launch.products if any(f.code == "capacity_exceeds_box" for f in p.findings)}
    assert exceeding == {"herschel-supply-co-nova-mini", "louis-vuitton-mini-palm-springs-backpack"}


def test_the_crossbody_in_a_backpack_table_is_flagged(launch: ArticleReport) -> None:
    flagged = [p for p in launch.products if any(f.code == "category_mismatch" for f in p.findings)]
    assert [p.name for p in flagged] == ["Baggallini Provence Crossbody"]
    assert flagged[0].category == "crossbody" and flagged[0].category_claim == "backpack"


def test_the_table_category_comes_from_the_article_title() -> None:
    text = LAUNCH.read_text(encoding="utf-8")
    report = extract_article(text, source_title="Ten Small Bags We Like")
    assert all(p.category_claim is None for p in report.products)
    assert not any(f.code == "category_mismatch" for p in report.products for f in p.findings)


def test_per_product_findings_are_restricted(launch_json: dict[str, Any]) -> None:
    codes = {f["code"] for p in launch_json["products"] for f in p["findings"]}
    assert codes <= PRODUCT_CHECK_CODES
    assert "missing_field" not in codes
    priced = [p for p in launch_json["products"] if p["price"]]
    assert all(any(f["code"] == "price_undated" for f in p["findings"]) for p in priced)


def test_a_dated_article_has_no_undated_prices() -> None:
    report = extract_article(LAUNCH.read_text(encoding="utf-8"), source_date="2024-03-01")
    assert "prices_undated" not in article_codes(report)
    assert not any(f.code == "price_undated" for p in report.products for f in p.findings)


# --------------------------------------------------------------------------- article-level findings


def test_list_and_table_disagree(launch: ArticleReport) -> None:
    (finding,) = [f for f in launch.findings if f.code == "list_table_disagree"]
    assert finding.severity == "warning"
    only_list = [v for k, v in finding.evidence if k == "only in the list"]
    only_table = [v for k, v in finding.evidence if k == "only in the table"]
    assert only_list == [
        "#1 Monnet Cauthy Backpack",
        "#3 Leaper Retro Mini Backpack",
        "#4 Michael Kors Abbey Jet Set Backpack",
        "#7 ZARA Mini City Backpack",
        "#9 Vera Bradley Signature Cotton Mini Backpack",
        "#10 Kate Spade Backpack",
    ]
    assert only_table == [
        "Michael Kors Kelsey Backpack",
        "COACH Jordyn Backpack",
        "Rebecca Minkoff Julian Backpack",
        "Baggallini Provence Crossbody",
        "Vera Bradley Mini Pixie Backpack",
        "LOUIS VUITTON Mini Palm Springs Backpack",
    ]
    assert "Same brand, different model" in finding.message


SPAM = ["Airbnb hawaii", "Flights To San Juan Puerto rico", "Liga mx schedule", "Lightyear Showtimes",
        "delta comfort plus", "Airbnb key west"]  # fmt: skip


@pytest.mark.parametrize("phrase", SPAM)
def test_off_topic_link_text_is_found(launch: ArticleReport, phrase: str) -> None:
    found = [f for f in launch.findings if f.code == "off_topic_link_text" and ("phrase", phrase) in f.evidence]
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert phrase in found[0].message


def test_nothing_else_is_flagged_as_off_topic(launch: ArticleReport) -> None:
    phrases = sorted(dict(f.evidence)["phrase"] for f in launch.findings if f.code == "off_topic_link_text")
    assert phrases == sorted(SPAM)


@pytest.mark.parametrize(
    "text",
    [
        "Fashion-forward appeal at a budget-friendly price point.",
        "Its water-resistant exterior and refined outline make it a perfect partner.",
        "Perfect for flights and train rides, and it fits your tickets too.",
        "The Michael Kors Abbey Jet Set can easily elevate your attire.",
        "From the celebrated Herschel Supply Co., this backpack is the embodiment of convenience.",
        "Its leather body is both stylish and durable.",
    ],
)
def test_ordinary_product_text_is_not_flagged(text: str) -> None:
    vocabulary = {"michael", "kors", "abbey", "jet", "set", "herschel", "supply", "co"}
    assert off_topic_phrases([TextUnit(text, "the pros", about_product=True)], vocabulary) == []


def test_capitalised_phrases_in_product_text() -> None:
    # A weak keyword ("Tickets") capitalised mid-sentence is a warning; the phrase grows to its query.
    (finding,) = off_topic_phrases(
        [TextUnit("Great for your Disney World Tickets and more.", "the pros", about_product=True)], set()
    )
    assert (finding.severity, dict(finding.evidence)["phrase"]) == ("warning", "Disney World Tickets")
    # Capitals alone, naming nothing the article names, are only worth an info.
    (finding,) = off_topic_phrases([TextUnit("Bring it to Grand Central Terminal.", "the pros", True)], set())
    assert (finding.severity, dict(finding.evidence)["phrase"]) == ("info", "Grand Central Terminal")


def test_unsupported_expert_claim(launch: ArticleReport) -> None:
    (finding,) = [f for f in launch.findings if f.code == "unsupported_expert_claim"]
    assert "Our panel experts offer a unanimous verdict" in finding.message


def test_expert_claims_with_a_named_expert_or_method_pass() -> None:
    claim = TextUnit("Our panel experts offer a unanimous verdict: buy it.", "the text")
    assert unsupported_expert_claims([claim]) != []
    named = TextUnit("According to Jane Doe, a stylist, it works.", "the text")
    method = TextUnit("We tested 12 bags over three weeks.", "the text")
    assert unsupported_expert_claims([claim, named]) == []
    assert unsupported_expert_claims([claim, method]) == []


def test_prices_undated(launch: ArticleReport) -> None:
    (finding,) = [f for f in launch.findings if f.code == "prices_undated"]
    assert "10 price(s)" in finding.message and "$49.99 to $2,490" in finding.message
    assert "'2024'" in finding.message


def test_capacity_claim_vs_sizes(launch: ArticleReport) -> None:
    (finding,) = [f for f in launch.findings if f.code == "capacity_claim_vs_sizes"]
    assert "11.9 L" in finding.message and "5L to 15L" in finding.message


def test_every_finding_has_a_code_a_severity_and_a_message(launch_json: dict[str, Any]) -> None:
    findings = launch_json["article"]["findings"] + [f for p in launch_json["products"] for f in p["findings"]]
    for finding in findings:
        assert set(finding) == {"code", "severity", "message"}
        assert finding["severity"] in ("error", "warning", "info")
        assert re.fullmatch(r"[a-z_]+", finding["code"]) and finding["message"]


# --------------------------------------------------------------------------- records and sources


def test_products_cite_the_article_as_one_source(launch: ArticleReport) -> None:
    expected = Source(TITLE, ClaimKind.ARTICLE, SourceDate.parse("undated"), "")
    for article_product in launch.products:
        product = article_product.to_product()
        assert product.slug == article_product.slug
        assert {c.source for c in product.claims} <= {expected}
    herschel = get(launch, "Herschel Supply Co. Nova Mini").to_product()
    published = {c.field: c.published for c in herschel.claims}
    assert published == {
        "category": TITLE,
        "exterior": "8 x 10 x 5",
        "capacity": "7L",
        "material": "Polyester",
        "features": "Dual top handles, Internal storage sleeve",
        "price": "$49.99",
    }


def test_source_url_and_date_are_passed_through() -> None:
    report = extract_article(
        LAUNCH.read_text(encoding="utf-8"), source_url="https://example.com/top10", source_date="2024-03"
    )
    data = report_as_json(report)["article"]
    assert (data["source_url"], data["source_date"], data["title"]) == ("https://example.com/top10", "2024-03", TITLE)
    claim = report.products[0].to_product().claims[0]
    assert claim.source.url == "https://example.com/top10" and claim.source.date.key == (2024, 3, 0)


def test_a_bad_source_url_is_the_callers_error() -> None:
    with pytest.raises(SpecError):
        extract_article("text", source_url="javascript:alert(1)")


# --------------------------------------------------------------------------- JSON and text reports

PRODUCT_KEYS = {
    "brand", "model", "slug", "exterior_mm", "dims_as_published", "capacity_ml", "material", "features",
    "features_as_published", "price", "price_as_published", "benefits", "description", "pros", "cons",
    "in_table", "in_list", "list_position", "category", "findings", "origin", "names_as_published",
}  # fmt: skip


def test_json_shape(launch_json: dict[str, Any]) -> None:
    assert set(launch_json) == {"article", "products"}
    assert set(launch_json["article"]) == {"title", "source_url", "source_date", "products_found", "findings"}
    for product in launch_json["products"]:
        assert set(product) - {"capacity_ml_high"} == PRODUCT_KEYS
    assert json.loads(json.dumps(launch_json)) == launch_json


def test_herschel_json(launch_json: dict[str, Any]) -> None:
    herschel = dict(product_json(launch_json, "herschel-supply-co-nova-mini"))
    findings = herschel.pop("findings")
    assert herschel == {
        "brand": "Herschel Supply Co.",
        "model": "Nova Mini",
        "slug": "herschel-supply-co-nova-mini",
        "exterior_mm": [203, 254, 127],
        "dims_as_published": "8 x 10 x 5",
        "capacity_ml": 7000,
        "material": "Polyester",
        "features": ["interior_pockets", "top_handle"],
        "features_as_published": "Dual top handles, Internal storage sleeve",
        "price": {"amount_minor": 4999, "currency": "USD"},
        "price_as_published": "$49.99",
        "benefits": ["Comfortable to carry", "compact", "stylish"],
        "description": "From the celebrated Herschel Supply Co., this delta comfort plus backpack is the "
        "embodiment of convenience in a compact form.",
        "pros": [
            "Known for its durability, this mini backpack purse offers a spacious interior, adjustable strap "
            "comfort, and is available in a range of vibrant colors."
        ],
        "cons": ["It\u2019s a little on the expensive side, and it lacks interior pockets."],
        "in_table": True,
        "in_list": True,
        "list_position": 2,
        "category": "backpack",
        "origin": "table",
        "names_as_published": ["Herschel Supply Co. Nova Mini", "Herschel Nova Mini Backpack"],
    }
    assert [(f["code"], f["severity"]) for f in findings] == [
        ("capacity_exceeds_box", "error"),
        ("price_undated", "warning"),
    ]


def test_format_report_names_products_and_findings(launch: ArticleReport) -> None:
    text = format_report(launch)
    assert text.startswith(f"Article: {TITLE}\n")
    for product in launch.products:
        assert product.slug in text
    for code in ("capacity_exceeds_box", "category_mismatch", "list_table_disagree", "off_topic_link_text"):
        assert code in text
    assert "8 x 10 x 5  = 203 x 254 x 127 mm" in text
    assert max(len(line) for line in text.splitlines()) <= 120


# --------------------------------------------------------------------------- HTML input


@pytest.fixture(scope="module")
def html_report() -> ArticleReport:
    return extract_article(HTML.read_text(encoding="utf-8"))


def test_html_is_read_like_text(html_report: ArticleReport) -> None:
    assert html_report.is_html
    assert html_report.title == "Best Mini Backpacks of 2025: Five Small Bags Compared"
    assert [(p.brand, p.model) for p in html_report.products] == [
        ("Herschel Supply Co.", "Nova Mini"),
        ("Fjällräven", "Kånken Mini"),
        ("Baggallini", "Provence Crossbody"),
        ("Leaper", "Retro Mini Backpack"),
    ]
    herschel = html_report.products[0]
    assert herschel.exterior is not None and herschel.exterior.mm == (200, 250, 130)
    assert herschel.exterior.axes == ("W", "H", "D")
    assert herschel.capacity is not None and herschel.capacity.low_ml == 7000
    assert (herschel.in_list, herschel.list_position, herschel.pros) == (
        True,
        1,
        ("Light.", "Has a sleeve for a phone."),
    )
    assert [f.code for f in herschel.findings] == ["capacity_exceeds_box", "price_undated"]
    assert any(f.code == "category_mismatch" for f in html_report.products[2].findings)
    assert ("phrase", "Airbnb hawaii") in [e for f in html_report.findings for e in f.evidence]


def test_html_and_its_plain_text_twin_give_the_same_products(html_report: ArticleReport) -> None:
    twin = extract_article(HTML_AS_TEXT.read_text(encoding="utf-8"))
    assert not twin.is_html
    assert report_as_json(twin)["products"] == report_as_json(html_report)["products"]
    assert article_codes(twin) == article_codes(html_report)


TAG = re.compile(r"<\s*/?\s*[A-Za-z!?]")
NEVER_SHOWN = ["alert", "steal", "track(", "document", "Evil", "Injected", "Fake Brand", "Template text",
               "Enable JavaScript", "styled", "color:", "Hidden comment", "onclick", "href"]  # fmt: skip


def test_html_never_carries_markup_or_code(html_report: ArticleReport) -> None:
    outputs = [*strings(report_as_json(html_report)), format_report(html_report)]
    for text in outputs:
        assert not TAG.search(text), text
        for needle in NEVER_SHOWN:
            assert needle not in text, (needle, text)


def test_escaped_tags_in_html_text_are_dropped() -> None:
    page = (
        "<h1>Mini Backpack Tags Test Page</h1><ul><li>Acme Trail Mini: Fine<ul>"
        "<li>Description: Nice &lt;script&gt;alert(1)&lt;/script&gt; bag &lt;3</li></ul></li></ul>"
    )
    report = extract_article(page)
    (bag,) = report.products
    assert bag.description == "Nice alert(1) bag <3"
    assert not any(TAG.search(s) for s in strings(report_as_json(report)))


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t\n ",
        "\x00\x01\x02\ufffd",
        bytes(range(256)).decode("latin-1"),
        "<",
        "<<<>>> </table></tr><td>",
        "<div>" * 20_000,
        "<table><tr><th>Brand</th><th>Price</th><th>Size</th></tr><tr><td>",
        TABLE_HEADER,
        TABLE_HEADER + "\n$ x x x 7L\n",
        "Pros: nothing\nCons: nothing",
        "\u80cc\u5305 \u80cc\u5305 Mini Backpack Purse\n" + TABLE_HEADER + "\n\u80cc\u5305 8 x 10 x 5 7L Nylon $5 ok",
    ],
)
def test_garbage_does_not_crash(text: str) -> None:
    report = extract_article(text)
    json.dumps(report_as_json(report))
    assert isinstance(format_report(report), str)


def test_empty_input_gives_an_empty_report() -> None:
    report = extract_article("")
    assert (report.title, report.products, report.findings) == ("Untitled article", (), ())


def test_a_bad_cell_becomes_a_finding_and_the_row_is_kept() -> None:
    text = LAUNCH.read_text(encoding="utf-8").replace("$2,490", "$2,49O")
    report = extract_article(text)
    (finding,) = [f for f in report.findings if f.code == "unreadable_value"]
    assert finding.severity == "warning"
    evidence = dict(finding.evidence)
    assert evidence["raw"] == "$2,49O" and evidence["column"] == "Price"
    assert evidence["reason"] == "the letter 'O' stands where a digit should"
    assert "row 10" in finding.message and "LOUIS VUITTON Mini Palm Springs Backpack" in finding.message
    vuitton = get(report, "Louis Vuitton Mini Palm Springs")
    assert vuitton.price is None and vuitton.price_as_published == "$2,49O"
    assert vuitton.exterior is not None and vuitton.exterior.mm == (170, 221, 99)
    assert vuitton.capacity is not None and vuitton.material == "Monogram Canvas"
    assert vuitton.features == ("exterior_pockets", "top_handle") and len(vuitton.benefits) == 3
    assert len(report.products) == 20


def test_a_bad_size_cell_keeps_the_cells_around_it() -> None:
    text = LAUNCH.read_text(encoding="utf-8").replace("8 x 10 x 5 7L", "8 x 1O x 5 7L")
    report = extract_article(text)
    herschel = get(report, "Herschel Supply Co. Nova Mini")
    assert herschel.exterior is None and herschel.dims_as_published == "8 x 1O x 5"
    assert herschel.capacity is not None and herschel.price is not None and herschel.material == "Polyester"
    assert not any(f.code == "capacity_exceeds_box" for f in herschel.findings)  # no box to compare with
    (finding,) = [f for f in report.findings if f.code == "unreadable_value"]
    assert "'Size (L x H x D in inches)'" in finding.message and "'8 x 1O x 5'" in finding.message


_LAUNCH_WORDS = LAUNCH.read_text(encoding="utf-8").split()
_LINES = st.lists(st.sampled_from(_LAUNCH_WORDS), max_size=14).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=400),
        st.lists(st.one_of(_LINES, st.just(TABLE_HEADER), st.just("\u2022 Pros: Light.")), max_size=30).map("\n".join),
        st.lists(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<li>",
                    "<table>",
                    "<tr>",
                    "<td>",
                    "<th>",
                    "Brand",
                    "Price",
                    "$5",
                    "8 x 10 x 5",
                    "<script>",
                    "Size",
                    "Model",
                ]
            ),
            max_size=40,
        ).map("".join),  # fmt: skip
    )
)
def test_any_text_gives_a_report(text: str) -> None:
    report = extract_article(text)
    json.dumps(report_as_json(report))
    format_report(report)


# --------------------------------------------------------------------------- reading files


def test_read_article_reads_utf8_with_or_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffFj\u00e4llr\u00e4ven".encode())
    assert read_article(path) == "Fj\u00e4llr\u00e4ven"


def test_read_article_refuses_other_encodings(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Fj\u00e4llr\u00e4ven".encode("latin-1"))
    with pytest.raises(MinipackError, match=r"not UTF-8 text \(byte 0xe4 at offset 2\)"):
        read_article(path)
    with pytest.raises(MinipackError, match="cannot read"):
        read_article(tmp_path / "missing.txt")


def test_bags_named_alike_get_distinct_slugs() -> None:
    report = extract_article(
        small_table(
            "Product Size (in) Capacity Price",
            "Acme Trail Mini 8 x 10 x 5 7L $5",
            "Acme Trail Mini 8 x 10 x 5 7L $6",
            "Mini Backpack 8 x 10 x 5 7L $7",
            "Mini Backpack 8 x 10 x 5 7L $8",
        )
    )
    assert [p.slug for p in report.products] == [
        "acme-trail-mini",
        "acme-trail-mini-2",
        "unbranded-mini-backpack",
        "unbranded-mini-backpack-2",
    ]
    assert [p.brand for p in report.products] == ["Acme", "Acme", UNBRANDED, UNBRANDED]


def test_a_prose_ranking_takes_its_place_in_the_order() -> None:
    text = "\n".join(
        [
            "Mini Backpack Ranking Test Page",
            "(2-3) The Runners-up",
            "1. Acme Trail Mini: Small",
            "\u2022 Pros: Light.",
            "2. Brandy Roamer: Smaller",
            "\u2022 Pros: Lighter.",
            "The Zeta Pod Backpack Story",
            "Everyone loves the Zeta Pod backpack. It takes the 1st spot in our ranking, no contest.",
        ]
    )
    report = extract_article(text)
    assert [(p.name, p.list_position) for p in report.products] == [
        ("Zeta Pod Backpack", 1),
        ("Acme Trail Mini", 2),
        ("Brandy Roamer", 3),
    ]
