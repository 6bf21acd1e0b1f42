"""The SVG drawings: to scale, labelled for screen readers, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from minipack.drawings import A4, US_LETTER, Outline, PricePoint, front_of, outline_svg, price_chart_svg
from minipack.units import Dimensions, Money

NS = "{http://www.w3.org/2000/svg}"


def test_front_of_uses_the_labelled_width_and_height() -> None:
    assert front_of(Dimensions((279, 203, 121), ("H", "W", "D"), "in")) == (203, 279, 121)


def test_front_of_unlabelled_stands_the_bag_up() -> None:
    assert front_of(Dimensions((300, 100, 250))) == (250, 300, 100)


def test_the_outline_is_to_one_scale() -> None:
    svg = ET.fromstring(outline_svg(Outline("Bag", 200, 280), [US_LETTER, A4], title="t"))
    rects = svg.findall(f"{NS}rect")
    widths = [float(r.get("width", "0")) for r in rects]
    heights = [float(r.get("height", "0")) for r in rects]
    assert widths[0] / 200 == pytest.approx(widths[1] / 216, rel=0.01)
    assert heights[2] / 297 == pytest.approx(heights[0] / 280, rel=0.01)


def test_the_outline_has_a_title_and_desc_and_escapes_text() -> None:
    text = outline_svg(Outline("<b>&", 100, 100), [A4], title='A "bag" <x>')
    svg = ET.fromstring(text)
    assert svg.get("role") == "img"
    assert svg.findtext(f"{NS}title") == 'A "bag" <x>'
    assert "<b>&" in (svg.findtext(f"{NS}desc") or "")


def test_the_price_chart_labels_every_point() -> None:
    points = [PricePoint("2023-01-01", Money(5000, "USD")), PricePoint("2024-06-01", Money(4500, "USD"))]
    svg = ET.fromstring(price_chart_svg(points, title="Prices"))
    assert len(svg.findall(f"{NS}circle")) == 2
    assert "2023-01-01: $50" in (svg.findtext(f"{NS}desc") or "")


def test_the_price_chart_refuses_one_point_or_two_currencies() -> None:
    with pytest.raises(ValueError, match="two or more"):
        price_chart_svg([PricePoint("2023", Money(1, "USD"))], title="t")
    with pytest.raises(ValueError, match="one currency"):
        price_chart_svg([PricePoint("2023", Money(1, "USD")), PricePoint("2024", Money(1, "EUR"))], title="t")


def test_every_shape_of_the_outline_lies_inside_the_drawing() -> None:
    import xml.etree.ElementTree as ET

    from minipack.drawings import A4, US_LETTER, Outline, outline_svg

    svg = outline_svg(
        Outline("Wide bag", 300, 250), [US_LETTER, A4, Outline("Apple iPhone 15", 72, 148, "Phone")], title="t"
    )
    root = ET.fromstring(svg)
    width = float(root.get("viewBox").split()[2])
    ns = "{http://www.w3.org/2000/svg}"
    for rect in root.iter(f"{ns}rect"):
        assert float(rect.get("x")) + float(rect.get("width")) <= width
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert "Phone" in labels and "US Letter" in labels
