"""catalog_import and catalog_refresh: counts, idempotence, all or nothing, dry runs and derived values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from minipack.catalog import read_catalog_file
from minipack.errors import ImportRowError, MinipackError
from minipack_web.catalog import services
from minipack_web.catalog.models import Brand, Claim, Finding, Product, Source
from minipack_web.catalog.reports import Outcome
from minipack_web.catalog.services import catalog_import, catalog_load_bundled, catalog_refresh

from ..factories import ARTICLE, SHOP, as_records, make_product

pytestmark = pytest.mark.django_db

# Three valid edits to a 1,000-row file, each unlike anything the factory writes.
THREE_CHANGES = {10: ("price", "$1,234.56"), 500: ("weight", "1.5 kg"), 1000: ("material", "Recycled leather")}


def updated_at() -> dict[str, object]:
    return dict(Product.objects.values_list("slug", "updated_at"))


# --------------------------------------------------------------------------- files of 1,000 rows


def test_a_clean_file_creates_one_product_per_row(catalog_file: Callable[..., Path]) -> None:
    records = read_catalog_file(catalog_file(1000))

    report = catalog_import(records=records)

    assert (report.created, report.updated, report.unchanged) == (1000, 0, 0)
    assert Product.objects.count() == 1000
    assert not Product.objects.filter(exterior_a_mm__isnull=True).exists()
    assert Claim.objects.count() == sum(len(r.product.claims) for r in records)


def test_importing_the_same_file_again_changes_nothing(catalog_file: Callable[..., Path]) -> None:
    records = read_catalog_file(catalog_file(1000))
    catalog_import(records=records)
    before, claims = updated_at(), Claim.objects.count()

    report = catalog_import(records=records)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 1000)
    assert updated_at() == before
    assert Claim.objects.count() == claims
    assert report.sources_created == 0


def test_three_changed_rows_update_three_products_only(catalog_file: Callable[..., Path]) -> None:
    catalog_import(records=read_catalog_file(catalog_file(1000)))
    before = updated_at()

    report = catalog_import(records=read_catalog_file(catalog_file(1000, bad=THREE_CHANGES, name="edited.csv")))

    assert (report.created, report.updated, report.unchanged) == (0, 3, 997)
    after = updated_at()
    changed = {slug for slug in before if after[slug] != before[slug]}
    assert changed == {r.slug for r in report.changed}
    assert sorted(r.line for r in report.changed) == [11, 501, 1001]
    assert Product.objects.filter(price_minor=123456).count() == 1
    assert Product.objects.filter(weight_g=1500).count() == 1
    assert Product.objects.filter(material="Recycled leather").count() == 1
    # Replaced, not added: still one claim per field and source.
    assert Claim.objects.filter(field="price", published="$1,234.56").count() == 1
    assert Claim.objects.filter(product__price_minor=123456, field="price").count() == 1


def test_a_dry_run_reports_everything_and_writes_nothing(
    catalog_file: Callable[..., Path], table_counts: Callable[[], dict[str, int]]
) -> None:
    before = table_counts()

    report = catalog_import(records=read_catalog_file(catalog_file(1000)), dry_run=True)

    assert report.dry_run
    assert (report.created, report.updated, report.unchanged) == (1000, 0, 0)
    assert table_counts() == before


def test_a_dry_run_of_edits_leaves_the_stored_values(catalog_file: Callable[..., Path]) -> None:
    catalog_import(records=read_catalog_file(catalog_file(1000)))
    before = (updated_at(), list(Claim.objects.values_list("pk", "published").order_by("pk")))

    report = catalog_import(
        records=read_catalog_file(catalog_file(1000, bad=THREE_CHANGES, name="edited.csv")), dry_run=True
    )

    assert (report.created, report.updated, report.unchanged) == (0, 3, 997)
    assert (updated_at(), list(Claim.objects.values_list("pk", "published").order_by("pk"))) == before
    assert not Product.objects.filter(price_minor=123456).exists()


def test_a_file_with_bad_rows_is_refused_whole_with_every_problem(
    catalog_file: Callable[..., Path], table_counts: Callable[[], dict[str, int]]
) -> None:
    before = table_counts()
    path = catalog_file(1000, bad={734: ("price", "$2,49O"), 901: ("exterior", "10 x 13 in")})

    with pytest.raises(ImportRowError) as caught:
        catalog_import(records=read_catalog_file(path))

    # Row i of the factory's file is on line i + 1 (the header is line 1).
    problems = [(p.line, p.column, p.raw) for p in caught.value.problems]
    assert problems == [(735, "price", "$2,49O"), (902, "exterior", "10 x 13 in")]
    assert all(p.reason for p in caught.value.problems)
    assert table_counts() == before


def test_a_1000_row_import_takes_a_bounded_number_of_queries(
    catalog_file: Callable[..., Path], django_assert_max_num_queries: Callable[..., object]
) -> None:
    records = read_catalog_file(catalog_file(1000))

    # Bulk fetches, then bulk writes in batches that Django sizes to SQLite's 999 bound parameters
    # (~50 products or ~160 claims per INSERT): about 85 queries for 1,000 rows and 6,000 claims, not 7,000.
    with django_assert_max_num_queries(120):  # type: ignore[attr-defined]
        catalog_import(records=records)


# --------------------------------------------------------------------------- semantics on small records


def test_an_error_half_way_rolls_the_whole_import_back(
    monkeypatch: pytest.MonkeyPatch, table_counts: Callable[[], dict[str, int]]
) -> None:
    before = table_counts()

    def fail(**kwargs: object) -> dict[str, int]:  # called after products, sources and claims are written
        raise MinipackError("simulated failure after the products and claims were written")

    monkeypatch.setattr(services, "catalog_refresh", fail)
    with pytest.raises(MinipackError):
        catalog_import(records=as_records(make_product(), make_product("herschel-nova-mini", brand="Herschel")))

    assert table_counts() == before


def test_a_record_replaces_only_the_claims_of_its_own_sources() -> None:
    catalog_import(records=as_records(make_product()))
    article = make_product(claims={"exterior": "8 x 11 x 5 in", "price": "$70"}, source=ARTICLE)

    report = catalog_import(records=as_records(article))

    assert report.updated == 1
    assert Claim.objects.filter(source__kind="manufacturer").count() == 5
    assert Claim.objects.filter(source__kind="article").count() == 2

    edited = make_product(claims={"exterior": "21 W x 30 H x 13 D cm", "weight": "230 g"})
    catalog_import(records=as_records(edited))

    maker = Claim.objects.filter(source__kind="manufacturer")
    assert sorted(maker.values_list("field", "published")) == [
        ("exterior", "21 W x 30 H x 13 D cm"),
        ("weight", "230 g"),
    ]
    assert Claim.objects.filter(source__kind="article").count() == 2


def test_a_changed_identity_counts_as_updated() -> None:
    catalog_import(records=as_records(make_product()))

    report = catalog_import(records=as_records(make_product(colourways=("Black",))))

    assert report.updated == 1
    assert Product.objects.get().colourways == ["Black"]


def test_several_records_of_one_product_in_one_file() -> None:
    records = as_records(make_product(), make_product(claims={"price": "$75"}, source=SHOP))

    report = catalog_import(records=records)

    assert (report.created, report.products) == (2, 1)
    assert Product.objects.count() == 1
    assert Source.objects.count() == 2
    assert catalog_import(records=records).unchanged == 2


def test_two_spellings_of_one_brand_are_refused_clearly(table_counts: Callable[[], dict[str, int]]) -> None:
    Brand.objects.create(name="Fjallraven", slug="fjallraven")
    before = table_counts()

    with pytest.raises(MinipackError, match="slug 'fjallraven'"):
        catalog_import(records=as_records(make_product()))

    assert table_counts() == before


def test_chosen_values_follow_the_core_precedence_rule() -> None:
    records = as_records(
        make_product(),
        make_product(claims={"exterior": "8 x 11 x 5 in", "capacity": "9 L", "price": "$70"}, source=ARTICLE),
        make_product(claims={"price": "$75.50"}, source=SHOP),
    )

    catalog_import(records=records)

    product = Product.objects.get()
    # The maker's size beats the article's; its axis labels and unit are kept for display.
    assert (product.exterior_a_mm, product.exterior_b_mm, product.exterior_c_mm) == (200, 290, 130)
    assert (product.exterior_axes, product.exterior_unit) == ("WHD", "cm")
    assert (product.capacity_ml, product.capacity_high_ml, product.weight_g) == (7000, 7000, 220)
    # The newest dated price wins whatever its kind.
    assert (product.price_minor, product.price_currency, product.price_date_stated) == (7550, "USD", "2025-01-10")
    codes = set(product.findings.values_list("code", flat=True))
    assert "conflicting_claims" in codes


def test_canonical_claim_values_are_stored_for_queries() -> None:
    catalog_import(records=as_records(make_product()))

    values = dict(Claim.objects.values_list("field", "value"))

    assert values["exterior"] == {"mm": [200, 290, 130], "axes": "WHD", "unit": "cm"}
    assert values["capacity"] == {"low_ml": 7000, "high_ml": 7000}
    assert values["weight"] == 220
    assert values["price"] == {"amount_minor": 8000, "currency": "USD"}


def test_refresh_rewrites_findings_without_touching_updated_at() -> None:
    catalog_import(records=as_records(make_product(claims={"exterior": "20 x 29 x 13 cm", "weight": "220 g"})))
    product = Product.objects.get()
    Finding.objects.all().delete()
    Product.objects.update(weight_g=1)  # stale derived value

    counts = catalog_refresh(product_ids=[product.pk])

    refreshed = Product.objects.get()
    assert refreshed.weight_g == 220
    assert refreshed.updated_at == product.updated_at
    assert sum(counts.values()) == Finding.objects.count() > 0


def test_the_bundled_catalog_loads_through_the_same_path() -> None:
    report = catalog_load_bundled()

    assert report.created == len(report.results) > 0
    assert Product.objects.count() == report.products
    again = catalog_load_bundled()
    assert again.unchanged == len(again.results)


def test_report_outcomes_are_per_record() -> None:
    report = catalog_import(records=as_records(make_product()))

    assert [(r.line, r.slug, r.outcome) for r in report.results] == [(2, "fjallraven-kanken-mini", Outcome.CREATED)]


def test_progress_bars_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    catalog_import(records=as_records(make_product()), progress=True)

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "import" in captured.err and "checks" in captured.err
