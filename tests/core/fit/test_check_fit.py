"""``check_fit``: soft items, the opening, 'tight', what to leave out, and undecided answers."""

from __future__ import annotations

import pytest

from minipack.errors import FitError
from minipack.fit import TIGHT_MARGIN, BagSpace, Item, check_fit, engine, passes_opening, remove_to_fit

BAG = BagSpace("Mini backpack", (250, 200, 100), usable_ml=4500)
PHONE = Item("phone", (147, 71, 8))
WALLET = Item("wallet", (110, 90, 20))
BOTTLE = Item("water bottle", (70, 70, 230), "cylinder")
SCARF = Item("scarf", (300, 200, 40), rigid=False, volume_ml=900)


def test_a_roomy_kit_fits_with_room_to_spare():
    result = check_fit(BAG, [PHONE, WALLET, BOTTLE, SCARF])
    assert result.verdict == "fits" and result.fits
    assert result.pack.status == "fits" and len(result.pack.placements) == 3  # soft items are not placed
    assert result.proof is None and result.remove_to_fit is None
    assert result.soft_ml == 900
    rigid_ml = -(-sum(item.box_mm3 for item in (PHONE, WALLET, BOTTLE)) // 1000)
    assert result.soft_room_ml == 4500 - rigid_ml
    assert "room to spare" in result.reason


def test_soft_items_take_their_squeezed_volume_from_what_the_rigid_items_leave():
    jumper = Item("jumper", (300, 250, 60), rigid=False, volume_ml=3900)
    result = check_fit(BAG, [PHONE, WALLET, BOTTLE, jumper])
    assert result.verdict == "does_not_fit" and not result.fits
    assert result.pack.status == "fits"  # the rigid part alone is fine
    assert result.proof is not None and result.proof.kind == "soft_volume"
    assert result.proof.items == ("jumper",)
    assert "3,900 ml" in result.proof.message and f"{result.soft_room_ml:,} ml" in result.proof.message
    assert result.remove_to_fit == ("jumper",)


def test_a_soft_item_longer_than_the_bag_even_at_its_thinnest_cannot_go_in():
    mat = Item("yoga mat", (600, 300, 300), rigid=False, volume_ml=1000)
    result = check_fit(BAG, [PHONE, mat])
    assert result.proof is not None and result.proof.kind == "item_too_big" and result.proof.items == ("yoga mat",)
    assert "300 mm" in result.proof.message and "250 mm" in result.proof.message
    assert result.remove_to_fit == ("yoga mat",)


def test_the_opening_rule_is_the_middle_side():
    assert passes_opening(Item("tablet", (250, 170, 7)), 170)
    assert not passes_opening(Item("tablet", (250, 170, 7)), 169)
    assert passes_opening(BOTTLE, 70)  # end first through a 70 mm gap


def test_an_item_that_cannot_pass_the_opening_does_not_fit_whatever_the_interior():
    narrow = BagSpace("Sling", (250, 200, 100), usable_ml=4500, opening_mm=100)
    result = check_fit(narrow, [PHONE, WALLET, Item("tablet", (200, 135, 7))])
    assert result.verdict == "does_not_fit"
    assert result.proof is not None and result.proof.kind == "opening" and result.proof.items == ("tablet",)
    assert "100 mm opening" in result.proof.message and "135 mm" in result.proof.message
    assert result.pack.status == "does_not_fit"
    assert result.remove_to_fit == ("tablet",)


def test_tight_means_it_fits_but_not_in_a_bag_five_percent_smaller_on_every_side():
    assert TIGHT_MARGIN == 0.05
    box = Item("box", (240, 190, 95))
    assert check_fit(BAG, [box]).verdict == "tight"  # 240 > 250 * 0.95 = 237.5
    assert check_fit(BAG, [Item("box", (230, 180, 90))]).verdict == "fits"  # fits 237 x 190 x 95
    result = check_fit(BAG, [box])
    assert result.fits and "5 % smaller" in result.reason and result.remove_to_fit is None
    assert check_fit(BAG, [box], tight_margin=0).verdict == "fits"
    assert check_fit(BAG, [box], tight_margin=0.02).verdict == "fits"  # 245 x 196 x 98 still takes it


def test_tight_also_covers_soft_items_filling_nearly_all_the_room():
    rigid_ml = -(-PHONE.box_mm3 // 1000)
    room = 4500 - rigid_ml
    snug = Item("jumper", (300, 250, 60), rigid=False, volume_ml=room - 100)  # > 4500 * 0.857 - rigid
    assert check_fit(BAG, [PHONE, snug]).verdict == "tight"
    loose = Item("jumper", (300, 250, 60), rigid=False, volume_ml=room // 2)
    assert check_fit(BAG, [PHONE, loose]).verdict == "fits"


def test_tight_margin_must_be_a_share():
    with pytest.raises(FitError):
        check_fit(BAG, [PHONE], tight_margin=1.0)
    with pytest.raises(FitError):
        check_fit(BAG, [PHONE], tight_margin=-0.1)


def test_remove_to_fit_leaves_out_the_fewest_items():
    # Two slabs that cannot sit side by side, and small things that are never the problem.
    slab_a = Item("laptop", (240, 150, 60))
    slab_b = Item("tablet case", (230, 160, 55))
    small = [Item(f"pen-{k}", (140, 10, 10)) for k in range(3)]
    result = check_fit(BAG, [*small, slab_a, slab_b])
    assert result.verdict == "does_not_fit" and result.proof is not None and result.proof.kind == "pair_conflict"
    assert result.remove_to_fit == ("laptop",)  # one slab is enough, and the bulkier one is named
    assert "Leave out the laptop" in result.reason


def test_remove_to_fit_is_none_when_everything_fits_and_is_order_independent():
    assert remove_to_fit(BAG, [PHONE, WALLET]) is None
    cubes = [Item(f"cube-{k}", (100, 100, 100 - k)) for k in range(6)]
    forward = remove_to_fit(BAG, cubes)
    assert forward is not None and len(forward) == 2  # 2 x 2 x 1 cubes of about 100 mm fit a 250 x 200 x 100 bag
    assert remove_to_fit(BAG, cubes[::-1]) == forward
    assert forward == ("cube-0", "cube-1")  # the bulkiest


def test_remove_to_fit_counts_items_that_can_never_go_in():
    umbrella = Item("umbrella", (60, 60, 320), "cylinder")
    assert remove_to_fit(BAG, [PHONE, umbrella, WALLET]) == ("umbrella",)


def test_remove_to_fit_falls_back_to_greedy_past_its_bound(monkeypatch):
    monkeypatch.setattr(engine, "REMOVE_MAX_CHECKS", 1)
    cubes = [Item(f"cube-{k}", (100, 100, 100 - k)) for k in range(6)]
    removed = remove_to_fit(BAG, cubes)
    assert removed is not None and check_fit(BAG, [c for c in cubes if c.name not in removed]).fits


def test_an_undecided_packing_is_undecided_for_the_bag_too():
    from test_engine import HARD_BAG, HARD_KIT

    bag = BagSpace("Small sling", HARD_BAG, usable_ml=3000)
    result = check_fit(bag, HARD_KIT, budget_s=0.001)
    assert result.verdict == "undecided" and not result.fits
    assert result.proof is None and result.remove_to_fit is None and "could not settle" in result.reason


def test_check_fit_refuses_a_bad_bag():
    with pytest.raises(FitError):
        check_fit((250, 200, 100), [PHONE])  # type: ignore[arg-type]
