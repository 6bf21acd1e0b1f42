"""Proofs without search: each kind on a hand-made kit, with a message that names items and numbers."""

from __future__ import annotations

from itertools import combinations_with_replacement

import numpy as np
import pytest

from minipack.fit import Item, pack
from minipack.fit.bounds import _family, cheap_proof, dff_proof, thinnest
from minipack.fit.engine import _canonical


def problem(bag, dims):
    return _canonical(bag, [Item(f"box-{chr(65 + i)}", d) for i, d in enumerate(dims)])[0]


def test_item_too_big_names_the_item_and_the_side_that_does_not_go():
    result = pack((300, 200, 100), [Item("phone", (147, 71, 8)), Item("umbrella", (60, 60, 320), "cylinder")])
    assert result.status == "does_not_fit" and result.stage == "bounds"
    assert result.proof is not None and result.proof.kind == "item_too_big"
    assert result.proof.items == ("umbrella",)
    assert "umbrella" in result.proof.message and "320 mm" in result.proof.message and "300 mm" in result.proof.message


@pytest.mark.parametrize(
    ("dims", "words"),
    [
        ((250, 250, 10), "largest inside face (300 x 200 mm)"),
        ((150, 150, 150), "150 mm thick, more than the bag's 100 mm"),
    ],
)
def test_item_too_big_explains_a_face_or_a_thickness(dims, words):
    result = pack((300, 200, 100), [Item("thing", dims)])
    assert result.proof is not None and result.proof.kind == "item_too_big"
    assert words in result.proof.message


def test_volume_counts_every_item_as_its_box():
    cubes = [Item(f"cube-{k}", (50, 50, 50)) for k in range(9)]
    result = pack((100, 100, 100), cubes)
    assert result.proof is not None and result.proof.kind == "volume" and result.stage == "bounds"
    assert "1,125 ml" in result.proof.message and "1,000 ml" in result.proof.message
    assert set(result.proof.items) == {c.name for c in cubes}


def test_pair_conflict_two_items_that_cannot_sit_side_by_side_however_turned():
    result = pack((300, 200, 100), [Item("tablet", (250, 150, 60)), Item("laptop", (250, 150, 60))])
    assert result.proof is not None and result.proof.kind == "pair_conflict"
    assert set(result.proof.items) == {"tablet", "laptop"}
    message = result.proof.message
    assert "500 mm along the 300 mm side" in message and "300 mm along the 200 mm side" in message
    assert "120 mm along the 100 mm side" in message


def test_thinnest_is_the_least_length_along_each_axis_among_orientations_that_fit():
    p = problem((300, 200, 100), [(250, 150, 60)])
    assert thinnest(p) == [(250, 150, 60)]
    p = problem((300, 200, 100), [(50, 40, 30)])
    assert thinnest(p) == [(30, 30, 30)]


@pytest.mark.parametrize(
    ("bag", "dims"),
    [
        ((100, 120, 150), [(140, 110, 40), (60, 70, 140), (120, 30, 140)]),
        ((150, 150, 150), [(130, 50, 50), (130, 130, 80), (120, 50, 120)]),
    ],
)
def test_dff_bound_proves_what_volume_and_pairs_cannot(bag, dims):
    p = problem(bag, dims)
    assert cheap_proof(p) is None
    proof = dff_proof(p)
    assert proof is not None and proof.kind == "dff_bound"
    assert "dual-feasible" in proof.message and "% of the bag" in proof.message
    assert proof.items and all(name in proof.message for name in proof.items)
    result = pack(bag, [Item(f"box-{chr(65 + i)}", d) for i, d in enumerate(dims)])
    assert result.status == "does_not_fit" and result.proof is not None and result.proof.kind == "dff_bound"


def test_dff_bound_says_nothing_about_a_kit_that_fits():
    assert dff_proof(problem((300, 200, 100), [(100, 100, 50), (100, 100, 50), (200, 100, 100)])) is None


@pytest.mark.parametrize("side", [7, 10, 12, 13, 16, 20])
def test_every_candidate_function_is_dual_feasible(side):
    """Exhaustively: any lengths that fit side by side in ``side`` still fit after mapping (sum <= f(side))."""
    functions = _family(side, list(range(1, side + 1)), e_max=side)
    lengths = np.arange(1, side + 1, dtype=np.int64)
    for f in functions:
        values = dict(zip(lengths.tolist(), f.num(lengths).tolist(), strict=True))
        assert values[side] == f.den, f.words
        # Multisets of lengths summing to at most ``side``: at most ``side`` parts.
        best = _best_sum(side, values)
        assert best <= f.den, f.words


def _best_sum(side: int, values: dict[int, int]) -> int:
    """The most a multiset of lengths with total <= side can score (unbounded knapsack)."""
    best = [0] * (side + 1)
    for cap in range(1, side + 1):
        best[cap] = max([best[cap - 1]] + [best[cap - v] + values[v] for v in range(1, cap + 1)])
    return best[side]


def test_the_knapsack_helper_matches_brute_force():
    values = {1: 0, 2: 3, 3: 3, 4: 5, 5: 8}
    brute = max(
        sum(values[v] for v in combo)
        for r in range(1, 6)
        for combo in combinations_with_replacement(range(1, 6), r)
        if sum(combo) <= 5
    )
    assert _best_sum(5, values) == brute
