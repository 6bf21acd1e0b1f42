"""Records of the fit engine: what is asked (items, a bag's space) and what is answered.

Everything is a frozen dataclass holding canonical integers (mm, ml, g), so
results are hashable, cacheable and safe to share between threads and
requests. Constructors check their input and raise ``FitError`` naming the
bad value: an ``Item`` that exists is always a sensible question.

The answer records carry their own evidence. A ``PackResult`` that says
"fits" holds a placement of every rigid item; one that says "does_not_fit"
holds a ``Proof`` a shopper can read (which items, which numbers, and for an
exhaustive search which method searched).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from minipack.errors import FitError
from minipack.units import MAX_LENGTH_MM, MAX_VOLUME_ML, MAX_WEIGHT_G

Shape = Literal["box", "cylinder"]
PackStatus = Literal["fits", "does_not_fit", "undecided"]
Verdict = Literal["fits", "tight", "does_not_fit", "undecided"]
ProofKind = Literal[
    "item_too_big", "volume", "pair_conflict", "dff_bound", "exhaustive_search", "soft_volume", "opening"
]
Stage = Literal["bounds", "layout", "heuristic", "branch_and_bound", "cp_sat"]
Dims = tuple[int, int, int]

# The engine is exact, and exact packing is exponential in the worst case: the
# cap keeps every question answerable within the documented budgets.
MAX_ITEMS = 50

# "Tight" (see ``engine.check_fit``): it fits, but would not fit in a bag this
# share smaller on every side (5 % shorter sides, so about 14 % less volume).
TIGHT_MARGIN = 0.05


def _is_int(value: object) -> bool:
    # bool is an int subclass; True is never a size.
    return isinstance(value, int) and not isinstance(value, bool)


def check_dims(value: object, what: str) -> Dims:
    """Three whole, positive millimetre sides no longer than ``MAX_LENGTH_MM``, as a tuple."""
    if not isinstance(value, tuple | list) or len(value) != 3 or not all(_is_int(v) for v in value):
        raise FitError(f"{what}: sizes must be three whole millimetres, got {value!r}")
    a, b, c = value
    if min(a, b, c) <= 0:
        raise FitError(f"{what}: sizes must be positive, got {a} x {b} x {c} mm")
    if max(a, b, c) > MAX_LENGTH_MM:
        raise FitError(f"{what}: a side is over {MAX_LENGTH_MM} mm ({a} x {b} x {c} mm)")
    return (a, b, c)


@dataclass(frozen=True, slots=True)
class Item:
    """One thing to carry.

    A rigid item is packed as a box in any of its six axis-aligned
    orientations; a cylinder ``(diameter, diameter, length)`` is packed as its
    bounding box. A soft item (``rigid=False``) is not packed: it squeezes
    into the room the rigid items leave, taking ``volume_ml`` (by default its
    box volume).
    """

    name: str
    dims_mm: Dims
    shape: Shape = "box"
    rigid: bool = True
    volume_ml: int | None = None
    weight_g: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise FitError(f"an item needs a name, got {self.name!r}")
        label = f"item {self.name!r}"
        # Accept a list (JSON gives lists) but store the canonical tuple.
        object.__setattr__(self, "dims_mm", check_dims(self.dims_mm, label))
        if self.shape not in ("box", "cylinder"):
            raise FitError(f"{label}: shape must be 'box' or 'cylinder', got {self.shape!r}")
        if self.shape == "cylinder" and self.dims_mm[0] != self.dims_mm[1]:
            raise FitError(
                f"{label}: a cylinder is (diameter, diameter, length); got {self.dims_mm[0]} and {self.dims_mm[1]} mm"
            )
        if not isinstance(self.rigid, bool):
            raise FitError(f"{label}: rigid must be true or false, got {self.rigid!r}")
        if self.volume_ml is not None and (not _is_int(self.volume_ml) or not 0 < self.volume_ml <= MAX_VOLUME_ML):
            raise FitError(f"{label}: volume must be whole millilitres between 1 and {MAX_VOLUME_ML}")
        if self.weight_g is not None and (not _is_int(self.weight_g) or not 0 <= self.weight_g <= MAX_WEIGHT_G):
            raise FitError(f"{label}: weight must be whole grams between 0 and {MAX_WEIGHT_G}")

    @property
    def box_mm3(self) -> int:
        a, b, c = self.dims_mm
        return a * b * c

    @property
    def sorted_mm(self) -> Dims:
        """Sides largest first: the orientation-free view."""
        a, b, c = sorted(self.dims_mm, reverse=True)
        return (a, b, c)

    @property
    def squeezed_ml(self) -> int:
        """What the item takes among soft things: ``volume_ml``, else its box volume rounded up."""
        if self.volume_ml is not None:
            return self.volume_ml
        return -(-self.box_mm3 // 1000)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one item sits: its low corner and its size along the interior's three axes, in mm."""

    name: str
    position_mm: Dims
    size_mm: Dims

    @property
    def end_mm(self) -> Dims:
        (x, y, z), (a, b, c) = self.position_mm, self.size_mm
        return (x + a, y + b, z + c)


@dataclass(frozen=True, slots=True)
class Proof:
    """Why a kit does not fit, in words a shopper can check.

    ``kind`` says which argument: a single item too big, total volume, a pair
    that cannot sit side by side, a dual-feasible-function bound
    (``dff_bound``), an exhaustive search that found nothing (``method`` then
    names it: "branch_and_bound" or "cp_sat"), soft items that do not fit in
    the room left (``soft_volume``), or an item that cannot pass the opening.
    """

    kind: ProofKind
    message: str
    items: tuple[str, ...]
    method: str = ""


@dataclass(frozen=True, slots=True)
class PackResult:
    """The answer for the rigid items.

    "fits" comes with one placement per item (in the order the items were
    given) that ``validate_placements`` accepts; "does_not_fit" comes with a
    proof; "undecided" (a complete search ran out of its budget) comes with
    no placements and no proof. ``stage`` names the stage that decided:
    "bounds", "layout", "heuristic", "branch_and_bound" or "cp_sat".
    """

    status: PackStatus
    placements: tuple[Placement, ...]
    proof: Proof | None
    stage: Stage

    @property
    def fits(self) -> bool:
        return self.status == "fits"


@dataclass(frozen=True, slots=True)
class BagSpace:
    """What the engine needs of a bag: its interior box, usable volume and, if narrow, its opening.

    ``interior_mm`` is the box rigid items are packed into; ``usable_ml`` is
    the volume soft items may fill once the rigid items are in (a bag is
    not a perfect box, so it may be less than the interior box); a set
    ``opening_mm`` is the length of the zip or slot every rigid item must
    pass through.
    """

    name: str
    interior_mm: Dims
    usable_ml: int
    opening_mm: int | None = None

    def __post_init__(self) -> None:
        label = f"bag {self.name!r}"
        object.__setattr__(self, "interior_mm", check_dims(self.interior_mm, label))
        if not _is_int(self.usable_ml) or not 0 <= self.usable_ml <= MAX_VOLUME_ML:
            raise FitError(f"{label}: usable volume must be whole millilitres between 0 and {MAX_VOLUME_ML}")
        if self.opening_mm is not None and (not _is_int(self.opening_mm) or not 0 < self.opening_mm <= MAX_LENGTH_MM):
            raise FitError(f"{label}: the opening must be whole millimetres between 1 and {MAX_LENGTH_MM}")


@dataclass(frozen=True, slots=True)
class FitResult:
    """The whole answer for a bag and a kit: rigid packing, soft room, opening, and what to leave out.

    ``verdict`` is "fits", "tight" (fits, but not in a bag ``TIGHT_MARGIN``
    smaller on every side), "does_not_fit" (with ``proof``) or "undecided".
    ``remove_to_fit`` names the fewest items to leave at home so the rest
    fits; it is None when everything fits (and when no answer was found).
    """

    verdict: Verdict
    pack: PackResult
    soft_ml: int
    soft_room_ml: int
    reason: str
    proof: Proof | None
    remove_to_fit: tuple[str, ...] | None

    @property
    def fits(self) -> bool:
        return self.verdict in ("fits", "tight")
