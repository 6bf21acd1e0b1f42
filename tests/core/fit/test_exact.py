"""The branch and bound: complete (finds packings the heuristics miss, proves 'no'), bounded, and sound."""

from __future__ import annotations

import random

import pytest

from minipack.fit import Item, Placement, validate_placements
from minipack.fit.bounds import cheap_proof
from minipack.fit.engine import _canonical
from minipack.fit.exact import branch_and_bound
from minipack.fit.heuristic import heuristic_layout, quick_layout


def problem(bag, dims):
    return _canonical(bag, [Item(f"box-{k}", d) for k, d in enumerate(dims)])[0]


def valid(p, layout):
    items = [Item(f"i{k}", d) for k, d in enumerate(p.dims)]
    placements = [Placement(f"i{k}", pos, size) for k, (pos, size) in enumerate(layout)]
    return validate_placements(p.bag, items, placements) == []


def test_finds_a_perfect_pinwheel_packing():
    # Four 30 x 20 slabs around a 10 x 10 column fill a 50 x 50 box exactly: a pinwheel.
    p = problem((50, 50, 10), [(30, 20, 10)] * 4 + [(10, 10, 10)])
    result = branch_and_bound(p)
    assert result.outcome == "fits" and result.layout is not None and valid(p, result.layout)


def test_proves_no_when_one_millimetre_is_missing():
    p = problem((50, 49, 10), [(30, 20, 10)] * 4 + [(10, 10, 10)])
    assert branch_and_bound(p).outcome == "does_not_fit"


def test_packs_what_the_heuristics_miss():
    # A packing-critical real kit: the heuristics give up, the search finds the packing.
    p = problem(
        (229, 220, 34),
        [
            (195, 134, 8),
            (175, 111, 9),
            (169, 121, 8),
            (161, 73, 10),
            (165, 78, 9),
            (151, 74, 10),
            (144, 68, 10),
            (153, 71, 9),
            (135, 40, 13),
            (55, 45, 26),
            (49, 46, 25),
        ],
    )
    assert quick_layout(p) is None and heuristic_layout(p) is None
    result = branch_and_bound(p, max_nodes=50_000)
    assert result.outcome == "fits" and result.layout is not None and valid(p, result.layout)


def test_reports_budget_rather_than_guess():
    p = problem((254, 192, 65), [(199, 56, 56), (193, 98, 18), (117, 62, 46)] + [(155, 73, 10)] * 6)
    result = branch_and_bound(p, max_nodes=3)
    assert result.outcome == "budget" and result.layout is None and result.nodes == 3


@pytest.mark.parametrize("seed", range(4))
def test_twins_and_mirror_symmetry_never_cut_away_the_only_packings(seed):
    """Small, nearly full kits of a few repeated items: the answer matches a plain search over positions."""
    rng = random.Random(seed)
    answers = []
    while len(answers) < 25:
        bag = (rng.randint(3, 6), rng.randint(3, 5), rng.randint(1, 3))
        kinds = [(rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)) for _ in range(2)]
        dims: list[tuple[int, int, int]] = []
        while sum(a * b * c for a, b, c in dims) < 0.8 * bag[0] * bag[1] * bag[2]:
            dims.append(kinds[rng.randrange(2)])
        p = problem(bag, dims)
        if cheap_proof(p) is not None or len(dims) > 8:
            continue  # only kits that need a search, and small enough for the brute force
        answer = _brute_force(p.bag, list(p.dims))
        assert (branch_and_bound(p).outcome == "fits") == answer
        answers.append(answer)
    assert 0 < sum(answers) < len(answers)  # both answers are exercised


def _brute_force(bag, dims):
    """Fill unit cells in order: the first open cell gets an item's corner or stays empty for good.

    Slow, obviously right, tiny boxes only. Any packing shows up: its lowest
    free cell is either some item's lowest corner or a cell no item covers.
    """
    from collections import Counter
    from itertools import permutations

    cells = [(x, y, z) for x in range(bag[0]) for y in range(bag[1]) for z in range(bag[2])]
    spare = len(cells) - sum(a * b * c for a, b, c in dims)
    if spare < 0:
        return False
    closed: set[tuple[int, int, int]] = set()  # filled, or given up as empty
    left = Counter(tuple(sorted(d)) for d in dims)

    def fill(start, spare):
        if not +left:
            return True
        k = start
        while cells[k] in closed:
            k += 1
        x, y, z = cells[k]
        for kind in sorted(+left):
            for o in set(permutations(kind)):
                block = {(x + i, y + j, z + h) for i in range(o[0]) for j in range(o[1]) for h in range(o[2])}
                if x + o[0] > bag[0] or y + o[1] > bag[1] or z + o[2] > bag[2] or block & closed:
                    continue
                closed.update(block)
                left[kind] -= 1
                if fill(k, spare):
                    return True
                left[kind] += 1
                closed.difference_update(block)
        if spare > 0:
            closed.add(cells[k])
            if fill(k, spare - 1):
                return True
            closed.discard(cells[k])
        return False

    return fill(0, spare)
