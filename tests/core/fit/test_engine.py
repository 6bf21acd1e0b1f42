"""``pack``: the pipeline, its stages, its evidence, and its guarantees (deterministic, never a wrong 'no')."""

from __future__ import annotations

import pytest

from minipack.errors import FitError
from minipack.fit import MAX_ITEMS, Item, PackResult, engine, pack, validate_placements
from minipack.fit.problem import Problem

KIT = [
    Item("phone", (147, 71, 8)),
    Item("wallet", (110, 90, 20)),
    Item("keys", (80, 40, 25)),
    Item("water bottle", (70, 70, 230), "cylinder"),
    Item("glasses case", (160, 65, 45)),
]
BAG = (300, 250, 110)

# Found by search: no simple bound refutes these, yet nothing fits; the branch and bound proves it.
NO_SIMPLE_PROOF = ((150, 120, 100), [(120, 40, 100), (30, 80, 140), (70, 90, 90)])

# A packing-critical kit (a real 'tight' benchmark case): proving 'no' takes CP-SAT most of a second.
HARD_BAG = (254, 192, 65)
HARD_KIT = [
    Item("umbrella", (56, 56, 199), "cylinder"),
    Item("long wallet", (193, 98, 18)),
    Item("camera", (117, 62, 46)),
    *(
        Item(f"phone-{k}", dims)
        for k, dims in enumerate(
            [
                (161, 77, 10),
                (155, 73, 10),
                (150, 73, 10),
                (158, 73, 9),
                (148, 72, 9),
                (158, 71, 8),
                (147, 76, 8),
                (145, 71, 8),
                (144, 72, 7),
            ]
        )
    ),
]


def boxes(dims):
    return [Item(f"box-{chr(65 + k)}", d) for k, d in enumerate(dims)]


def test_an_everyday_kit_fits_at_the_cheap_layout_stage_with_a_valid_placement():
    result = pack(BAG, KIT)
    assert result.status == "fits" and result.stage == "layout" and result.proof is None
    assert [p.name for p in result.placements] == [item.name for item in KIT]  # the caller's order
    assert validate_placements(BAG, KIT, result.placements) == []


def test_an_empty_kit_fits():
    assert pack(BAG, []) == PackResult("fits", (), None, "layout")


def test_the_same_question_gets_the_same_answer_placements_included():
    assert pack(BAG, KIT) == pack(BAG, KIT)


def test_item_order_changes_nothing_but_the_order_of_placements():
    forward = pack(BAG, KIT)
    backward = pack(BAG, KIT[::-1])
    assert {p.name: p for p in forward.placements} == {p.name: p for p in backward.placements}


def test_turning_the_bag_turns_the_packing_with_it():
    upright = pack(BAG, KIT)
    turned = pack((BAG[2], BAG[0], BAG[1]), KIT)
    assert turned.status == "fits"
    for a, b in zip(upright.placements, turned.placements, strict=True):
        assert b.position_mm == (a.position_mm[2], a.position_mm[0], a.position_mm[1])
        assert b.size_mm == (a.size_mm[2], a.size_mm[0], a.size_mm[1])


def test_a_no_without_a_simple_proof_comes_from_an_exhaustive_search_that_says_so():
    bag, dims = NO_SIMPLE_PROOF
    result = pack(bag, boxes(dims))
    assert result.status == "does_not_fit" and result.stage == "branch_and_bound"
    assert result.proof is not None and result.proof.kind == "exhaustive_search"
    assert result.proof.method == "branch_and_bound"
    assert "branch-and-bound" in result.proof.message and "150 x 120 x 100 mm" in result.proof.message
    assert set(result.proof.items) == {"box-A", "box-B", "box-C"}


def test_when_the_branch_and_bound_gives_up_cp_sat_decides_and_says_so(monkeypatch):
    monkeypatch.setattr(engine, "BNB_MAX_NODES", 1)
    bag, dims = NO_SIMPLE_PROOF
    result = pack(bag, boxes(dims))
    assert result.status == "does_not_fit" and result.stage == "cp_sat"
    assert result.proof is not None and result.proof.method == "cp_sat" and "CP-SAT" in result.proof.message


def test_a_hard_case_is_decided_within_the_default_budget():
    result = pack(HARD_BAG, HARD_KIT)
    assert result.status == "does_not_fit"
    assert result.proof is not None and result.proof.kind == "exhaustive_search"


def test_a_tiny_budget_gives_undecided_never_a_wrong_no():
    result = pack(HARD_BAG, HARD_KIT, budget_s=0.001)  # the truth is 'does not fit' (test above)
    assert result.status == "undecided" and result.stage == "cp_sat"
    assert result.placements == () and result.proof is None
    # And on a kit that fits, a tiny budget may give up but never says no.
    feasible = pack((HARD_BAG[0] + 40, HARD_BAG[1], HARD_BAG[2]), HARD_KIT, budget_s=0.001)
    assert feasible.status in ("fits", "undecided")


def test_a_layout_the_validator_refuses_is_never_handed_out(monkeypatch):
    def broken(p: Problem):
        return [((0, 0, 0), p.dims[i]) for i in range(p.n)]  # everything at the origin

    monkeypatch.setattr(engine, "quick_layout", broken)
    monkeypatch.setattr(engine, "heuristic_layout", broken)
    result = pack(BAG, KIT)
    assert result.status == "fits" and result.stage == "branch_and_bound"
    assert validate_placements(BAG, KIT, result.placements) == []


def test_pack_refuses_what_it_cannot_answer():
    with pytest.raises(FitError, match="rigid"):
        pack(BAG, [Item("scarf", (300, 200, 40), rigid=False)])
    with pytest.raises(FitError, match="at most"):
        pack(BAG, [Item(f"coin-{k}", (20, 20, 2)) for k in range(MAX_ITEMS + 1)])
    with pytest.raises(FitError):
        pack((300, 250, 0), KIT)
    with pytest.raises(FitError, match="budget"):
        pack(BAG, KIT, budget_s=0)


def test_fifty_items_are_answered():
    coins = [Item(f"coin-{k}", (25, 25, 2 + k % 3)) for k in range(MAX_ITEMS)]
    result = pack((100, 100, 30), coins)
    assert result.status == "fits"
    assert validate_placements((100, 100, 30), coins, result.placements) == []
