"""The root page (the flagship guide) and the table as the plain list."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from minipack_web.catalog.services import catalog_import

from ..factories import SHOP, as_records, make_product

pytestmark = pytest.mark.django_db


def two_bags() -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product(
                "herschel-nova-mini",
                brand="Herschel",
                model="Nova Mini",
                claims={"exterior": "12 x 9 x 4 in", "capacity": "9 L", "price": "$55"},
                source=SHOP,
            ),
        )
    )


def test_the_root_is_the_flagship_guide_ranking_each_bag(client: Client) -> None:
    two_bags()

    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<h1>Top 2 mini backpack purses</h1>" in html
    for text in (
        '<a href="/bags/herschel-nova-mini/">Herschel Nova Mini</a>',
        '<a href="/bags/fjallraven-kanken-mini/">Fjällräven Kånken Mini</a>',
        "$80",
        "2024-05-01",
        "$55",
        "2025-01-10",
    ):
        assert text in html
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert (
        '<a href="/">Top 10</a>' in nav and '<a href="/table/">All bags</a>' in nav and '<a href="/faq/">FAQ</a>' in nav
    )


def test_the_table_lists_each_bag_with_its_specs(client: Client) -> None:
    two_bags()

    response = client.get("/table/")

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Fjällräven Kånken Mini", "7 L", "$80", "2024-05-01", "Herschel Nova Mini", "9 L", "$55"):
        assert text in html
    rows = response.context["table"].rows
    assert sorted(r.finding_count for r in rows) == [0, 3]  # Herschel: no weight, no material, 9 L in a 7.1 L box


def test_the_root_and_the_table_escape_catalog_text(client: Client) -> None:
    catalog_import(records=as_records(make_product(model='<script>alert(1)</script> Mini"')))

    for path in ("/", "/table/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Mini&quot;" in html


def test_the_root_of_an_empty_catalog_says_how_to_fill_it(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "load_bundled_catalog" in response.content.decode()


def test_the_stylesheet_is_a_static_file() -> None:
    assert finders.find("minipack/site.css")


def test_pages_refuse_writes(client: Client) -> None:
    assert client.post("/").status_code == 405
