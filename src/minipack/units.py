"""Units: strict parsing of what shops and articles print, and formatting back.

Everything Minipack compares is a canonical integer: millimetres, millilitres,
grams, and minor currency units (cents). This module is the only place where
printed text ("7.87\\"L x 5.12\\"W x 11.42\\"H", "7 liters", "49,99 €") becomes
such an integer, so it is deliberately strict: ASCII digits only, no exponent,
no underscores, no nan or inf, no negative or zero sizes, no absurd
magnitudes, and no guessing where the text is ambiguous. Every refusal is a
``ParseError`` that names the input and the reason.

Conversions go through ``Decimal`` and round half away from zero, so a value
formatted by this module parses back to exactly the same integer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from minipack.errors import ParseError

System = Literal["metric", "imperial"]

MM_PER_UNIT: dict[str, Decimal] = {
    "mm": Decimal(1),
    "cm": Decimal(10),
    "in": Decimal("25.4"),
}
ML_PER_UNIT: dict[str, Decimal] = {
    "ml": Decimal(1),
    "l": Decimal(1000),
    "cuin": Decimal("16.387064"),
}
G_PER_UNIT: dict[str, Decimal] = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "oz": Decimal("28.349523125"),
    "lb": Decimal("453.59237"),
}

# Sanity limits: a value beyond these is a typo or a unit mix-up, not a bag.
MAX_LENGTH_MM = 5_000
MAX_VOLUME_ML = 200_000
MAX_WEIGHT_G = 50_000
MAX_PRICE_MAJOR = 1_000_000
MAX_INPUT_CHARS = 200

_LENGTH_UNITS = {
    "mm": "mm",
    "millimeter": "mm",
    "millimeters": "mm",
    "millimetre": "mm",
    "millimetres": "mm",
    "cm": "cm",
    "centimeter": "cm",
    "centimeters": "cm",
    "centimetre": "cm",
    "centimetres": "cm",
    "in": "in",
    "inch": "in",
    "inches": "in",
    '"': "in",
    "''": "in",
    "\u201d": "in",
    "\u2033": "in",
}
_VOLUME_UNITS = {
    "ml": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
    "millilitre": "ml",
    "millilitres": "ml",
    "l": "l",
    "liter": "l",
    "liters": "l",
    "litre": "l",
    "litres": "l",
    "ltr": "l",
    "cu in": "cuin",
    "cubic inch": "cuin",
    "cubic inches": "cuin",
    "in3": "cuin",
    "in\u00b3": "cuin",
}
_WEIGHT_UNITS = {
    "g": "g",
    "gram": "g",
    "grams": "g",
    "gr": "g",
    "kg": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "oz": "oz",
    "ounce": "oz",
    "ounces": "oz",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
}
_AXES = {
    "l": "L",
    "length": "L",
    "long": "L",
    "w": "W",
    "width": "W",
    "wide": "W",
    "h": "H",
    "height": "H",
    "high": "H",
    "tall": "H",
    "d": "D",
    "depth": "D",
    "deep": "D",
}

# Currency: symbol or code -> (ISO code, minor digits, decimal mark it uses).
CURRENCIES: dict[str, tuple[int, str]] = {
    # code: (minor digits, prefix for display)
    "USD": (2, "$"),
    "EUR": (2, "\u20ac"),
    "GBP": (2, "\u00a3"),
    "CAD": (2, "CAD "),
    "AUD": (2, "AUD "),
    "AED": (2, "AED "),
    "JPY": (0, "\u00a5"),
}
_CURRENCY_TOKENS = {
    "us$": "USD",
    "usd": "USD",
    "$": "USD",
    "\u20ac": "EUR",
    "eur": "EUR",
    "\u00a3": "GBP",
    "gbp": "GBP",
    "ca$": "CAD",
    "c$": "CAD",
    "cad": "CAD",
    "a$": "AUD",
    "aud": "AUD",
    "aed": "AED",
    "\u00a5": "JPY",
    "jpy": "JPY",
}
# Currencies whose shops write "49,99" with a decimal comma.
_DECIMAL_COMMA_CURRENCIES = frozenset({"EUR"})

_PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


# --------------------------------------------------------------------------- helpers


def _precheck(raw: object, what: str) -> str:
    """Common refusals for every parser; returns the stripped text."""
    if not isinstance(raw, str):
        raise ParseError(raw, "expected text", what=what)
    text = raw.strip()
    if not text:
        raise ParseError(raw, "it is empty", what=what)
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(raw[:40] + "\u2026", f"longer than {MAX_INPUT_CHARS} characters", what=what)
    for ch in text:
        if ch.isdigit() and ch not in "0123456789":
            raise ParseError(raw, f"non-ASCII digit {ch!r}", what=what)
    lowered = text.lower()
    if re.search(r"\b(nan|inf|infinity)\b", lowered):
        raise ParseError(raw, "not a finite number", what=what)
    if "_" in text:
        raise ParseError(raw, "underscores are not allowed in numbers", what=what)
    if re.search(r"[0-9]e[+-]?[0-9]", lowered):
        raise ParseError(raw, "exponent notation is not allowed", what=what)
    if re.search(r"(^|[\s(x\u00d7*:])[-\u2212]\s*[0-9]", lowered) or lowered.startswith("-"):
        raise ParseError(raw, "negative values are not allowed", what=what)
    return text


def _decimal(token: str, raw: object, what: str, *, decimal_comma: bool = False) -> Decimal:
    """A plain ASCII number, optionally with a decimal comma ('4,75')."""
    if decimal_comma and re.fullmatch(r"[0-9]+,[0-9]+", token):
        token = token.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(token):
        raise ParseError(raw, f"{token!r} is not a plain number", what=what)
    return Decimal(token)


def _to_int(value: Decimal, factor: Decimal) -> int:
    return int((value * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _strip_decimal(value: Decimal, places: int) -> str:
    """Format with at most ``places`` decimals, dropping trailing zeros."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# --------------------------------------------------------------------------- lengths


@dataclass(frozen=True, order=True)
class Dimensions:
    """Three sides in mm, in the order the source published them.

    ``axes`` keeps the source's axis labels ('W', 'H', 'D', 'L') where it gave
    them; ``unit`` is the unit it printed, so a page can show the figure the
    way the source did.
    """

    mm: tuple[int, int, int]
    axes: tuple[str, str, str] | None = None
    unit: str = "mm"

    def __post_init__(self) -> None:
        if len(self.mm) != 3 or any(not isinstance(v, int) or v <= 0 for v in self.mm):
            raise ParseError(self.mm, "dimensions need three positive whole millimetres", what="dimensions")
        if any(v > MAX_LENGTH_MM for v in self.mm):
            raise ParseError(self.mm, f"a side is over {MAX_LENGTH_MM} mm", what="dimensions")
        if self.unit not in MM_PER_UNIT:
            raise ParseError(self.unit, "unknown length unit", what="dimensions")

    @property
    def sorted_mm(self) -> tuple[int, int, int]:
        """Sides largest first: the orientation-free view used by checks."""
        a, b, c = sorted(self.mm, reverse=True)
        return (a, b, c)

    @property
    def box_mm3(self) -> int:
        a, b, c = self.mm
        return a * b * c

    @property
    def box_ml(self) -> int:
        """Outer box volume in whole millilitres (rounded down)."""
        return self.box_mm3 // 1000

    def side(self, axis: str) -> int | None:
        """The side the source labelled ``axis`` ('H', 'W', 'D' or 'L'), if it labelled one."""
        if self.axes is None or axis not in self.axes:
            return None
        return self.mm[self.axes.index(axis)]


def parse_length_mm(raw: object, *, default_unit: str | None = None) -> int:
    """'11.42 in', '29 cm', '4,75 inches' -> whole mm."""
    what = "length"
    text = _precheck(raw, what)
    m = re.fullmatch(r"([0-9][0-9.,]*)\s*([a-z\"'\u201d\u2033]*)", text.lower())
    if not m:
        raise ParseError(raw, "expected a number and a unit such as '29 cm' or '11.4 in'", what=what)
    unit = _length_unit(m.group(2), raw, what, default_unit)
    value = _decimal(m.group(1), raw, what, decimal_comma=True)
    return _checked_length(value, unit, raw, what)


def _length_unit(token: str, raw: object, what: str, default_unit: str | None) -> str:
    if not token:
        if default_unit is None:
            raise ParseError(raw, "no unit given (in, cm or mm?)", what=what)
        return default_unit
    unit = _LENGTH_UNITS.get(token)
    if unit is None:
        raise ParseError(raw, f"unknown length unit {token!r}", what=what)
    return unit


def _checked_length(value: Decimal, unit: str, raw: object, what: str) -> int:
    if value == 0:
        raise ParseError(raw, "a size of zero", what=what)
    mm = _to_int(value, MM_PER_UNIT[unit])
    if mm == 0:
        raise ParseError(raw, "rounds to 0 mm", what=what)
    if mm > MAX_LENGTH_MM:
        raise ParseError(raw, f"over {MAX_LENGTH_MM} mm: not a bag or item size", what=what)
    return mm


_DIM_SPLIT = re.compile(r"\s*(?:\bx\b|(?<=[0-9a-z\"'\u201d\u2033])x(?=\s*[0-9a-z])|\u00d7|\*|\bby\b)\s*")
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in _LENGTH_UNITS), key=len, reverse=True))
_AXIS_ALT = "|".join(sorted(_AXES, key=len, reverse=True))
_DIM_PART = re.compile(
    rf"^(?:(?P<pre>{_AXIS_ALT})\s*[:=]?\s*)?"
    rf"(?P<num>[0-9][0-9.,]*)\s*"
    rf"(?P<u1>{_UNIT_ALT})?\s*"
    rf"(?P<post>{_AXIS_ALT})?\s*"
    rf"(?P<u2>{_UNIT_ALT})?$"
)


def parse_dimensions(raw: object, *, default_unit: str | None = None) -> Dimensions:
    """A triple such as '20 x 29 x 13 cm' or '8 W x 11 H x 4.75 D in' -> ``Dimensions``.

    ``default_unit`` applies only when the text names no unit at all (an
    article table whose header says "in inches"); a unit in the text wins.
    """
    what = "dimensions"
    text = _precheck(raw, what)
    lowered = text.lower().replace("\u2019\u2019", "''")
    parts = [p for p in _DIM_SPLIT.split(lowered) if p != ""]
    if len(parts) != 3:
        raise ParseError(raw, f"expected 3 sides separated by 'x', found {len(parts)}", what=what)
    # A unit written once after the last side ('20 x 29 x 13 cm') applies to all.
    values: list[Decimal] = []
    units: list[str | None] = []
    axes: list[str | None] = []
    for part in parts:
        m = _DIM_PART.match(part.strip())
        if not m:
            raise ParseError(raw, f"cannot read the side {part.strip()!r}", what=what)
        if m.group("pre") and m.group("post"):
            raise ParseError(raw, f"two axis labels on {part.strip()!r}", what=what)
        if m.group("u1") and m.group("u2"):
            raise ParseError(raw, f"two units on {part.strip()!r}", what=what)
        values.append(_decimal(m.group("num"), raw, what, decimal_comma=True))
        unit_token = m.group("u1") or m.group("u2")
        units.append(_LENGTH_UNITS[unit_token] if unit_token else None)
        axis_token = m.group("pre") or m.group("post")
        axes.append(_AXES[axis_token] if axis_token else None)
    named = {u for u in units if u is not None}
    if len(named) > 1:
        raise ParseError(raw, f"mixed units {sorted(named)}", what=what)
    if named:
        unit = named.pop()
    elif default_unit is not None:
        unit = default_unit
    else:
        raise ParseError(raw, "no unit given (in, cm or mm?)", what=what)
    if any(a is not None for a in axes):
        if any(a is None for a in axes):
            raise ParseError(raw, "axis labels on some sides but not all", what=what)
        if len(set(axes)) != 3:
            raise ParseError(raw, "the same axis label twice", what=what)
        axes_t: tuple[str, str, str] | None = (axes[0], axes[1], axes[2])  # type: ignore[assignment]
    else:
        axes_t = None
    mm = [_checked_length(v, unit, raw, what) for v in values]
    return Dimensions((mm[0], mm[1], mm[2]), axes_t, unit)


def format_length(mm: int, system: System = "metric") -> str:
    """'290 mm' -> '29 cm' (metric) or '11.42 in' (imperial); parses back to ``mm``."""
    if system == "metric":
        return f"{_strip_decimal(Decimal(mm) / 10, 1)} cm"
    return f"{_strip_decimal(Decimal(mm) / MM_PER_UNIT['in'], 2)} in"


def format_dimensions(dims: Dimensions, system: System = "metric") -> str:
    """In the published order, with the published axis labels; parses back exactly."""
    if system == "metric":
        nums = [_strip_decimal(Decimal(v) / 10, 1) for v in dims.mm]
        unit = "cm"
    else:
        nums = [_strip_decimal(Decimal(v) / MM_PER_UNIT["in"], 2) for v in dims.mm]
        unit = "in"
    if dims.axes:
        nums = [f"{n} {a}" for n, a in zip(nums, dims.axes, strict=True)]
    return " x ".join(nums) + f" {unit}"


def display_dimensions(dims: Dimensions, system: System = "metric") -> str:
    """For people, not for round trips: inches to the nearest 0.05 in.

    Whole millimetres converted back give '10.98 x 10 x 2.99 in' for a bag its
    maker sells as 11 x 10 x 3 in; rounding to 0.05 in (1.3 mm) gives back
    what people print. Centimetres are exact to 1 mm already.
    """
    if system == "metric":
        return format_dimensions(dims, "metric")
    nums = [_display_inches(v) for v in dims.mm]
    if dims.axes:
        nums = [f"{n} {a}" for n, a in zip(nums, dims.axes, strict=True)]
    return " x ".join(nums) + " in"


def display_length(mm: int, system: System = "metric") -> str:
    """One length for people, rounded as ``display_dimensions`` rounds a side (0.05 in; cm to the mm)."""
    if system == "metric":
        return format_length(mm, "metric")
    return f"{_display_inches(mm)} in"


def _display_inches(mm: int) -> str:
    step = Decimal("0.05")
    return _strip_decimal(
        (Decimal(mm) / MM_PER_UNIT["in"] / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step, 2
    )


# --------------------------------------------------------------------------- volumes


@dataclass(frozen=True, order=True)
class Capacity:
    """A stated capacity in ml; a range ('5-7 L') keeps both ends."""

    low_ml: int
    high_ml: int

    def __post_init__(self) -> None:
        if not (0 < self.low_ml <= self.high_ml <= MAX_VOLUME_ML):
            raise ParseError((self.low_ml, self.high_ml), "capacity must be 0 < low <= high", what="capacity")

    @property
    def is_range(self) -> bool:
        return self.low_ml != self.high_ml


def parse_volume_ml(raw: object) -> Capacity:
    """'6L', '7 liters', '5-7 L', '427 cu in' -> ``Capacity`` in ml."""
    what = "volume"
    text = _precheck(raw, what).lower()
    m = re.fullmatch(
        r"([0-9][0-9.,]*)\s*(?:(?:-|\u2013|to)\s*([0-9][0-9.,]*))?\s*"
        r"(ml|milliliters?|millilitres?|l|liters?|litres?|ltr|cu\.? ?in\.?|cubic inch(?:es)?|in3|in\u00b3)",
        text,
    )
    if not m:
        raise ParseError(raw, "expected a number and a unit such as '7 L' or '500 ml'", what=what)
    unit_token = m.group(3).replace(".", "").replace("cuin", "cu in")
    unit = _VOLUME_UNITS.get(unit_token, "cuin" if unit_token.startswith("cu") else None)
    if unit is None:
        raise ParseError(raw, f"unknown volume unit {m.group(3)!r}", what=what)
    low = _decimal(m.group(1), raw, what, decimal_comma=True)
    high = _decimal(m.group(2), raw, what, decimal_comma=True) if m.group(2) else low
    if low == 0 or high == 0:
        raise ParseError(raw, "a volume of zero", what=what)
    if high < low:
        raise ParseError(raw, "the range runs backwards", what=what)
    low_ml, high_ml = _to_int(low, ML_PER_UNIT[unit]), _to_int(high, ML_PER_UNIT[unit])
    if high_ml > MAX_VOLUME_ML:
        raise ParseError(raw, f"over {MAX_VOLUME_ML // 1000} L: not a mini bag", what=what)
    if low_ml == 0:
        raise ParseError(raw, "rounds to 0 ml", what=what)
    return Capacity(low_ml, high_ml)


def format_volume(cap: Capacity | int) -> str:
    """'7 L', '6.55 L', '5\u20137 L'; parses back exactly."""
    if isinstance(cap, int):
        cap = Capacity(cap, cap)
    low = _strip_decimal(Decimal(cap.low_ml) / 1000, 3)
    if not cap.is_range:
        return f"{low} L"
    return f"{low}-{_strip_decimal(Decimal(cap.high_ml) / 1000, 3)} L"


# --------------------------------------------------------------------------- weights


def parse_weight_g(raw: object) -> int:
    """'7.68 oz', '220 g', '0.5 lb' -> whole grams."""
    what = "weight"
    text = _precheck(raw, what).lower()
    m = re.fullmatch(r"([0-9][0-9.,]*)\s*([a-z]+)\.?", text)
    if not m:
        raise ParseError(raw, "expected a number and a unit such as '220 g' or '7.7 oz'", what=what)
    unit = _WEIGHT_UNITS.get(m.group(2))
    if unit is None:
        raise ParseError(raw, f"unknown weight unit {m.group(2)!r}", what=what)
    value = _decimal(m.group(1), raw, what, decimal_comma=True)
    if value == 0:
        raise ParseError(raw, "a weight of zero", what=what)
    grams = _to_int(value, G_PER_UNIT[unit])
    if grams == 0:
        raise ParseError(raw, "rounds to 0 g", what=what)
    if grams > MAX_WEIGHT_G:
        raise ParseError(raw, f"over {MAX_WEIGHT_G // 1000} kg: not a bag", what=what)
    return grams


def format_weight(grams: int, system: System = "metric") -> str:
    if system == "metric":
        return f"{grams} g"
    return f"{_strip_decimal(Decimal(grams) / G_PER_UNIT['oz'], 2)} oz"


# --------------------------------------------------------------------------- prices


@dataclass(frozen=True, order=True)
class Money:
    """An amount in minor units (cents) of an ISO 4217 currency."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if self.currency not in CURRENCIES:
            raise ParseError(self.currency, "unsupported currency", what="price")
        if not isinstance(self.amount_minor, int) or self.amount_minor < 0:
            raise ParseError(self.amount_minor, "amount must be a whole number of minor units >= 0", what="price")
        digits = CURRENCIES[self.currency][0]
        if self.amount_minor > MAX_PRICE_MAJOR * 10**digits:
            raise ParseError(self.amount_minor, "absurdly large price", what="price")


_PRICE = re.compile(
    r"(?P<pre>us\$|ca\$|c\$|a\$|usd|eur|gbp|cad|aud|aed|jpy|[$\u20ac\u00a3\u00a5])?\s*"
    r"(?P<num>[0-9][0-9.,\u00a0 ]*[0-9]|[0-9])\s*"
    r"(?P<post>usd|eur|gbp|cad|aud|aed|jpy|[$\u20ac\u00a3\u00a5])?"
)


def parse_price(raw: object, *, default_currency: str | None = None) -> Money:
    """'$2,490', '$49.99', '\u20ac125', '49,99 \u20ac' -> ``Money``.

    Thousands separators must group by three; a decimal comma is accepted only
    for currencies whose shops print one (euro), so '$1,00' is refused rather
    than guessed.
    """
    what = "price"
    text = _precheck(raw, what).lower()
    m = _PRICE.fullmatch(text)
    if not m:
        stray = re.search(r"[0-9]([a-zA-Z])|([a-zA-Z])[0-9]", str(raw))
        if stray:
            letter = stray.group(1) or stray.group(2)
            raise ParseError(raw, f"the letter {letter!r} stands where a digit should", what=what)
        raise ParseError(raw, "expected an amount with a currency such as '$49.99' or '49,99 \u20ac'", what=what)
    if m.group("pre") and m.group("post"):
        raise ParseError(raw, "currency given twice", what=what)
    token = m.group("pre") or m.group("post")
    if token is None:
        if default_currency is None:
            raise ParseError(raw, "no currency given", what=what)
        currency = default_currency
    else:
        currency = _CURRENCY_TOKENS[token]
    digits = CURRENCIES[currency][0]
    value = _price_number(m.group("num"), currency, digits, raw)
    amount = int(value * 10**digits)
    if amount == 0:
        raise ParseError(raw, "a price of zero", what=what)
    if value > MAX_PRICE_MAJOR:
        raise ParseError(raw, f"over {MAX_PRICE_MAJOR:,} {currency}: not a bag price", what=what)
    return Money(amount, currency)


def _price_number(num: str, currency: str, digits: int, raw: object) -> Decimal:
    """Read the amount: the decimal mark is decided by position, never guessed.

    With both ',' and '.', the last one is the decimal mark. With one kind,
    used once before exactly two digits, it is the decimal mark if the
    currency's shops use it (euro: either; others: '.'); before groups of
    three it separates thousands. Anything else is refused as ambiguous.
    """
    what = "price"
    num = num.replace("\u00a0", " ")
    if " " in num:
        if not re.fullmatch(r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]{1,2})?", num):
            raise ParseError(raw, "spaces in the number do not group thousands", what=what)
        num = num.replace(" ", "")
    decimal_marks = {".", ","} if currency in _DECIMAL_COMMA_CURRENCIES else {"."}
    seps = [ch for ch in num if ch in ".,"]
    whole, frac = num, ""
    if seps:
        last = seps[-1]
        head, _, tail = num.rpartition(last)
        if len(set(seps)) == 2 or (seps.count(last) == 1 and len(tail) != 3):
            # ``last`` is a decimal mark.
            if last not in decimal_marks:
                raise ParseError(
                    raw, f"{last!r} before {len(tail)} digit(s) is ambiguous in a {currency} price", what=what
                )
            whole, frac = head, tail
        group = ({".", ","} - {last}).pop() if frac else last
        if group != "," and currency not in _DECIMAL_COMMA_CURRENCIES:
            raise ParseError(raw, f"{group!r} does not separate thousands in a {currency} price", what=what)
        if group in whole:
            if not re.fullmatch(rf"[0-9]{{1,3}}(?:{re.escape(group)}[0-9]{{3}})+", whole):
                raise ParseError(raw, f"{group!r} must separate groups of three digits", what=what)
            whole = whole.replace(group, "")
    if not re.fullmatch(r"[0-9]+", whole) or (frac and not re.fullmatch(r"[0-9]+", frac)):
        raise ParseError(raw, "not a plain amount", what=what)
    if frac and len(frac) != digits:
        raise ParseError(raw, f"{len(frac)} decimal(s); {currency} prices have {digits}", what=what)
    return Decimal(f"{whole}.{frac}" if frac else whole)


def format_price(money: Money) -> str:
    """'$2,490', '$49.99', '\u20ac125'; parses back to the same ``Money``."""
    digits, symbol = CURRENCIES[money.currency]
    major, minor = divmod(money.amount_minor, 10**digits) if digits else (money.amount_minor, 0)
    body = f"{major:,}"
    if minor:
        body += f".{minor:0{digits}d}"
    return f"{symbol}{body}"
