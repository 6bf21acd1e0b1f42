"""The home page and the health check."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.db import OperationalError
from django.test import Client

from minipack_web.catalog.services import catalog_import

from ..factories import SHOP, as_records, make_product

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_each_bag_with_its_specs(client: Client) -> None:
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

    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "<h1>" in html and "Minipack is an honest, data-driven buying guide" in html
    for text in (
        "Fjällräven Kånken Mini",
        "20 W x 29 H x 13 D cm",
        "7.85 W x 11.4 H x 5.1 D in",
        "7 L",
        "220 g (7.76 oz)",
        "$80",
        "2024-05-01",
        "Herschel Nova Mini",
        "12 x 9 x 4 in",
        "30.5 x 22.9 x 10.2 cm",
        "$55",
    ):
        assert text in html
    rows = response.context["rows"]
    assert [r.finding_count for r in rows] == [0, 3]  # Herschel: no weight, no material, 9 L in a 7.1 L box
    assert f'<td class="num">{rows[1].finding_count}</td>' in html


def test_the_home_page_escapes_catalog_text(client: Client) -> None:
    catalog_import(records=as_records(make_product(model='<script>alert(1)</script> Mini"')))

    html = client.get("/").content.decode()

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mini&quot;" in html


def test_the_home_page_of_an_empty_catalog_says_how_to_fill_it(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "load_bundled_catalog" in response.content.decode()


def test_the_stylesheet_is_a_static_file() -> None:
    assert finders.find("minipack/site.css")


def test_healthz_answers_ok_after_a_database_query(client: Client, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")

    assert response.status_code == 503


def test_pages_refuse_writes(client: Client) -> None:
    assert client.post("/").status_code == 405
    assert client.post("/healthz").status_code == 405
