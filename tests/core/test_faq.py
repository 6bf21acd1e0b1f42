"""minipack.faq: each answer's numbers from small, hand-made catalogs and rules."""

from __future__ import annotations

import json

from minipack.airlines import load_airline_rules
from minipack.catalog import bundled_catalog, claim_from_text
from minipack.faq import (
    QUESTIONS,
    answer_all,
    carry_on,
    faq_jsonld,
    how_big,
    material_family,
    materials,
    waterproof,
    what_fits,
)
from minipack.fit.items import load_item_library
from minipack.kits import COMMON_KITS
from minipack.records import ClaimKind, Product, Source, SourceDate

SHOP = Source("A shop", ClaimKind.RETAILER, SourceDate.parse("2025-01-10"), "https://shop.example/")


def bag(slug: str, **claims: str | list[str]) -> Product:
    return Product(
        slug=slug,
        brand="Brand",
        model=slug,
        category="backpack",
        claims=tuple(claim_from_text(field, text, SHOP) for field, text in claims.items()),
    )


def test_how_big_gives_the_median_and_range_in_inches_and_cm() -> None:
    catalog = [
        bag("a", exterior="8 W x 10 H x 3 D in"),
        bag("b", exterior="9 W x 11 H x 4 D in"),
        bag("c", exterior="10 W x 12 H x 5 D in"),
        bag("d"),
    ]
    answer = how_big(catalog)
    assert answer is not None
    assert "Of the 4 bags in our catalog, 3 publish an outer size" in answer.summary
    assert "9 in wide, 11 in tall and 4 in deep" in answer.summary
    assert "Median width: 9 in (22.9 cm); from 8 in (20.3 cm) to 10 in (25.4 cm) (3 bags)." in answer.facts
    assert answer.facts[-2].startswith("Smallest: Brand a")
    assert answer.facts[-1].startswith("Largest: Brand c")
    assert [s.url for s in answer.sources] == ["https://shop.example/", "https://shop.example/"]
    assert "<svg" in answer.svg and "US Letter" in answer.svg and "A4" in answer.svg


def test_how_big_takes_the_mean_of_the_middle_two_for_an_even_count() -> None:
    answer = how_big([bag("a", exterior="20 W x 20 H x 10 D cm"), bag("b", exterior="30 W x 30 H x 10 D cm")])
    assert answer is not None
    assert "Median width: 9.85 in (25 cm)" in answer.facts[0]


def test_no_sizes_no_answer() -> None:
    assert how_big([bag("a")]) is None
    assert what_fits([bag("a")], COMMON_KITS, load_item_library()) is None
    assert materials([]) is None
    assert carry_on([]) is None


def test_what_fits_counts_the_bags_each_kit_fits() -> None:
    catalog = [bag("big", exterior="30 W x 40 H x 15 D cm", material="nylon"), bag("none")]
    answer = what_fits(catalog, COMMON_KITS[:1], load_item_library())
    assert answer is not None
    assert answer.facts[0].endswith("fits 1 of 1 bags.")
    assert all(s.url for s in answer.sources)


def test_carry_on_names_the_smallest_and_largest_limits_and_who_publishes_none() -> None:
    answer = carry_on(load_airline_rules())
    assert answer is not None
    assert "of the 20 airlines in our rules, 16 publish a size for a personal item" in answer.summary
    assert "Smallest personal item: 40 x 30 x 15 cm, at Lufthansa, British Airways, Air France, KLM." in answer.facts
    assert any(f.startswith("Largest personal item: 18 x 14 x 8 in, at American Airlines") for f in answer.facts)
    assert "No published personal-item size: Alaska Airlines, Delta Air Lines, Emirates, Qantas." in answer.facts
    assert all(s.url and s.date for s in answer.sources)


def test_waterproof_counts_water_resistant_bags() -> None:
    answer = waterproof([bag("a", features=["water_resistant"]), bag("b", features=["top_handle"]), bag("c")])
    assert answer is not None
    assert "1 of the 3 bags" in answer.summary
    assert answer.facts == ("Brand a: Water-resistant.",)


def test_materials_are_grouped_into_families() -> None:
    assert material_family("two-tone faux leather") == "Faux (PU) leather"
    assert material_family("pebbled leather") == "Leather"
    assert material_family("Vinylon F") == "Vinylon"
    answer = materials([bag("a", material="Leather"), bag("b", material="pebbled leather"), bag("c")])
    assert answer is not None
    assert answer.facts == ("Leather: 2 bags.", "No published material: 1 bag.")


def test_the_bundled_data_answers_every_question_and_the_jsonld_round_trips() -> None:
    answers = answer_all(bundled_catalog().products, load_airline_rules(), COMMON_KITS, load_item_library())
    assert [a.question for a in answers] == list(QUESTIONS)
    data = json.loads(json.dumps(faq_jsonld(answers)))
    assert data["@type"] == "FAQPage"
    assert [q["name"] for q in data["mainEntity"]] == [q.question for q in QUESTIONS]
