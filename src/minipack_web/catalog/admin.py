"""The editor admin. Saving goes through ``services.catalog_refresh``, so chosen values and findings never go stale.

Photos are an inline on the product; their files are written and deleted by the photo services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from minipack_web.admin_read_only import ReadOnlyMixin
from minipack_web.catalog import selectors, services
from minipack_web.catalog.forms import BagPhotoForm, BagPhotoFormSet, ClaimForm, ProductForm, SourceForm
from minipack_web.catalog.models import BagPhoto, Brand, Claim, Finding, ImportRun, Product, Source


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


class FindingInline(ReadOnlyMixin, admin.TabularInline):
    """The spec checks' findings, for reading: they are rewritten from the claims on every save."""

    model = Finding
    fields = ["severity", "field", "code", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "Findings (from the spec checks; refreshed on save)"


class BagPhotoInline(admin.TabularInline):
    """Editors' photos, first position first. An upload is checked and resized when the product is saved."""

    model = BagPhoto
    form = BagPhotoForm
    formset = BagPhotoFormSet
    # As on SourceAdmin: the admin builds its own form fields, so give the credit link the https default here.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["preview", "image", "alt", "credit", "credit_url", "position", "uploaded"]
    readonly_fields = ["preview", "uploaded"]
    extra = 1
    verbose_name_plural = "Photos (the first one leads the bag page and its guide entries)"

    @admin.display(description="Now")
    def preview(self, obj: BagPhoto) -> str:
        if obj.pk is None or not obj.variants:
            return "–"
        view = selectors.photo_view(obj)
        # Only a width: the height follows the photo's proportions (a style attribute would break the CSP).
        return format_html('<img src="{}" alt="{}" width="120">', view.src, obj.alt)

    @admin.display(description="Uploaded as")
    def uploaded(self, obj: BagPhoto) -> str:
        if obj.pk is None:
            return "–"
        return f"{obj.file_name}, {obj.width} x {obj.height} px"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    form = ProductForm
    list_display = ["name", "category", "exterior", "capacity", "weight", "price", "findings"]
    list_filter = ["category", "brand", "material"]
    search_fields = ["brand__name", "model", "slug", "aliases"]
    list_select_related = ["brand"]
    autocomplete_fields = ["brand"]
    inlines = [ClaimInline, FindingInline, BagPhotoInline]
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
        # Photos last: their files are written outside the database, so nothing that could still fail
        # and roll the save back comes after them.
        photos = [f for f in formsets if f.model is BagPhoto]
        super().save_related(request, form, [f for f in formsets if f.model is not BagPhoto], change)
        services.catalog_refresh(product_ids=[form.instance.pk])
        for formset in photos:
            self.save_formset(request, form, formset, change)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, Any, set[str], Any]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # Findings are derived from the product's claims and go with it; their admin is read-only so
        # nobody edits or deletes one by hand, which must not stop an editor deleting the product.
        perms_needed.discard(str(Finding._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        # One at a time, so each product's photo files go with it.
        for product in queryset:
            services.product_delete(product=product)

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
class FindingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: findings are derived from the claims; fix the claims to change them."""

    list_display = ["product", "severity", "code", "field", "message"]
    list_filter = ["code", "severity"]
    list_select_related = ["product__brand"]
    search_fields = ["product__slug", "message"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Catalog imports, for reading, and how each ended; a run whose process died shows as interrupted.

    Read only, deletion included: it is the record of what each import did, and of which died.
    """

    list_display = ["started_at", "state", "source", "records", "created", "updated", "unchanged", "host", "pid"]
    list_filter = ["status"]
    search_fields = ["source", "digest"]

    @admin.display(description="status", ordering="status")
    def state(self, obj: ImportRun) -> str:
        # Read only: the next import (or `minipack import-history`) records the interruption.
        return "interrupted" if services.import_run_orphaned(obj) else obj.status
