"""Catalog tables. They mirror ``minipack.records``: a product holds claims, each from a dated, typed source.

The chosen values on ``Product`` (sizes, capacity, weight, price, material)
are a denormalised copy for listing and sorting; ``services.catalog_refresh``
recomputes them from the claims with the core's choice rule, so the claims
stay the truth. Invariants a row must satisfy live here as database
constraints, not in Python.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Coalesce, Length, NullIf, Trim
from django.db.models.lookups import GreaterThan

from minipack.checks import SEVERITIES
from minipack.records import CATEGORIES, FIELDS, ClaimKind

CATEGORY_CHOICES = [(c, c.capitalize()) for c in CATEGORIES]
FIELD_CHOICES = [(f, f.capitalize()) for f in FIELDS]
KIND_CHOICES = [(k.value, k.value.capitalize()) for k in ClaimKind]
SEVERITY_CHOICES = [(s, s.capitalize()) for s in SEVERITIES]


class Brand(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """A document a claim was read from: the same document read on the same date is one source.

    The date is kept twice: ``date_stated`` in the source's own words
    ('2020 (page title)', 'undated') and ``date_year/month/day`` as the
    sortable reading of it (0 for a part the source leaves out, all NULL when
    it has no year), as ``minipack.records.SourceDate`` does.
    """

    title = models.CharField(max_length=500)
    url = models.URLField(max_length=1000, blank=True)
    date_stated = models.CharField(max_length=200, default="undated")
    date_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    date_month = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    date_day = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)

    class Meta:
        ordering = ["title", "date_stated"]
        constraints = [
            # records.Source.key: (url or title, date as stated, kind).
            models.UniqueConstraint(
                Coalesce(NullIf("url", models.Value("")), "title"),
                "date_stated",
                "kind",
                name="catalog_source_natural_key",
                violation_error_message="This document, read on this date, is already a source of this kind.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ClaimKind]), name="catalog_source_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(date_year__isnull=True, date_month__isnull=True, date_day__isnull=True)
                | Q(date_year__isnull=False, date_month__isnull=False, date_day__isnull=False),
                name="catalog_source_date_key_complete",
            ),
            models.CheckConstraint(
                condition=Q(date_month__isnull=True) | Q(date_month__lte=12), name="catalog_source_date_month_range"
            ),
            models.CheckConstraint(
                condition=Q(date_day__isnull=True) | Q(date_day__lte=31), name="catalog_source_date_day_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.date_stated}, {self.kind})"

    @property
    def natural_key(self) -> tuple[str, str, str]:
        return (self.url or self.title, self.date_stated, self.kind)


class ProductQuerySet(models.QuerySet["Product"]):
    def listed(self) -> ProductQuerySet:
        """Products as the catalog lists them: every product, with its brand, by brand and model."""
        return self.select_related("brand").order_by("brand__name", "model", "slug")

    def with_claims(self) -> ProductQuerySet:
        """Prefetch the claims and their sources, so rebuilding core records costs two queries in all."""
        return self.prefetch_related(
            Prefetch("claims", queryset=Claim.objects.select_related("source").order_by("field", "pk"))
        )

    def with_finding_counts(self) -> ProductQuerySet:
        return self.annotate(finding_count=Count("findings"))


class Product(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    model = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=CATEGORY_CHOICES)
    colourways = models.JSONField(default=list, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # An import sets this itself (bulk_update skips auto_now), and only on rows that changed.
    updated_at = models.DateTimeField(auto_now=True)

    # Chosen values, copied from the claims by services.catalog_refresh. NULL: no source gives it.
    exterior_a_mm = models.PositiveIntegerField(null=True, blank=True, editable=False)
    exterior_b_mm = models.PositiveIntegerField(null=True, blank=True, editable=False)
    exterior_c_mm = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The chosen claim's axis labels ('WHD') and unit, so a page can print the size the way the source did.
    exterior_axes = models.CharField(max_length=3, blank=True, editable=False)
    exterior_unit = models.CharField(max_length=2, blank=True, editable=False)
    # A range ('5-7 L') keeps both ends; capacity_ml (the low end) is what lists sort by.
    capacity_ml = models.PositiveIntegerField(null=True, blank=True, editable=False)
    capacity_high_ml = models.PositiveIntegerField(null=True, blank=True, editable=False)
    weight_g = models.PositiveIntegerField(null=True, blank=True, editable=False)
    price_minor = models.BigIntegerField(null=True, blank=True, editable=False)
    price_currency = models.CharField(max_length=3, blank=True, editable=False)
    price_date_stated = models.CharField(max_length=200, blank=True, editable=False)
    material = models.CharField(max_length=200, blank=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=list(CATEGORIES)), name="catalog_product_category_known"),
            models.CheckConstraint(
                condition=Q(exterior_a_mm__isnull=True, exterior_b_mm__isnull=True, exterior_c_mm__isnull=True)
                | Q(exterior_a_mm__gt=0, exterior_b_mm__gt=0, exterior_c_mm__gt=0),
                name="catalog_product_exterior_positive",
            ),
            models.CheckConstraint(
                condition=Q(capacity_ml__isnull=True, capacity_high_ml__isnull=True)
                | Q(capacity_ml__gt=0, capacity_high_ml__gte=models.F("capacity_ml")),
                name="catalog_product_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(weight_g__isnull=True) | Q(weight_g__gt=0), name="catalog_product_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(price_minor__isnull=True, price_currency="")
                | (Q(price_minor__gte=0) & ~Q(price_currency="")),
                name="catalog_product_price_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.brand.name} {self.model}"


def encode_published(value: str | list[str]) -> str:
    """The text a claim is stored as: a feature list joined with '; ', which ``claim_from_text`` reads back."""
    return value if isinstance(value, str) else "; ".join(value)


class Claim(models.Model):
    """One value for one field, as one source stated it.

    ``published`` is the text as printed ('8 W x 11 H x 4.75 D in'; for
    features the codes separated by '; ') and is what the core re-reads;
    ``value`` is the canonical reading (mm, ml, g, minor units) kept for
    queries, rewritten by the service whenever the text changes.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="claims")
    field = models.CharField(max_length=20, choices=FIELD_CHOICES)
    published = models.TextField()
    note = models.TextField(blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="claims")
    value = models.JSONField(editable=False)

    class Meta:
        ordering = ["product_id", "field", "pk"]
        indexes = [models.Index(fields=["product", "source"], name="catalog_claim_product_source")]
        constraints = [
            models.CheckConstraint(condition=Q(field__in=list(FIELDS)), name="catalog_claim_field_known"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.published}"


class Finding(models.Model):
    """What ``minipack.checks`` said about a product the last time its claims changed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="findings")
    field = models.CharField(max_length=20)
    code = models.CharField(max_length=60)
    severity = models.CharField(max_length=10, choices=SEVERITY_CHOICES)
    message = models.TextField()
    # [{"label": ..., "value": ...}], as minipack.checks.Finding.as_dict() writes it.
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["product_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=list(SEVERITIES)), name="catalog_finding_severity_known"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.code}: {self.message}"


class BagPhotoQuerySet(models.QuerySet["BagPhoto"]):
    def shown(self) -> BagPhotoQuerySet:
        """Photos in the order a page shows them: by the editor's position, then oldest first."""
        return self.order_by("product_id", "position", "pk")


class BagPhoto(models.Model):
    """An editor's photo of a product, stored only as the resized variants ``minipack.photos`` made of it.

    ``variants`` lists every stored file: [{"name", "width", "height",
    "format"}], names relative to ``MEDIA_ROOT / PHOTO_DIR``, each a hash of
    its own bytes. The upload itself is not kept: it may carry a GPS position.
    Files are written and deleted by ``services.bag_photo_*`` only.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first; the first photo leads.")
    alt = models.CharField(
        "alt text",
        max_length=250,
        help_text="What the photo shows, for people who cannot see it: 'The Kånken Mini in Frost Green, front view'.",
    )
    credit = models.CharField(
        max_length=300, blank=True, help_text="Who took the photo, or where it is from: 'Photo: Fjällräven press kit'."
    )
    credit_url = models.URLField("credit link", max_length=1000, blank=True)
    file_name = models.CharField(max_length=255, editable=False)  # as uploaded, for editors
    digest = models.CharField(max_length=64, editable=False)  # SHA-256 of the upload: the same file twice
    width = models.PositiveIntegerField(editable=False)  # the upload's size, upright
    height = models.PositiveIntegerField(editable=False)
    variants = models.JSONField(default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BagPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "position", "pk"]
        verbose_name = "photo"
        constraints = [
            # The form refuses blank alt text with a reason; this keeps any other path from storing one.
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("alt")), 0), name="catalog_bagphoto_alt_not_blank"
            ),
            models.CheckConstraint(condition=Q(width__gt=0, height__gt=0), name="catalog_bagphoto_size_positive"),
        ]

    def __str__(self) -> str:
        return self.alt

    @property
    def file_names(self) -> list[str]:
        return [v["name"] for v in self.variants]


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def recent(self) -> ImportRunQuerySet:
        return self.order_by("-started_at", "-pk")


class ImportRun(models.Model):
    """One catalog import that was meant to write (a dry run leaves no trace): what it read and how it ended.

    The row is committed in its own short transaction before the import's
    all-or-nothing transaction begins, so an import killed halfway (SIGKILL,
    a restart, a power cut) leaves it behind as ``running`` while every row
    the import wrote is gone. ``services.import_runs_reconcile`` then marks
    it ``interrupted`` once its process is gone, which is what an operator
    reads after a crash (RELIABILITY check 25).
    """

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"  # refused or rolled back with an error (a full disk); nothing was written
        INTERRUPTED = "interrupted"  # its process died or was stopped mid-way; nothing was written

    source = models.CharField(max_length=500, help_text="The file as named on the command line, or where it came from.")
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the file, to tell two files apart.")
    records = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    # Where the importing process ran: how a later run tells a dead import from one still going.
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(null=True, blank=True)
    updated = models.PositiveIntegerField(null=True, blank=True)
    unchanged = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="Why it failed or stopped.")

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["running", "succeeded", "failed", "interrupted"]),
                name="catalog_importrun_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="running", finished_at__isnull=True)
                | (~Q(status="running") & Q(finished_at__isnull=False)),
                name="catalog_importrun_finished_unless_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.status}, {self.started_at:%Y-%m-%d %H:%M} UTC)"
