"""minipack.preferences: a shopper's preferences read from text, as the CLI and the API give them."""

from __future__ import annotations

import pytest

from minipack.errors import MinipackError, PreferenceError
from minipack.preferences import preferences_from_text
from minipack.rank import Preferences, Weights


def test_every_field_is_read_into_canonical_units() -> None:
    prefs = preferences_from_text(
        {
            "budget_min": "50",
            "budget_max": "$120.50",
            "min_capacity": "6 L",
            "max_capacity": "10 L",
            "max_weight_g": "800",
            "max_depth": "12 cm",
            "must": "water_resistant, usb_port",
            "material": "Nylon",
            "not_material": "leather",
            "category": "backpack,sling",
            "airline": "fr,U2",
            "items": "iphone-15,book:180x120x20mm",
            "w_price": "2",
            "w_organisation": "0",
        }
    )
    assert (prefs.budget_min, prefs.budget_max, prefs.currency) == (5000, 12050, "USD")
    assert (prefs.capacity_min_ml, prefs.capacity_max_ml) == (6000, 10000)
    assert (prefs.max_weight_g, prefs.max_depth_mm) == (800, 120)
    assert prefs.must_have == {"water_resistant", "usb_port"}
    assert prefs.materials_include == ("nylon",) and prefs.materials_exclude == ("leather",)
    assert prefs.categories == {"backpack", "sling"}
    assert prefs.airlines == ("FR", "U2")
    assert [item.name for item in prefs.kit] == ["iphone-15", "book"]
    assert prefs.weights == Weights(price=2.0, capacity=1.0, weight=0.5, organisation=0.0)


def test_nothing_given_and_blank_values_are_no_constraint() -> None:
    assert preferences_from_text({}) == Preferences()
    blank = {"budget_min": "", "budget_max": "  ", "max_depth": "", "must": "", "items": " , ", "w_price": ""}
    assert preferences_from_text(blank) == Preferences()
    assert preferences_from_text({"budget_max": None, "must": None}) == Preferences()


def test_a_budget_written_with_its_currency_sets_the_currency() -> None:
    prefs = preferences_from_text({"budget_max": "€80", "currency": "USD"})
    assert (prefs.budget_max, prefs.currency) == (8000, "EUR")
    assert preferences_from_text({"budget_max": "80", "currency": "gbp"}).currency == "GBP"


def test_repeated_options_are_several_texts_and_a_decimal_comma_stays_in_its_item() -> None:
    prefs = preferences_from_text({"must": ["water_resistant", "usb_port,front_pocket"], "items": "pouch:soft 0,5L"})
    assert prefs.must_have == {"water_resistant", "usb_port", "front_pocket"}
    assert [item.volume_ml for item in prefs.kit] == [500]


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"budget_max": "lots"}, "budget_max", "lots"),
        ({"budget_min": "$1,00"}, "budget_min", "$1,00"),
        ({"budget_min": "$10", "budget_max": "€20"}, "budget_min, budget_max", "mixes currencies"),
        ({"budget_min": "200", "budget_max": "100"}, "budget_min, budget_max", "above"),
        ({"currency": "dollars"}, "currency", "dollars"),
        ({"min_capacity": "big"}, "min_capacity", "big"),
        ({"min_capacity": "10 L", "max_capacity": "5 L"}, "min_capacity, max_capacity", "above"),
        ({"max_depth": "-3 cm"}, "max_depth", "-3 cm"),
        ({"max_weight_g": "light"}, "max_weight_g", "light"),
        ({"max_weight_g": "-5"}, "max_weight_g", "-5"),
        ({"max_weight_g": "99999999"}, "max_weight_g", "99999999"),
        ({"must": "water_resistant,jetpack"}, "must", "jetpack"),
        ({"category": "suitcase"}, "category", "suitcase"),
        ({"airline": "FRX"}, "airline", "FRX"),
        ({"items": "no-such-item"}, "items", "no-such-item"),
        ({"w_price": "-1"}, "w_price", "-1"),
        ({"w_weight": "nan"}, "w_weight", "nan"),
        ({"w_capacity": "heavy"}, "w_capacity", "heavy"),
        ({"budget_max": ["10", "20"]}, "budget_max", "one value"),
        ({"colour": "red"}, "unknown preference", "colour"),
    ],
)
def test_bad_input_is_refused_naming_the_field(values: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(PreferenceError) as caught:
        preferences_from_text(values)
    message = str(caught.value)
    assert message.startswith(field), message
    assert words in message
    # One error tree: the CLI and the API catch the root and show the message.
    assert isinstance(caught.value, MinipackError)
