"""The strict parsers: what shops and articles print, read exactly or refused with a reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minipack.errors import ParseError
from minipack.units import (
    MAX_LENGTH_MM,
    Capacity,
    Dimensions,
    Money,
    display_dimensions,
    format_dimensions,
    format_length,
    format_price,
    format_volume,
    format_weight,
    parse_dimensions,
    parse_length_mm,
    parse_price,
    parse_volume_ml,
    parse_weight_g,
)


@pytest.mark.parametrize(
    ("text", "default_unit", "mm", "axes"),
    [
        ("10 x 13 x 4.5", "in", (254, 330, 114), None),
        ('7.87"L x 5.12"W x 11.42"H', None, (200, 130, 290), ("L", "W", "H")),
        ("20 x 29 x 13 cm", None, (200, 290, 130), None),
        ("28x26x10cm", None, (280, 260, 100), None),
        ("8 W x 11 H x 4.75 D in", None, (203, 279, 121), ("W", "H", "D")),
        ('10\u00d713\u00d74.5"', None, (254, 330, 114), None),
        ("H 29 x W 20 x D 13 cm", None, (290, 200, 130), ("H", "W", "D")),
        ("11 inches x 8 inches x 4,75 inches", None, (279, 203, 121), None),
        ("10 by 10 by 5.5 inches", None, (254, 254, 140), None),
        ("200 x 290 x 130 mm", None, (200, 290, 130), None),
        # A unit in the text wins over the caller's default.
        ("20 x 29 x 13 cm", "in", (200, 290, 130), None),
    ],
)
def test_dimension_triples_become_mm_in_published_order(text, default_unit, mm, axes):
    dims = parse_dimensions(text, default_unit=default_unit)
    assert dims.mm == mm
    assert dims.axes == axes


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("10 x 13 in", "expected 3 sides"),
        ("10 x 13 x 4.5", "no unit given"),
        ("0 x 1 x 1 cm", "zero"),
        ("0.01 x 1 x 1 cm", "rounds to 0 mm"),
        ("-5 x 1 x 1 cm", "negative"),
        ("nan x 1 x 1 cm", "not a finite number"),
        ("inf x 1 x 1 cm", "not a finite number"),
        ("1e3 x 1 x 1 cm", "exponent"),
        ("1_000 x 1 x 1 mm", "underscores"),
        ("\u0663\u0664 x 1 x 1 cm", "non-ASCII digit"),
        ("\uff11\uff12 x 1 x 1 cm", "non-ASCII digit"),
        ("10 in x 5 cm x 3 cm", "mixed units"),
        ("10 W x 5 x 3 cm", "axis labels on some sides"),
        ("10 W x 5 W x 3 D cm", "same axis label twice"),
        ("10 x 13 x 4.5 furlongs", "cannot read the side"),
        ("9000 x 1 x 1 mm", f"over {MAX_LENGTH_MM} mm"),
        ("", "empty"),
        ("1 x 1 x 1" + "0" * 300 + " cm", "longer than"),
    ],
)
def test_bad_dimensions_are_refused_with_the_input_and_the_reason(text, reason):
    with pytest.raises(ParseError) as err:
        parse_dimensions(text)
    assert reason in str(err.value)
    assert err.value.raw == text or len(text) > 200


def test_non_text_is_refused_not_crashed():
    with pytest.raises(ParseError, match="expected text"):
        parse_dimensions(12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("6L", 6000, 6000),
        ("7 liters", 7000, 7000),
        ("7 litres", 7000, 7000),
        ("5-7 L", 5000, 7000),
        ("500 ml", 500, 500),
        ("6.55 L", 6550, 6550),
        ("427 cu in", 6997, 6997),
        ("5 to 7 l", 5000, 7000),
    ],
)
def test_volumes_become_ml(text, low, high):
    assert parse_volume_ml(text) == Capacity(low, high)


@pytest.mark.parametrize("text", ["0 L", "7-5 L", "nan L", "-1 L", "7", "7 gallons", "500 L"])
def test_bad_volumes_are_refused(text):
    with pytest.raises(ParseError):
        parse_volume_ml(text)


@pytest.mark.parametrize(
    ("text", "grams"),
    [("7.68 oz", 218), ("220 g", 220), ("0.5 lb", 227), ("0.68 pounds", 308), ("1 kg", 1000), ("7 oz.", 198)],
)
def test_weights_become_grams(text, grams):
    assert parse_weight_g(text) == grams


@pytest.mark.parametrize("text", ["0 g", "-3 g", "3 stone", "100 kg", "1,5", "0.001 g"])
def test_bad_weights_are_refused(text):
    with pytest.raises(ParseError):
        parse_weight_g(text)


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$2,490", 249000, "USD"),
        ("$49.99", 4999, "USD"),
        ("\u20ac125", 12500, "EUR"),
        ("49,99 \u20ac", 4999, "EUR"),
        ("\u20ac59,99", 5999, "EUR"),
        ("\u20ac1.234,56", 123456, "EUR"),
        ("\u20ac1,234.56", 123456, "EUR"),
        ("\u00a360", 6000, "GBP"),
        ("7,300 AED", 730000, "AED"),
        ("USD 1,000,000", 100000000, "USD"),
        ("$ 99", 9900, "USD"),
    ],
)
def test_prices_become_minor_units_and_a_currency(text, amount, currency):
    assert parse_price(text) == Money(amount, currency)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("$2,49O", "the letter 'O' stands where a digit should"),
        ("$1,00", "ambiguous"),
        ("$1.234", "does not separate thousands"),
        ("$99.9", "1 decimal(s)"),
        ("$0", "zero"),
        ("-$5", "negative"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("$1e3", "exponent"),
        ("$1_000", "underscores"),
        ("\uff11\uff12", "non-ASCII digit"),
        ("$1,00,000", "groups of three"),
        ("49.99", "no currency"),
        ("$5 USD", "currency given twice"),
        ("$2,000,000", "not a bag price"),
    ],
)
def test_bad_prices_are_refused_with_a_reason(text, reason):
    with pytest.raises(ParseError) as err:
        parse_price(text)
    assert reason in err.value.reason
    assert repr(text) in str(err.value)


def test_default_currency_applies_only_when_none_is_printed():
    assert parse_price("49.99", default_currency="USD") == Money(4999, "USD")
    assert parse_price("\u20ac49.99", default_currency="USD") == Money(4999, "EUR")


def test_box_volume_and_sorted_sides():
    dims = parse_dimensions("8 x 10 x 5", default_unit="in")
    assert dims.box_ml == 6548  # less than the 7 L the launch article claims
    assert dims.sorted_mm == (254, 203, 127)


def test_dimensions_record_refuses_impossible_values():
    with pytest.raises(ParseError):
        Dimensions((0, 1, 1))
    with pytest.raises(ParseError):
        Dimensions((1, 1))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- properties

sides = st.integers(min_value=1, max_value=MAX_LENGTH_MM)


@given(
    a=sides,
    b=sides,
    c=sides,
    axes=st.sampled_from([None, ("W", "H", "D"), ("L", "W", "H")]),
    system=st.sampled_from(["metric", "imperial"]),
)
def test_formatted_dimensions_parse_back_exactly(a, b, c, axes, system):
    dims = Dimensions((a, b, c), axes)
    back = parse_dimensions(format_dimensions(dims, system))
    assert back.mm == dims.mm
    assert back.axes == dims.axes


@given(mm=sides, system=st.sampled_from(["metric", "imperial"]))
def test_formatted_lengths_parse_back_exactly(mm, system):
    assert parse_length_mm(format_length(mm, system)) == mm


@given(low=st.integers(1, 200_000), extra=st.integers(0, 1000))
def test_formatted_volumes_parse_back_exactly(low, extra):
    cap = Capacity(low, min(low + extra, 200_000))
    assert parse_volume_ml(format_volume(cap)) == cap


@given(grams=st.integers(1, 50_000), system=st.sampled_from(["metric", "imperial"]))
def test_formatted_weights_parse_back_exactly(grams, system):
    assert parse_weight_g(format_weight(grams, system)) == grams


@given(amount=st.integers(1, 100_000_000), currency=st.sampled_from(["USD", "EUR", "GBP", "AED", "CAD", "AUD"]))
def test_formatted_prices_parse_back_exactly(amount, currency):
    money = Money(amount, currency)
    assert parse_price(format_price(money)) == money


@given(text=st.text(max_size=60))
def test_parsers_fail_only_with_parse_error(text):
    for parse in (parse_dimensions, parse_volume_ml, parse_weight_g, parse_price, parse_length_mm):
        try:
            value = parse(text)
        except ParseError:
            continue
        # Anything accepted is a sane canonical value.
        if isinstance(value, Money):
            assert 0 < value.amount_minor
        elif isinstance(value, Dimensions):
            assert all(0 < v <= MAX_LENGTH_MM for v in value.mm)
        elif isinstance(value, Capacity):
            assert 0 < value.low_ml <= value.high_ml
        else:
            assert value > 0


@given(whole=st.integers(1, 999_999), cents=st.integers(0, 99))
def test_price_reading_matches_decimal_arithmetic(whole, cents):
    text = f"${whole:,}.{cents:02d}"
    assert parse_price(text).amount_minor == int(Decimal(f"{whole}.{cents:02d}") * 100)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("11 x 10 x 3 in", "11 x 10 x 3 in"),
        ("8 W x 11 H x 4.75 D in", "8 W x 11 H x 4.75 D in"),
        ("6.7 x 8.7 x 3.9 in", "6.7 x 8.7 x 3.9 in"),
        ("20 x 29 x 13 cm", "7.85 x 11.4 x 5.1 in"),
    ],
)
def test_inches_are_shown_as_people_print_them(text, shown):
    assert display_dimensions(parse_dimensions(text), "imperial") == shown
