"""The fit records: what an Item, a BagSpace and a result accept, and what they refuse."""

from __future__ import annotations

import pytest

from minipack.errors import FitError, MinipackError
from minipack.fit import BagSpace, FitResult, Item, PackResult, Placement


def test_an_item_keeps_its_sides_as_a_tuple_of_whole_millimetres():
    item = Item("phone", [147, 71, 8])  # type: ignore[arg-type]  # JSON gives lists
    assert item.dims_mm == (147, 71, 8)
    assert item.sorted_mm == (147, 71, 8)
    assert item.box_mm3 == 147 * 71 * 8
    assert item.squeezed_ml == 84  # 83.496 ml rounded up


@pytest.mark.parametrize(
    "dims",
    [(0, 10, 10), (-1, 10, 10), (10, 10), (10, 10, 10, 10), (10.5, 10, 10), (True, 10, 10), (5001, 10, 10), "10x10x10"],
)
def test_an_item_refuses_sizes_that_are_not_three_positive_whole_millimetres(dims):
    with pytest.raises(FitError) as info:
        Item("thing", dims)
    assert "thing" in str(info.value)


def test_fit_errors_belong_to_the_one_error_tree_and_are_value_errors():
    with pytest.raises(MinipackError):
        Item("", (1, 2, 3))
    with pytest.raises(ValueError):
        Item("  ", (1, 2, 3))


def test_a_cylinder_is_diameter_diameter_length():
    assert Item("bottle", (70, 70, 230), "cylinder").sorted_mm == (230, 70, 70)
    with pytest.raises(FitError, match="diameter"):
        Item("bottle", (70, 71, 230), "cylinder")
    with pytest.raises(FitError, match="shape"):
        Item("ball", (70, 70, 70), "sphere")  # type: ignore[arg-type]


def test_soft_items_squeeze_to_their_stated_volume_and_refuse_a_bad_one():
    assert Item("scarf", (300, 200, 40), rigid=False, volume_ml=600).squeezed_ml == 600
    with pytest.raises(FitError):
        Item("scarf", (300, 200, 40), rigid=False, volume_ml=0)
    with pytest.raises(FitError):
        Item("scarf", (300, 200, 40), weight_g=-1)


def test_a_bag_space_checks_its_interior_volume_and_opening():
    bag = BagSpace("Mini", [250, 200, 100], 4500, opening_mm=180)  # type: ignore[arg-type]
    assert bag.interior_mm == (250, 200, 100)
    with pytest.raises(FitError):
        BagSpace("Mini", (250, 200, 0), 4500)
    with pytest.raises(FitError):
        BagSpace("Mini", (250, 200, 100), -5)
    with pytest.raises(FitError):
        BagSpace("Mini", (250, 200, 100), 4500, opening_mm=0)


def test_records_are_frozen_and_hashable():
    item = Item("phone", (147, 71, 8))
    with pytest.raises(AttributeError):
        item.name = "other"  # type: ignore[misc]
    placement = Placement("phone", (0, 0, 0), (147, 71, 8))
    assert placement.end_mm == (147, 71, 8)
    result = PackResult("fits", (placement,), None, "layout")
    assert result.fits
    assert hash(result) == hash(PackResult("fits", (placement,), None, "layout"))
    fit = FitResult("tight", result, 0, 10, "only just", None, None)
    assert fit.fits
    assert not FitResult("undecided", result, 0, 10, "?", None, None).fits
