"""The "For you" form: a shopper's constraints and weights, read into ``minipack.rank.Preferences``.

Every value arrives in the query string, so a personal top 10 can be shared as a link. Texts are read
by the core's strict parsers (``minipack.units``: prices, volumes, weights, lengths), choices come from
the core's own lists (features, categories, airlines with a personal-item rule, the item library and
the common kits), and the ``Preferences`` constructor has the last word. A value that cannot be used
is an error on its field with the core's reason; the view shows them on a 400 page. Parameters the
form does not know are ignored, as on the other pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from minipack.airlines import load_airline_rules
from minipack.errors import MinipackError
from minipack.fit import Item
from minipack.fit.items import distinct_names, load_item_library
from minipack.rank import CRITERIA, Preferences, Weights
from minipack.records import CATEGORIES, FEATURES
from minipack.units import (
    CURRENCIES,
    MAX_INPUT_CHARS,
    Money,
    parse_length_mm,
    parse_price,
    parse_volume_ml,
    parse_weight_g,
)
from minipack_web.catalog.fit_forms import (
    KITS_BY_KEY,
    MAX_KIT_ITEMS,
    LibraryGroup,
    LibraryItemsField,
    ProblemsMixin,
    library_groups,
)

MAX_WEIGHT = 10.0  # only ratios matter; ten times another criterion is already all but everything
MAX_MATERIALS = 10

WEIGHT_LABELS = {
    "price": "Price (cheaper is better)",
    "capacity": "Capacity (roomier is better)",
    "weight": "Weight (lighter is better)",
    "organisation": "Organisation (more pockets and sleeves is better)",
}


def _text(label: str, example: str) -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=MAX_INPUT_CHARS,
        label=label,
        help_text=f"e.g. {example}",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _personal_item_airlines() -> list[tuple[str, str]]:
    """Airlines with a personal-item rule, by name: the only ones the personal-item constraint can check."""
    names = {rule.iata: rule.airline for rule in load_airline_rules() if rule.kind == "personal"}
    return sorted(((code, f"{name} ({code})") for code, name in names.items()), key=lambda c: c[1])


class ForYouForm(ProblemsMixin, forms.Form):
    """Hard constraints (every one optional) and the four criterion weights; ``preferences()`` once valid."""

    currency = forms.ChoiceField(
        required=False, choices=[(c, c) for c in CURRENCIES], initial="USD", label="Currency of a plain number"
    )
    budget_min = _text("Spend at least", "50 or $50")
    budget_max = _text("Spend at most", "100 or $100")
    min_capacity = _text("At least this roomy", "5 L")
    max_capacity = _text("At most this roomy", "10 L")
    max_weight = _text("At most this heavy (empty)", "500 g or 1 lb")
    max_depth = _text("At most this deep", "12 cm or 5 in")
    must = forms.MultipleChoiceField(
        required=False,
        choices=sorted(FEATURES.items(), key=lambda kv: kv[1]),
        widget=forms.CheckboxSelectMultiple,
        label="It must have",
        error_messages={"invalid_choice": "no feature called %(value)s; known: " + ", ".join(FEATURES)},
    )
    category = forms.MultipleChoiceField(
        required=False,
        choices=[(c, c.capitalize()) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        label="Only these kinds of bag",
        error_messages={"invalid_choice": "no category called %(value)s; known: " + ", ".join(CATEGORIES)},
    )
    material = _text("Made of one of these", "leather, canvas")
    not_material = _text("Not made of any of these", "polyester")
    airline = forms.MultipleChoiceField(
        required=False,
        choices=_personal_item_airlines,
        widget=forms.CheckboxSelectMultiple,
        label="Goes as a personal item on",
        error_messages={"invalid_choice": "no personal-item rule for the airline %(value)s"},
    )
    kit = forms.ChoiceField(
        required=False,
        choices=[("", "No common kit"), *((key, kit.name) for key, kit in KITS_BY_KEY.items())],
        label="A common kit it must hold",
        error_messages={"invalid_choice": "no common kit called %(value)s; the kits are " + ", ".join(KITS_BY_KEY)},
    )
    item = LibraryItemsField(required=False, label="Things it must hold")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = Weights()
        for name in CRITERIA:
            self.fields[f"w_{name}"] = forms.FloatField(
                required=False,
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=getattr(defaults, name),
                label=WEIGHT_LABELS[name],
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )
        self._preferences: Preferences | None = None

    # ------------------------------------------------------------------ one field at a time

    def _parsed(self, name: str, parse: Any) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return parse(text)
        except MinipackError as exc:
            raise ValidationError(str(exc)) from exc

    def _money(self, name: str) -> Money | None:
        currency = self.cleaned_data.get("currency") or "USD"
        money: Money | None = self._parsed(name, lambda t: parse_price(t, default_currency=currency))
        return money

    def clean_budget_min(self) -> Money | None:
        return self._money("budget_min")

    def clean_budget_max(self) -> Money | None:
        return self._money("budget_max")

    def clean_min_capacity(self) -> int | None:
        # A stated range ('5-7 L') asks for its low end as a minimum: the bag must be at least that.
        capacity = self._parsed("min_capacity", parse_volume_ml)
        return None if capacity is None else int(capacity.low_ml)

    def clean_max_capacity(self) -> int | None:
        capacity = self._parsed("max_capacity", parse_volume_ml)
        return None if capacity is None else int(capacity.high_ml)

    def clean_max_weight(self) -> int | None:
        grams: int | None = self._parsed("max_weight", parse_weight_g)
        return grams

    def clean_max_depth(self) -> int | None:
        depth: int | None = self._parsed("max_depth", parse_length_mm)
        return depth

    def _materials(self, name: str) -> tuple[str, ...]:
        terms = tuple(t.strip() for t in (self.cleaned_data.get(name) or "").split(",") if t.strip())
        if len(terms) > MAX_MATERIALS:
            raise ValidationError(f"{len(terms)} materials given; name at most {MAX_MATERIALS}")
        return terms

    def clean_material(self) -> tuple[str, ...]:
        return self._materials("material")

    def clean_not_material(self) -> tuple[str, ...]:
        return self._materials("not_material")

    # ------------------------------------------------------------------ the whole form

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None:
            if low.currency != high.currency:
                self.add_error("budget_max", f"is in {high.currency} but the minimum is in {low.currency}")
                return data
            if low.amount_minor > high.amount_minor:
                self.add_error("budget_max", "is below the minimum you will spend")
                return data
        low_ml, high_ml = data.get("min_capacity"), data.get("max_capacity")
        if low_ml is not None and high_ml is not None and low_ml > high_ml:
            self.add_error("max_capacity", "is below the minimum capacity")
            return data
        kit = self._kit(data)
        if len(kit) > MAX_KIT_ITEMS:
            self.add_error("item", f"{len(kit)} things chosen; a bag can be asked to hold at most {MAX_KIT_ITEMS}")
            return data
        budget_currency = next((m.currency for m in (low, high) if m is not None), None)
        weights = {name: data.get(f"w_{name}") for name in CRITERIA}
        try:
            self._preferences = Preferences(
                budget_min=None if low is None else low.amount_minor,
                budget_max=None if high is None else high.amount_minor,
                currency=budget_currency or data.get("currency") or "USD",
                capacity_min_ml=low_ml,
                capacity_max_ml=high_ml,
                max_weight_g=data.get("max_weight"),
                max_depth_mm=data.get("max_depth"),
                must_have=frozenset(data.get("must") or ()),
                materials_include=data.get("material") or (),
                materials_exclude=data.get("not_material") or (),
                categories=frozenset(data.get("category") or ()),
                airlines=tuple(data.get("airline") or ()),
                kit=kit,
                # A cleared weight box means the default weight, not zero: zero is typed on purpose.
                weights=Weights(**{n: getattr(Weights(), n) if w is None else w for n, w in weights.items()}),
            )
        except MinipackError as exc:
            raise ValidationError(str(exc)) from exc
        return data

    def _kit(self, data: dict[str, Any]) -> tuple[Item, ...]:
        library = load_item_library()
        chosen: list[Item] = []
        if data.get("kit"):
            chosen += [library[i].as_item(library[i].name) for i in KITS_BY_KEY[data["kit"]].item_ids if i in library]
        chosen += [library[i].as_item(library[i].name) for i in dict.fromkeys(data.get("item") or ())]
        return tuple(distinct_names(chosen))

    def preferences(self) -> Preferences:
        """The cleaned form as the ranking's ``Preferences``; only after ``is_valid()``."""
        assert self._preferences is not None, "call is_valid() first"
        return self._preferences

    # ------------------------------------------------------------------ for the template

    def library_groups(self) -> tuple[LibraryGroup, ...]:
        return library_groups(self, quantities=False)

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{name}"] for name in CRITERIA]
