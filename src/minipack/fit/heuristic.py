"""Finding a packing fast: cheap constructive layouts, then an extreme-point heuristic.

These only ever say "here is a packing" (checked later by the validator);
failing to find one proves nothing, and the engine then moves on to bounds
and a complete search.

* ``stack_layout`` lays every item on its thinnest possible side and stacks
  them along one axis of the bag: O(n) per axis, and it settles most kits of
  flat things (phones, passports, wallets) in a roomy bag.
* ``ep_layout`` is an extreme-point packer in the style of Crainic, Perboli
  and Tadei (2008): after each placement the new item's three far corners
  are projected back onto the walls and the items behind them, and the next
  item goes to the first of these points (in a fixed order) where one of its
  orientations fits. One pass costs O(n^2 * points * orientations) in the
  worst case, but on roomy kits the first point usually takes the item.
* ``ep_search`` backtracks over extreme-point placements (the few best
  candidates per item, ranked by how little they grow the packing along the
  bag's thinnest side), within a node budget.
* ``quick_layout`` (stage "layout") is the stacks plus one extreme-point pass;
  ``heuristic_layout`` (stage "heuristic") runs more deterministic passes
  (other item orders, orientation preferences, point orders, and each
  orientation of the first item), then four short backtracking searches.
  On the benchmark's kits it costs about 2 ms when it succeeds and 5 ms when
  it does not; it finds every realistic kit's packing that the layouts miss
  but one in a hundred, and about half of the packing-critical ones.

All work is on the canonical ``Problem`` (bag sides longest first), in plain
Python lists: at these sizes numpy's per-call overhead would dominate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from minipack.fit.problem import Dims, Layout, Problem, orientations, thinnest_along

Box = tuple[int, int, int, int, int, int]  # x0, y0, z0, x1, y1, z1

# Each backtracking search of the heuristic stage: nodes, and candidates per item.
SEARCH_NODES = 120
SEARCH_WIDTH = 3


def stack_layout(p: Problem, axis: int) -> Layout | None:
    """Every item on its thinnest side, one on top of the other along ``axis``; None if the pile is too tall."""
    out: Layout = []
    height = 0
    for d in p.dims:
        o = thinnest_along(d, p.bag, axis)
        if o is None:
            return None
        pos = [0, 0, 0]
        pos[axis] = height
        height += o[axis]
        if height > p.bag[axis]:
            return None
        out.append(((pos[0], pos[1], pos[2]), o))
    return out


def _project(boxes: list[Box], x: int, y: int, z: int, axis: int) -> int:
    """How far the point can slide towards 0 along ``axis`` before it meets a wall or an item's far face."""
    best = 0
    if axis == 0:
        for b in boxes:
            if b[3] <= x and b[3] > best and b[1] <= y < b[4] and b[2] <= z < b[5]:
                best = b[3]
    elif axis == 1:
        for b in boxes:
            if b[4] <= y and b[4] > best and b[0] <= x < b[3] and b[2] <= z < b[5]:
                best = b[4]
    else:
        for b in boxes:
            if b[5] <= z and b[5] > best and b[0] <= x < b[3] and b[1] <= y < b[4]:
                best = b[5]
    return best


def ep_layout(
    p: Problem,
    order: Sequence[int],
    choices: Sequence[Sequence[Dims]],
    point_key: Callable[[tuple[int, int, int]], tuple[int, int, int]],
) -> Layout | None:
    """One extreme-point pass: items in ``order``, each at the first point (by ``point_key``) and orientation that fit.

    ``choices[i]`` lists item i's orientations in order of preference.
    """
    w0, w1, w2 = p.bag
    boxes: list[Box] = []
    points: list[tuple[int, int, int]] = [(0, 0, 0)]
    result: list[tuple[Dims, Dims] | None] = [None] * p.n
    for i in order:
        placed = False
        for pt in points:
            x, y, z = pt
            for o in choices[i]:
                x1, y1, z1 = x + o[0], y + o[1], z + o[2]
                if x1 > w0 or y1 > w1 or z1 > w2:
                    continue
                for b in boxes:
                    if x < b[3] and b[0] < x1 and y < b[4] and b[1] < y1 and z < b[5] and b[2] < z1:
                        break
                else:
                    placed = True
                    break
            if placed:
                break
        if not placed:
            return None
        box = (x, y, z, x1, y1, z1)
        boxes.append(box)
        result[i] = ((x, y, z), (x1 - x, y1 - y, z1 - z))
        new = {
            (x1, _project(boxes, x1, y, z, 1), z),
            (x1, y, _project(boxes, x1, y, z, 2)),
            (_project(boxes, x, y1, z, 0), y1, z),
            (x, y1, _project(boxes, x, y1, z, 2)),
            (_project(boxes, x, y, z1, 0), y, z1),
            (x, _project(boxes, x, y, z1, 1), z1),
        }
        # Points swallowed by the new box can never take an item again.
        kept = [q for q in points if not (x <= q[0] < x1 and y <= q[1] < y1 and z <= q[2] < z1)]
        kept.extend(q for q in new if q[0] < w0 and q[1] < w1 and q[2] < w2 and q not in kept)
        kept.sort(key=point_key)
        points = kept
    return [r for r in result if r is not None]


def _aligned_first(dims: Dims, bag: Dims) -> list[Dims]:
    """Orientations with the longest side along the longest bag side first (lying flat, lined up)."""
    return sorted(orientations(dims, bag), key=lambda o: (-o[0], -o[1]))


def _flat_first(dims: Dims, bag: Dims) -> list[Dims]:
    """Orientations with the thinnest side along the bag's thinnest side first, then the longest along the longest."""
    return sorted(orientations(dims, bag), key=lambda o: (o[2], -o[0]))


def _upright_first(dims: Dims, bag: Dims) -> list[Dims]:
    """Orientations standing on the smallest face first: longest side along the longest bag side, then thinnest."""
    return sorted(orientations(dims, bag), key=lambda o: (-o[0], o[1]))


def _key_zyx(q: tuple[int, int, int]) -> tuple[int, int, int]:
    return (q[2], q[1], q[0])


def _key_yzx(q: tuple[int, int, int]) -> tuple[int, int, int]:
    return (q[1], q[2], q[0])


def _key_xzy(q: tuple[int, int, int]) -> tuple[int, int, int]:
    return (q[0], q[2], q[1])


def _key_xyz(q: tuple[int, int, int]) -> tuple[int, int, int]:
    return q


def quick_layout(p: Problem) -> Layout | None:
    """Stage "layout": a stack along each axis (thinnest first), then one extreme-point pass."""
    for axis in (2, 1, 0):
        layout = stack_layout(p, axis)
        if layout is not None:
            return layout
    choices = [_aligned_first(d, p.bag) for d in p.dims]
    return ep_layout(p, range(p.n), choices, _key_zyx)


def _extent_key(boxes: list[Box], axes: tuple[int, int, int], box: Box) -> tuple[int, int, int, int]:
    """Merit of placing ``box``: how far the packed items would then reach along ``axes`` (less is better).

    Keeping the packing's bounding box small along the bag's thinnest side
    first builds flat, dense layers, which is what tight real kits need.
    """
    reach = [box[3], box[4], box[5]]
    for b in boxes:
        if b[3] > reach[0]:
            reach[0] = b[3]
        if b[4] > reach[1]:
            reach[1] = b[4]
        if b[5] > reach[2]:
            reach[2] = b[5]
    a0, a1, a2 = axes
    return (reach[a0], reach[a1], reach[a2], box[a0])


def _new_points(boxes: list[Box], box: Box) -> set[tuple[int, int, int]]:
    """The extreme points a newly placed ``box`` (already in ``boxes``) creates: its far corners, projected back."""
    x, y, z, x1, y1, z1 = box
    return {
        (x1, _project(boxes, x1, y, z, 1), z),
        (x1, y, _project(boxes, x1, y, z, 2)),
        (_project(boxes, x, y1, z, 0), y1, z),
        (x, y1, _project(boxes, x, y1, z, 2)),
        (_project(boxes, x, y, z1, 0), y, z1),
        (x, _project(boxes, x, y, z1, 1), z1),
    }


def ep_search(
    p: Problem, order: Sequence[int], axes: tuple[int, int, int], *, max_nodes: int, width: int
) -> Layout | None:
    """Depth-first search over extreme-point placements, ``width`` best candidates per item, ``max_nodes`` in all.

    Candidates (every point and orientation that fits) are ranked by
    ``_extent_key``; backtracking lets a bad early choice be undone, which a
    single greedy pass cannot. Incomplete by design (extreme points do not
    reach every packing in 3D): a miss proves nothing.
    """
    w0, w1, w2 = p.bag
    choices = [orientations(d, p.bag) for d in p.dims]
    n = p.n
    result: list[tuple[Dims, Dims]] = [((0, 0, 0), (0, 0, 0))] * n
    budget = [max_nodes]

    def place(k: int, boxes: list[Box], points: list[tuple[int, int, int]]) -> bool:
        if k == n:
            return True
        budget[0] -= 1
        if budget[0] < 0:
            return False
        i = order[k]
        candidates: list[tuple[tuple[int, int, int, int], Box]] = []
        for x, y, z in points:
            for o in choices[i]:
                x1, y1, z1 = x + o[0], y + o[1], z + o[2]
                if x1 > w0 or y1 > w1 or z1 > w2:
                    continue
                for b in boxes:
                    if x < b[3] and b[0] < x1 and y < b[4] and b[1] < y1 and z < b[5] and b[2] < z1:
                        break
                else:
                    box = (x, y, z, x1, y1, z1)
                    candidates.append((_extent_key(boxes, axes, box), box))
        candidates.sort()
        tried: list[Box] = []
        for _, box in candidates:
            if box in tried:
                continue
            if len(tried) == width:
                break
            tried.append(box)
            x, y, z, x1, y1, z1 = box
            grown = [*boxes, box]
            kept = [q for q in points if not (x <= q[0] < x1 and y <= q[1] < y1 and z <= q[2] < z1)]
            kept.extend(q for q in _new_points(grown, box) if q[0] < w0 and q[1] < w1 and q[2] < w2 and q not in kept)
            result[i] = ((x, y, z), (x1 - x, y1 - y, z1 - z))
            if place(k + 1, grown, kept):
                return True
            if budget[0] < 0:
                return False
        return False

    return result if place(0, [], [(0, 0, 0)]) else None


def heuristic_layout(p: Problem) -> Layout | None:
    """Stage "heuristic": greedy extreme-point passes, then short backtracking searches.

    Each pass is a different deterministic item order and orientation
    preference; the searches grow the packing flattest-first. All bounded,
    so the stage costs a few milliseconds at most.
    """
    n = p.n
    by_volume = list(range(n))  # Problem order is volume first
    by_length = sorted(range(n), key=lambda i: (-p.dims[i][0], -p.volume(i), i))
    by_face = sorted(range(n), key=lambda i: (-p.dims[i][0] * p.dims[i][1], -p.volume(i), i))
    by_thickness = sorted(range(n), key=lambda i: (-p.dims[i][2], -p.volume(i), i))
    prefs = {
        "aligned": [_aligned_first(d, p.bag) for d in p.dims],
        "flat": [_flat_first(d, p.bag) for d in p.dims],
        "upright": [_upright_first(d, p.bag) for d in p.dims],
    }
    passes: list[tuple[list[int], str, Callable[[tuple[int, int, int]], tuple[int, int, int]]]] = [
        (by_volume, "aligned", _key_xyz),
        (by_length, "aligned", _key_zyx),
        (by_face, "flat", _key_zyx),
        (by_thickness, "aligned", _key_yzx),
        (by_volume, "upright", _key_xzy),
        (by_length, "upright", _key_zyx),
        (by_face, "aligned", _key_xzy),
        (by_thickness, "flat", _key_xyz),
    ]
    for order, pref, key in passes:
        # The first item's orientation shapes everything after it: try each.
        for o in prefs[pref][order[0]]:
            choices = list(prefs[pref])
            choices[order[0]] = [o]
            layout = ep_layout(p, order, choices, key)
            if layout is not None:
                return layout
    for order in (by_volume, by_length, by_face, by_thickness):
        layout = ep_search(p, order, (2, 1, 0), max_nodes=SEARCH_NODES, width=SEARCH_WIDTH)
        if layout is not None:
            return layout
    return None
