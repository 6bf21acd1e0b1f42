"""/search/ and /search/suggest over the bundled catalog, on SQLite (FTS5 trigram) and PostgreSQL (FTS + pg_trgm)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from minipack_web.catalog.services import catalog_import, catalog_load_bundled
from minipack_web.guides.models import SearchDocument
from minipack_web.guides.selectors import search_page, search_suggestions
from minipack_web.guides.services import search_reindex

from ..factories import SHOP, as_records, make_product

pytestmark = pytest.mark.django_db

KANKEN = "Fjällräven Kånken Mini"


@pytest.fixture
def bundled() -> None:
    catalog_load_bundled()


def titles(q: str) -> list[str]:
    return [r.title for r in search_page(q=q).results]


@pytest.mark.parametrize("q", ["kanken", "kånken", "kankn", "KÅNKEN", "Kanken mini"])
def test_the_three_spellings_of_kanken_find_the_kanken_mini(bundled: None, q: str) -> None:
    assert KANKEN in titles(q)[:3]


def test_the_typo_is_said_to_be_a_close_match(bundled: None) -> None:
    page = search_page(q="kankn")
    assert page.results[0].title == KANKEN
    assert page.notes and "No exact match" in page.notes[0]


def test_a_prefix_finds_the_brand(bundled: None) -> None:
    assert titles("fjall")[0] == KANKEN


def test_a_material_finds_the_bags_made_of_it(bundled: None) -> None:
    found = titles("leather")
    assert "Coach Jordyn Backpack" in found
    assert "Kate Spade Mini Backpack (patent leather)" in found
    assert KANKEN not in found


def test_a_feature_finds_the_bags_that_have_it(bundled: None) -> None:
    assert "MATEIN Mini Backpack with USB port" in titles("usb")


def test_an_alias_finds_its_bag(bundled: None) -> None:
    assert titles("Half Pint")[0] == "JanSport Half Pint Mini Backpack"
    assert titles("MK Kelsey")[0] == "Michael Kors Kelsey Backpack"


def test_guides_and_questions_are_found(bundled: None) -> None:
    page = search_page(q="ipad mini")
    assert any(
        r.kind == "Guide"
        and r.title == "Best mini backpacks for an iPad mini"
        and r.url == "/guides/best-for-an-ipad-mini/"
        for r in page.results
    )
    page = search_page(q="carry-on")
    assert any(r.kind == "Question" and r.url == "/faq/#carry-on" for r in page.results)


def test_several_words_must_all_match(bundled: None) -> None:
    assert titles("kanken leather") == []


def test_the_index_follows_an_import_without_being_told(bundled: None) -> None:
    assert titles("zzyzx") == []
    catalog_import(records=as_records(make_product("zzyzx-mini", brand="Zzyzx", model="Mini", source=SHOP)))
    assert titles("zzyzx") == ["Zzyzx Mini"]


def test_reindex_of_some_products_rewrites_only_their_rows(bundled: None) -> None:
    search_page(q="kanken")  # builds the index
    total = SearchDocument.objects.count()
    from minipack_web.catalog.models import Product

    pk = Product.objects.get(slug="fjallraven-kanken-mini").pk
    assert search_reindex(product_ids=[pk]) == 1
    assert SearchDocument.objects.count() == total
    assert KANKEN in titles("kanken")


NASTY = [
    "%",
    "_",
    "%_%",
    "'",
    '"',
    '"unterminated',
    "kanken' OR '1'='1",
    "AND",
    "OR",
    "NOT",
    "kanken AND",
    "OR kanken",
    "NEAR(kanken mini)",
    "NEAR",
    "*",
    "kank*",
    "-kanken",
    "^kanken",
    "folded:kanken",
    "title:",
    ":",
    "()",
    "(kanken",
    "{}",
    "\\",
    "\x00",
    "kan\x00ken",
    "a",
    "ab",
    "    ",
    "🎒",
    "😀 kanken",
    "k" * 10_000,
    "kanken " * 2_000,
    "%" * 10_000,
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("q", NASTY, ids=range(len(NASTY)))
def test_nasty_queries_are_text_never_errors(client: Client, bundled: None, q: str) -> None:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    suggest = client.get("/search/suggest", {"q": q})
    assert suggest.status_code == 200
    assert isinstance(suggest.json(), list)


def test_operator_words_are_searched_as_text(bundled: None) -> None:
    assert KANKEN in titles('"kanken"')
    assert KANKEN in titles("kanken*")
    assert KANKEN in titles("-kanken")
    assert titles("NEAR(kanken mini)") == []  # 'near' is a word like any other, and no bag has it


def test_a_very_long_query_is_cut_with_a_note(client: Client, bundled: None) -> None:
    response = client.get("/search/", {"q": "kanken " + "x" * 10_000})
    assert response.status_code == 200
    assert "first 200 characters" in response.content.decode()


def test_an_empty_query_invites_a_search(client: Client) -> None:
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "%%"}):
        response = client.get("/search/", params)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Search the catalog by brand" in html
        assert 'role="search"' in html


def test_the_results_page_links_each_bag(client: Client, bundled: None) -> None:
    html = client.get("/search/", {"q": "kånken"}).content.decode()
    assert '<a href="/bags/fjallraven-kanken-mini/">Fjällräven Kånken Mini</a>' in html
    assert 'value="kånken"' in html


def test_every_page_has_a_labelled_search_form(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<form role="search" action="/search/"' in html
    assert '<label for="site-search-q">' in html


def test_suggest_returns_at_most_eight_labels_with_urls(client: Client, bundled: None) -> None:
    response = client.get("/search/suggest", {"q": "mini"})
    assert response["Content-Type"] == "application/json"
    items = json.loads(response.content)
    assert 1 <= len(items) <= 8
    assert all(set(item) == {"label", "url"} and item["url"] for item in items)
    assert search_suggestions(q="kankn")[0] == {"label": KANKEN, "url": "/bags/fjallraven-kanken-mini/"}
    assert client.get("/search/suggest").json() == []


def test_search_only_answers_get_and_head(client: Client) -> None:
    assert client.post("/search/", {"q": "kanken"}).status_code == 405
