"""The item library and custom items: sourced sizes, rounded up, and what users type read strictly."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipack.errors import ParseError, RuleDataError
from minipack.fit import MAX_ITEMS, Item
from minipack.fit.items import (
    CATEGORIES,
    CONFIDENCE,
    UnknownItemError,
    distinct_names,
    load_item_library,
    parse_item_library,
    parse_item_spec,
    resolve_items,
)

# --------------------------------------------------------------------------- the shipped library


def test_the_library_has_at_least_thirty_sourced_items():
    library = load_item_library()
    assert len(library) >= 30
    assert len(set(library.ids)) == len(library)
    for item in library:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", item.id)
        assert item.category in CATEGORIES
        assert item.confidence in CONFIDENCE
        assert item.note
        assert item.sources, item.id
        for source in item.sources:
            assert source.url.startswith(("http://", "https://")), item.id
            assert source.date and source.gives
        assert item.source_url == item.sources[0].url
        assert item.source_date == item.sources[0].date


def test_the_library_is_read_once():
    assert load_item_library() is load_item_library()


def test_the_items_the_brief_names_are_there():
    library = load_item_library()
    for item_id in ("iphone-15", "kindle-paperwhite-11", "lip-balm-stick", "payment-card", "water-bottle-500ml"):
        assert item_id in library


def test_sizes_round_up_to_whole_millimetres():
    library = load_item_library()
    # 147.6 x 71.6 x 7.8 mm: an item is never smaller than its source says.
    assert library["iphone-15"].dims_mm == (148, 72, 8)
    assert library["iphone-15"].stated_mm == ("147.6", "71.6", "7.8")
    assert library["payment-card"].dims_mm == (86, 54, 1)


def test_a_cylinder_is_diameter_diameter_length():
    bottle = load_item_library()["water-bottle-500ml"]
    assert bottle.shape == "cylinder"
    assert bottle.dims_mm == (64, 64, 203)


def test_as_item_gives_the_engine_item_named_by_id():
    balm = load_item_library()["lip-balm-stick"].as_item()
    assert isinstance(balm, Item)
    assert balm.name == "lip-balm-stick"
    assert balm.shape == "cylinder"
    assert balm.rigid
    assert load_item_library()["lip-balm-stick"].as_item("balm").name == "balm"


def test_soft_items_keep_a_stated_capacity():
    bag = load_item_library()["makeup-bag-small"]
    assert not bag.rigid
    assert bag.as_item().volume_ml == 1200
    assert bag.as_item().squeezed_ml == 1200


def test_by_category_follows_the_category_order():
    groups = load_item_library().by_category()
    assert list(groups) == [c for c in CATEGORIES if c in groups]
    assert all(groups.values())
    assert sum(len(items) for items in groups.values()) == len(load_item_library())
    assert "iphone-15" in [item.id for item in groups["phone"]]


# --------------------------------------------------------------------------- the file format


def _doc(**item: object) -> str:
    base: dict[str, object] = {
        "id": "thing",
        "name": "A thing",
        "category": "stationery",
        "shape": "box",
        "sides_mm": [10, 20, 30],
        "rigid": True,
        "weight_g": None,
        "sources": [{"url": "https://example.org/thing", "date": "undated", "gives": "size"}],
        "confidence": "low",
        "note": "for tests",
    }
    base.update(item)
    return json.dumps({"format": "minipack-items/1", "items": [base]})


def test_a_well_formed_file_reads():
    library = parse_item_library(_doc())
    assert library["thing"].dims_mm == (30, 20, 10)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": "Not A Slug"}, "lower-case slug"),
        ({"category": "snacks"}, "'category' must be one of"),
        ({"shape": "sphere"}, "'shape' must be"),
        ({"diameter_mm": 10}, "a box gives 'sides_mm'"),
        ({"sides_mm": [10, 20]}, "must be 3 positive sizes"),
        ({"sides_mm": [10, 0, 30]}, "must be 3 positive sizes"),
        ({"rigid": "yes"}, "'rigid' must be true or false"),
        ({"volume_ml": 100}, "only a soft item"),
        ({"sources": []}, "at least one source"),
        ({"sources": [{"url": "ftp://x", "date": "undated", "gives": "size"}]}, "not an http(s) address"),
        ({"sources": [{"url": "https://x.org", "date": "", "gives": "size"}]}, "must be non-empty text"),
        ({"confidence": "certain"}, "'confidence' must be one of"),
        ({"colour": "red"}, "unknown field"),
        ({"note": " "}, "'note' must be non-empty"),
    ],
)
def test_a_malformed_item_is_refused_with_where_and_why(change, reason):
    with pytest.raises(RuleDataError) as err:
        parse_item_library(_doc(**change))
    assert reason in str(err.value)
    assert "item 1" in str(err.value)


def test_a_cylinder_needs_diameter_and_length():
    doc = _doc(shape="cylinder", diameter_mm=12.7, length_mm=75)
    with pytest.raises(RuleDataError, match="not 'sides_mm'"):
        parse_item_library(doc)
    data = json.loads(doc)
    del data["items"][0]["sides_mm"]
    assert parse_item_library(json.dumps(data))["thing"].dims_mm == (13, 13, 75)


def test_a_duplicate_id_and_a_wrong_format_are_refused():
    data = json.loads(_doc())
    data["items"].append(data["items"][0])
    with pytest.raises(RuleDataError, match="used twice"):
        parse_item_library(json.dumps(data))
    with pytest.raises(RuleDataError, match="expected format"):
        parse_item_library(json.dumps({"format": "other", "items": []}))
    with pytest.raises(RuleDataError, match="not valid JSON"):
        parse_item_library("{")


def test_decimals_are_read_exactly():
    # 7.0000000001 must not become 7.0 through a float and then 7 mm.
    doc = _doc().replace("[10, 20, 30]", "[7.0000000001, 5, 5]")
    assert parse_item_library(doc)["thing"].dims_mm == (8, 5, 5)


# --------------------------------------------------------------------------- custom items


@pytest.mark.parametrize(
    ("text", "dims", "shape", "rigid"),
    [
        ("book:180x120x20mm", (180, 120, 20), "box", True),
        ("book: 18 x 12 x 2 cm", (180, 120, 20), "box", True),
        ("book:20x180x120mm", (180, 120, 20), "box", True),
        ("tin:3.5 x 2.4 x 0.8 in", (89, 61, 20), "box", True),
        ("bottle:cyl 70x200mm", (70, 70, 200), "cylinder", True),
        ("bottle:cylinder 7 x 20 cm", (70, 70, 200), "cylinder", True),
        ("bottle:CYL 7cm x 20cm", (70, 70, 200), "cylinder", True),
        ("pouch:soft 150x100x50mm", (150, 100, 50), "box", False),
    ],
)
def test_custom_items_are_read(text, dims, shape, rigid):
    item = parse_item_spec(text)
    assert item.dims_mm == dims
    assert item.shape == shape
    assert item.rigid is rigid
    assert item.name == text.split(":")[0].strip()


def test_a_soft_volume_becomes_a_cube_of_that_volume():
    scarf = parse_item_spec("scarf:soft 0.5L")
    assert scarf.volume_ml == 500
    assert not scarf.rigid
    assert scarf.dims_mm == (80, 80, 80)  # 79.4 mm rounded up
    assert parse_item_spec("jumper:soft 1-2 L").volume_ml == 2000  # a range: the larger end


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("180x120x20mm", "expected 'name:size'"),
        (":180x120x20mm", "no name"),
        ("book:", "no size"),
        ("book:soft", "no size"),
        ("book:180x120mm", "expected 3 sides"),
        ("book:180x120x20", "no unit given"),
        ("book:180x120x-20mm", "negative"),
        ("book:nan x 1 x 1 cm", "not a finite number"),
        ("bottle:cyl 70mm", "a cylinder is"),
        ("bottle:cyl 7cm x 200mm", "mixed units"),
        ("scarf:soft lots", "expected a number and a unit"),
        ("bo\x00ok:1x1x1cm", "control or unprintable"),
        ("x" * 61 + ":1x1x1cm", "longer than 60"),
    ],
)
def test_bad_custom_items_are_refused_naming_the_input_and_the_reason(text, reason):
    with pytest.raises(ParseError) as err:
        parse_item_spec(text)
    assert reason in str(err.value)
    assert err.value.raw == text
    assert "item" in str(err.value)


@given(st.integers(1, 2000), st.integers(1, 2000), st.integers(1, 2000))
def test_any_whole_mm_box_reads_back_sorted(a, b, c):
    item = parse_item_spec(f"thing:{a}x{b}x{c}mm")
    assert item.dims_mm == tuple(sorted((a, b, c), reverse=True))


# --------------------------------------------------------------------------- resolving a kit


def test_a_kit_mixes_library_ids_and_custom_items():
    items = resolve_items(["iphone-15", "book:180x120x20mm", "lip-balm-stick"])
    assert [i.name for i in items] == ["iphone-15", "book", "lip-balm-stick"]
    assert items[0].dims_mm == (148, 72, 8)


def test_copies_get_distinct_names():
    items = resolve_items(["lip-balm-stick", "lip-balm-stick", "iphone-15", "lip-balm-stick"])
    assert [i.name for i in items] == ["lip-balm-stick", "lip-balm-stick #2", "iphone-15", "lip-balm-stick #3"]
    assert items[1].dims_mm == items[0].dims_mm


def test_a_copy_number_never_takes_a_typed_name():
    names = [i.name for i in resolve_items(["pen:1x1x14cm", "pen:1x1x14cm", "pen #2:1x1x10cm"])]
    assert names == ["pen", "pen #3", "pen #2"]
    assert len(set(names)) == 3


def test_items_named_by_their_library_names_get_distinct_names_too():
    phone = load_item_library()["iphone-15"]
    typed = Item("Apple iPhone 15 #2", (1, 1, 1))
    items = distinct_names([phone.as_item(phone.name), phone.as_item(phone.name), typed])
    assert [i.name for i in items] == ["Apple iPhone 15", "Apple iPhone 15 #3", "Apple iPhone 15 #2"]


def test_ids_are_matched_loosely():
    assert resolve_items(["iPhone 15", " IPHONE_15 "])[0].name == "iphone-15"


def test_an_unknown_id_suggests_close_ones():
    with pytest.raises(UnknownItemError) as err:
        resolve_items(["iphone-15", "lip-balm"])
    assert "lip-balm-stick" in err.value.suggestions
    assert "did you mean 'lip-balm-stick'" in str(err.value)
    assert err.value.raw == "lip-balm"
    assert isinstance(err.value, ParseError)
    with pytest.raises(UnknownItemError, match="use an id from the item library"):
        resolve_items(["zzzzzzzz"])


def test_a_kit_is_a_list_of_bounded_length():
    with pytest.raises(ParseError, match="not one text"):
        resolve_items("iphone-15")  # type: ignore[arg-type]
    with pytest.raises(ParseError, match=f"at most {MAX_ITEMS}"):
        resolve_items(["payment-card"] * (MAX_ITEMS + 1))
    assert len(resolve_items(["payment-card"] * MAX_ITEMS)) == MAX_ITEMS
