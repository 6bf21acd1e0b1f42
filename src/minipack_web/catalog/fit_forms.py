"""The "Will my things fit?" form: library items with a quantity each, common kits, and the reader's own things.

The whole question lives in the query string, so an answer can be shared as a link. Every value is read
by the core (the item library, ``minipack.units.parse_dimensions``, ``minipack.fit.Item``); a value it
refuses is a form error on that field with the core's reason, which the view shows on a 400 page.
Parameters the form does not know are ignored, as on the other pages.

The cleaned form gives the kit as engine ``Item``s named as a shopper reads them ('Apple iPhone 15'),
each name distinct (``minipack.fit.items.distinct_names``): proofs, what to leave out and the packing
pictures all name items.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.http import QueryDict
from django.utils.text import slugify

from minipack.errors import MinipackError
from minipack.fit import Item
from minipack.fit.items import MAX_NAME_CHARS, LibraryItem, UnknownItemError, distinct_names, load_item_library
from minipack.kits import COMMON_KITS, Kit
from minipack.units import MAX_INPUT_CHARS, parse_dimensions
from minipack_web.catalog.fit_selectors import item_size_text

# Fewer than the engine's limit (50): one page answers for every bag at once, and a kit this large
# already leaves no bag standing.
MAX_KIT_ITEMS = 40
MAX_QUANTITY = 10
CUSTOM_ROWS = 8
# Without JavaScript a form cannot grow, so it shows the filled rows plus a couple of empty ones.
MIN_CUSTOM_ROWS_SHOWN = 3
SPARE_CUSTOM_ROWS = 2

CATEGORY_LABELS = {
    "phone": "Phones",
    "e-reader": "E-readers",
    "tablet": "Tablets",
    "audio": "Earbuds and audio",
    "power-bank": "Power banks",
    "bottle": "Bottles",
    "umbrella": "Umbrellas",
    "glasses": "Glasses",
    "wallet": "Wallets",
    "document": "Documents",
    "cosmetics": "Make-up and cosmetics",
    "hygiene": "Hygiene",
    "stationery": "Stationery",
    "keys": "Keys",
}


def kit_key(kit: Kit) -> str:
    """A common kit's name in the query string: 'day-out' for "Day out"."""
    return slugify(kit.name)


KITS_BY_KEY = {kit_key(kit): kit for kit in COMMON_KITS}


def _field_label(name: str) -> str:
    """How the 400 page names a field: the query-string parameter the reader can find in the link."""
    return "your selection" if name == "__all__" else name


class ProblemsMixin:
    """``problems()``: every bad field and why, as (parameter, reasons) for the page's error summary."""

    errors: Any

    def problems(self) -> list[tuple[str, str]]:
        return [(_field_label(name), " ".join(str(m) for m in messages)) for name, messages in self.errors.items()]


class LibraryItemsField(forms.MultipleChoiceField):
    """Item-library ids, ticked as checkboxes (``item=iphone-15&item=bifold-wallet``)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[(item.id, item.name) for item in load_item_library()], **kwargs)

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        library = load_item_library()
        problems = []
        for v in value:
            if v in library:
                continue
            close = difflib.get_close_matches(v, library.ids, n=3, cutoff=0.6)
            # With close ids, the core's own refusal says what was meant; its other hint is for the CLI.
            problems.append(str(UnknownItemError(v[:80], close)) if close else f"no item {v[:80]!r} in our library")
        if problems:
            raise ValidationError(problems, code="invalid_choice")


@dataclass(frozen=True)
class LibraryChoice:
    """One library item on the form: its checkbox, its quantity box and what it is."""

    item: LibraryItem
    box: BoundWidget  # this item's checkbox in the multiple-choice field
    quantity: forms.BoundField | None  # None on a form that takes one of each
    size: str


@dataclass(frozen=True)
class LibraryGroup:
    label: str
    choices: tuple[LibraryChoice, ...]


@dataclass(frozen=True)
class KitChoice:
    box: BoundWidget
    items: str  # the kit's items, by name


@dataclass(frozen=True)
class CustomRow:
    number: int
    name: forms.BoundField
    size: forms.BoundField
    soft: forms.BoundField


def library_groups(form: forms.Form, field: str = "item", quantities: bool = True) -> tuple[LibraryGroup, ...]:
    """The library's checkboxes of ``form[field]`` grouped by category, in the library's order."""
    boxes = {box.data["value"]: box for box in form[field]}
    groups = []
    for category, items in load_item_library().by_category().items():
        choices = tuple(
            LibraryChoice(
                item=item,
                box=boxes[item.id],
                quantity=form[f"qty-{item.id}"] if quantities else None,
                size=item_size_text(item),
            )
            for item in items
        )
        groups.append(LibraryGroup(CATEGORY_LABELS.get(category, category.replace("-", " ").capitalize()), choices))
    return tuple(groups)


class FitForm(ProblemsMixin, forms.Form):
    """What to pack: ``item`` ids with ``qty-<id>`` each, ``kit`` keys, and rows ``c<N>-name/size/soft``."""

    item = LibraryItemsField(required=False, label="Things from our library")
    kit = forms.MultipleChoiceField(
        required=False,
        choices=[(kit_key(kit), kit.name) for kit in COMMON_KITS],
        widget=forms.CheckboxSelectMultiple,
        label="Common kits",
        error_messages={"invalid_choice": "no common kit called %(value)s; the kits are " + ", ".join(KITS_BY_KEY)},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in load_item_library():
            self.fields[f"qty-{item.id}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_QUANTITY,
                initial=1,
                label=f"How many: {item.name}",
                # An empty box means one: the placeholder says so once a submitted form comes back.
                widget=forms.NumberInput(attrs={"class": "qty", "inputmode": "numeric", "placeholder": "1"}),
            )
        for n in range(1, CUSTOM_ROWS + 1):
            self.fields[f"c{n}-name"] = forms.CharField(
                required=False,
                max_length=MAX_NAME_CHARS,
                label="Name",
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"c{n}-size"] = forms.CharField(
                required=False,
                max_length=MAX_INPUT_CHARS,
                label="Size",
                widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "20 x 10 x 3 cm"}),
            )
            self.fields[f"c{n}-soft"] = forms.BooleanField(required=False, label="Soft: it squashes into gaps")
        self.kit_items: tuple[Item, ...] = ()

    # ------------------------------------------------------------------ cleaning

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        library = load_item_library()
        chosen: list[Item] = []
        for key in data.get("kit") or ():
            chosen += [library[i].as_item(library[i].name) for i in KITS_BY_KEY[key].item_ids if i in library]
        # A link may name an item twice; the quantity is how to ask for more.
        for item_id in dict.fromkeys(data.get("item") or ()):
            # A quantity is read only for a ticked item; an empty box means one.
            count = data.get(f"qty-{item_id}") or 1
            chosen += [library[item_id].as_item(library[item_id].name)] * count
        chosen += self._custom_items(data)
        if len(chosen) > MAX_KIT_ITEMS:
            raise ValidationError(
                f"{len(chosen)} things chosen; we check at most {MAX_KIT_ITEMS} at a time. Leave some out, "
                "or lower a quantity."
            )
        self.kit_items = tuple(distinct_names(chosen))
        return data

    def _custom_items(self, data: dict[str, Any]) -> list[Item]:
        items = []
        for n in range(1, CUSTOM_ROWS + 1):
            name = " ".join((data.get(f"c{n}-name") or "").split())
            size = (data.get(f"c{n}-size") or "").strip()
            soft = bool(data.get(f"c{n}-soft"))
            if not name and not size:
                continue  # an empty row, even with 'soft' ticked, asks nothing
            if not name:
                self.add_error(f"c{n}-name", f"give the thing of size {size[:40]!r} a name")
                continue
            if not name.isprintable():
                self.add_error(f"c{n}-name", f"{name[:40]!r}: the name has control or unprintable characters")
                continue
            if not size:
                self.add_error(f"c{n}-size", f"give a size for {name!r}, e.g. 20 x 10 x 3 cm or 8 x 4 x 1 in")
                continue
            try:
                dims = parse_dimensions(size)
                a, b, c = dims.sorted_mm
                items.append(Item(name=name, dims_mm=(a, b, c), rigid=not soft))
            except MinipackError as exc:
                self.add_error(f"c{n}-size", str(exc))
        return items

    # ------------------------------------------------------------------ for the template

    @property
    def asked(self) -> bool:
        """Whether the reader asked a question (a bound form), as opposed to just opening the page."""
        return self.is_bound

    def library_groups(self) -> tuple[LibraryGroup, ...]:
        return library_groups(self)

    def kit_choices(self) -> tuple[KitChoice, ...]:
        library = load_item_library()
        return tuple(
            KitChoice(box, ", ".join(library[i].name for i in KITS_BY_KEY[box.data["value"]].item_ids if i in library))
            for box in self["kit"]
        )

    def custom_rows(self) -> tuple[CustomRow, ...]:
        filled = [n for n in range(1, CUSTOM_ROWS + 1) if self._raw(f"c{n}-name") or self._raw(f"c{n}-size")]
        shown = min(CUSTOM_ROWS, max(MIN_CUSTOM_ROWS_SHOWN, (max(filled) if filled else 0) + SPARE_CUSTOM_ROWS))
        return tuple(
            CustomRow(n, self[f"c{n}-name"], self[f"c{n}-size"], self[f"c{n}-soft"]) for n in range(1, shown + 1)
        )

    def _raw(self, name: str) -> str:
        return str(self.data.get(name, "")).strip() if self.is_bound else ""

    def share_query(self) -> str:
        """The shortest query string that asks the same question (no empty rows, no quantities of one)."""
        if not self.is_bound or self.errors:
            return ""
        data = self.cleaned_data
        query = QueryDict(mutable=True)
        query.setlist("kit", list(data.get("kit") or ()))
        query.setlist("item", list(data.get("item") or ()))
        for item_id in data.get("item") or ():
            if (data.get(f"qty-{item_id}") or 1) > 1:
                query[f"qty-{item_id}"] = str(data[f"qty-{item_id}"])
        rows: Iterable[int] = (n for n in range(1, CUSTOM_ROWS + 1) if (data.get(f"c{n}-size") or "").strip())
        for k, n in enumerate(rows, start=1):
            query[f"c{k}-name"] = " ".join(data[f"c{n}-name"].split())
            query[f"c{k}-size"] = data[f"c{n}-size"].strip()
            if data.get(f"c{n}-soft"):
                query[f"c{k}-soft"] = "on"
        return "?" + query.urlencode() if query else ""
