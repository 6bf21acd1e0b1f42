"""A bag's inside: exterior minus walls by construction, usable volume by share and stated capacity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipack.catalog import bundled_catalog
from minipack.errors import SpecError
from minipack.fit import BagSpace
from minipack.fit.interior import (
    SHARE_PERCENT,
    WALL_MM,
    bag_space,
    construction_of,
    estimate_interior,
    interior_for_dims,
)
from minipack.units import Dimensions, parse_dimensions


@pytest.mark.parametrize(
    ("material", "construction"),
    [
        ("Leather", "structured"),
        ("patent leather", "structured"),
        ("two-tone faux leather", "structured"),
        ("PU leather", "structured"),
        ("Monogram canvas", "structured"),
        ("coated canvas", "structured"),
        ("Saffiano leather with nylon lining", "structured"),
        ("Nylon", "soft"),
        ("Polyester", "soft"),
        ("crosshatch polyester", "soft"),
        ("600 denier polyester", "soft"),
        ("Vinylon F", "soft"),
        ("Recycled Cotton", "soft"),
        ("canvas", "soft"),
        ("waterproof tear-resistant fabric", "soft"),
        ("nylon with leather flap", "soft"),
        ("Fjällräven Vinylon F", "soft"),
        (None, "unknown"),
        ("", "unknown"),
        ("mystery material", "unknown"),
    ],
)
def test_construction_is_read_from_the_body_material(material, construction):
    assert construction_of(material) == construction


def test_the_allowances_are_the_documented_ones():
    assert WALL_MM == {"structured": 6, "soft": 3, "unknown": 6}
    assert SHARE_PERCENT == {"structured": 75, "soft": 85, "unknown": 75}
    # An unknown bag is never credited with more room than a structured one.
    assert WALL_MM["unknown"] >= max(WALL_MM.values())
    assert SHARE_PERCENT["unknown"] <= min(SHARE_PERCENT.values())


def test_labelled_sides_come_back_as_width_height_depth():
    dims = parse_dimensions("20 W x 13 D x 29 H cm")
    assert interior_for_dims(dims, "soft") == (194, 284, 124)
    assert interior_for_dims(parse_dimensions("10 L x 13 H x 5 D in"), "structured") == (242, 318, 115)


def test_unlabelled_sides_keep_the_source_order():
    assert interior_for_dims(parse_dimensions("28 x 26 x 10 cm"), "soft") == (274, 254, 94)


def test_labels_without_a_depth_keep_the_source_order():
    assert interior_for_dims(parse_dimensions("20 L x 13 W x 29 H cm"), "soft") == (194, 124, 284)


def test_a_bad_construction_or_a_wafer_thin_bag_is_refused():
    with pytest.raises(SpecError, match="unknown construction"):
        interior_for_dims(Dimensions((200, 300, 100)), "rubber")
    with pytest.raises(SpecError, match="no room inside"):
        interior_for_dims(Dimensions((200, 300, 12)), "structured")


@given(st.tuples(st.integers(13, 3000), st.integers(13, 3000), st.integers(13, 3000)))
def test_every_side_loses_two_walls(mm):
    for construction, wall in WALL_MM.items():
        inside = interior_for_dims(Dimensions(mm), construction)
        assert sorted(inside) == sorted(side - 2 * wall for side in mm)


# --------------------------------------------------------------------------- catalog bags


def test_the_kanken_mini_is_a_soft_bag_limited_by_its_share():
    product = bundled_catalog().by_slug("fjallraven-kanken-mini")
    estimate = estimate_interior(product)
    assert estimate is not None
    assert estimate.construction == "soft"
    assert estimate.space.interior_mm == (194, 284, 124)  # 200 W x 290 H x 130 D less 6 mm a side
    assert estimate.box_ml == 194 * 284 * 124 // 1000
    assert estimate.share_ml == estimate.box_ml * 85 // 100
    assert estimate.capacity_ml == 7000
    # 7 L stated, but 85 % of the 6.8 L inside is less.
    assert estimate.space.usable_ml == estimate.share_ml
    assert estimate.space.opening_mm is None


def test_a_capacity_larger_than_the_outer_box_is_not_believed():
    estimate = estimate_interior(bundled_catalog().by_slug("herschel-supply-co-nova-mini"))
    assert estimate is not None
    assert estimate.capacity_ml is None
    assert "more than the" in estimate.capacity_ignored
    assert estimate.space.usable_ml == estimate.share_ml


def test_a_plausible_smaller_capacity_wins():
    # Longchamp: 28 x 26 x 10 cm nylon, 5 L stated; 85 % of its inside is about 6 L.
    estimate = estimate_interior(bundled_catalog().by_slug("longchamp-le-pliage-backpack"))
    assert estimate is not None
    assert estimate.capacity_ml == 5000
    assert estimate.space.usable_ml == 5000 < estimate.share_ml


def test_leather_bags_lose_more_and_keep_less():
    estimate = estimate_interior(bundled_catalog().by_slug("coach-jordyn-backpack"))
    assert estimate is not None
    assert estimate.construction == "structured"
    assert estimate.space.interior_mm == (242, 318, 115)
    assert estimate.space.usable_ml == min(7000, estimate.box_ml * 75 // 100)


def test_a_bag_without_an_exterior_has_no_space():
    product = bundled_catalog().by_slug("carhartt-classic-mini-backpack")
    assert bag_space(product) is None
    assert estimate_interior(product) is None


def test_every_bundled_bag_with_a_size_gets_a_consistent_space():
    for product in bundled_catalog():
        estimate = estimate_interior(product)
        if estimate is None:
            assert product.value("exterior") is None
            continue
        space = estimate.space
        assert isinstance(space, BagSpace)
        assert space.name == product.slug
        exterior = product.value("exterior")
        assert sorted(space.interior_mm) == sorted(side - 2 * estimate.wall_mm for side in exterior.mm)
        assert 0 < space.usable_ml <= estimate.box_ml
        assert space.usable_ml <= estimate.share_ml
        if estimate.capacity_ml is not None:
            assert space.usable_ml <= estimate.capacity_ml
        assert bag_space(product) == space
