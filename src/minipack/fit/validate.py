"""The independent check of a packing: does this placement really put every item in the bag?

Every "fits" the engine returns is re-checked here before it leaves, so this
module is deliberately dumb: it shares no code with the solvers, trusts
nothing it is given, and checks each rule in the most direct way (every pair
of boxes for overlap, every box against the walls). It is O(n^2) in the
number of items, which at n <= 50 is a few thousand comparisons.

Items are matched to placements by name as a multiset, so a kit may hold two
things with the same name (two lipsticks) as long as the sizes agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from minipack.fit.model import Item, Placement


def _whole(values: object) -> bool:
    return (
        isinstance(values, tuple)
        and len(values) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    )


def validate_placements(
    interior_mm: tuple[int, int, int], items: Sequence[Item], placements: Sequence[Placement]
) -> list[str]:
    """Every problem with ``placements`` as a packing of ``items`` into ``interior_mm``; [] when valid.

    Checked: one placement per item (names and sizes as a multiset, each
    size one of the item's six orientations), whole-millimetre coordinates,
    every box inside the interior, and no two boxes sharing any volume.
    Touching faces are fine: boxes are half-open, [x, x + size).
    """
    problems: list[str] = []
    if not _whole(interior_mm) or min(interior_mm) <= 0:
        return [f"the interior {interior_mm!r} is not three positive whole millimetres"]

    want = Counter((item.name, tuple(sorted(item.dims_mm))) for item in items)
    have: Counter[tuple[str, tuple[int, ...]]] = Counter()
    for p in placements:
        if not _whole(p.position_mm) or not _whole(p.size_mm):
            problems.append(f"{p.name}: position and size must be three whole millimetres")
            continue
        have[(p.name, tuple(sorted(p.size_mm)))] += 1
    for key, count in sorted((want - have).items()):
        name, dims = key
        problems.append(f"{name} ({' x '.join(map(str, dims))} mm): {count} missing or placed with the wrong size")
    for key, count in sorted((have - want).items()):
        name, dims = key
        problems.append(f"{name} ({' x '.join(map(str, dims))} mm): {count} placement(s) match no item")

    boxes = [p for p in placements if _whole(p.position_mm) and _whole(p.size_mm)]
    for p in boxes:
        for axis in range(3):
            low, size, wall = p.position_mm[axis], p.size_mm[axis], interior_mm[axis]
            if size <= 0:
                problems.append(f"{p.name}: size {size} mm on axis {axis} is not positive")
            if low < 0 or low + size > wall:
                problems.append(f"{p.name}: spans {low}..{low + size} mm on axis {axis}, outside 0..{wall} mm")
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            if all(
                a.position_mm[k] < b.position_mm[k] + b.size_mm[k]
                and b.position_mm[k] < a.position_mm[k] + a.size_mm[k]
                for k in range(3)
            ):
                problems.append(f"{a.name} and {b.name} overlap")
    return problems
