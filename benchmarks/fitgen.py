"""Seeded instances for the fit benchmark: realistic kits, bag interiors, tight and packing-critical pairs.

Everything here is plain data (names and whole-millimetre sizes), so the
generator does not depend on the engine it is used to measure. Sizes come
from the ranges of real things people carry in a mini backpack (a phone is
about 147 x 71 x 8 mm, an iPad mini 195 x 135 x 6 mm, a 500 ml bottle's
bounding box 65 x 65 x 205 mm) and are jittered inside those ranges; bag
interiors have the proportions of real mini backpacks (width 180-300,
height 200-350, depth 60-150 mm) and hold 3-15 L.

Three categories:

* ``realistic``: a kit and a bag drawn independently, as a shopper would
  ask "does my stuff go in this bag?";
* ``tight``: a small bag and a bulky kit that fills 45-85 % of its box
  volume, where a careless packer starts to fail;
* ``critical``: a bag shrunk (uniformly, or along its depth, the axis that
  limits a mini backpack) by bisection until the kit only just fits, decided
  by an exact solver passed in by the caller, plus the same bag 1 % smaller.
  The pair is half feasible, half infeasible, and sits exactly where
  heuristics and exact methods part ways. Only *packing*-critical pairs are
  kept: when one long item or the total volume already decides the smaller
  bag, the kit is drawn again.

``GENERATOR_VERSION`` changes whenever the output for a given seed changes,
so a cache of solver answers keyed by (seed, version) never goes stale.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GENERATOR_VERSION = 2

Dims = tuple[int, int, int]

# One kind of thing: size ranges per side in mm (low, high), how often it is
# carried, and whether it is a cylinder (then sides 0 and 1 are one diameter).
# Cylinders are benchmarked as their bounding boxes: every method compared
# here packs boxes, and the ground truth must be the same problem for all.


@dataclass(frozen=True)
class Kind:
    name: str
    sides: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]
    weight: float  # relative frequency in a kit
    cylinder: bool = False
    bulky: bool = False  # drawn more often for the 'tight' category


KINDS: tuple[Kind, ...] = (
    Kind("phone", ((143, 165), (68, 78), (7, 10)), 10.0),
    Kind("keys", ((60, 95), (30, 50), (15, 30)), 7.0),
    Kind("card-holder", ((95, 105), (65, 75), (4, 9)), 5.0),
    Kind("bifold-wallet", ((105, 120), (85, 100), (15, 25)), 4.0),
    Kind("long-wallet", ((180, 195), (90, 100), (15, 25)), 2.5, bulky=True),
    Kind("lip-balm", ((15, 20), (15, 20), (60, 75)), 5.0, cylinder=True),
    Kind("earbuds-case", ((45, 62), (45, 55), (20, 27)), 5.0),
    Kind("glasses-case", ((145, 165), (55, 68), (32, 42)), 3.0, bulky=True),
    Kind("power-bank", ((95, 150), (60, 72), (14, 26)), 3.0),
    Kind("e-reader", ((157, 175), (108, 127), (8, 10)), 2.0),
    Kind("tablet-mini", ((195, 200), (134, 138), (6, 8)), 1.5),
    Kind("passport", ((125, 127), (88, 90), (4, 7)), 2.0),
    Kind("makeup-pouch", ((150, 200), (90, 120), (40, 70)), 2.5, bulky=True),
    Kind("water-bottle", ((60, 75), (60, 75), (180, 230)), 2.0, cylinder=True, bulky=True),
    Kind("compact-umbrella", ((50, 65), (50, 65), (170, 250)), 2.0, cylinder=True, bulky=True),
    Kind("tissues", ((105, 115), (52, 58), (20, 30)), 3.0),
    Kind("hand-sanitizer", ((35, 45), (20, 30), (95, 115)), 2.5),
    Kind("charger-and-cable", ((50, 70), (45, 60), (25, 35)), 2.5),
    Kind("notebook-a6", ((145, 150), (103, 108), (8, 15)), 1.5),
    Kind("snack-bar", ((120, 140), (30, 40), (12, 18)), 2.0),
    Kind("compact-camera", ((100, 120), (58, 70), (30, 50)), 1.0, bulky=True),
    Kind("perfume-atomiser", ((18, 22), (18, 22), (75, 90)), 1.5, cylinder=True),
)

# Proportions of real mini backpack interiors, and the volumes they come in.
BAG_WIDTH_MM = (180, 300)
BAG_HEIGHT_MM = (200, 350)
BAG_DEPTH_MM = (60, 150)
BAG_VOLUME_ML = (3_000, 15_000)


@dataclass(frozen=True)
class Instance:
    """One question for a packer: does this kit go into this interior?"""

    key: str  # stable and unique, e.g. 'realistic-0042' or 'critical-0007-smaller'
    category: str  # 'realistic', 'tight' or 'critical'
    interior_mm: Dims
    items: tuple[tuple[str, Dims, bool], ...]  # (name, dims, is a cylinder's bounding box)
    note: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "category": self.category,
            "interior_mm": list(self.interior_mm),
            "items": [[name, list(dims), cyl] for name, dims, cyl in self.items],
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Instance:
        items = data["items"]
        interior = data["interior_mm"]
        assert isinstance(items, list) and isinstance(interior, list)
        return cls(
            key=str(data["key"]),
            category=str(data["category"]),
            interior_mm=dims3(interior),
            items=tuple((str(n), dims3(d), bool(c)) for n, d, c in items),
            note=str(data.get("note", "")),
        )


def dims3(values: Sequence[object]) -> Dims:
    a, b, c = (int(v) for v in values)  # type: ignore[call-overload]
    return (a, b, c)


# --------------------------------------------------------------------------- kits and bags


def draw_item(rng: random.Random, kind: Kind) -> Dims:
    """A jittered size inside the kind's ranges; a cylinder keeps one diameter for both round sides."""
    a = rng.randint(*kind.sides[0])
    b = a if kind.cylinder else rng.randint(*kind.sides[1])
    c = rng.randint(*kind.sides[2])
    return (a, b, c)


def draw_kit(
    rng: random.Random, n: int, *, bulky_bias: float = 1.0, phone_first: bool = True
) -> tuple[tuple[str, Dims, bool], ...]:
    """``n`` items; most kits start with a phone, and repeated kinds get numbered names ('phone-2')."""
    weights = [k.weight * (bulky_bias if k.bulky else 1.0) for k in KINDS]
    kinds = [KINDS[0]] if phone_first and rng.random() < 0.85 else []
    kinds += rng.choices(KINDS, weights=weights, k=n - len(kinds))
    seen: dict[str, int] = {}
    out = []
    for kind in kinds:
        seen[kind.name] = seen.get(kind.name, 0) + 1
        name = kind.name if seen[kind.name] == 1 else f"{kind.name}-{seen[kind.name]}"
        out.append((name, draw_item(rng, kind), kind.cylinder))
    return tuple(out)


def draw_bag(rng: random.Random, volume_ml: tuple[int, int] = BAG_VOLUME_ML) -> Dims:
    """A mini backpack interior with real proportions, inside the volume range (rejection sampling)."""
    while True:
        dims = (rng.randint(*BAG_WIDTH_MM), rng.randint(*BAG_HEIGHT_MM), rng.randint(*BAG_DEPTH_MM))
        if volume_ml[0] <= box_ml(dims) <= volume_ml[1]:
            return dims


def box_ml(dims: Dims) -> int:
    return dims[0] * dims[1] * dims[2] // 1000


def kit_mm3(items: Sequence[tuple[str, Dims, bool]]) -> int:
    return sum(d[0] * d[1] * d[2] for _, d, _ in items)


def each_item_fits_alone(interior: Dims, items: Sequence[tuple[str, Dims, bool]]) -> bool:
    """The cheap necessary condition: sorted sides of every item within the sorted sides of the bag."""
    bag = sorted(interior)
    return all(all(s <= b for s, b in zip(sorted(d), bag, strict=True)) for _, d, _ in items)


def trivially_infeasible(interior: Dims, items: Sequence[tuple[str, Dims, bool]]) -> bool:
    """Refused without packing anything: an item longer than the bag, or more volume than the box."""
    return not each_item_fits_alone(interior, items) or kit_mm3(items) > interior[0] * interior[1] * interior[2]


def realistic(rng: random.Random, count: int) -> list[Instance]:
    return [
        Instance(f"realistic-{i:04d}", "realistic", draw_bag(rng), draw_kit(rng, rng.randint(3, 12)))
        for i in range(count)
    ]


def tight(rng: random.Random, count: int) -> list[Instance]:
    """Small bags (3-6 L) with bulky kits grown until they fill 45-85 % of the box volume."""
    out: list[Instance] = []
    while len(out) < count:
        bag = draw_bag(rng, (3_000, 6_000))
        target = rng.uniform(0.45, 0.85) * bag[0] * bag[1] * bag[2]
        kit = draw_kit(rng, 3, bulky_bias=3.0)
        while kit_mm3(kit) < target and len(kit) < 12:
            kit = kit + draw_kit(rng, 1, bulky_bias=3.0, phone_first=False)
            kit = _renamed(kit)
        fill = kit_mm3(kit) / (bag[0] * bag[1] * bag[2])
        if fill < 0.45 or fill > 0.85 or not each_item_fits_alone(bag, kit):
            continue  # not tight, or trivially impossible: not what this category is for
        out.append(Instance(f"tight-{len(out):04d}", "tight", bag, kit, note=f"fill {fill:.0%}"))
    return out


def _renamed(kit: tuple[tuple[str, Dims, bool], ...]) -> tuple[tuple[str, Dims, bool], ...]:
    """Number repeated kinds after kits were joined ('phone', 'phone-2')."""
    seen: dict[str, int] = {}
    out = []
    for name, dims, cyl in kit:
        base = name.rsplit("-", 1)[0] if name.rsplit("-", 1)[-1].isdigit() else name
        seen[base] = seen.get(base, 0) + 1
        out.append((base if seen[base] == 1 else f"{base}-{seen[base]}", dims, cyl))
    return tuple(out)


# --------------------------------------------------------------------------- packing-critical pairs

# decide(interior, items) -> True (a packing exists), False (proved none), None (the solver gave up).
Decide = Callable[[Dims, Sequence[tuple[str, Dims, bool]]], bool | None]


def scaled(bag: Dims, per_mille: int) -> Dims:
    a, b, c = (max(1, side * per_mille // 1000) for side in bag)
    return (a, b, c)


def one_percent_smaller(bag: Dims) -> Dims:
    """Each side 1 % shorter, and at least 1 mm shorter, so the pair always differs."""
    a, b, c = (min(side - 1, side * 99 // 100) for side in bag)
    return (a, b, c)


def critical(
    rng: random.Random, pairs: int, decide: Decide, *, progress: Callable[[int], None] | None = None
) -> list[Instance]:
    """``pairs`` x (just fits, 1 % smaller), half shrunk uniformly and half along the depth.

    Only *packing*-critical pairs are kept: the 1 % smaller bag must still
    take every item on its own and hold the kit's volume, so that what
    decides it is how the items go together, never one long umbrella.
    Bisection keeps ``hi`` a size the solver *proved* feasible and ``lo`` one
    it did not (infeasible, or gave up), so "just fits" is always a proven
    fit. Shrinking is monotone (a packing in a smaller box is one in a larger
    box), which is what makes bisection valid.
    """
    out: list[Instance] = []
    n = 0
    while n < pairs:
        kit = draw_kit(rng, rng.randint(3, 12))
        bag = draw_bag(rng)
        if decide(bag, kit) is not True:
            continue  # the shrinking starts from a bag the kit is known to fit
        uniform = n % 2 == 0
        if uniform:
            top = 1000

            def box_at(t: int, bag: Dims = bag) -> Dims:
                return scaled(bag, t)

        else:
            top = bag[2]

            def box_at(t: int, bag: Dims = bag) -> Dims:
                return (bag[0], bag[1], max(1, t))

        just = _shrink(box_at, top, kit, decide)
        if just is None:
            continue  # one item alone or the volume pins it: no packing involved, nothing to learn
        how = "uniform shrink" if uniform else f"depth shrunk from {bag[2]} mm"
        out.append(Instance(f"critical-{n:04d}-fits", "critical", just, kit, note=f"just fits; {how}"))
        smaller = one_percent_smaller(just)
        out.append(Instance(f"critical-{n:04d}-smaller", "critical", smaller, kit, note="1 % smaller"))
        n += 1
        if progress is not None:
            progress(1)
    return out


def _shrink(
    box_at: Callable[[int], Dims], top: int, kit: Sequence[tuple[str, Dims, bool]], decide: Decide
) -> Dims | None:
    """The smallest ``box_at(t)`` the kit is proved to fit, or None if that point would be trivially critical.

    ``t0`` is the smallest ``t`` whose 1 % smaller box passes the cheap
    checks (found without the solver: those checks are monotone in ``t``).
    If the kit still fits at ``t0 - 1``, its boundary lies where the cheap
    checks decide, and one solve is enough to discard the kit.
    """
    lo, hi = 0, top
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if trivially_infeasible(one_percent_smaller(box_at(mid)), kit):
            lo = mid
        else:
            hi = mid
    t0 = hi
    if trivially_infeasible(one_percent_smaller(box_at(t0)), kit):
        return None
    if t0 > 1 and decide(box_at(t0 - 1), kit) is True:
        return None
    lo, hi = t0 - 1, top
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if decide(box_at(mid), kit) is True:
            hi = mid
        else:
            lo = mid
    return box_at(hi)


def generate(
    seed: int,
    decide: Decide,
    *,
    realistic_count: int = 1_200,
    tight_count: int = 400,
    critical_pairs: int = 210,
    progress: Callable[[int], None] | None = None,
) -> list[Instance]:
    """Every instance of the benchmark, in a fixed order; one RNG stream per category so counts stay independent."""
    out = realistic(random.Random(f"{seed}-realistic"), realistic_count)
    out += tight(random.Random(f"{seed}-tight"), tight_count)
    out += critical(random.Random(f"{seed}-critical"), critical_pairs, decide, progress=progress)
    return out


def catalog_bags(seed: int, count: int) -> list[Dims]:
    """Bag interiors for the whole-catalog query (2,000 bags by default in the benchmark)."""
    rng = random.Random(f"{seed}-catalog")
    return [draw_bag(rng) for _ in range(count)]
