"""The independent validator: it must catch every broken packing and accept every good one."""

from __future__ import annotations

from minipack.fit import Item, Placement, validate_placements

BAG = (100, 80, 60)
A = Item("a", (50, 40, 30))
B = Item("b", (50, 40, 30))


def test_accepts_boxes_that_touch_faces_and_walls():
    placements = [Placement("a", (0, 0, 0), (50, 40, 30)), Placement("b", (50, 40, 30), (50, 40, 30))]
    assert validate_placements(BAG, [A, B], placements) == []
    side_by_side = [Placement("a", (0, 0, 0), (50, 40, 30)), Placement("b", (50, 0, 0), (50, 40, 30))]
    assert validate_placements(BAG, [A, B], side_by_side) == []


def test_accepts_any_of_the_six_orientations():
    assert validate_placements(BAG, [A], [Placement("a", (0, 0, 0), (30, 50, 40))]) == []


def test_catches_a_box_sticking_out_of_the_bag():
    problems = validate_placements(BAG, [A], [Placement("a", (60, 0, 0), (50, 40, 30))])
    assert len(problems) == 1 and "outside" in problems[0] and "0..100" in problems[0]
    assert validate_placements(BAG, [A], [Placement("a", (-1, 0, 0), (50, 40, 30))])


def test_catches_an_overlap_of_even_one_cubic_millimetre():
    placements = [Placement("a", (0, 0, 0), (50, 40, 30)), Placement("b", (49, 39, 29), (50, 40, 30))]
    assert validate_placements(BAG, [A, B], placements) == ["a and b overlap"]


def test_catches_a_wrong_size():
    problems = validate_placements(BAG, [A], [Placement("a", (0, 0, 0), (50, 40, 29))])
    assert any("missing or placed with the wrong size" in p for p in problems)
    assert any("match no item" in p for p in problems)


def test_catches_missing_and_extra_items():
    assert any("missing" in p for p in validate_placements(BAG, [A, B], [Placement("a", (0, 0, 0), (50, 40, 30))]))
    extra = [Placement("a", (0, 0, 0), (50, 40, 30)), Placement("c", (50, 0, 0), (50, 40, 30))]
    assert any("c (30 x 40 x 50 mm): 1 placement(s) match no item" in p for p in validate_placements(BAG, [A], extra))
    twice = [Placement("a", (0, 0, 0), (50, 40, 30)), Placement("a", (50, 0, 0), (50, 40, 30))]
    assert validate_placements(BAG, [A], twice)


def test_items_with_the_same_name_are_matched_as_a_multiset():
    lipsticks = [Item("lipstick", (20, 20, 80)), Item("lipstick", (20, 20, 80))]
    placements = [Placement("lipstick", (0, 0, 0), (20, 20, 80)), Placement("lipstick", (20, 0, 0), (80, 20, 20))]
    assert validate_placements((100, 80, 80), lipsticks, placements) == []


def test_refuses_non_integer_coordinates_and_a_bad_interior():
    assert validate_placements(BAG, [A], [Placement("a", (0.5, 0, 0), (50, 40, 30))])  # type: ignore[arg-type]
    assert validate_placements((100, 80, 0), [A], [Placement("a", (0, 0, 0), (50, 40, 30))])
