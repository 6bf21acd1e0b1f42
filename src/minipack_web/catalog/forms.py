"""Editor forms: each one asks the core to read what the editor typed, and shows its refusal as a form error.

``core_errors`` is the one place where a ``MinipackError`` becomes a
``ValidationError``; the message is the core's own (input and reason).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

import minipack.records as core
from minipack.catalog import claim_from_text
from minipack.errors import MinipackError, PhotoError
from minipack.photos import (
    MAX_BYTES,
    MAX_PIXELS,
    MIN_SHORT_SIDE,
    PreparedPhoto,
    check_alt_text,
    check_upload_size,
    prepare_photo,
)
from minipack.table import TableFilters
from minipack.units import CURRENCIES, MAX_PRICE_MAJOR
from minipack_web.catalog.models import BagPhoto, Brand, Claim, Product, Source
from minipack_web.catalog.selectors import source_to_record
from minipack_web.catalog.services import (
    bag_photo_create,
    bag_photo_delete,
    bag_photo_update,
    claim_canonical_value,
    source_values,
)


@contextmanager
def core_errors(field: str | None = None) -> Iterator[None]:
    """Turn a refusal from the core into a form error on ``field`` (or on the whole form)."""
    try:
        yield
    except MinipackError as exc:
        raise ValidationError({field: str(exc)} if field else str(exc)) from exc


def _text_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError({name: 'Give a JSON list of names, e.g. ["Black", "Frost Green"].'})
    return value


def https_urls(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """Form fields as usual, but a URL typed without a scheme gets https:// (Django 6's default, chosen now)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class SourceForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = ["title", "url", "date_stated", "kind"]
        formfield_callback = https_urls
        help_texts = {
            "date_stated": "YYYY-MM-DD, YYYY-MM or YYYY, optionally followed by words; or 'undated'.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        title, kind = cleaned.get("title"), cleaned.get("kind")
        if title and kind and not self.errors:
            with core_errors():
                source = core.Source(
                    title=title,
                    kind=core.ClaimKind(kind),
                    date=core.SourceDate.parse(cleaned.get("date_stated")),
                    url=cleaned.get("url", ""),
                )
            # The sortable date key is derived, as for an imported source.
            for name, value in source_values(source).items():
                setattr(self.instance, name, value)
            cleaned["date_stated"] = source.date.stated
        return cleaned


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["slug", "brand", "model", "category", "colourways", "aliases"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            # An emptied JSON box means "none", not null.
            cleaned["colourways"] = _text_list(cleaned.get("colourways") or [], "colourways")
            cleaned["aliases"] = _text_list(cleaned.get("aliases") or [], "aliases")
            with core_errors():
                core.Product(
                    slug=cleaned["slug"],
                    brand=cleaned["brand"].name,
                    model=cleaned["model"],
                    category=cleaned["category"],
                    colourways=tuple(cleaned["colourways"]),
                    aliases=tuple(cleaned["aliases"]),
                )
        return cleaned


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["field", "published", "source", "note"]
        widgets = {
            "published": forms.TextInput(attrs={"size": 30}),
            "note": forms.TextInput(attrs={"size": 20}),
        }
        help_texts = {"published": "As printed, e.g. '8 W x 11 H x 4.75 D in'; features separated by ';'."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        field, published, source = cleaned.get("field"), cleaned.get("published"), cleaned.get("source")
        if field and published and source:
            with core_errors("published"):
                claim = claim_from_text(field, published, source_to_record(source), note=cleaned.get("note", ""))
            self.instance.value = claim_canonical_value(claim)
        return cleaned


# --------------------------------------------------------------------------- the all-bags table and compare
#
# Both pages take their state from the query string, so a view can be shared as a link. Each parameter
# is checked here; a bad one is a 400 page that names it. Parameters these forms do not know are
# ignored. A single-valued parameter given twice takes its last value (QueryDict.get's rule);
# ``features`` and ``bags`` are lists and take every value.

UNIT_CHOICES = [("in", "Inches (in, oz)"), ("cm", "Centimetres (cm, g)")]
SORT_CHOICES = [
    ("name", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("price", "Price, lowest first"),
    ("-price", "Price, highest first"),
    ("capacity", "Capacity, smallest first"),
    ("-capacity", "Capacity, largest first"),
    ("weight", "Weight, lightest first"),
    ("-weight", "Weight, heaviest first"),
    ("depth", "Depth, slimmest first"),
    ("-depth", "Depth, deepest first"),
]
FORMAT_CHOICES = [("html", "Web page"), ("csv", "CSV")]
MAX_LITRES = Decimal(200)
RANGE_FIELDS = ("price_min", "price_max", "litres_min", "litres_max", "depth_max", "weight_max", "material")


def _number(**kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=9, **kwargs)


class TableForm(forms.Form):
    """The filters, sort and units of ``/table/``; ``filters()`` turns them into the core's ``TableFilters``."""

    price_min = _number(label="Price from", max_value=MAX_PRICE_MAJOR)
    price_max = _number(label="Price up to", max_value=MAX_PRICE_MAJOR)
    litres_min = _number(label="Capacity from (L)", max_value=MAX_LITRES)
    litres_max = _number(label="Capacity up to (L)", max_value=MAX_LITRES)
    depth_max = forms.IntegerField(required=False, min_value=1, max_value=5000, label="Depth up to (mm)")
    weight_max = forms.IntegerField(required=False, min_value=1, max_value=50_000, label="Weight up to (g)")
    material = forms.CharField(required=False, max_length=100, label="Material contains")
    features = forms.MultipleChoiceField(
        required=False,
        choices=sorted(core.FEATURES.items(), key=lambda kv: kv[1]),
        widget=forms.CheckboxSelectMultiple,
        label="Has all of these features",
    )
    brand = forms.ChoiceField(required=False, label="Brand")
    category = forms.ChoiceField(
        required=False, choices=[("", "Any category"), *[(c, c.capitalize()) for c in core.CATEGORIES]]
    )
    units = forms.ChoiceField(required=False, choices=UNIT_CHOICES, label="Units")
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label="Sort by")
    format = forms.ChoiceField(required=False, choices=FORMAT_CHOICES)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        brand_field = self.fields["brand"]
        assert isinstance(brand_field, forms.ChoiceField)
        brand_field.choices = [("", "Any brand"), *Brand.objects.order_by("name").values_list("slug", "name")]
        for name in ("price_min", "price_max"):
            self.fields[name].label = f"{self.fields[name].label} ({currency})"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in (("price_min", "price_max"), ("litres_min", "litres_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, f"is less than {low}")
        return data

    def filters(self) -> TableFilters:
        data = self.cleaned_data
        digits = CURRENCIES[self.currency][0]
        return TableFilters(
            price_min_minor=_scaled(data.get("price_min"), 10**digits),
            price_max_minor=_scaled(data.get("price_max"), 10**digits),
            capacity_min_ml=_scaled(data.get("litres_min"), 1000),
            capacity_max_ml=_scaled(data.get("litres_max"), 1000),
            depth_max_mm=data.get("depth_max"),
            weight_max_g=data.get("weight_max"),
            material=data.get("material") or "",
            features=frozenset(data.get("features") or ()),
            brand=data.get("brand") or "",
            category=data.get("category") or "",
            sort=data.get("sort") or "name",
        )

    def range_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in RANGE_FIELDS]

    @property
    def chosen_units(self) -> str:
        return str(self.cleaned_data.get("units") or "in")

    @property
    def wants_csv(self) -> bool:
        return self.cleaned_data.get("format") == "csv"


def _scaled(value: Decimal | None, factor: int) -> int | None:
    return None if value is None else int((value * factor).to_integral_value(rounding=ROUND_HALF_UP))


MIN_COMPARE, MAX_COMPARE = 2, 6
_SLUG_SHAPE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class SlugListField(forms.Field):
    """Bag slugs from ``bags=a,b`` or ``bags=a&bags=b`` (or both), in the order given."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = value if isinstance(value, list) else [value] if value else []
        return [s.strip() for v in values for s in str(v).split(",") if s.strip()]


class CompareForm(forms.Form):
    bags = SlugListField(error_messages={"required": "name 2 to 6 bags, e.g. ?bags=a,b"})
    diff = forms.ChoiceField(required=False, choices=[("", "all rows"), ("0", "all rows"), ("1", "differences")])

    def clean_bags(self) -> list[str]:
        slugs: list[str] = self.cleaned_data["bags"]
        if len(slugs) > MAX_COMPARE:
            raise ValidationError(f"{len(slugs)} bags given; compare at most {MAX_COMPARE} at a time")
        if len(slugs) < MIN_COMPARE:
            raise ValidationError(f"{len(slugs)} bag given; compare at least {MIN_COMPARE}")
        repeated = sorted(s for s, n in Counter(slugs).items() if n > 1)
        if repeated:
            raise ValidationError(f"{', '.join(repeated)} given more than once")
        malformed = [s for s in slugs if len(s) > 80 or not _SLUG_SHAPE.fullmatch(s)]
        if malformed:
            raise ValidationError(f"not a bag address: {', '.join(repr(s[:80]) for s in malformed)}")
        known = set(Product.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = [s for s in slugs if s not in known]
        if unknown:
            raise ValidationError(f"no bag called {', '.join(unknown)}")
        return slugs

    @property
    def only_differences(self) -> bool:
        return self.cleaned_data.get("diff") == "1"


# --------------------------------------------------------------------------- photos


class BagPhotoForm(forms.ModelForm):
    """One photo in the product admin: the upload is checked and its variants made here, so every refusal
    (not an image, damaged, too large, too small, alt text missing or a file name) is a form error naming
    the file and the reason. ``prepared`` holds the accepted photo for the formset's save."""

    image = forms.FileField(
        label="Photo",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=(
            f"JPEG, PNG or WebP; up to {MAX_BYTES // 1024 // 1024} MB and {MAX_PIXELS // 1_000_000} megapixels, "
            f"at least {MIN_SHORT_SIDE} px on the short side. Location and camera data are removed. "
            "Leave empty to keep the current photo."
        ),
    )

    class Meta:
        model = BagPhoto
        fields = ["image", "alt", "credit", "credit_url", "position"]
        formfield_callback = https_urls

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # check_alt_text refuses a blank one, naming the file, instead of a bare "This field is required."
        self.fields["alt"].required = False
        self.prepared: PreparedPhoto | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("image")
        # Each check adds its own error, so an editor sees every problem with the row at once.
        if upload is not None:
            try:
                check_upload_size(upload.size or 0, file_name=upload.name or "")
                self.prepared = prepare_photo(upload.read(), file_name=upload.name or "")
            except PhotoError as exc:
                self.add_error("image", str(exc))
            else:
                self._refuse_duplicate()
        elif self.instance.pk is None:
            self.add_error("image", "Choose a photo to upload.")
        file_name = upload.name if upload is not None else self.instance.file_name
        if file_name:
            try:
                cleaned["alt"] = check_alt_text(cleaned.get("alt") or "", file_name=file_name)
            except PhotoError as exc:
                self.add_error("alt", str(exc))
        return cleaned

    def _refuse_duplicate(self) -> None:
        product_id = self.instance.product_id
        if self.prepared is None or product_id is None:
            return
        same = BagPhoto.objects.filter(product_id=product_id, digest=self.prepared.digest).exclude(pk=self.instance.pk)
        if same.exists():
            self.add_error("image", f"“{self.prepared.file_name}”: this bag already has this photo.")


class BagPhotoFormSet(forms.BaseInlineFormSet):
    """Saves through the photo services, so files and rows are written, replaced and deleted together."""

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> BagPhoto:
        photo = form.prepared  # type: ignore[attr-defined]
        return bag_photo_create(product=self.instance, photo=photo, **_photo_fields(form))

    def save_existing(self, form: forms.ModelForm, obj: BagPhoto, commit: bool = True) -> BagPhoto:
        return bag_photo_update(row=obj, photo=form.prepared, **_photo_fields(form))  # type: ignore[attr-defined]

    def delete_existing(self, obj: BagPhoto, commit: bool = True) -> None:
        if commit:
            bag_photo_delete(row=obj)


def _photo_fields(form: forms.ModelForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "alt": data["alt"],
        "credit": data.get("credit", ""),
        "credit_url": data.get("credit_url", ""),
        "position": data.get("position") or 0,
    }
