"""The fast layouts: whatever they return must be a real packing; when they miss, they say nothing."""

from __future__ import annotations

import random

from fit_instances import near_boundary

from minipack.fit import Item, Placement, validate_placements
from minipack.fit.engine import _canonical
from minipack.fit.heuristic import ep_layout, ep_search, heuristic_layout, quick_layout, stack_layout
from minipack.fit.problem import orientations


def problem(bag, dims):
    return _canonical(bag, [Item(f"box-{k}", d) for k, d in enumerate(dims)])[0]


def valid(p, layout):
    items = [Item(f"i{k}", d) for k, d in enumerate(p.dims)]
    placements = [Placement(f"i{k}", pos, size) for k, (pos, size) in enumerate(layout)]
    return validate_placements(p.bag, items, placements) == []


def test_a_stack_lays_each_item_on_its_thinnest_side():
    p = problem((300, 250, 110), [(147, 71, 8), (110, 90, 20), (160, 65, 45)])
    layout = stack_layout(p, 2)
    assert layout is not None and valid(p, layout)
    assert sum(size[2] for _, size in layout) == 8 + 20 + 45


def test_a_stack_too_tall_is_none():
    assert stack_layout(problem((300, 250, 50), [(147, 71, 30), (110, 90, 30)]), 2) is None


def test_an_extreme_point_pass_fills_a_box_exactly():
    p = problem((100, 100, 100), [(50, 50, 50)] * 8)
    choices = [orientations(d, p.bag) for d in p.dims]
    layout = ep_layout(p, range(8), choices, lambda q: (q[2], q[1], q[0]))
    assert layout is not None and valid(p, layout)


def test_the_backtracking_search_is_bounded():
    p = problem((100, 100, 100), [(50, 50, 50)] * 9)
    assert ep_search(p, range(9), (2, 1, 0), max_nodes=50, width=3) is None


def test_every_layout_returned_on_generated_kits_is_valid():
    rng = random.Random(11)
    found = 0
    for _ in range(150):
        bag, kit = near_boundary(rng, slack=0.4)
        p = problem(bag, [d for _, d, _ in kit])
        for layout in (quick_layout(p), heuristic_layout(p)):
            if layout is not None:
                found += 1
                assert valid(p, layout)
    assert found > 100
