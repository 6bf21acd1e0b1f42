"""The bag page: evidence, findings, drawing, fit, airlines, price and similar bags."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

HERSCHEL = "/bags/herschel-supply-co-nova-mini/"


@pytest.fixture
def herschel(client: Client, bundled: None) -> str:
    response = client.get(HERSCHEL)
    assert response.status_code == 200
    return response.content.decode()


def test_each_value_shows_its_source_date_and_kind(herschel: str) -> None:
    assert "Kaya Quintana: Herschel Nova mini backpack review" in herschel
    assert 'href="https://kaya-quintana.nl/' in herschel
    assert "review · undated" in herschel
    assert "article · undated" in herschel


def test_the_size_conflict_is_shown_side_by_side(herschel: str) -> None:
    assert "Sources disagree" in herschel
    assert 'class="evidence side-by-side"' in herschel
    assert "“8 L x 10 H x 5 D in”" in herschel
    assert "“11 H x 8 W x 4.75 D in”" in herschel


def test_the_findings_are_in_plain_words(herschel: str) -> None:
    assert "What our checks say" in herschel
    assert 'class="finding finding-' in herschel


def test_the_drawing_is_an_accessible_svg_beside_paper_and_a_phone(herschel: str) -> None:
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in herschel
    assert '<title id="outline-title">The front of the Herschel Supply Co. Nova Mini, to scale</title>' in herschel
    assert "US Letter sheet" in herschel and "A4 sheet" in herschel and "iPhone 15" in herschel


def test_what_fits_lists_kits_and_items(herschel: str) -> None:
    assert "Common kits" in herschel
    assert "Day out" in herschel
    assert "Kindle Paperwhite" in herschel


def test_the_airline_table_has_personal_and_carry_on_verdicts(herschel: str) -> None:
    assert '<th scope="col">Personal item</th>' in herschel
    assert '<th scope="col">Carry-on</th>' in herschel
    assert 'Ryanair <span class="muted">(FR)</span>' in herschel
    assert "Too big" in herschel or "Fits" in herschel


def test_the_price_has_its_date_and_similar_bags_link(herschel: str) -> None:
    assert "as of" in herschel
    assert 'href="/bags/' in herschel


def test_a_bag_without_a_size_says_unknown(client: Client, bundled: None) -> None:
    html = client.get("/bags/zara-mini-city-backpack/").content.decode()
    assert "no source gives this bag's outer size" in html
    assert "without an outer size we cannot check airline limits" in html


def test_an_unknown_slug_is_404(client: Client, bundled: None) -> None:
    assert client.get("/bags/no-such-bag/").status_code == 404
