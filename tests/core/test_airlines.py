"""The airline rules file and the under-seat / carry-on checks of minipack.airlines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minipack
from minipack.airlines import (
    BORDERLINE_MARGIN_MM,
    KINDS,
    SOFT_COMPRESS_PERCENT,
    AirlineQueryError,
    check_bag,
    check_trip,
    kit_compress_mm,
    load_airline_rules,
    packed_compress_mm,
    parse_airline_rules,
    rules_for,
    strictest_rule,
)
from minipack.catalog import bundled_catalog
from minipack.errors import FitError, MinipackError, RuleDataError
from minipack.fit import Placement
from minipack.fit.items import resolve_items

DATA = Path(minipack.__file__).parent / "data" / "airlines.json"
CODES = ("AA", "DL", "UA", "WN", "NK", "F9", "G4", "B6", "AS", "FR", "U2", "W6", "LH", "BA", "AF", "KL", "EK", "QF")
CODES += ("AC", "WS")


def one(code: str, kind: str = "personal"):
    (rule,) = rules_for([code], (kind,))
    return rule


# --------------------------------------------------------------------------- the data file


def test_the_file_has_both_kinds_for_the_twenty_airlines_with_sources_and_dates() -> None:
    rules = load_airline_rules()
    assert len(rules) == 40
    assert {r.iata for r in rules} == set(CODES)
    for code in CODES:
        assert {r.kind for r in rules_for([code])} == set(KINDS)
    for r in rules:
        assert r.source_url.startswith("http") and r.official_url.startswith("http")
        assert r.checked_on.strip() and r.note.strip() and r.confidence.strip()


def test_sizes_are_kept_as_published_in_their_order_and_unit() -> None:
    assert one("FR").published == "40 x 30 x 20 cm" and one("FR").dims_mm == (400, 300, 200)
    assert one("UA").published == "9 x 10 x 17 in" and one("UA").dims_mm == (229, 254, 432)
    assert one("F9").published == "14 x 18 x 8 in" and one("F9").sorted_mm == (457, 356, 203)
    assert one("F9", "carry_on").weight_g == 15_900


@pytest.mark.parametrize(("code", "checked_on"), [("FR", "2025-12-14"), ("WN", "undated (page says 2026)")])
def test_dates_are_copied_verbatim(code: str, checked_on: str) -> None:
    assert one(code).checked_on == checked_on


@pytest.mark.parametrize("code", ["DL", "AS", "EK", "QF"])
def test_airlines_that_publish_no_personal_item_size_say_so(code: str) -> None:
    rule = one(code)
    assert rule.no_published_size and rule.published is None and rule.dims_mm is None
    verdict = check_bag((200, 150, 100), rule)
    assert verdict.verdict == "no_published_size" and verdict.margins_mm is None
    assert "publishes no size" in verdict.note


def test_free_on_basic_only_where_the_sources_say() -> None:
    assert one("FR").free_on_basic is True and one("FR", "carry_on").free_on_basic is False
    assert one("AA").free_on_basic is None and one("LH").free_on_basic is None


def test_history_keeps_ryanair_and_lufthansa_changes_with_their_sources() -> None:
    ryanair = one("FR").history
    assert [h.dims_mm for h in ryanair] == [(350, 200, 200), (400, 200, 250)]
    assert ryanair[-1].until == "2025-09-04" and ryanair[-1].source_date == "2018-08-23"
    (lufthansa,) = one("LH").history
    assert lufthansa.published == "40 x 30 x 10 cm"
    assert "hand-luggage-ninja" in lufthansa.source_url and lufthansa.source_date.startswith("2023-07-26")


def _mutated(change) -> bytes:
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    change(doc)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="other/1"), "'format'"),
        (lambda d: d.pop("fields"), "'fields' header"),
        (lambda d: d["rules"][0].update(dims_mm=[1, 2, 3]), "does not match"),
        (lambda d: d["rules"][0].update(published="forty by thirty"), "cannot read 'published'"),
        (lambda d: d["rules"][0].update(kind="hold"), "'kind'"),
        (lambda d: d["rules"][0].update(iata="aa"), "'iata'"),
        (lambda d: d["rules"][0].pop("source_url"), "missing ['source_url']"),
        (lambda d: d["rules"][0].update(colour="red"), "unknown ['colour']"),
        (lambda d: d["rules"][2].update(no_published_size=False), "no_published_size"),
        (lambda d: d["rules"][0].update(weight_kg="7 kg"), "'weight_kg'"),
        (lambda d: d["rules"].append(d["rules"][0]), "a second personal rule for AA"),
    ],
)
def test_a_malformed_file_is_a_clear_rule_data_error(change, message: str) -> None:
    with pytest.raises(RuleDataError, match="rule|format|fields") as info:
        parse_airline_rules(_mutated(change), name="airlines.json")
    assert message in str(info.value)


def test_not_json_is_a_rule_data_error() -> None:
    with pytest.raises(RuleDataError, match="not JSON"):
        parse_airline_rules(b"{", name="airlines.json")


# --------------------------------------------------------------------------- choosing rules


def test_rules_for_keeps_the_order_of_the_codes_and_accepts_any_case() -> None:
    rules = rules_for(["lh", "FR"], ("personal",))
    assert [r.iata for r in rules] == ["LH", "FR"]


def test_an_unknown_code_names_it_and_the_known_codes() -> None:
    with pytest.raises(AirlineQueryError, match="ZZ") as info:
        rules_for(["FR", "ZZ"])
    assert "known IATA codes: AA, AC" in str(info.value)
    assert isinstance(info.value, MinipackError)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(AirlineQueryError, match="hold"):
        rules_for(["FR"], ("hold",))


# --------------------------------------------------------------------------- the check


def test_acceptance_45_36_25_exceeds_ryanair_and_frontier_personal_items() -> None:
    for code, checked_on in (("FR", "2025-12-14"), ("F9", "2025-12-15")):
        verdict = check_bag((450, 360, 250), one(code))
        assert verdict.verdict == "exceeds"
        assert verdict.source_url == one(code).source_url and verdict.checked_on == checked_on
    assert check_bag((450, 360, 250), one("F9")).margins_mm == (7, -4, -47)


def test_acceptance_40_30_15_meets_lufthansas_personal_item_at_the_limit() -> None:
    verdict = check_bag((400, 300, 150), one("LH"))
    assert verdict.verdict in ("within", "borderline")
    assert verdict.verdict == "borderline" and verdict.margins_mm == (0, 0, 0)
    assert verdict.checked_on == "2025-12-14" and "carry-fit" in verdict.source_url
    assert "Confirm with Lufthansa" in verdict.note


@pytest.mark.parametrize(
    ("dims", "expected"),
    [
        ((390, 290, 190), "within"),  # exactly the margin to spare everywhere
        ((391, 290, 190), "borderline"),
        ((400, 300, 200), "borderline"),
        ((401, 300, 200), "exceeds"),
    ],
)
def test_verdict_boundaries(dims: tuple[int, int, int], expected: str) -> None:
    assert BORDERLINE_MARGIN_MM == 10
    assert check_bag(dims, one("FR")).verdict == expected


def test_margins_are_in_the_rules_sorted_order() -> None:
    verdict = check_bag((100, 420, 250), one("UA"))  # UA published 9 x 10 x 17 in
    assert verdict.bag_mm == (420, 250, 100)
    assert verdict.margins_mm == (12, 4, 129)


def test_a_soft_bag_may_be_pressed_thinner_on_its_smallest_side_only() -> None:
    rule = one("FR")  # 400 x 300 x 200
    assert check_bag((380, 280, 230), rule).verdict == "exceeds"
    squashed = check_bag((380, 280, 230), rule, soft=True)
    assert squashed.compressed_mm == 230 * SOFT_COMPRESS_PERCENT // 100 == 34
    assert squashed.bag_mm == (380, 280, 196) and squashed.verdict == "borderline"
    assert check_bag((420, 280, 190), rule, soft=True).verdict == "exceeds"


def test_compress_mm_is_the_as_packed_allowance_and_the_larger_one_counts() -> None:
    rule = one("FR")
    assert check_bag((380, 280, 260), rule, compress_mm=70).bag_mm == (380, 280, 190)
    assert check_bag((380, 280, 260), rule, soft=True, compress_mm=10).compressed_mm == 39
    assert check_bag((380, 280, 5), rule, compress_mm=100).bag_mm == (380, 280, 1)
    with pytest.raises(AirlineQueryError):
        check_bag((380, 280, 200), rule, compress_mm=-1)


def test_a_bad_size_is_a_fit_error() -> None:
    with pytest.raises(FitError):
        check_bag((0, 10, 10), one("FR"))


def test_packed_compression_is_the_thin_side_less_the_packed_depth() -> None:
    placements = [Placement("phone", (0, 0, 0), (150, 72, 8)), Placement("wallet", (0, 80, 0), (110, 90, 20))]
    assert packed_compress_mm((270, 180, 110), placements, construction="soft") == 90
    # The thin axis need not be the last one.
    turned = [Placement("phone", (0, 0, 0), (8, 150, 72))]
    assert packed_compress_mm((110, 270, 180), turned, construction="soft") == 102
    assert packed_compress_mm((270, 180, 110), placements, construction="structured") == 0
    assert packed_compress_mm((270, 180, 110), [], construction="soft") == 110


def test_kit_compress_mm_uses_the_fit_engines_placement() -> None:
    kanken = bundled_catalog().by_slug("fjallraven-kanken-mini")  # soft, 20 x 29 x 13 cm
    allowance = kit_compress_mm(kanken, resolve_items(["iphone-15"]))
    assert 0 < allowance < 130 - 6
    leather = bundled_catalog().by_slug("coach-jordyn-backpack")
    assert kit_compress_mm(leather, resolve_items(["iphone-15"])) == 0


# --------------------------------------------------------------------------- trips


def test_a_trip_takes_the_worst_leg_and_names_it() -> None:
    trip = check_trip((400, 300, 200), ["U2", "FR", "LH"], "personal")
    assert trip.verdict == "exceeds" and trip.worst.iata == "LH"
    assert [leg.iata for leg in trip.legs] == ["U2", "FR", "LH"]


def test_a_leg_without_a_published_size_outranks_borderline_but_not_exceeds() -> None:
    assert check_trip((400, 300, 200), ["FR", "DL"], "personal").worst.iata == "DL"
    assert check_trip((500, 300, 200), ["FR", "DL"], "personal").worst.iata == "FR"


def test_strictest_rule() -> None:
    personal = rules_for(None, ("personal",))
    assert strictest_rule(personal).iata in ("LH", "BA", "AF", "KL")  # 40 x 30 x 15 cm, the smallest box
    assert strictest_rule(rules_for(["U2", "FR"], ("personal",))).iata == "FR"
    assert strictest_rule(rules_for(["FR", "UA"], ("personal",)), (420, 250, 200)).iata == "FR"
    with pytest.raises(AirlineQueryError):
        strictest_rule(rules_for(["DL", "AS"], ("personal",)))
    with pytest.raises(AirlineQueryError):
        check_trip((1, 1, 1), [], "personal")


# --------------------------------------------------------------------------- properties

sides = st.integers(min_value=1, max_value=800)
bags = st.tuples(sides, sides, sides)
all_rules = st.sampled_from(load_airline_rules())


@given(bag=bags, rule=all_rules, order=st.permutations(range(3)), soft=st.booleans())
def test_the_verdict_does_not_depend_on_the_order_of_the_sides(bag, rule, order, soft) -> None:
    shuffled = tuple(bag[k] for k in order)
    assert check_bag(shuffled, rule, soft=soft) == check_bag(bag, rule, soft=soft)


@given(bag=bags, shrink=st.tuples(*[st.integers(0, 800)] * 3), rule=all_rules, soft=st.booleans())
def test_a_smaller_bag_never_gets_a_worse_verdict(bag, shrink, rule, soft) -> None:
    smaller = tuple(max(1, side - cut) for side, cut in zip(bag, shrink, strict=True))
    assert check_bag(smaller, rule, soft=soft).rank <= check_bag(bag, rule, soft=soft).rank
