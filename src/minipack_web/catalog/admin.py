"""The editor admin. Saving goes through ``services.catalog_refresh``, so chosen values and findings never go stale."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from minipack_web.catalog import selectors, services
from minipack_web.catalog.forms import ClaimForm, ProductForm, SourceForm
from minipack_web.catalog.models import Brand, Claim, Finding, Product, Source


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request: HttpRequest, obj: Brand, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A product's name includes its brand, and the category check reads the name.
        services.catalog_refresh(product_ids=selectors.product_ids_of(brand=obj))


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    # The admin builds its own form fields; give its URL field the same https default as SourceForm.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "kind", "date_stated", "url"]
    list_filter = ["kind"]
    search_fields = ["title", "url"]

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A source's kind and date decide which claim wins, for every product citing it.
        services.catalog_refresh(product_ids=selectors.product_ids_citing(source=obj))


class ClaimInline(admin.TabularInline):
    model = Claim
    form = ClaimForm
    extra = 1
    autocomplete_fields = ["source"]


class FindingInline(admin.TabularInline):
    """The spec checks' findings, for reading: they are rewritten from the claims on every save."""

    model = Finding
    fields = ["severity", "field", "code", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Findings (from the spec checks; refreshed on save)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "category", "exterior", "capacity", "weight", "price", "findings"]
    list_filter = ["category", "brand", "material"]
    search_fields = ["brand__name", "model", "slug", "aliases"]
    list_select_related = ["brand"]
    autocomplete_fields = ["brand"]
    inlines = [ClaimInline, FindingInline]
    actions = ["refresh"]
    fieldsets = [
        (None, {"fields": ["slug", "brand", "model", "category", "colourways", "aliases"]}),
        (
            "Chosen values (from the claims, by the precedence rule)",
            {"fields": ["exterior", "capacity", "weight", "price", "price_date_stated", "material"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    readonly_fields = [
        "exterior",
        "capacity",
        "weight",
        "price",
        "price_date_stated",
        "material",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return super().get_queryset(request).with_finding_counts()

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.catalog_refresh(product_ids=[form.instance.pk])

    @admin.action(description="Re-run the spec checks and refresh chosen values")
    def refresh(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        counts = services.catalog_refresh(product_ids=queryset.values_list("pk", flat=True))
        summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "no findings"
        self.message_user(request, f"Refreshed {queryset.count()} product(s): {summary}.")

    @admin.display(description="Name", ordering="model")
    def name(self, obj: Product) -> str:
        return obj.name

    @admin.display(description="Exterior (published order)")
    def exterior(self, obj: Product) -> str:
        row = selectors.product_row(obj)
        return f"{row.exterior_in} / {row.exterior_cm}" if row.exterior_cm else "–"

    @admin.display(ordering="capacity_ml")
    def capacity(self, obj: Product) -> str:
        return selectors.product_row(obj).capacity or "–"

    @admin.display(ordering="weight_g")
    def weight(self, obj: Product) -> str:
        return selectors.product_row(obj).weight or "–"

    @admin.display(ordering="price_minor")
    def price(self, obj: Product) -> str:
        row = selectors.product_row(obj)
        return f"{row.price} ({row.price_date})" if row.price else "–"

    @admin.display(ordering="finding_count")
    def findings(self, obj: Product) -> int:
        return getattr(obj, "finding_count", 0)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """Read-only: findings are derived from the claims; fix the claims to change them."""

    list_display = ["product", "severity", "code", "field", "message"]
    list_filter = ["code", "severity"]
    list_select_related = ["product__brand"]
    search_fields = ["product__slug", "message"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
