"""Editor forms: each one asks the core to read what the editor typed, and shows its refusal as a form error.

``core_errors`` is the one place where a ``MinipackError`` becomes a
``ValidationError``; the message is the core's own (input and reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

import minipack.records as core
from minipack.catalog import claim_from_text
from minipack.errors import MinipackError
from minipack_web.catalog.models import Claim, Product, Source
from minipack_web.catalog.selectors import source_to_record
from minipack_web.catalog.services import claim_canonical_value, source_values


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
