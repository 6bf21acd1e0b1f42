"""GET /api/search: the site search of /search/ as JSON, over the bundled catalog, guides and FAQ."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from minipack_web.guides.selectors import search_page

KANKEN = "Fjällräven Kånken Mini"


def search(api: Client, status: int = 200, **params: Any) -> Any:
    response = api.get("/api/search", params)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("q", ["kanken", "kånken", "kankn", "KÅNKEN"])
def test_every_spelling_of_kanken_finds_the_kanken_mini_first(api: Client, q: str) -> None:
    body = search(api, q=q)
    first = body["results"][0]
    assert first["type"] == "bag" and first["title"] == KANKEN
    assert first["url"] == "http://testserver/bags/fjallraven-kanken-mini/"
    assert body["searched"] is True and body["count"] == len(body["results"])


def test_a_typo_is_said_to_be_a_close_match(api: Client) -> None:
    assert search(api, q="kanken")["notes"] == []
    notes = search(api, q="kankn")["notes"]
    assert len(notes) == 1 and notes[0].startswith("No exact match")


def test_guides_and_faq_answers_are_found_with_their_pages(api: Client) -> None:
    guide = search(api, q="ipad mini")["results"]
    assert {"type": "guide", "url": "http://testserver/guides/best-for-an-ipad-mini/"}.items() <= guide[0].items()
    faq = search(api, q="carry-on")["results"]
    assert any(r["type"] == "faq" and r["url"] == "http://testserver/faq/#carry-on" for r in faq)
    for result in guide + faq:
        assert set(result) == {"type", "title", "url", "snippet"}


@pytest.mark.parametrize("q", ["leather", "kankn", "carry-on", "fjall", "usb"])
def test_the_answers_are_those_of_the_search_page(api: Client, q: str) -> None:
    page = search_page(q=q, limit=20)
    body = search(api, q=q)
    assert [r["title"] for r in body["results"]] == [r.title for r in page.results]
    assert body["notes"] == list(page.notes) and body["query"] == page.query


@pytest.mark.parametrize("q", ["%", "_", "%%", "'", '"', "\\", "*", "\x00", "(-)"])
def test_punctuation_alone_searches_nothing_rather_than_everything(api: Client, q: str) -> None:
    # In SQL LIKE '%' and '_' match anything; here they are not words, so there is nothing to search for.
    body = search(api, q=q)
    assert body["searched"] is False and body["results"] == []


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("' OR 1=1--", "or 1 1"),
        ('leather" OR "nylon', "leather or nylon"),
        ("NEAR(kanken", "near kanken"),
        ("fjall*", "fjall"),
        ("a:b", "a b"),
        ("100%", "100"),
    ],
)
def test_quotes_and_operators_are_read_as_the_words_between_them(api: Client, q: str, words: str) -> None:
    # FTS5 would read quotes, NEAR, * and column:term as syntax.
    assert search(api, q=q)["results"] == search(api, q=words)["results"]


@pytest.mark.parametrize("q", ["%kanken%", "kanken_", "'kanken'", '"kanken"', "kanken*", "kanken\x00"])
def test_special_characters_around_a_word_still_find_it(api: Client, q: str) -> None:
    assert search(api, q=q)["results"][0]["title"] == KANKEN


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}, {"q": "%_'"}])
def test_an_empty_query_searches_nothing(api: Client, params: dict[str, str]) -> None:
    body = search(api, **params)
    assert body["searched"] is False and body["results"] == [] and body["count"] == 0


def test_a_long_query_is_cut_as_on_the_search_page_and_an_over_long_one_refused(api: Client) -> None:
    body = search(api, q="kanken " + "x" * 300)
    assert len(body["query"]) == 200 and any("first 200 characters" in note for note in body["notes"])
    refused = search(api, 400, q="x" * 2_001)
    assert "'q'" in refused["error"] and refused["detail"] == []


def test_limit_caps_the_results(api: Client) -> None:
    assert search(api, q="leather")["limit"] == 20
    everything = search(api, q="leather", limit=50)["results"]
    assert len(everything) > 2
    two = search(api, q="leather", limit=2)
    assert two["count"] == 2 and two["results"] == everything[:2] and two["limit"] == 2


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc", "2.5", ""])
def test_limit_out_of_bounds_is_400_naming_it(api: Client, limit: str) -> None:
    body = search(api, 400, q="kanken", limit=limit)
    assert "limit" in body["error"] and body["detail"][0]["field"] == "limit"


def test_q_given_twice_is_400(api: Client) -> None:
    response = api.get("/api/search?q=kanken&q=leather")
    assert response.status_code == 400 and "'q'" in response.json()["error"]


def test_documented_in_the_openapi_schema(api: Client) -> None:
    operation = api.get("/api/openapi.json").json()["paths"]["/api/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert set(operation["responses"]) == {"200", "400"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/SearchOut")
