"""The CP-SAT model: decides small kits both ways, and reports a timeout as 'budget'."""

from __future__ import annotations

from minipack.fit import Item, Placement, validate_placements
from minipack.fit.cpsat import cp_sat
from minipack.fit.engine import _canonical


def problem(bag, dims):
    return _canonical(bag, [Item(f"box-{k}", d) for k, d in enumerate(dims)])[0]


def test_packs_a_pinwheel_and_the_packing_validates():
    p = problem((50, 50, 10), [(30, 20, 10)] * 4 + [(10, 10, 10)])
    result = cp_sat(p, time_limit_s=10)
    assert result.outcome == "fits" and result.layout is not None
    items = [Item(f"i{k}", d) for k, d in enumerate(p.dims)]
    placements = [Placement(f"i{k}", pos, size) for k, (pos, size) in enumerate(result.layout)]
    assert validate_placements(p.bag, items, placements) == []


def test_proves_no_one_millimetre_short():
    assert cp_sat(problem((50, 49, 10), [(30, 20, 10)] * 4 + [(10, 10, 10)]), time_limit_s=10).outcome == (
        "does_not_fit"
    )


def test_an_item_too_big_alone_is_no_without_a_model():
    assert cp_sat(problem((50, 50, 10), [(60, 10, 10)]), time_limit_s=10).outcome == "does_not_fit"


def test_a_timeout_is_budget():
    p = problem(
        (254, 192, 65), [(199, 56, 56), (193, 98, 18), (117, 62, 46)] + [(155, 73, 10)] * 6 + [(150, 73, 9)] * 3
    )
    assert cp_sat(p, time_limit_s=0.001).outcome == "budget"
