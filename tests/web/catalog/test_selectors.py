"""Selectors: core records rebuilt from the database, and the rows of the catalog table."""

from __future__ import annotations

import pytest

from minipack.checks import run_checks
from minipack_web.catalog.models import Product
from minipack_web.catalog.selectors import catalog_products, product_list, product_to_record
from minipack_web.catalog.services import catalog_import

from ..factories import ARTICLE, SHOP, as_records, make_product

pytestmark = pytest.mark.django_db


def claim_set(product: object) -> set[tuple[object, ...]]:
    return {(c.field, c.value, c.source, c.published, c.note) for c in product.claims}  # type: ignore[attr-defined]


def test_a_product_read_back_equals_the_record_imported() -> None:
    imported = make_product(claims={"exterior": "20 W x 29 H x 13 D cm", "features": ["front_pocket", "rain_flap"]})
    catalog_import(records=as_records(imported))

    rebuilt = product_to_record(Product.objects.with_claims().get())

    assert (rebuilt.slug, rebuilt.brand, rebuilt.model, rebuilt.category) == (
        imported.slug,
        imported.brand,
        imported.model,
        imported.category,
    )
    assert rebuilt.colourways == imported.colourways
    assert claim_set(rebuilt) == claim_set(imported)
    assert run_checks(rebuilt) == run_checks(imported)


def test_catalog_products_lists_every_product_with_all_its_sources() -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product(claims={"price": "$70"}, source=ARTICLE),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini", source=SHOP),
        )
    )

    products = catalog_products()

    assert [p.slug for p in products] == ["fjallraven-kanken-mini", "herschel-nova-mini"]
    assert len(products[0].sources()) == 2


def test_product_list_gives_ready_rows_in_both_unit_systems() -> None:
    catalog_import(records=as_records(make_product()))

    (row,) = product_list()

    assert row.name == "Fjällräven Kånken Mini"
    assert row.category == "Backpack"
    assert row.exterior_cm == "20 W x 29 H x 13 D cm"
    assert row.exterior_in == "7.85 W x 11.4 H x 5.1 D in"
    assert row.capacity == "7 L"
    assert row.weight == "220 g (7.76 oz)"
    assert (row.price, row.price_date) == ("$80", "2024-05-01")
    assert row.finding_count == Product.objects.get().findings.count()


def test_product_list_leaves_missing_values_blank_and_says_undated() -> None:
    catalog_import(records=as_records(make_product(claims={"price": "$70"}, source=ARTICLE)))

    (row,) = product_list()

    assert (row.exterior_cm, row.capacity, row.weight) == ("", "", "")
    assert (row.price, row.price_date) == ("$70", "undated")
    assert row.finding_count >= 3  # missing exterior, capacity, weight, material; undated price


def test_product_list_costs_one_query(django_assert_num_queries: object) -> None:
    catalog_import(
        records=as_records(make_product(), make_product("herschel-nova-mini", brand="Herschel", source=SHOP))
    )

    with django_assert_num_queries(1):  # type: ignore[operator]
        rows = product_list()

    assert len(rows) == 2
