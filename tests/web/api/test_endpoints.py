"""Each endpoint's answers and refusals, against the bundled catalog."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from minipack.catalog import bundled_catalog
from minipack_web.catalog.models import Product

KANKEN = "fjallraven-kanken-mini"


def get(api: Client, url: str, status: int = 200, **params: Any) -> Any:
    response = api.get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_error(body: Any) -> None:
    assert set(body) == {"error", "detail"}
    assert isinstance(body["error"], str) and body["error"]


# --------------------------------------------------------------------------- bags


def test_list_pages_every_bag(api: Client) -> None:
    first = get(api, "/api/bags", page_size=10)
    assert first["count"] == len(bundled_catalog().products) == Product.objects.count()
    second = get(api, "/api/bags", page_size=10, page=2)
    third = get(api, "/api/bags", page_size=10, page=3)
    slugs = [b["slug"] for page in (first, second, third) for b in page["results"]]
    assert sorted(slugs) == sorted(p.slug for p in bundled_catalog().products)


def test_list_filters(api: Client) -> None:
    body = get(api, "/api/bags", price_max=10000, currency="USD", sort="price", page_size=100)
    prices = [b["price"]["amount_minor"] for b in body["results"]]
    assert prices and prices == sorted(prices) and max(prices) <= 10000
    assert all(b["price"]["currency"] == "USD" for b in body["results"])
    body = get(api, "/api/bags", max_depth_mm=120, page_size=100)
    assert all(b["depth_mm"] <= 120 for b in body["results"])
    body = get(api, "/api/bags", litres_min="5", litres_max="10", page_size=100)
    assert all(5000 <= b["capacity_ml"] and b["capacity_high_ml"] <= 10000 for b in body["results"])
    body = get(api, "/api/bags", category="backpack", max_weight_g=500, page_size=100)
    assert all(b["category"] == "backpack" and b["weight_g"] <= 500 for b in body["results"])
    body = get(api, "/api/bags", feature="water_resistant", page_size=100)
    assert body["count"] > 0
    brand = Product.objects.get(slug=KANKEN).brand
    body = get(api, "/api/bags", brand=brand.slug)
    assert KANKEN in [b["slug"] for b in body["results"]]
    assert get(api, "/api/bags", brand=brand.name)["count"] == body["count"]


def test_sort_descending_puts_missing_values_last(api: Client) -> None:
    body = get(api, "/api/bags", sort="-weight", page_size=100)
    weights = [b["weight_g"] for b in body["results"]]
    known = [w for w in weights if w is not None]
    assert known == sorted(known, reverse=True)
    assert weights == known + [None] * (len(weights) - len(known))


@pytest.mark.parametrize("text", ["%", "_", "'", '"', "' OR 1=1--", "\\"])
def test_material_wildcards_are_text(api: Client, text: str) -> None:
    assert get(api, "/api/bags", material=text)["count"] == 0


def test_bad_sort_names_the_allowed_values(api: Client) -> None:
    body = get(api, "/api/bags", 400, sort="-price;DROP TABLE")
    assert_error(body)
    assert "sort" in body["error"] and "-price" in body["error"] and "capacity" in body["error"]
    assert "sort" in get(api, "/api/bags", 400, sort="password")["error"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"feature": "jetpack"}, "feature"),
        ({"category": "suitcase"}, "category"),
        ({"price_min": "abc"}, "price_min"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"litres_min": "NaN"}, "litres_min"),
        ({"currency": "dollars"}, "currency"),
        ({"material": "x" * 10_000}, "material"),
    ],
)
def test_bad_list_parameters_are_400_naming_them(api: Client, params: dict[str, str], name: str) -> None:
    body = get(api, "/api/bags", 400, **params)
    assert_error(body)
    assert name in body["error"]


def test_a_repeated_parameter_is_400(api: Client) -> None:
    response = api.get("/api/bags?sort=price&sort=weight")
    assert response.status_code == 400
    assert "sort" in response.json()["error"]


def test_detail_has_every_claim_with_its_source(api: Client) -> None:
    body = get(api, f"/api/bags/{KANKEN}")
    record = bundled_catalog().by_slug(KANKEN)
    assert len(body["claims"]) == len(record.claims)
    claim = body["claims"][0]
    assert set(claim) == {"field", "published", "value", "note", "source"}
    assert set(claim["source"]) == {"title", "url", "date", "kind"}
    assert isinstance(body["conflicts"], dict) and isinstance(body["findings"], list)


def test_prices_and_sizes_round_trip_exactly(api: Client) -> None:
    for product in Product.objects.all():
        body = get(api, f"/api/bags/{product.slug}")
        if product.price_minor is not None:
            assert body["price"]["amount_minor"] == product.price_minor
            assert isinstance(body["price"]["amount_minor"], int)
        sides = [product.exterior_a_mm, product.exterior_b_mm, product.exterior_c_mm]
        assert body["exterior_mm"] == (sides if None not in sides else None)
        assert body["capacity_ml"] == product.capacity_ml and body["weight_g"] == product.weight_g
    raw = api.get(f"/api/bags/{KANKEN}").content
    assert b".0," not in raw.replace(b" ", b"")  # integers, not floats


def test_unknown_slug_is_404(api: Client) -> None:
    body = get(api, "/api/bags/no-such-bag", 404)
    assert_error(body)
    assert "no-such-bag" in body["error"]


# --------------------------------------------------------------------------- compare


def test_compare(api: Client) -> None:
    slugs = [p.slug for p in bundled_catalog().products[:3]]
    body = get(api, "/api/compare", bags=",".join(slugs))
    assert [b["slug"] for b in body["bags"]] == slugs
    assert all(len(row["values"]) == 3 for row in body["rows"])


@pytest.mark.parametrize("count", [1, 7])
def test_compare_needs_two_to_six(api: Client, count: int) -> None:
    slugs = [p.slug for p in bundled_catalog().products[:count]]
    body = get(api, "/api/compare", 400, bags=",".join(slugs))
    assert "bags" in body["error"]


def test_compare_unknown_and_repeated(api: Client) -> None:
    assert "nope" in get(api, "/api/compare", 404, bags=f"{KANKEN},nope")["error"]
    assert "twice" in get(api, "/api/compare", 400, bags=f"{KANKEN},{KANKEN}")["error"]
    assert "bags" in get(api, "/api/compare", 400)["error"]


# --------------------------------------------------------------------------- fit


def post(api: Client, body: Any, status: int = 200) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    response = api.post("/api/fit", data, content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


def test_fit_with_a_slug_and_library_ids(api: Client) -> None:
    body = post(
        api,
        {
            "id": "k1",
            "bag": {"slug": KANKEN},
            "items": ["iphone-15", "water-bottle-500ml", {"name": "scarf", "dims_mm": [80, 80, 80], "rigid": False}],
        },
    )
    assert body["id"] == "k1" and body["fits"] is True and body["verdict"] in ("fits", "tight")
    assert {p["name"] for p in body["placements"]} == {"iphone-15", "water-bottle-500ml"}
    assert body["bag"] == KANKEN and body["remove_to_fit"] is None and body["proof"] is None


def test_fit_does_not_fit_with_proof_and_what_to_remove(api: Client) -> None:
    phone = {"name": "phone", "dims_mm": [147, 71, 8]}
    body = post(api, {"bag": {"interior_mm": [150, 80, 10]}, "items": [phone, dict(phone, name="phone 2")]})
    assert body["verdict"] == "does_not_fit" and body["placements"] == []
    assert body["proof"]["kind"] and body["remove_to_fit"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"bag": {"interior_mm": [100, 100, 100]}, "items": [{"name": "x", "dims_mm": [10, -5, 10]}]},
            "items[0].dims_mm[1]",
        ),
        (
            {"bag": {"interior_mm": [100, 100, 100]}, "items": [{"name": "x", "dims_mm": [10, 7.5, 10]}]},
            "items[0].dims_mm[1]",
        ),
        ({"bag": {"interior_mm": [100, 100, 100]}, "items": [{"name": "x", "dim_mm": [1, 1, 1]}]}, "items[0]"),
        ({"bag": {"colour": "red"}, "items": ["iphone-15"]}, "bag"),
        ({"bag": {"slug": "no-such-bag"}, "items": ["iphone-15"]}, "bag.slug"),
        ({"bag": {"slug": KANKEN}, "items": ["no-such-item"]}, "items[0]"),
        ({"bag": {"slug": KANKEN}, "items": []}, "items"),
        ({"bag": {"slug": KANKEN}, "items": ["iphone-15"] * 51}, "items"),
        ({"items": ["iphone-15"]}, "bag"),
        ([1, 2], "request"),
        ("{not json", "line"),
        ('{"bag": {"slug": "x"}, "bag": {"slug": "y"}, "items": ["iphone-15"]}', "request"),
        ("[" * 10_000 + "]" * 10_000, "line"),
    ],
)
def test_bad_fit_body_is_422_naming_the_field(api: Client, body: Any, field: str) -> None:
    answer = post(api, body, 422)
    assert_error(answer)
    assert field in [d["field"] for d in answer["detail"]], answer


def test_fit_oversize_body_is_refused(api: Client) -> None:
    response = api.post("/api/fit", b" " * 1_100_000, content_type="application/json")
    assert response.status_code in (413, 422)
    assert_error(response.json())


# --------------------------------------------------------------------------- rank, airlines, items


def test_rank(api: Client) -> None:
    body = get(api, "/api/rank", budget_max="150", must="water_resistant", items="iphone-15", top="3")
    assert len(body["ranked"]) <= 3
    assert set(body) >= {"ranked", "not_for_you", "counterfactuals", "eligible"}
    assert all("pareto" in b and b["contributions"] for b in body["ranked"])
    assert all(e["reasons"] for e in body["not_for_you"])


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"must": "jetpack"}, "feature"),
        ({"budget_max": "lots"}, "lots"),
        ({"top": "0"}, "top"),
        ({"airline": "Q"}, "airline"),
    ],
)
def test_rank_refusals(api: Client, params: dict[str, str], word: str) -> None:
    body = get(api, "/api/rank", 400, **params)
    assert_error(body)
    assert word in body["error"] or word in json.dumps(body["detail"])


def test_airline_check(api: Client) -> None:
    body = get(api, "/api/airline-check", bag=KANKEN, airline="FR,F9", kind="personal")
    assert [v["iata"] for v in body["verdicts"]] == ["FR", "F9"]
    assert all(v["source_url"] and v["checked_on"] for v in body["verdicts"])
    body = get(api, "/api/airline-check", dims="40 x 30 x 20 cm", airline="FR")
    assert body["bag_mm"] == [400, 300, 200]


@pytest.mark.parametrize(
    ("params", "status", "word"),
    [
        ({"bag": "nope"}, 404, "bag"),
        ({}, 400, "bag"),
        ({"dims": "big"}, 400, "dims"),
        ({"bag": KANKEN, "airline": "ZZ"}, 400, "airline"),
        ({"bag": KANKEN, "kind": "hold"}, 400, "kind"),
    ],
)
def test_airline_check_refusals(api: Client, params: dict[str, str], status: int, word: str) -> None:
    assert word in get(api, "/api/airline-check", status, **params)["error"]


def test_items(api: Client) -> None:
    body = get(api, "/api/items")
    ids = [i["id"] for i in body["results"]]
    assert "iphone-15" in ids and body["count"] == len(ids)
    phones = get(api, "/api/items", category="phone")
    assert phones["count"] and all(i["category"] == "phone" for i in phones["results"])
    assert "category" in get(api, "/api/items", 400, category="boat")["error"]


# --------------------------------------------------------------------------- methods and the schema


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/bags"), ("delete", f"/api/bags/{KANKEN}"), ("put", "/api/items"), ("get", "/api/fit")],
)
def test_other_methods_are_405(api: Client, method: str, url: str) -> None:
    response = getattr(api, method)(url)
    assert response.status_code == 405
    assert_error(response.json())


def test_openapi_lists_every_path(api: Client) -> None:
    doc = json.loads(api.get("/api/openapi.json").content)
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) >= {
        "/api/bags",
        "/api/bags/{slug}",
        "/api/compare",
        "/api/fit",
        "/api/rank",
        "/api/airline-check",
        "/api/items",
        "/api/search",
    }
    assert "requestBody" in doc["paths"]["/api/fit"]["post"]


# --------------------------------------------------------------------------- found by tests/web/api/test_schema.py


def test_an_empty_sort_is_the_default_order(api: Client) -> None:
    # Was a 500 (KeyError): the empty value passed the allow-list check as "no choice" and reached the sort table.
    body = get(api, "/api/bags", sort="", page_size=100)
    assert body["sort"] == "name"
    assert body["results"] == get(api, "/api/bags", page_size=100)["results"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/bags?brand=%00", 200),
        ("/api/bags?material=nylon%00", 200),
        (f"/api/bags/{KANKEN}%00", 404),
        (f"/api/compare?bags={KANKEN},x%00", 404),
        ("/api/airline-check?bag=x%00", 404),
    ],
)
def test_a_nul_character_matches_nothing(api: Client, url: str, status: int) -> None:
    # Was a 500 on PostgreSQL, whose text cannot hold NUL (psycopg refuses the query parameter).
    response = api.get(url)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["count"] == 0
    else:
        assert_error(response.json())


def test_a_nul_character_in_a_fit_slug_is_no_such_bag(api: Client) -> None:
    answer = post(api, {"bag": {"slug": "x\u0000"}, "items": ["iphone-15"]}, 422)
    assert [d["field"] for d in answer["detail"]] == ["bag.slug"]


def test_rank_reads_blank_parameters_as_not_given(api: Client) -> None:
    # Was 400 "cannot read price ''": a form's empty fields are no constraint, as on /api/bags.
    blank = dict.fromkeys(("budget_min", "budget_max", "min_capacity", "max_depth", "must", "items"), "")
    assert get(api, "/api/rank", **blank) == get(api, "/api/rank")


@pytest.mark.parametrize(
    ("url", "blank", "base"),
    [
        ("/api/bags", ("currency", "material", "feature", "brand", "category", "sort"), {"price_max": "10000"}),
        ("/api/items", ("category",), {}),
        ("/api/airline-check", ("dims", "airline", "kind"), {"bag": KANKEN}),
        ("/api/search", ("q",), {}),
    ],
)
def test_an_empty_text_parameter_is_not_given(api: Client, url: str, blank: tuple[str, ...], base: dict) -> None:
    assert get(api, url, **base, **dict.fromkeys(blank, "")) == get(api, url, **base)


def _parameters(doc: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p["schema"] for p in doc["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize(
    ("path", "name", "base"),
    [
        ("/api/bags", "sort", {}),
        ("/api/bags", "feature", {}),
        ("/api/bags", "category", {}),
        ("/api/items", "category", {}),
        ("/api/airline-check", "kind", {"bag": KANKEN}),
    ],
)
def test_the_schema_lists_the_values_a_parameter_takes(api: Client, path: str, name: str, base: dict[str, str]) -> None:
    # The schema said "any text", and the API refused all but a few words with 400.
    doc = api.get("/api/openapi.json").json()
    allowed = _parameters(doc, path)[name]["enum"]
    assert "" in allowed and len(allowed) > 2
    for value in allowed:
        get(api, path, **base, **{name: value})
    assert name in get(api, path, 400, **base, **{name: "not-" + allowed[-1]})["error"]


def test_the_schema_says_what_the_api_reads(api: Client) -> None:
    doc = api.get("/api/openapi.json").json()
    bags = _parameters(doc, "/api/bags")
    # Litres were documented as a number or any text, and text was refused.
    assert bags["litres_min"]["type"] == bags["litres_max"]["type"] == "number"
    assert bags["currency"]["pattern"] == "^([A-Z]{3})?$"
    # Longer text is refused by the query guard.
    assert all(s.get("maxLength") == 200 for s in bags.values() if s.get("type") == "string")
    body = doc["paths"]["/api/fit"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    # OpenAPI 3.1 has no "nullable": null had to be one of the id's types, as the API accepts it.
    assert {"type": "null"} in body["properties"]["id"]["oneOf"]
    # A bag is a slug or an interior, never both (the API refuses both with 422).
    assert [sorted(s["properties"]) for s in body["properties"]["bag"]["oneOf"]] == [
        ["slug"],
        ["interior_mm", "usable_ml"],
    ]
    assert post(api, {"id": None, "bag": {"slug": KANKEN}, "items": ["iphone-15"]})["id"] is None
