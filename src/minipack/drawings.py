"""SVG drawings for the bag page: a bag's outline to scale beside familiar things, and a price-history chart.

Pure Python and self-contained: every drawing is a string of SVG with a
``<title>`` and a ``<desc>`` (so a screen reader hears what it shows), every
text XML-escaped, sizes in a ``viewBox`` so the drawing scales to the phone
it is read on. Sizes come in whole millimetres, prices in minor units; a
drawing never decides anything, it only shows numbers the core chose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from minipack.records import Product
from minipack.units import Dimensions, Money, format_length, format_price

DRAWING_WIDTH = 360  # viewBox units; as in fit/svg.py, 12-unit text stays readable at 375 px
MARGIN = 12
GAP = 14
FONT = 11
LABEL_ROWS = 2  # a name, then its size

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Outline:
    """A flat thing drawn to scale: its name and its width and height in mm."""

    name: str
    width_mm: int
    height_mm: int
    label: str = ""  # the short caption under the shape; the name when empty


# Paper sizes are standards (ANSI/ASME Y14.1 for US Letter, ISO 216 for A4); exact to the mm.
US_LETTER = Outline("US Letter sheet", 216, 279, "US Letter")
A4 = Outline("A4 sheet", 210, 297, "A4")


def front_of(dims: Dimensions) -> tuple[int, int, int]:
    """(width, height, depth) of a bag's front: the labelled W/L and H when the source gave them,
    else the two largest sides standing up (taller side as height) and the smallest as depth."""
    width = dims.side("W") or dims.side("L")
    height, depth = dims.side("H"), dims.side("D")
    if width is not None and height is not None and depth is not None:
        return (width, height, depth)
    a, b, c = dims.sorted_mm
    return (b, a, c)


def outline_svg(bag: Outline, references: Sequence[Outline], *, title: str, id_prefix: str = "outline") -> str:
    """The bag's front and ``references`` side by side on one baseline, all at one scale.

    ``id_prefix`` names the title and desc elements; give each drawing on one page its own.
    """
    shapes = [bag, *references]
    # The gaps are drawing units, not millimetres: only the shapes are scaled.
    tallest = max(s.height_mm for s in shapes)
    scale = (DRAWING_WIDTH - 2 * MARGIN - GAP * (len(shapes) - 1)) / sum(s.width_mm for s in shapes)
    label_h = LABEL_ROWS * (FONT + 3) + 4
    height = MARGIN + tallest * scale + label_h + MARGIN
    base = MARGIN + tallest * scale
    desc = (
        "Drawn to one scale: "
        + "; ".join(f"{s.name}, {format_length(s.width_mm)} wide by {format_length(s.height_mm)} high" for s in shapes)
        + "."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {DRAWING_WIDTH} {_n(height)}" '
        f'role="img" aria-labelledby="{_esc(id_prefix)}-title {_esc(id_prefix)}-desc" class="drawing">',
        f'<title id="{_esc(id_prefix)}-title">{_esc(title)}</title>',
        f'<desc id="{_esc(id_prefix)}-desc">{_esc(desc)}</desc>',
    ]
    x = float(MARGIN)
    for i, shape in enumerate(shapes):
        w, h = shape.width_mm * scale, shape.height_mm * scale
        cls = "bag" if i == 0 else "reference"
        radius = min(w, h) * (0.18 if i == 0 else 0.02 if shape.width_mm > 150 else 0.12)
        parts.append(
            f'<rect class="{cls}" x="{_n(x)}" y="{_n(base - h)}" width="{_n(w)}" height="{_n(h)}" '
            f'rx="{_n(radius)}" fill="{"#f3e6ef" if i == 0 else "#fff"}" stroke="{"#7a2e5f" if i == 0 else "#5f6368"}" '
            f'stroke-width="{1.5 if i == 0 else 1}"/>'
        )
        cx = x + w / 2
        short = (shape.label or shape.name) if i else "This bag"
        size = f"{format_length(shape.width_mm)} x {format_length(shape.height_mm)}"
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(base + FONT + 4)}" font-size="{FONT}" text-anchor="middle">{_esc(short)}</text>'
        )
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(base + 2 * FONT + 7)}" font-size="{FONT - 2}" text-anchor="middle" '
            f'fill="#5f6368">{_esc(size.replace(" cm", ""))} cm</text>'
        )
        x += w + GAP
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- price history


@dataclass(frozen=True)
class PricePoint:
    """One dated price: the date as the source states it, and the price."""

    date: str
    price: Money


def price_points(product: Product) -> tuple[PricePoint, ...]:
    """The dated prices in the currency of the chosen price, oldest first (one currency per chart)."""
    chosen = product.chosen("price")
    if chosen is None:
        return ()
    currency = chosen.value.currency
    return tuple(
        PricePoint(c.source.date.stated, c.value) for c in product.price_history() if c.value.currency == currency
    )


CHART_HEIGHT = 180


def price_chart_svg(points: Sequence[PricePoint], *, title: str) -> str:
    """A step-free line chart of ``points`` (two or more, one currency), dates evenly spaced, labelled."""
    if len(points) < 2:
        raise ValueError("a price chart needs two or more dated prices")
    if len({p.price.currency for p in points}) != 1:
        raise ValueError("a price chart shows one currency")
    amounts = [p.price.amount_minor for p in points]
    low, high = min(amounts), max(amounts)
    span = (high - low) or max(high, 1)
    left, right, top, bottom = 56.0, DRAWING_WIDTH - 16.0, 16.0, CHART_HEIGHT - 36.0
    step = (right - left) / (len(points) - 1)

    def y(amount: int) -> float:
        return bottom - (amount - low) / span * (bottom - top) if high != low else (top + bottom) / 2

    desc = "Prices by date: " + "; ".join(f"{p.date}: {format_price(p.price)}" for p in points) + "."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {DRAWING_WIDTH} {CHART_HEIGHT}" '
        f'role="img" aria-labelledby="price-title price-desc" class="drawing">',
        f'<title id="price-title">{_esc(title)}</title>',
        f'<desc id="price-desc">{_esc(desc)}</desc>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#d9d9de"/>',
        f'<text x="{left - 6}" y="{_n(y(high) + 4)}" font-size="{FONT}" text-anchor="end">'
        f"{_esc(format_price(Money(high, points[0].price.currency)))}</text>",
    ]
    if high != low:
        parts.append(
            f'<text x="{left - 6}" y="{_n(y(low) + 4)}" font-size="{FONT}" text-anchor="end">'
            f"{_esc(format_price(Money(low, points[0].price.currency)))}</text>"
        )
    coords = [(left + i * step, y(p.price.amount_minor)) for i, p in enumerate(points)]
    path = " ".join(f"{_n(cx)},{_n(cy)}" for cx, cy in coords)
    parts.append(f'<polyline points="{path}" fill="none" stroke="#7a2e5f" stroke-width="2"/>')
    for (cx, cy), p in zip(coords, points, strict=True):
        parts.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="3" fill="#7a2e5f"><title>{_esc(p.date)}: '
            f"{_esc(format_price(p.price))}</title></circle>"
        )
        parts.append(
            f'<text x="{_n(cx)}" y="{_n(bottom + 16)}" font-size="{FONT - 2}" '
            f'text-anchor="middle">{_esc(p.date[:10])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _esc(text: str) -> str:
    text = _NOT_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
