"""The editor admin: pages load for a superuser, and saves refresh chosen values and findings via the service."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minipack_web.catalog.models import Claim, Finding, Product, Source
from minipack_web.catalog.services import catalog_import

from ..factories import ARTICLE, as_records, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product() -> Product:
    catalog_import(
        records=as_records(
            make_product(),
            make_product(claims={"exterior": "8 x 11 x 5 in", "capacity": "9 L", "price": "$70"}, source=ARTICLE),
        )
    )
    return Product.objects.get()


def change_form_data(product: Product, **claim_edits: str) -> dict[str, Any]:
    """The POST the product change form sends, with ``published`` edited for the given claim fields."""
    claims = list(product.claims.order_by("field", "pk"))
    findings = list(product.findings.all())
    data: dict[str, Any] = {
        "slug": product.slug,
        "brand": product.brand_id,
        "model": product.model,
        "category": product.category,
        "colourways": json.dumps(product.colourways),
        "aliases": json.dumps(product.aliases),
        "claims-TOTAL_FORMS": len(claims),
        "claims-INITIAL_FORMS": len(claims),
        "claims-MIN_NUM_FORMS": 0,
        "claims-MAX_NUM_FORMS": 1000,
        "findings-TOTAL_FORMS": len(findings),
        "findings-INITIAL_FORMS": len(findings),
        "findings-MIN_NUM_FORMS": 0,
        "findings-MAX_NUM_FORMS": 0,
        # The photo inline, with no photos (tests/web/catalog/test_photos.py posts them).
        "photos-TOTAL_FORMS": 0,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    seen: set[str] = set()
    for i, claim in enumerate(claims):
        # Edit the first claim of each named field: the manufacturer's, which the precedence rule shows.
        text = claim_edits.get(claim.field) if claim.source.kind == "manufacturer" else None
        seen.add(claim.field)
        data |= {
            f"claims-{i}-id": claim.pk,
            f"claims-{i}-product": product.pk,
            f"claims-{i}-field": claim.field,
            f"claims-{i}-published": text or claim.published,
            f"claims-{i}-source": claim.source_id,
            f"claims-{i}-note": claim.note,
        }
    for i, finding in enumerate(findings):
        data |= {f"findings-{i}-id": finding.pk, f"findings-{i}-product": product.pk}
    return data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalog/product/",
        "/admin/catalog/product/?category__exact=backpack",
        "/admin/catalog/product/?q=kanken",
        "/admin/catalog/product/?q=fjallraven-kanken",
        "/admin/catalog/product/?o=3",
        "/admin/catalog/brand/",
        "/admin/catalog/source/",
        "/admin/catalog/finding/",
        "/admin/catalog/finding/?severity__exact=warning",
        "/admin/catalog/product/add/",
        "/admin/catalog/source/add/",
    ],
)
def test_admin_pages_load(admin_client: Client, product: Product, url: str) -> None:
    assert admin_client.get(url).status_code == 200


def test_the_product_form_shows_claims_and_read_only_findings(admin_client: Client, product: Product) -> None:
    response = admin_client.get(f"/admin/catalog/product/{product.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="claims-0-published"' in html
    finding = product.findings.get(code="capacity_exceeds_box")
    assert finding.message in html
    assert 'name="findings-0-message"' not in html  # shown, not editable
    assert "20 W x 29 H x 13 D cm" in html  # the chosen exterior, read-only


def test_the_source_and_finding_forms_load(admin_client: Client, product: Product) -> None:
    source = Source.objects.get(kind="manufacturer")
    finding = Finding.objects.first()
    assert finding is not None

    assert admin_client.get(f"/admin/catalog/source/{source.pk}/change/").status_code == 200
    assert admin_client.get(f"/admin/catalog/finding/{finding.pk}/change/").status_code == 200


def test_saving_a_claim_refreshes_chosen_values_and_findings(admin_client: Client, product: Product) -> None:
    assert product.findings.filter(code="conflicting_claims", field="exterior").exists()

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/", change_form_data(product, exterior="20 x 28 x 12.7 cm")
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    product.refresh_from_db()
    assert (product.exterior_a_mm, product.exterior_b_mm, product.exterior_c_mm) == (200, 280, 127)
    assert product.exterior_axes == ""
    claim = Claim.objects.get(product=product, field="exterior", source__kind="manufacturer")
    assert claim.value == {"mm": [200, 280, 127], "axes": "", "unit": "cm"}
    # 8 x 11 x 5 in from the article now agrees with the maker within rounding: the conflict is gone.
    assert not product.findings.filter(code="conflicting_claims", field="exterior").exists()


def test_an_unreadable_claim_is_a_form_error_and_nothing_is_saved(admin_client: Client, product: Product) -> None:
    before = list(Claim.objects.values_list("pk", "published").order_by("pk"))

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/", change_form_data(product, exterior="10 x 13 in")
    )

    assert response.status_code == 200
    assert "expected 3 sides" in response.content.decode()
    assert list(Claim.objects.values_list("pk", "published").order_by("pk")) == before


def test_editing_a_source_refreshes_the_products_citing_it(admin_client: Client, product: Product) -> None:
    article = Source.objects.get(kind="article")
    assert product.price_date_stated == "2024-05-01"

    response = admin_client.post(
        f"/admin/catalog/source/{article.pk}/change/",
        {"title": article.title, "url": "", "date_stated": "2025-02-01 (shop page)", "kind": "article", "_save": "1"},
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.date_year, article.date_month, article.date_day) == (2025, 2, 1)
    product.refresh_from_db()
    # The article's price is now the newest dated one, so it is the price shown.
    assert (product.price_minor, product.price_date_stated) == (7000, "2025-02-01 (shop page)")


def test_a_source_with_an_impossible_date_is_refused(admin_client: Client, product: Product) -> None:
    response = admin_client.post(
        "/admin/catalog/source/add/",
        {"title": "Shop", "url": "https://shop.example/", "date_stated": "2024-13-01", "kind": "retailer"},
    )

    assert response.status_code == 200
    assert "not a real date" in response.content.decode()


def test_the_refresh_action_recomputes_findings(admin_client: Client, product: Product) -> None:
    Finding.objects.all().delete()

    response = admin_client.post(
        "/admin/catalog/product/", {"action": "refresh", "_selected_action": [product.pk]}, follow=True
    )

    assert response.status_code == 200
    assert product.findings.exists()


def test_a_duplicate_source_is_a_form_error(admin_client: Client, product: Product) -> None:
    maker = Source.objects.get(kind="manufacturer")

    response = admin_client.post(
        "/admin/catalog/source/add/",
        {"title": "Another title", "url": maker.url, "date_stated": maker.date_stated, "kind": "manufacturer"},
    )

    assert response.status_code == 200
    assert "already a source of this kind" in response.content.decode()
    assert Source.objects.filter(url=maker.url).count() == 1


def test_an_editor_can_delete_a_bag_with_its_findings(admin_client: Client, product: Product) -> None:
    assert product.findings.exists()  # the read-only findings must not block the delete

    confirm = admin_client.get(f"/admin/catalog/product/{product.pk}/delete/")
    assert "permission to delete" not in confirm.content.decode()
    response = admin_client.post(f"/admin/catalog/product/{product.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not Finding.objects.filter(product_id=product.pk).exists()
    assert not Claim.objects.filter(product_id=product.pk).exists()


def test_an_editor_can_delete_bags_in_bulk(admin_client: Client, product: Product) -> None:
    response = admin_client.post(
        "/admin/catalog/product/", {"action": "delete_selected", "_selected_action": [product.pk], "post": "yes"}
    )

    assert response.status_code == 302
    assert not Product.objects.exists()
