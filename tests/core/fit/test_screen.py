"""Screening a whole catalog for one kit: prepass, dominance and engine, always agreeing with check_fit."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from minipack.catalog import bundled_catalog
from minipack.fit import BagSpace, FitResult, Item, check_fit, validate_placements
from minipack.fit.items import resolve_items
from minipack.fit.screen import (
    QuickCheck,
    ScreenResult,
    catalog_spaces,
    quick_check,
    screen_catalog,
    smallest_bags,
)

KITS = [
    ["iphone-15", "bifold-wallet", "lip-balm-stick", "airpods-pro-case"],
    ["iphone-15-pro-max", "kindle-paperwhite-11", "glasses-case-hard", "water-bottle-500ml", "makeup-pouch-small"],
    [
        "ipad-mini-6",
        "anker-powercore-20100",
        "umbrella-compact-automatic",
        "hydro-flask-32-wide-mouth",
        "scarf:soft 1L",
    ],
    ["galaxy-s24-ultra", "lip-balm-stick", "lip-balm-stick", "hand-sanitiser-2oz", "payment-card", "makeup-bag-small"],
    ["jumper:soft 4L", "scarf:soft 1.5L"],
]


def generated_bags(n: int, seed: int) -> list[BagSpace]:
    """Mini-bag interiors with real proportions; a few with a narrow opening."""
    rng = random.Random(seed)
    bags = []
    for i in range(n):
        w, h, d = rng.randint(150, 300), rng.randint(180, 350), rng.randint(50, 150)
        usable = w * h * d // 1000 * rng.choice((70, 75, 80, 85)) // 100
        opening = rng.choice((None, None, None, rng.randint(80, 260)))
        bags.append(BagSpace(f"bag-{i:03d}", (w, h, d), usable, opening))
    return bags


def assert_agrees_with_check_fit(result: ScreenResult, items: Sequence[Item]) -> None:
    for verdict in result.verdicts:
        truth = check_fit(verdict.space, items)
        if truth.verdict != "undecided":
            assert verdict.fits == truth.fits, (verdict.space, verdict.reason, truth.reason)
        if verdict.verdict == "fits":
            assert verdict.placements is not None, verdict
            rigid = [item for item in items if item.rigid]
            assert validate_placements(verdict.space.interior_mm, rigid, verdict.placements) == []


@pytest.mark.parametrize("names", KITS)
def test_the_screen_agrees_with_check_fit_on_the_bundled_catalog(names):
    items = resolve_items(names)
    spaces = catalog_spaces(bundled_catalog())
    result = screen_catalog(spaces, items)
    assert [v.space for v in result.verdicts] == spaces
    assert all(v.verdict != "undecided" for v in result.verdicts)
    assert_agrees_with_check_fit(result, items)


@pytest.mark.parametrize("names", KITS)
def test_the_screen_agrees_with_check_fit_on_two_hundred_generated_bags(names):
    items = resolve_items(names)
    result = screen_catalog(generated_bags(200, seed=len(names)), items)
    assert_agrees_with_check_fit(result, items)
    # The cheap steps do most of the work.
    assert result.engine_calls < 100


def test_screening_with_check_fit_itself_gives_the_same_verdicts_and_full_results():
    items = resolve_items(KITS[1])
    bags = generated_bags(60, seed=3)
    quick = screen_catalog(bags, items)
    full = screen_catalog(bags, items, check=check_fit)
    assert [v.verdict for v in quick.verdicts] == [v.verdict for v in full.verdicts]
    engine_answers = [v.engine for v in full.verdicts if v.decided_by == "engine"]
    assert engine_answers and all(isinstance(a, FitResult) for a in engine_answers)
    assert all(isinstance(v.engine, QuickCheck) for v in quick.verdicts if v.decided_by == "engine")


def test_the_catalog_spaces_are_the_bags_with_a_size():
    catalog = bundled_catalog()
    spaces = catalog_spaces(catalog)
    assert [s.name for s in spaces] == [p.slug for p in catalog if p.value("exterior") is not None]


# --------------------------------------------------------------------------- the prepass


def test_the_prepass_refuses_an_item_too_big_whichever_way_it_turns():
    umbrella = resolve_items(["umbrella-compact-automatic"])  # 242 x 77 x 77 mm
    bags = [BagSpace("flat", (300, 300, 70), 5000), BagSpace("roomy", (250, 100, 100), 2000)]
    result = screen_catalog(bags, umbrella, check=_no_engine)
    flat, roomy = result.verdicts
    assert (flat.verdict, flat.decided_by) == ("does_not_fit", "prepass")
    assert "whichever way it turns" in flat.reason
    assert (roomy.verdict, roomy.decided_by) == ("fits", "prepass")


def test_the_prepass_refuses_too_much_volume_the_opening_and_soft_overflow():
    phones = resolve_items(["iphone-15"] * 4)
    bags = [
        BagSpace("tiny", (150, 80, 10), 100),  # every phone fits alone, four phones' boxes do not
        BagSpace("slot", (300, 300, 100), 5000, opening_mm=60),  # a 72 mm wide phone cannot pass
    ]
    tiny, slot = screen_catalog(bags, phones, check=_no_engine).verdicts
    assert tiny.decided_by == "prepass" and "more than the" in tiny.reason
    assert slot.decided_by == "prepass" and "opening" in slot.reason
    scarf = resolve_items(["iphone-15", "scarf:soft 3L"])
    (small,) = screen_catalog([BagSpace("small", (200, 250, 80), 2000)], scarf, check=_no_engine).verdicts
    assert (small.verdict, small.decided_by) == ("does_not_fit", "prepass")
    assert "soft items need 3000 ml" in small.reason


def test_a_prepass_yes_comes_with_a_column_packing():
    items = resolve_items(["iphone-15", "kindle-paperwhite-11", "bifold-wallet", "payment-card"])
    (verdict,) = screen_catalog([BagSpace("tall", (200, 290, 120), 6000)], items, check=_no_engine).verdicts
    assert (verdict.verdict, verdict.decided_by) == ("fits", "prepass")
    assert verdict.placements is not None
    assert validate_placements((200, 290, 120), items, verdict.placements) == []


def test_soft_only_kits_are_settled_by_volume():
    items = resolve_items(["jumper:soft 2L"])
    small, big = screen_catalog(
        [BagSpace("small", (150, 200, 60), 1500), BagSpace("big", (200, 280, 120), 5000)], items, check=_no_engine
    ).verdicts
    assert small.verdict == "does_not_fit"
    assert (big.verdict, big.placements) == ("fits", ())


# --------------------------------------------------------------------------- dominance


def test_dominance_spreads_each_engine_answer_along_a_chain():
    # Five phones side by side need two rows: too many for one column, so the engine
    # has to decide; a chain of growing bags then needs only a few engine answers.
    items = resolve_items(["iphone-15"] * 5)
    bags = [BagSpace(f"bag-{k:02d}", (150 + 2 * k, 150 + 2 * k, 20 + k), 10_000) for k in range(40)]
    calls: list[str] = []

    def counting(bag: BagSpace, kit: Sequence[Item]) -> QuickCheck:
        calls.append(bag.name)
        return quick_check(bag, kit)

    result = screen_catalog(bags, items, check=counting)
    counts = result.counts()
    assert counts["dominance"] > 0
    assert len(calls) == counts["engine"] == result.engine_calls < 10
    assert_agrees_with_check_fit(result, items)
    for verdict in result.verdicts:
        if verdict.decided_by == "dominance" and verdict.verdict == "fits":
            # A smaller bag's packing, turned onto this bag's sides, is valid here.
            assert "no larger on any side" in verdict.reason
    fitting = [v.space.name for v in result.verdicts if v.verdict == "fits"]
    refused = [v.space.name for v in result.verdicts if v.verdict == "does_not_fit"]
    assert fitting and refused and max(refused) < min(fitting)  # a chain splits once


def test_dominance_respects_openings():
    items = resolve_items(["iphone-15"] * 5)
    open_bag = BagSpace("open", (160, 160, 30), 10_000)
    narrow = BagSpace("narrow", (200, 200, 40), 10_000, opening_mm=60)  # larger, but its slot is too narrow
    result = screen_catalog([open_bag, narrow], items)
    assert result.by_name("narrow").verdict == "does_not_fit"
    assert_agrees_with_check_fit(result, items)


# --------------------------------------------------------------------------- results


def test_smallest_bags_lists_the_smallest_that_take_the_kit():
    items = resolve_items(KITS[0])
    result = screen_catalog(catalog_spaces(bundled_catalog()), items)
    smallest = smallest_bags(result, n=3)
    assert len(smallest) == 3
    volumes = [v.space.interior_mm[0] * v.space.interior_mm[1] * v.space.interior_mm[2] for v in smallest]
    assert volumes == sorted(volumes)
    assert all(v.verdict == "fits" for v in smallest)
    others = [v for v in result.fitting if v not in smallest]
    assert all(o.space.interior_mm[0] * o.space.interior_mm[1] * o.space.interior_mm[2] >= volumes[-1] for o in others)
    assert smallest_bags(result, n=0) == []


def test_an_engine_budget_leaves_the_rest_undecided():
    items = resolve_items(["iphone-15"] * 5)
    bags = [BagSpace(f"bag-{k:02d}", (150 + 2 * k, 150 + 2 * k, 20 + k), 10_000) for k in range(40)]
    result = screen_catalog(bags, items, max_engine_calls=0)
    assert result.engine_calls == 0
    skipped = [v for v in result.verdicts if v.decided_by == "skipped"]
    assert skipped and all(v.verdict == "undecided" and v.fits is None for v in skipped)


def test_an_empty_catalog_and_lookup_by_name():
    items = resolve_items(KITS[0])
    empty = screen_catalog([], items)
    assert len(empty) == 0 and empty.engine_calls == 0
    result = screen_catalog(catalog_spaces(bundled_catalog()), items)
    assert result.by_name("fjallraven-kanken-mini").space.name == "fjallraven-kanken-mini"
    assert len(list(result)) == len(result)
    with pytest.raises(KeyError):
        result.by_name("no-such-bag")


def _no_engine(bag: BagSpace, items: Sequence[Item]) -> QuickCheck:
    raise AssertionError(f"the prepass should have settled {bag.name}")


def test_placements_are_built_only_when_read_and_then_kept():
    items = resolve_items(KITS[1])
    result = screen_catalog(generated_bags(120, seed=5), items)
    rigid = [item for item in items if item.rigid]
    lazy = [v for v in result.fitting if v.decided_by != "engine"]
    assert lazy
    for verdict in lazy:
        first = verdict.placements
        assert first is not None and verdict.placements is first  # built once, then kept
        assert validate_placements(verdict.space.interior_mm, rigid, first) == []


def test_a_packing_settles_every_bag_that_holds_its_extent_not_only_larger_bags():
    # Five phones need two rows: the engine packs them in the roomy bag; the snug bag is smaller on
    # every side, yet holds the box around that packing, so it needs no engine call of its own.
    items = resolve_items(["iphone-15"] * 5)
    roomy = BagSpace("roomy", (300, 300, 20), 10_000)
    (alone,) = screen_catalog([roomy], items).verdicts
    assert alone.decided_by == "engine" and alone.placements
    ends = [max(p.position_mm[a] + p.size_mm[a] for p in alone.placements) for a in range(3)]
    snug = BagSpace("snug", (ends[1] + 2, ends[0], ends[2] + 2), 10_000)  # turned, and a little roomier
    calls: list[str] = []

    def counting(bag: BagSpace, kit: Sequence[Item]) -> QuickCheck:
        calls.append(bag.name)
        return quick_check(bag, kit)

    result = screen_catalog([snug, roomy], items, check=counting)
    assert calls == ["roomy"]
    settled = result.by_name("snug")
    assert (settled.verdict, settled.decided_by) == ("fits", "dominance")
    assert "no larger on any side" in settled.reason
    assert_agrees_with_check_fit(result, items)


def test_verdicts_compare_by_bag_verdict_and_reason():
    items = resolve_items(KITS[0])
    bags = generated_bags(30, seed=1)
    one, two = screen_catalog(bags, items), screen_catalog(bags, items)
    assert one.verdicts == two.verdicts
    assert len({*one.verdicts, *two.verdicts}) == len(bags)
