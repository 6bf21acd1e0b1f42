"""A bag's usable inside, estimated from its chosen exterior and material.

Makers and shops publish a bag's *outer* size; what goes in is smaller. This
module is responsible for the one written rule that turns a catalog product
into the ``BagSpace`` the fit engine packs (docs/decisions/0005-bag-interior.md):

* **Walls.** Each side loses two walls. How thick a wall counts depends on
  how the bag is built, read from its material text:

  - ``structured`` (leather of any kind, faux or patent leather, PU, coated
    or monogram canvas, saffiano, vinyl): **6 mm a wall, 12 mm a side.**
    Leather is 1-2 mm, and such bags add a lining, a stiffening board or
    foam, piping at the seams and a zip track; their corners are boxed and
    do not give, so the full allowance is lost on every side.
  - ``soft`` (nylon, polyester, plain canvas, cotton, Vinylon, other woven
    fabrics): **3 mm a wall, 6 mm a side.** Fabric and lining are under a
    millimetre each; the rest is seam allowance folded inward and the zip
    tape. The walls give, so little more is lost.
  - ``unknown`` (no material, or one we cannot place): **6 mm a wall**, the
    larger allowance, so an unknown bag is never credited with more room
    than a structured one.

  Only the body material counts, and sources name it first: 'nylon with
  leather flap' is a soft bag whose flap is trim. The catalog's categories (backpack, crossbody…) say
  nothing about construction, so they do not change the allowance.

* **Usable volume** (what soft things such as a scarf may fill) is the
  smaller of the stated capacity and a share of the interior box: **85 %**
  for soft bags and **75 %** for structured and unknown ones. Rounded
  corners, a curved top and the zip's path keep a bag from filling its
  bounding box, more so when the walls cannot bulge. A stated capacity is
  used only when it is plausible: no larger than the *outer* box, which no
  bag can exceed (the Herschel Nova Mini's 9 L from a 6.9 L box is not).

* **Opening.** The catalog records no zip length yet, so ``opening_mm`` is
  ``None``: the engine does not check that items pass the opening.

The interior keeps the source's side order, except that labelled sides are
put in width, height, depth order (``L`` counts as width), which is the order
pictures draw them in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from minipack.errors import SpecError
from minipack.fit.model import BagSpace
from minipack.records import Product, fold
from minipack.units import Capacity, Dimensions

__all__ = [
    "SHARE_PERCENT",
    "WALL_MM",
    "Construction",
    "InteriorEstimate",
    "bag_space",
    "construction_of",
    "estimate_interior",
    "interior_for_dims",
]

Construction = Literal["structured", "soft", "unknown"]

# Thickness of one wall in mm; a side loses two (see the module docstring for why).
WALL_MM: dict[str, int] = {"structured": 6, "soft": 3, "unknown": 6}
# Share of the interior box soft things can fill, in percent.
SHARE_PERCENT: dict[str, int] = {"structured": 75, "soft": 85, "unknown": 75}

# Body materials by construction; matched on whole words of the folded text.
_STRUCTURED = re.compile(
    r"\b(leather|leatherette|pu|polyurethane|vegan leather|coated canvas|monogram canvas|damier|saffiano|vinyl|pvc)\b"
)
_SOFT = re.compile(
    r"\b(nylon|polyester|canvas|cotton|vinylon|fabric|denier|ripstop|polyamide|cordura|twill|denim|linen|"
    r"microfib(?:er|re)|neoprene|corduroy|velvet|satin|knit|mesh)\b"
)


@dataclass(frozen=True)
class InteriorEstimate:
    """The interior of one bag and how it was reached, so a page can explain it."""

    space: BagSpace
    construction: Construction
    wall_mm: int
    box_ml: int  # the interior box, whole ml rounded down
    share_ml: int  # the construction's share of that box
    capacity_ml: int | None  # the stated capacity, when it was plausible and used
    capacity_ignored: str  # why a stated capacity was not used ('' when it was, or there was none)


def construction_of(material: str | None) -> Construction:
    """'Leather' -> structured, 'nylon with leather flap' -> soft, None or 'mystery' -> unknown."""
    if not material or not material.strip():
        return "unknown"
    text = fold(material)
    # The body material is named first; later words are trim or lining ('nylon with leather
    # flap', 'leather with cotton lining'). At one position the longer name wins, so
    # 'coated canvas' is not read as plain canvas.
    found = [(m.start(), -len(m.group()), "structured") for m in _STRUCTURED.finditer(text)]
    found += [(m.start(), -len(m.group()), "soft") for m in _SOFT.finditer(text)]
    if not found:
        return "unknown"
    return "structured" if min(found)[2] == "structured" else "soft"


def interior_for_dims(dims: Dimensions, construction: str) -> tuple[int, int, int]:
    """The inside of a bag of outer size ``dims``: each side minus two walls of ``construction``.

    Labelled sides come back as (width, height, depth); unlabelled ones in the
    source's order. Raises ``SpecError`` for an unknown construction or a bag
    too thin to have an inside.
    """
    wall = WALL_MM.get(construction)
    if wall is None:
        raise SpecError(f"unknown construction {construction!r}; known: {', '.join(WALL_MM)}")
    sides = _ordered(dims)
    inside = tuple(side - 2 * wall for side in sides)
    if min(inside) <= 0:
        raise SpecError(f"a {construction} bag of {dims.mm} mm has no room inside {2 * wall} mm of walls a side")
    return (inside[0], inside[1], inside[2])


def estimate_interior(product: Product) -> InteriorEstimate | None:
    """The interior of a catalog bag from its chosen claims; ``None`` when it has no exterior size."""
    exterior = product.value("exterior")
    if not isinstance(exterior, Dimensions):
        return None
    material = product.value("material")
    construction = construction_of(material if isinstance(material, str) else None)
    interior = interior_for_dims(exterior, construction)
    box_ml = interior[0] * interior[1] * interior[2] // 1000
    share_ml = box_ml * SHARE_PERCENT[construction] // 100
    capacity = product.value("capacity")
    capacity_ml, ignored = _plausible_capacity(capacity if isinstance(capacity, Capacity) else None, exterior)
    usable = share_ml if capacity_ml is None else min(capacity_ml, share_ml)
    space = BagSpace(name=product.slug, interior_mm=interior, usable_ml=usable, opening_mm=None)
    return InteriorEstimate(
        space=space,
        construction=construction,
        wall_mm=WALL_MM[construction],
        box_ml=box_ml,
        share_ml=share_ml,
        capacity_ml=capacity_ml,
        capacity_ignored=ignored,
    )


def bag_space(product: Product) -> BagSpace | None:
    """What the fit engine packs for ``product``; ``None`` when the catalog has no exterior size for it."""
    estimate = estimate_interior(product)
    return None if estimate is None else estimate.space


def _plausible_capacity(capacity: Capacity | None, exterior: Dimensions) -> tuple[int | None, str]:
    if capacity is None:
        return None, ""
    # The low end of a range: a '5-7 L' bag is promised 5 L, not 7.
    if capacity.low_ml > exterior.box_ml:
        return None, f"{capacity.low_ml} ml stated, more than the {exterior.box_ml} ml outer box"
    return capacity.low_ml, ""


def _ordered(dims: Dimensions) -> tuple[int, int, int]:
    if dims.axes is None:
        return dims.mm
    width = dims.side("W") or dims.side("L")
    height, depth = dims.side("H"), dims.side("D")
    if width is None or height is None or depth is None:
        # Labels such as L, W, H (no depth): keep the source's order rather than guess.
        return dims.mm
    return (width, height, depth)
