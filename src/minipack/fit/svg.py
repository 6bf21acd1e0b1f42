"""A picture of a packing: a bag's inside seen from the front, from above and from the side.

``packing_svg(space, items, placements, title=...)`` returns one standalone
SVG document. Three orthographic views are easier to read on a phone than an
isometric one: nothing hides behind a corner, and sides line up between
views. They are laid out as a draughtsman would (third-angle projection):
the top view above the front view, sharing its width; the side view to its
right, sharing its height. The interior axes are drawn as width (x), height
(y) and depth (z), the order ``interior.bag_space`` gives labelled bags.

Each placed item is one filled, outlined rectangle per view with its number,
and its name when the name fits; the legend below lists every item with its
colour, number, full name (shortened past 40 characters) and size in cm, and
says which soft items fill the spare room rather than being drawn. Item
names are user input, so all text is XML-escaped and characters XML cannot
carry are dropped. The document has a ``viewBox`` (it scales to any width),
a ``<title>`` and a ``<desc>`` for screen readers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from minipack.fit.model import BagSpace, Item, Placement
from minipack.units import Dimensions, format_dimensions, format_length, format_volume

__all__ = ["packing_svg"]

# Colour-blind-safe fills (Okabe & Ito, then Tol's muted set); beyond twelve items
# colours repeat and the numbers tell items apart.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#DDCC77",
)
DRAWING_WIDTH = 360  # viewBox units the views span: small enough that 12-unit text stays readable on a phone
MARGIN = 36
GAP = 40  # between views, room for a dimension label
FONT = 12
LEGEND_ROW = 32  # two lines: the name, then its size or why it is not drawn
MAX_LEGEND_NAME = 40
CHAR_WIDTH = 0.6  # of the font size: a safe average for sans-serif, so labels never overflow

# XML 1.0 cannot carry these at all, escaped or not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class _View:
    """One orthographic view: which interior axes run across and up, and where it sits."""

    label: str
    across: int  # interior axis drawn left to right
    up: int  # interior axis drawn bottom to top (in the top view: depth, front at the bottom)
    x: float
    y: float


def packing_svg(
    space: BagSpace, items: Sequence[Item], placements: Sequence[Placement], *, title: str, id_prefix: str = ""
) -> str:
    """A standalone SVG of ``placements`` inside ``space``; ``items`` give names, sizes and soft items.

    ``id_prefix`` goes before every id in the drawing (``<prefix>-svg-title``, ``<prefix>-view-top``…):
    a page that shows several pictures gives each its own, so ids stay unique and each picture is
    labelled by its own title.
    """
    ids = f"{_esc(id_prefix)}-" if id_prefix else ""
    w, h, d = space.interior_mm
    scale = DRAWING_WIDTH / (w + d)
    placed = {p.name: p for p in placements}
    numbered = list(enumerate(items, start=1))
    colours = {item.name: PALETTE[(n - 1) % len(PALETTE)] for n, item in numbered}

    top = _View("Top", across=0, up=2, x=MARGIN, y=MARGIN + 20)
    front = _View("Front", across=0, up=1, x=MARGIN, y=top.y + d * scale + GAP)
    side = _View("Side", across=2, up=1, x=MARGIN + w * scale + GAP, y=front.y)
    legend_y = front.y + h * scale + GAP + 8
    height = legend_y + LEGEND_ROW * len(items) + 12 + MARGIN
    # Wide enough for the legend's longest name, however narrow the bag.
    width = max(MARGIN * 2 + (w + d) * scale + GAP, MARGIN * 2 + 22 + (MAX_LEGEND_NAME + 4) * FONT * CHAR_WIDTH)

    inside = format_dimensions(Dimensions((w, h, d)))
    desc = (
        f"{len(placed)} of {len(items)} items packed in {space.name}, inside {inside} (width x height x depth), "
        "seen from the front, from above and from the side."
    )
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-labelledby="{ids}svg-title {ids}svg-desc" font-family="system-ui, -apple-system, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{ids}svg-title">{_esc(title)}</title>',
        f'<desc id="{ids}svg-desc">{_esc(desc)}</desc>',
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN - 8}" font-size="{FONT + 3}" font-weight="bold">'
        f"{_esc(_short(title, 60))}</text>",
    ]
    sizes = (w, h, d)
    for view in (top, front, side):
        out += _view(view, sizes, scale, placements, colours, {item.name: n for n, item in numbered}, ids)
    out += _legend(numbered, placed, colours, legend_y)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _view(
    view: _View,
    sizes: tuple[int, int, int],
    scale: float,
    placements: Sequence[Placement],
    colours: dict[str, str],
    numbers: dict[str, int],
    ids: str = "",
) -> list[str]:
    across_mm, up_mm = sizes[view.across], sizes[view.up]
    vw, vh = across_mm * scale, up_mm * scale
    out = [
        f'<g class="view" id="{ids}view-{view.label.lower()}">',
        f'<text x="{_n(view.x)}" y="{_n(view.y - 6)}" font-weight="bold">{view.label}</text>',
        f'<rect class="bag" x="{_n(view.x)}" y="{_n(view.y)}" width="{_n(vw)}" height="{_n(vh)}" '
        'fill="#f4f1ea" stroke="#333333" stroke-width="2"/>',
        # The bag's sides in cm: across under the view, up to its left.
        f'<text x="{_n(view.x + vw / 2)}" y="{_n(view.y + vh + 16)}" text-anchor="middle" fill="#333333">'
        f"{_esc(format_length(across_mm))}</text>",
        f'<text x="{_n(view.x - 8)}" y="{_n(view.y + vh / 2)}" text-anchor="middle" fill="#333333" '
        f'transform="rotate(-90 {_n(view.x - 8)} {_n(view.y + vh / 2)})">{_esc(format_length(up_mm))}</text>',
    ]
    depth_axis = ({0, 1, 2} - {view.across, view.up}).pop()
    # Painter's order: what is nearer the viewer is drawn last, on top.
    if view.label == "Top":
        ordered = sorted(placements, key=lambda p: p.position_mm[1] + p.size_mm[1])
    elif view.label == "Front":
        ordered = sorted(placements, key=lambda p: -p.position_mm[2])
    else:
        ordered = sorted(placements, key=lambda p: p.position_mm[depth_axis] + p.size_mm[depth_axis])
    boxes = [_box(view, p, scale, up_mm) for p in ordered]
    for k, (p, box) in enumerate(zip(ordered, boxes, strict=True)):
        # A label is drawn only where nothing nearer covers it: half a name is worse than none.
        nearer = boxes[k + 1 :]
        out.append(_item_group(p, box, colours.get(p.name, "#cccccc"), numbers.get(p.name, 0), nearer))
    out.append("</g>")
    return out


_Box = tuple[float, float, float, float]  # x, y, width, height in viewBox units


def _box(view: _View, p: Placement, scale: float, up_mm: int) -> _Box:
    a0, a_len = p.position_mm[view.across], p.size_mm[view.across]
    u0, u_len = p.position_mm[view.up], p.size_mm[view.up]
    # Height grows upwards; in the top view the front (depth 0) is at the bottom, next to the front view.
    y = view.y + (up_mm - u0 - u_len) * scale
    return (view.x + a0 * scale, y, max(a_len * scale, 1.0), max(u_len * scale, 1.0))


def _item_group(p: Placement, box: _Box, colour: str, number: int, nearer: Sequence[_Box]) -> str:
    x, y, rw, rh = box
    parts = [
        f'<g class="item" data-item="{number}">',
        f"<title>{_esc(f'{number}. {p.name}')}</title>",
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(rw)}" height="{_n(rh)}" fill="{colour}" '
        'stroke="#222222" stroke-width="1"/>',
    ]
    font = _label_font(rh)
    for label in _labels(p.name, number, rw, rh):
        half_w, half_h = len(label) * font * CHAR_WIDTH / 2, font / 2
        cx, cy = x + rw / 2, y + rh / 2
        if not any(_overlap((cx - half_w, cy - half_h, 2 * half_w, 2 * half_h), other) for other in nearer):
            parts.append(
                f'<text x="{_n(cx)}" y="{_n(cy)}" text-anchor="middle" dominant-baseline="central" '
                f'fill="{_ink(colour)}" font-size="{font}">{_esc(label)}</text>'
            )
            break
    parts.append("</g>")
    return "".join(parts)


def _overlap(a: _Box, b: _Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _labels(name: str, number: int, width: float, height: float) -> list[str]:
    """Labels that fit the box, longest first: the (shortened) name with its number, then the number."""
    if height < 9:
        return []
    fits = int(width / (_label_font(height) * CHAR_WIDTH)) - 1
    full = f"{number} {name}"
    out = []
    if len(full) <= fits:
        out.append(full)
    elif fits >= len(str(number)) + 5:
        out.append(_short(full, fits))
    if fits >= len(str(number)):
        out.append(str(number))
    return out


def _label_font(height: float) -> int:
    return FONT if height >= FONT + 4 else 10


def _legend(
    numbered: list[tuple[int, Item]],
    placed: dict[str, Placement],
    colours: dict[str, str],
    y: float,
) -> list[str]:
    out = [f'<g class="legend"><text x="{MARGIN}" y="{_n(y)}" font-weight="bold">Items</text>']
    for row, (n, item) in enumerate(numbered):
        ry = y + 12 + row * LEGEND_ROW
        size = format_dimensions(Dimensions(item.sorted_mm))
        if item.name in placed:
            note = size
        elif not item.rigid:
            note = f"soft, fills spare room ({format_volume(max(item.squeezed_ml, 1))})"
        else:
            note = f"{size}, not placed"
        out.append(
            f'<g class="legend-row" data-item="{n}">'
            f'<rect x="{MARGIN}" y="{_n(ry + 2)}" width="14" height="14" fill="{colours[item.name]}" '
            'stroke="#222222" stroke-width="1"/>'
            f'<text x="{MARGIN + 22}" y="{_n(ry + 13)}">{n}. {_esc(_short(item.name, MAX_LEGEND_NAME))}</text>'
            f'<text class="note" x="{MARGIN + 22}" y="{_n(ry + 27)}" font-size="10" fill="#555555">'
            f"{_esc(note)}</text></g>"
        )
    out.append("</g>")
    return out


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "\u2026"


def _esc(text: str) -> str:
    return html.escape(_NOT_XML.sub("", text), quote=True)


def _ink(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG relative luminance)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#000000" if luminance > 0.179 else "#ffffff"


def _n(value: float) -> str:
    """Numbers for attributes: at most one decimal, no trailing zeros, so the document stays small."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
