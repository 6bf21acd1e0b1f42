"""Properties of ``pack`` on generated kits (hypothesis): what must hold whatever the input.

Half the questions have a freely drawn bag; the other half a bag sized
just around the kit (1 to 2.2 times its volume, and room for its biggest item), where the answer is in
doubt and the complete searches do the deciding.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minipack.fit import Item, pack, validate_placements

Dims = tuple[int, int, int]
side = st.integers(min_value=20, max_value=120)
item_side = st.integers(min_value=5, max_value=80)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def questions(draw: st.DrawFn) -> tuple[Dims, list[Dims]]:
    dims = draw(st.lists(st.tuples(item_side, item_side, item_side), min_size=1, max_size=7))
    if draw(st.booleans()):
        return (draw(side), draw(side), draw(side)), dims
    shape = (draw(st.integers(10, 30)), draw(st.integers(10, 30)), draw(st.integers(5, 20)))
    volume = sum(a * b * c for a, b, c in dims) * draw(st.floats(1.0, 2.2))
    scale = (volume / (shape[0] * shape[1] * shape[2])) ** (1 / 3)
    sides = sorted((max(5, round(v * scale)) for v in shape), reverse=True)
    # Room for the biggest item alone, or the answer is a dull "too big".
    longest = [max(sorted(d, reverse=True)[k] for d in dims) for k in range(3)]
    a, b, c = (max(s, m) for s, m in zip(sides, longest, strict=True))
    return (a, c, b), dims


def items_of(dims):
    return [Item(f"thing-{k}", d) for k, d in enumerate(dims)]


def verdict(bag, dims):
    result = pack(bag, items_of(dims), budget_s=30)
    assert result.status != "undecided"  # kits this small are always decided well within 30 s
    return result


@SETTINGS
@given(questions())
def test_every_fits_comes_with_a_placement_the_validator_accepts(question):
    bag, dims = question
    result = verdict(bag, dims)
    if result.status == "fits":
        assert validate_placements(bag, items_of(dims), result.placements) == []
    else:
        assert result.proof is not None and result.placements == ()


@SETTINGS
@given(questions(), st.permutations(range(3)), st.randoms(use_true_random=False))
def test_the_verdict_ignores_which_way_round_the_bag_is_and_the_order_of_items(question, axes, rnd):
    bag, dims = question
    turned = (bag[axes[0]], bag[axes[1]], bag[axes[2]])
    shuffled = list(enumerate(dims))
    rnd.shuffle(shuffled)
    first = verdict(bag, dims)
    again = pack(turned, [Item(f"thing-{k}", d) for k, d in shuffled], budget_s=30)
    assert again.status == first.status and again.stage == first.stage
    if first.proof is not None and again.proof is not None:
        assert again.proof.kind == first.proof.kind


@SETTINGS
@given(questions(), st.tuples(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15)))
def test_a_bigger_bag_never_turns_fits_into_does_not_fit(question, extra):
    bag, dims = question
    if verdict(bag, dims).status == "fits":
        bigger = (bag[0] + extra[0], bag[1] + extra[1], bag[2] + extra[2])
        assert verdict(bigger, dims).status == "fits"


@SETTINGS
@given(questions(), st.data())
def test_leaving_an_item_out_never_turns_fits_into_does_not_fit(question, data):
    bag, dims = question
    if verdict(bag, dims).status == "fits":
        drop = data.draw(st.integers(0, len(dims) - 1))
        assert verdict(bag, dims[:drop] + dims[drop + 1 :]).status == "fits"


@SETTINGS
@given(questions())
def test_the_same_question_twice_gets_the_same_answer(question):
    bag, dims = question
    assert verdict(bag, dims) == verdict(bag, dims)
