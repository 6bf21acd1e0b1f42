"""The engine against an independent exact model, on seeded near-boundary kits of real things.

The reference below is written here, separately from ``minipack.fit.cpsat``
and as plainly as possible: every item gets all six permutations of its
sides (duplicates included), every pair six "ends before" literals of which
one must hold; no symmetry breaking, no redundant constraints, no shared
code with the engine. Agreement must be total: a single difference is a bug
in one of the two.

Instances: kits of 3-10 real things in mini-backpack-shaped interiors
sized 1-1.15 times the least the kit could need, and "packing-critical"
pairs: a bag's depth shrunk (bisection with the reference) until the kit
only just fits, and the same bag 1 % smaller.
"""

from __future__ import annotations

import random
from itertools import permutations

from fit_instances import draw_bag, draw_kit, near_boundary
from ortools.sat.python import cp_model

from minipack.fit import Item, pack, validate_placements

Dims = tuple[int, int, int]
REFERENCE_LIMIT_S = 20.0


def reference(bag: Dims, dims: list[Dims]) -> bool | None:
    """True if a packing exists, False if none does, None if the reference ran out of time."""
    m = cp_model.CpModel()
    pos, size = [], []
    for d in dims:
        turns = list(permutations(d))
        pick = [m.new_bool_var("") for _ in turns]
        m.add_exactly_one(pick)
        lengths = [sum(t[k] * b for t, b in zip(turns, pick, strict=True)) for k in range(3)]
        corner = [m.new_int_var(0, bag[k], "") for k in range(3)]
        for k in range(3):
            m.add(corner[k] + lengths[k] <= bag[k])
        pos.append(corner)
        size.append(lengths)
    for i in range(len(dims)):
        for j in range(i + 1, len(dims)):
            apart = []
            for k in range(3):
                for a, b in ((i, j), (j, i)):
                    lit = m.new_bool_var("")
                    m.add(pos[a][k] + size[a][k] <= pos[b][k]).only_enforce_if(lit)
                    apart.append(lit)
            m.add_bool_or(apart)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = REFERENCE_LIMIT_S
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    return False if status == cp_model.INFEASIBLE else None


def critical_pair(rng: random.Random) -> list[tuple[Dims, list[tuple[str, Dims, bool]]]]:
    """A bag whose depth is bisected (by the reference) until the kit just fits, and the same bag 1 % smaller."""
    kit = draw_kit(rng, rng.randint(4, 10))
    dims = [d for _, d, _ in kit]
    width, height, depth = draw_bag(rng)
    if reference((width, height, depth), dims) is not True:
        return []
    lo, hi = 0, depth  # lo: not known to fit; hi: fits
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if reference((width, height, mid), dims) is True:
            hi = mid
        else:
            lo = mid
    just = (width, height, hi)
    smaller = (min(width - 1, width * 99 // 100), min(height - 1, height * 99 // 100), min(hi - 1, hi * 99 // 100))
    return [(just, kit), (smaller, kit)]


def test_the_engine_agrees_with_an_independent_model_on_every_instance():
    rng = random.Random(20240611)
    questions = [near_boundary(rng) for _ in range(180)]
    while len(questions) < 300:
        questions += critical_pair(rng)
    checked, answers, stages = 0, {True: 0, False: 0}, set()
    for bag, kit in questions:
        items = [Item(name, d, "cylinder" if cylinder else "box") for name, d, cylinder in kit]
        truth = reference(bag, [d for _, d, _ in kit])
        if truth is None:
            continue
        result = pack(bag, items)
        assert result.status == ("fits" if truth else "does_not_fit"), (bag, kit, result)
        if truth:
            assert validate_placements(bag, items, result.placements) == []
        checked += 1
        answers[truth] += 1
        stages.add(result.stage)
    assert checked >= 280
    assert min(answers.values()) >= 80  # a good share each way
    assert {"bounds", "layout", "heuristic", "branch_and_bound"} <= stages
