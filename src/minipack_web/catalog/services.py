"""Writes to the catalog: importing records, refreshing what is derived from the claims, storing photos.

Everything here runs inside ``transaction.atomic``: an import is all or
nothing (a bad file was refused before we get here, and any later error rolls
the whole import back, a full disk or a killed process included). Only its
``ImportRun`` row is written outside that transaction, so that an import
which never finished is still on record. Queries are bounded: existing rows
are fetched in bulk up front and written with bulk operations, never one
query per claim.

The rules stay in the core: ``merge_records`` decides whether a file's rows
agree, ``core.Product.chosen`` picks the value a page shows,
``checks.run_checks`` writes the findings. This module only moves their
answers in and out of the database.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from django.db import DatabaseError, transaction
from django.utils import timezone
from tqdm import tqdm

import minipack.records as core
from minipack.catalog import ImportRecord, bundled_catalog, claim_to_text, merge_records
from minipack.checks import Finding, run_checks
from minipack.errors import MinipackError
from minipack.photos import PreparedPhoto, Variant, check_alt_text
from minipack.units import Capacity, Dimensions, Money
from minipack_web.caching import invalidate_pages
from minipack_web.catalog import models
from minipack_web.catalog.reports import ImportReport, Outcome, RecordResult, severity_counts
from minipack_web.catalog.selectors import photo_root, product_to_record

logger = logging.getLogger(__name__)

# Keeps every `IN (...)` list under SQLite's historic limit of 999 bound parameters.
CHUNK = 900

T = TypeVar("T")

# (field, published text, note): what makes two stored claims the same, for "unchanged".
ClaimRow = tuple[str, str, str]
SourceKey = tuple[str, str, str]


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- values stored for core records


def claim_canonical_value(claim: core.Claim) -> Any:
    """The JSON form of a claim's value, in canonical integers (mm, ml, g, minor units), for queries."""
    value = claim.value
    if isinstance(value, Dimensions):
        return {"mm": list(value.mm), "axes": "".join(value.axes) if value.axes else "", "unit": value.unit}
    if isinstance(value, Capacity):
        return {"low_ml": value.low_ml, "high_ml": value.high_ml}
    if isinstance(value, Money):
        return {"amount_minor": value.amount_minor, "currency": value.currency}
    if isinstance(value, frozenset):
        return sorted(value)
    return value  # int grams, or text (category, material)


def source_values(source: core.Source) -> dict[str, Any]:
    """The columns of a ``models.Source`` row for a core source (the sortable date included)."""
    year, month, day = source.date.key if source.date.key else (None, None, None)
    return {
        "title": source.title,
        "url": source.url,
        "date_stated": source.date.stated,
        "date_year": year,
        "date_month": month,
        "date_day": day,
        "kind": source.kind.value,
    }


def claim_row(claim: core.Claim) -> ClaimRow:
    return (claim.field, models.encode_published(claim_to_text(claim)), claim.note)


def _chosen_values(product: core.Product) -> dict[str, Any]:
    """The denormalised columns of ``models.Product``: the values the core's choice rule picks."""
    exterior = product.chosen("exterior")
    capacity = product.chosen("capacity")
    weight = product.chosen("weight")
    price = product.chosen("price")
    material = product.chosen("material")
    dims: Dimensions | None = exterior.value if exterior else None
    cap: Capacity | None = capacity.value if capacity else None
    money: Money | None = price.value if price else None
    return {
        "exterior_a_mm": dims.mm[0] if dims else None,
        "exterior_b_mm": dims.mm[1] if dims else None,
        "exterior_c_mm": dims.mm[2] if dims else None,
        "exterior_axes": "".join(dims.axes) if dims and dims.axes else "",
        "exterior_unit": dims.unit if dims else "",
        "capacity_ml": cap.low_ml if cap else None,
        "capacity_high_ml": cap.high_ml if cap else None,
        "weight_g": weight.value if weight else None,
        "price_minor": money.amount_minor if money else None,
        "price_currency": money.currency if money else "",
        "price_date_stated": price.source.date.stated if price else "",
        "material": material.value if material else "",
    }


CHOSEN_FIELDS = tuple(_chosen_values(core.Product("x", "x", "x", "backpack")).keys())


# --------------------------------------------------------------------------- refresh


def catalog_refresh(*, product_ids: Iterable[int], progress: bool = False) -> dict[str, int]:
    """Re-derive, from the stored claims, each product's chosen values, claim values and findings.

    The one path by which derived data is written: an import, an editor's
    save in the admin and ``check_catalog --refresh`` all come here. Returns
    the findings now stored for these products, counted by severity.
    """
    ids = sorted(set(product_ids))
    counts: dict[str, int] = defaultdict(int)
    with (
        transaction.atomic(),
        tqdm(total=len(ids), desc="checks", unit="product", disable=not progress, file=sys.stderr) as bar,
    ):
        # Bulk updates send no model signals: say here that the public pages are out of date (once committed).
        invalidate_pages()
        for chunk in _chunks(ids):
            for severity, n in _refresh_chunk(chunk).items():
                counts[severity] += n
            bar.update(len(chunk))
    return dict(counts)


def _refresh_chunk(ids: Sequence[int]) -> dict[str, int]:
    products = list(models.Product.objects.filter(pk__in=ids).select_related("brand").with_claims())
    sources: dict[int, core.Source] = {}
    changed_products: list[models.Product] = []
    changed_claims: list[models.Claim] = []
    findings: list[tuple[models.Product, Finding]] = []
    for product in products:
        record = product_to_record(product, sources=sources)
        # Claims come back in the prefetched order, so they pair with the rows that made them.
        for row, claim in zip(product.claims.all(), record.claims, strict=True):
            value = claim_canonical_value(claim)
            if row.value != value:
                row.value = value
                changed_claims.append(row)
        chosen = _chosen_values(record)
        if any(getattr(product, name) != value for name, value in chosen.items()):
            for name, value in chosen.items():
                setattr(product, name, value)
            changed_products.append(product)
        findings.extend((product, f) for f in run_checks(record))
    # Derived values do not move updated_at: it records when the catalog data changed.
    models.Product.objects.bulk_update(changed_products, CHOSEN_FIELDS)
    models.Claim.objects.bulk_update(changed_claims, ["value"])
    models.Finding.objects.filter(product_id__in=ids).delete()
    models.Finding.objects.bulk_create(
        models.Finding(
            product=product,
            field=f.field,
            code=f.code,
            severity=f.severity,
            message=f.message,
            evidence=f.as_dict()["evidence"],
        )
        for product, f in findings
    )
    return severity_counts(f for _, f in findings)


# --------------------------------------------------------------------------- import


def catalog_import(
    *,
    records: Sequence[ImportRecord],
    dry_run: bool = False,
    progress: bool = False,
    source: str = "",
    digest: str = "",
) -> ImportReport:
    """Upsert products by slug and replace, per (product, source), the stored claims with the records' claims.

    All or nothing. A record counts as ``created`` when its product is new,
    ``updated`` when the product's identity or the claims of one of the
    record's sources differ from what is stored, else ``unchanged``; only
    created and updated products are written, refreshed and re-checked.
    With ``dry_run`` the whole import runs and is then rolled back, so the
    report is exactly what a real run would say.

    A real run is recorded as an ``ImportRun`` (``source`` and ``digest``
    name the file); first, runs whose process died are marked
    ``interrupted``, and the report's notices say so.
    """
    # The core merges each product's records (the file readers have already refused rows that disagree).
    catalog = merge_records(records)
    interrupted: list[models.ImportRun] = []
    run = None
    if not dry_run:
        interrupted = import_runs_reconcile()
        run = _import_run_start(source=source, digest=digest, records=len(records))
    try:
        with transaction.atomic():
            report = _Import(list(records), {p.slug: p for p in catalog.products}, progress=progress).run()
            # bulk_create/bulk_update send no model signals; a dry run rolls back, which cancels this too.
            invalidate_pages()
            if dry_run:
                transaction.set_rollback(True)
    except BaseException as exc:
        if run is not None:
            _import_run_end(run, failure=exc)
        raise
    if run is not None:
        _import_run_end(run, report=report)
    return replace(report, dry_run=dry_run, notices=tuple(_interrupted_notice(r) for r in interrupted))


def catalog_load_bundled(*, dry_run: bool = False, progress: bool = False) -> ImportReport:
    """Import the catalog shipped with Minipack, through the same path as a file."""
    products = bundled_catalog().products
    return catalog_import(
        records=[ImportRecord(line=i, product=p) for i, p in enumerate(products, start=1)],
        dry_run=dry_run,
        progress=progress,
        source="the bundled catalog",
    )


# --------------------------------------------------------------------------- import runs (RELIABILITY check 25)


def import_runs_reconcile() -> list[models.ImportRun]:
    """Mark ``interrupted`` the runs still ``running`` whose process on this host has gone; return them.

    A run recorded by another host is left as it is: from here we cannot
    tell whether its process still lives.
    """
    running = models.ImportRun.objects.filter(status=models.ImportRun.Status.RUNNING, host=socket.gethostname())
    gone = [run for run in running if import_run_orphaned(run)]
    now = timezone.now()
    for run in gone:
        run.status = models.ImportRun.Status.INTERRUPTED
        run.finished_at = now
        run.message = "Its process ended before the import finished; none of its rows were kept."
    models.ImportRun.objects.bulk_update(gone, ["status", "finished_at", "message"])
    return gone


def import_run_orphaned(run: models.ImportRun) -> bool:
    """True when ``run`` is recorded as running but its process, on this host, has ended."""
    return run.status == models.ImportRun.Status.RUNNING and run.host == socket.gethostname() and _process_gone(run.pid)


def _process_gone(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # another user's process: it exists
        return False
    # A killed process that its parent has not reaped yet still answers signal 0; a zombie has ended too.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _import_run_start(*, source: str, digest: str, records: int) -> models.ImportRun:
    # Called outside a transaction (the commands), this commits at once: before the import's own transaction
    # starts, so a process killed during it leaves this row behind.
    return models.ImportRun.objects.create(
        source=source[:500] or "(records given directly)",
        digest=digest,
        records=records,
        host=socket.gethostname()[:255],
        pid=os.getpid(),
        started_at=timezone.now(),
    )


def _import_run_end(
    run: models.ImportRun, *, report: ImportReport | None = None, failure: BaseException | None = None
) -> None:
    run.finished_at = timezone.now()
    if report is not None:
        run.status = models.ImportRun.Status.SUCCEEDED
        run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    elif isinstance(failure, KeyboardInterrupt):
        run.status = models.ImportRun.Status.INTERRUPTED
        run.message = "Stopped (Ctrl-C) before it finished; none of its rows were kept."
    else:
        run.status = models.ImportRun.Status.FAILED
        run.message = f"{type(failure).__name__}: {failure}"[:2000]
    try:
        run.save(update_fields=["status", "finished_at", "created", "updated", "unchanged", "message"])
    except DatabaseError:
        # The import's own outcome (kept or rolled back) stands; the row stays `running`, and the next
        # import marks it interrupted. Raising here would hide the error that matters.
        logger.warning("could not record the end of import run %s", run.pk, exc_info=True)


def _interrupted_notice(run: models.ImportRun) -> str:
    return (
        f"An earlier import of {run.source} (started {run.started_at:%Y-%m-%d %H:%M:%S} UTC, process {run.pid}) "
        "was interrupted before it finished: none of its rows were kept."
    )


@dataclass
class _Import:
    """One import's working state; ``run`` does the queries in a fixed, small number of bulk steps."""

    records: list[ImportRecord]
    identities: dict[str, core.Product]
    progress: bool = False
    sources_created: int = 0

    def run(self) -> ImportReport:
        now = timezone.now()
        brands = self._brands()
        sources = self._sources()
        existing = self._existing_products()
        stored = self._stored_claims([p.pk for p in existing.values()])

        # What the file says, per (product, source): the union of its records' claims, without exact repeats.
        wanted: dict[tuple[str, SourceKey], dict[ClaimRow, core.Claim]] = defaultdict(dict)
        record_pairs: list[set[SourceKey]] = []
        for record in tqdm(self.records, desc="import", unit="record", disable=not self.progress, file=sys.stderr):
            keys = set()
            for claim in record.product.claims:
                wanted[(record.product.slug, claim.source.key)].setdefault(claim_row(claim), claim)
                keys.add(claim.source.key)
            record_pairs.append(keys)

        changed_pairs = {
            pair
            for pair, rows in wanted.items()
            if pair[0] not in existing or sorted(rows) != stored.get((existing[pair[0]].pk, sources[pair[1]].pk), [])
        }
        identity_changed = {
            slug for slug, product in existing.items() if _identity(product) != _record_identity(self.identities[slug])
        }

        results = []
        for record, keys in zip(self.records, record_pairs, strict=True):
            slug = record.product.slug
            if slug not in existing:
                outcome = Outcome.CREATED
            elif slug in identity_changed or any((slug, key) in changed_pairs for key in keys):
                outcome = Outcome.UPDATED
            else:
                outcome = Outcome.UNCHANGED
            results.append(RecordResult(line=record.line, slug=slug, outcome=outcome))

        created = self._create_products(brands, existing)
        updated = self._update_products(
            brands, existing, {r.slug for r in results if r.outcome is Outcome.UPDATED}, now
        )
        products = {**existing, **created}
        self._replace_claims(products, sources, stored, {pair: wanted[pair] for pair in changed_pairs})
        findings = catalog_refresh(product_ids=[p.pk for p in (*created.values(), *updated)], progress=self.progress)
        return ImportReport(
            results=tuple(results), dry_run=False, sources_created=self.sources_created, findings=findings
        )

    def _brands(self) -> dict[str, models.Brand]:
        names = sorted({p.brand for p in self.identities.values()})
        brands = {b.name: b for chunk in _chunks(names) for b in models.Brand.objects.filter(name__in=chunk)}
        missing = {name: core.slugify(name) for name in names if name not in brands}
        if missing:
            # Two spellings of one brand ('Fjällräven', 'Fjallraven') share a slug: say so instead of an IntegrityError.
            taken = {
                b.slug: b.name
                for chunk in _chunks(sorted(missing.values()))
                for b in models.Brand.objects.filter(slug__in=chunk)
            }
            seen: dict[str, str] = {}
            for name, slug in missing.items():
                other = taken.get(slug) or seen.get(slug)
                if other is not None:
                    raise MinipackError(f"brand {name!r} would share the slug {slug!r} with brand {other!r}")
                seen[slug] = name
            new = models.Brand.objects.bulk_create([models.Brand(name=n, slug=s) for n, s in missing.items()])
            brands.update((b.name, b) for b in new)
        return brands

    def _sources(self) -> dict[SourceKey, models.Source]:
        wanted: dict[SourceKey, core.Source] = {}
        for record in self.records:
            for claim in record.product.claims:
                wanted.setdefault(claim.source.key, claim.source)
        urls = sorted({s.url for s in wanted.values() if s.url})
        titles = sorted({s.title for s in wanted.values() if not s.url})
        found = [s for chunk in _chunks(urls) for s in models.Source.objects.filter(url__in=chunk)]
        found += [s for chunk in _chunks(titles) for s in models.Source.objects.filter(url="", title__in=chunk)]
        # A stored source matched by key keeps its title: the key (URL, date, kind) says it is the same document.
        sources = {s.natural_key: s for s in found if s.natural_key in wanted}
        new = [models.Source(**source_values(s)) for key, s in wanted.items() if key not in sources]
        for source in models.Source.objects.bulk_create(new):
            sources[source.natural_key] = source
        self.sources_created = len(new)
        return sources

    def _existing_products(self) -> dict[str, models.Product]:
        slugs = sorted(self.identities)
        return {
            p.slug: p
            for chunk in _chunks(slugs)
            for p in models.Product.objects.filter(slug__in=chunk).select_related("brand")
        }

    def _stored_claims(self, product_ids: list[int]) -> dict[tuple[int, int], list[ClaimRow]]:
        stored: dict[tuple[int, int], list[ClaimRow]] = defaultdict(list)
        for chunk in _chunks(product_ids):
            rows = models.Claim.objects.filter(product_id__in=chunk).values_list(
                "product_id", "source_id", "field", "published", "note"
            )
            for product_id, source_id, field, published, note in rows:
                stored[(product_id, source_id)].append((field, published, note))
        return {pair: sorted(rows) for pair, rows in stored.items()}

    def _create_products(
        self, brands: dict[str, models.Brand], existing: dict[str, models.Product]
    ) -> dict[str, models.Product]:
        # A new product's claims are all in this import, so its chosen values are known now; writing them with
        # the insert spares the refresh an UPDATE per batch (it still checks them against the stored claims).
        new = [
            models.Product(slug=slug, brand=brands[p.brand], **_record_fields(p), **_chosen_values(p))
            for slug, p in self.identities.items()
            if slug not in existing
        ]
        return {p.slug: p for p in models.Product.objects.bulk_create(new)}

    def _update_products(
        self,
        brands: dict[str, models.Brand],
        existing: dict[str, models.Product],
        slugs: set[str],
        now: Any,
    ) -> list[models.Product]:
        changed = []
        for slug in sorted(slugs):
            product, record = existing[slug], self.identities[slug]
            product.brand = brands[record.brand]
            for name, value in _record_fields(record).items():
                setattr(product, name, value)
            product.updated_at = now  # bulk_update does not apply auto_now
            changed.append(product)
        models.Product.objects.bulk_update(
            changed, ["brand", "model", "category", "colourways", "aliases", "updated_at"]
        )
        return changed

    def _replace_claims(
        self,
        products: dict[str, models.Product],
        sources: dict[SourceKey, models.Source],
        stored: dict[tuple[int, int], list[ClaimRow]],
        changed: dict[tuple[str, SourceKey], dict[ClaimRow, core.Claim]],
    ) -> None:
        stale = [
            (products[slug].pk, sources[key].pk)
            for slug, key in changed
            if (products[slug].pk, sources[key].pk) in stored
        ]
        by_product: dict[int, set[int]] = defaultdict(set)
        for product_id, source_id in stale:
            by_product[product_id].add(source_id)
        doomed = []
        for chunk in _chunks(sorted(by_product)):
            rows = models.Claim.objects.filter(product_id__in=chunk).values_list("pk", "product_id", "source_id")
            doomed += [pk for pk, product_id, source_id in rows if source_id in by_product[product_id]]
        for chunk in _chunks(doomed):
            models.Claim.objects.filter(pk__in=chunk).delete()
        models.Claim.objects.bulk_create(
            models.Claim(
                product=products[slug],
                source=sources[key],
                field=field,
                published=published,
                note=note,
                value=claim_canonical_value(claim),
            )
            for (slug, key), rows in changed.items()
            for (field, published, note), claim in rows.items()
        )


def _record_fields(product: core.Product) -> dict[str, Any]:
    return {
        "model": product.model,
        "category": product.category,
        "colourways": list(product.colourways),
        "aliases": list(product.aliases),
    }


def _record_identity(product: core.Product) -> tuple[Any, ...]:
    return (product.brand, *_record_fields(product).values())


def _identity(product: models.Product) -> tuple[Any, ...]:
    return (product.brand.name, product.model, product.category, product.colourways, product.aliases)


# --------------------------------------------------------------------------- photos
#
# The files of a photo are its variants, named by a hash of their bytes (minipack.photos). Two photos
# whose pixels are identical (the same picture uploaded twice, or once with and once without its
# metadata) share files, so a file is deleted only when no remaining row names it. Files are written
# before the row and removed again if anything fails; deletions wait for the commit, so a rolled-back
# delete never loses a file a row still names.


def bag_photo_create(
    *,
    product: models.Product,
    photo: PreparedPhoto,
    alt: str,
    credit: str = "",
    credit_url: str = "",
    position: int = 0,
) -> models.BagPhoto:
    """Store a prepared photo of ``product``: all or nothing (no row and none of its new files on failure).

    ``PhotoError`` when the alt text is refused, before anything is written.
    """
    row = models.BagPhoto(
        product=product,
        position=position,
        alt=check_alt_text(alt, file_name=photo.file_name),
        credit=credit.strip(),
        credit_url=credit_url,
    )
    _set_upload(row, photo)
    with _stored(photo.variants), transaction.atomic():
        row.save()
    return row


def bag_photo_update(
    *,
    row: models.BagPhoto,
    alt: str,
    credit: str = "",
    credit_url: str = "",
    position: int = 0,
    photo: PreparedPhoto | None = None,
) -> models.BagPhoto:
    """Change a photo's text and place; with ``photo``, also its picture (the old files go once committed)."""
    row.alt = check_alt_text(alt, file_name=photo.file_name if photo else row.file_name)
    row.credit, row.credit_url, row.position = credit.strip(), credit_url, position
    if photo is None:
        row.save()
        return row
    old_names = row.file_names
    _set_upload(row, photo)
    with _stored(photo.variants), transaction.atomic():
        row.save()
        _remove_files_on_commit(old_names)
    return row


def bag_photo_delete(*, row: models.BagPhoto) -> None:
    """Delete a photo; its files go once the deletion is committed, unless another photo names them."""
    names = row.file_names
    with transaction.atomic():
        row.delete()
        _remove_files_on_commit(names)


def product_delete(*, product: models.Product) -> None:
    """Delete a product with its claims, findings and photos, and then the photos' files."""
    names = [name for row in product.photos.all() for name in row.file_names]
    with transaction.atomic():
        product.delete()
        _remove_files_on_commit(names)


def bag_photo_files_prune(*, older_than_s: float = 3600.0) -> list[str]:
    """Remove photo files no row names, older than ``older_than_s`` (so an upload in progress is left alone).

    The backstop for files a crash or an outer rollback left behind; returns the names removed.
    """
    root = photo_root()
    if not root.is_dir():
        return []
    named = _named_files()
    cutoff = time.time() - older_than_s
    removed = []
    for path in sorted(root.iterdir()):
        # Also half-written temporary files, which start with a dot.
        if path.is_file() and path.name not in named and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def _set_upload(row: models.BagPhoto, photo: PreparedPhoto) -> None:
    row.file_name = photo.file_name[:255]
    row.digest = photo.digest
    row.width, row.height = photo.width, photo.height
    row.variants = [
        {"name": v.name, "width": v.width, "height": v.height, "format": v.extension} for v in photo.variants
    ]


@contextmanager
def _stored(variants: Sequence[Variant]) -> Iterator[None]:
    """Write the variants' files; if the block fails, remove the ones this call created, and re-raise."""
    created = _write_files(variants)
    try:
        yield
    except BaseException:
        _unlink(created)
        raise


def _write_files(variants: Sequence[Variant]) -> list[Path]:
    root = photo_root()
    root.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    try:
        for variant in variants:
            path = root / variant.name
            if path.exists():  # the same bytes, already stored for another photo
                continue
            # Write beside the target, then rename: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(variant.data)
                os.chmod(tmp, 0o644)  # mkstemp makes 0600; a front server reading MEDIA_ROOT needs to read it
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            created.append(path)
    except BaseException:
        _unlink(created)
        raise
    return created


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _named_files() -> set[str]:
    # Every row's variants: a few names per photo, and JSON containment is not portable to SQLite.
    return {v["name"] for variants in models.BagPhoto.objects.values_list("variants", flat=True) for v in variants}


def _remove_files_on_commit(names: Iterable[str]) -> None:
    candidates = set(names)

    def remove() -> None:
        root = photo_root()
        _unlink(root / name for name in candidates - _named_files())

    transaction.on_commit(remove)
