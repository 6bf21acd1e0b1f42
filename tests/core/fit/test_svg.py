"""The packing picture: valid XML, every name escaped, one labelled shape per item in each view."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from minipack.fit import BagSpace, Item, Placement, pack
from minipack.fit.items import resolve_items
from minipack.fit.svg import packing_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
BAG = BagSpace("fjallraven-kanken-mini", (194, 284, 124), 5806)
EVIL = '<script>alert("x")</script>&"'


def _packed(items: list[Item]) -> tuple[Placement, ...]:
    result = pack(BAG.interior_mm, [item for item in items if item.rigid])
    assert result.status == "fits"
    return result.placements


def _views(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in root.findall("svg:g[@class='view']", NS)}


def test_the_picture_is_a_standalone_scalable_svg_with_a_title_and_a_description():
    items = resolve_items(["iphone-15", "kindle-paperwhite-11", "bifold-wallet", "lip-balm-stick"])
    svg = packing_svg(BAG, items, _packed(items), title="Your kit in the Kånken Mini")
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.get("viewBox", "").split()) == 4
    assert root.find("svg:title", NS).text == "Your kit in the Kånken Mini"
    desc = root.find("svg:desc", NS).text
    assert "4 of 4 items" in desc and "19.4 x 28.4 x 12.4 cm" in desc


def test_each_view_has_one_labelled_shape_per_placed_item():
    items = resolve_items(["iphone-15", "kindle-paperwhite-11", "bifold-wallet", "lip-balm-stick", "lip-balm-stick"])
    placements = _packed(items)
    root = ET.fromstring(packing_svg(BAG, items, placements, title="t"))
    views = _views(root)
    assert set(views) == {"view-top", "view-front", "view-side"}
    for view in views.values():
        groups = view.findall("svg:g[@class='item']", NS)
        assert len(groups) == len(placements)
        assert sorted(g.get("data-item") for g in groups) == [str(n) for n in range(1, len(items) + 1)]
        for g in groups:
            assert len(g.findall("svg:rect", NS)) == 1
            assert g.find("svg:title", NS).text.split(". ", 1)[1] in {i.name for i in items}
    # The two lip balms are told apart.
    titles = {g.find("svg:title", NS).text for g in views["view-front"].findall("svg:g", NS)}
    assert {"4. lip-balm-stick", "5. lip-balm-stick #2"} <= titles


def test_the_bag_is_drawn_with_its_sides_in_cm():
    items = resolve_items(["iphone-15"])
    root = ET.fromstring(packing_svg(BAG, items, _packed(items), title="t"))
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"19.4 cm", "28.4 cm", "12.4 cm"} <= texts
    assert len(root.findall(".//svg:rect[@class='bag']", NS)) == 3


def test_a_hostile_name_is_escaped_everywhere():
    items = [Item(EVIL, (100, 60, 20)), *resolve_items(["iphone-15"])]
    svg = packing_svg(BAG, items, _packed(items), title=f"Kit with {EVIL}")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    assert root.find("svg:title", NS).text == f"Kit with {EVIL}"
    legend = [t.text or "" for t in root.findall(".//svg:g[@class='legend-row']/svg:text", NS)]
    assert any(EVIL[:20] in text for text in legend)
    assert not root.findall(".//svg:script", NS)


def test_characters_xml_cannot_carry_are_dropped():
    items = [Item("bad\x01name\x1f", (100, 60, 20))]
    root = ET.fromstring(packing_svg(BAG, items, _packed(items), title="a\x00b"))
    assert root.find("svg:title", NS).text == "ab"


def test_the_legend_lists_every_item_even_soft_and_unplaced_ones():
    items = [
        *resolve_items(["iphone-15", "scarf:soft 0.5L"]),
        Item("a very long name for a thing that nobody would ever type into a form", (50, 40, 30)),
    ]
    placements = _packed(items[:1])
    root = ET.fromstring(packing_svg(BAG, items, placements, title="t"))
    rows = [
        [t.text or "" for t in row.findall("svg:text", NS)] for row in root.findall(".//svg:g[@class='legend-row']", NS)
    ]
    assert rows[0] == ["1. iphone-15", "14.8 x 7.2 x 0.8 cm"]
    assert rows[1] == ["2. scarf", "soft, fills spare room (0.5 L)"]
    assert rows[2][0].endswith("\u2026") and len(rows[2][0]) <= 3 + 40
    assert rows[2][1] == "5 x 4 x 3 cm, not placed"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=80).filter(str.strip), min_size=1, max_size=6, unique=True))
def test_any_names_give_well_formed_xml(names):
    items = [Item(name, (40, 30, 20)) for name in names]
    placements = [Placement(name, (0, 0, 20 * k), (40, 30, 20)) for k, name in enumerate(names)]
    root = ET.fromstring(packing_svg(BAG, items, placements, title=names[0]))
    for view in _views(root).values():
        assert len(view.findall("svg:g[@class='item']", NS)) == len(names)


def test_two_pictures_on_one_page_get_their_own_ids():
    items = resolve_items(["iphone-15", "bifold-wallet"])
    placements = _packed(items)
    first = packing_svg(BAG, items, placements, title="one", id_prefix="pack-a")
    second = packing_svg(BAG, items, placements, title="two", id_prefix="pack-b")

    def ids(svg: str) -> set[str]:
        return {e.get("id") for e in ET.fromstring(svg.encode("utf-8")).iter() if e.get("id")}

    assert ids(first) and not ids(first) & ids(second)
    root = ET.fromstring(first.encode("utf-8"))
    assert root.get("aria-labelledby") == "pack-a-svg-title pack-a-svg-desc"
    assert root.find("svg:title", NS).get("id") == "pack-a-svg-title"
    # Without a prefix the ids are the ones a standalone file has always had.
    assert 'id="svg-title"' in packing_svg(BAG, items, placements, title="t")
