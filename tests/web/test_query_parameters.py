"""Hostile query strings on every page and endpoint that reads one (RELIABILITY A.9).

The audit behind this file: every sort and filter parameter is read by a form or a schema whose
choices are an allow-list (TableForm, CompareForm, FitForm, ForYouForm; the API's ``_choice`` and
``selectors.SORTS``), and a sort value only ever selects a key from that list, so no text from a
request reaches ``order_by``; a bad value is a 400 naming the parameter. Free text (search, material)
is passed to the ORM as a parameter or matched in Python, never formatted into SQL.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.test import Client
from selectolax.lexbor import LexborHTMLParser

from minipack_web.catalog.services import catalog_load_bundled

pytestmark = pytest.mark.django_db

SOURCES = Path(__file__).resolve().parents[2] / "src" / "minipack_web"
HOSTILE_SORTS = ["-price;DROP TABLE catalog_product", "password", "brand__name", "-pk", "price,name", "?"]


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()


@pytest.mark.parametrize("sort", HOSTILE_SORTS)
def test_the_table_refuses_a_sort_it_does_not_offer_with_a_400_naming_it(
    client: Client, bundled: None, sort: str
) -> None:
    response = client.get("/table/", {"sort": sort})

    assert response.status_code == 400
    assert "<code>sort</code>" in response.content.decode()


@pytest.mark.parametrize("sort", HOSTILE_SORTS)
def test_the_api_refuses_a_sort_it_does_not_offer_and_lists_the_allowed_ones(
    client: Client, bundled: None, sort: str
) -> None:
    response = client.get("/api/bags", {"sort": sort})

    assert response.status_code == 400
    detail = json.dumps(response.json())
    assert "sort" in detail and "-price" in detail  # the allowed values, so a client can correct itself


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/table/", {"category": "backpack' OR 1=1--"}),
        ("/table/", {"brand": "../../etc/passwd"}),
        ("/table/", {"features": "__class__"}),
        ("/table/", {"units": "furlongs"}),
        ("/table/", {"price_min": "nan"}),
        ("/compare/", {"bags": "fjallraven-kanken-mini,' OR 1=1--"}),
        ("/fit/", {"kit": "__import__('os')"}),
        ("/for-you/", {"must": "is_superuser"}),
        ("/api/bags", {"category": "x' OR '1'='1"}),
        ("/api/bags", {"feature": "__class__"}),
        ("/api/bags", {"sort": "name", "page": "-1"}),
        ("/api/items", {"category": "%"}),
    ],
)
def test_a_filter_value_outside_its_choices_is_a_400_not_a_query(
    client: Client, bundled: None, url: str, params: dict[str, str]
) -> None:
    assert client.get(url, params).status_code == 400


@pytest.mark.parametrize("q", ["' OR 1=1--", "%", "_", "\\", "%%%%", "a" * 10_000, "kan%", "\x00"])
def test_search_treats_any_text_as_text(client: Client, bundled: None, q: str) -> None:
    page = client.get("/search/", {"q": q})
    suggest = client.get("/search/suggest", {"q": q})
    api = client.get("/api/search", {"q": q[:2000]})

    assert (page.status_code, suggest.status_code, api.status_code) == (200, 200, 200)
    if q in ("%", "_", "%%%%"):  # wildcards of LIKE, matched literally: no bag or guide has them in it
        assert api.json()["results"] == []


def test_a_search_given_twice_uses_one_of_them_predictably(client: Client, bundled: None) -> None:
    def results(url: str) -> str:
        main = LexborHTMLParser(client.get(url).content.decode()).css_first("main")
        assert main is not None
        return main.html or ""

    # QueryDict.get: the last value, on the page as in the page cache's key.
    assert results("/search/?q=kanken&q=nova") == results("/search/?q=nova") != results("/search/?q=kanken")


def test_the_api_refuses_a_parameter_given_twice_or_too_long(client: Client, bundled: None) -> None:
    assert client.get("/api/bags?sort=name&sort=-price").status_code == 400
    assert client.get("/api/search", {"q": "a" * 2001}).status_code == 400


def test_no_sql_is_built_from_text_at_run_time() -> None:
    """No .raw()/.extra()/RawSQL, and an f-string handed to execute() may only name module constants (a table)."""
    problems = []
    for path in sorted(SOURCES.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("raw", "extra", "RawSQL") and "migrations" not in path.parts:
                problems.append(f"{path.name}:{node.lineno}: {name}()")
            if name == "execute" and node.args and isinstance(node.args[0], ast.JoinedStr):
                names = {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
                if not all(n.isupper() for n in names):
                    problems.append(f"{path.name}:{node.lineno}: execute(f'…{{{', '.join(sorted(names))}}}…')")

    assert problems == []
