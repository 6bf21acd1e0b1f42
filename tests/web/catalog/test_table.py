"""/table/: every bag in one filterable, sortable table, its CSV download and its strict query parsing."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from minipack_web.catalog.services import catalog_import

from ..factories import as_records, make_product

pytestmark = pytest.mark.django_db

TOTAL = 23


def slugs(client: Client, query: str = "") -> list[str]:
    """The bag slugs of the table rows, in order (from the compare checkboxes)."""
    response = client.get(f"/table/{query}")
    assert response.status_code == 200, response.content
    return re.findall(r'name="bags" value="([^"]+)"', response.content.decode())


def csv_rows(client: Client, query: str) -> list[list[str]]:
    response = client.get(f"/table/{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_bag_with_a_count_caption_and_links(client: Client, bundled: None) -> None:
    response = client.get("/table/")
    html = response.content.decode()
    assert len(slugs(client)) == TOTAL
    assert f"{TOTAL} of {TOTAL} bags" in html
    assert "<caption>" in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert 'href="/bags/fjallraven-kanken-mini/"' in html
    assert 'action="/compare/"' in html
    assert '<label for="id_price_min">' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Only USD prices count: Herschel (EUR) and Longchamp (GBP) are unknown, so they drop out.
        (
            "?price_max=90",
            {"baggallini-provence-crossbody", "fjallraven-kanken-mini", "vera-bradley-mini-pixie-backpack"},
        ),
        ("?price_min=190&price_max=200", {"marc-jacobs-the-backpack-mini", "rebecca-minkoff-julian-backpack"}),
        (
            "?litres_min=7",
            {
                "coach-jordyn-backpack",
                "fjallraven-kanken-mini",
                "herschel-supply-co-nova-mini",
                "vera-bradley-mini-pixie-backpack",
            },
        ),
        ("?litres_max=4", {"louis-vuitton-mini-palm-springs-backpack"}),
        (
            "?depth_max=99",
            {
                "baggallini-provence-crossbody",
                "louis-vuitton-mini-palm-springs-backpack",
                "marc-jacobs-the-backpack-mini",
            },
        ),
        ("?weight_max=250", {"fjallraven-kanken-mini", "jansport-half-pint-mini-backpack"}),
        (
            "?material=LEATHER",
            {
                "coach-jordyn-backpack",
                "kate-spade-mini-backpack-patent-leather",
                "longchamp-le-pliage-backpack",
                "michael-kors-abbey-jet-set-backpack",
                "monnet-cauthy-backpack",
                "rebecca-minkoff-julian-backpack",
                "unbranded-mini-backpack-for-women-multi-crossbody",
            },
        ),
        ("?features=water_resistant&features=rain_flap", {"fjallraven-kanken-mini"}),
        ("?brand=michael-kors", {"michael-kors-abbey-jet-set-backpack", "michael-kors-kelsey-backpack"}),
        ("?category=crossbody", {"baggallini-provence-crossbody"}),
    ],
)
def test_each_filter_narrows_the_table(client: Client, bundled: None, query: str, expected: set[str]) -> None:
    shown = slugs(client, query)
    assert set(shown) == expected
    assert f"{len(expected)} of {TOTAL} bags" in client.get(f"/table/{query}").content.decode()


def test_filters_combine(client: Client, bundled: None) -> None:
    # "nylon" is a substring of Baggallini's "Nylon" and the Kånken's "Vinylon F"; only the Kånken is under $80.
    assert slugs(client, "?material=nylon&litres_min=5&price_max=100") == [
        "baggallini-provence-crossbody",
        "fjallraven-kanken-mini",
    ]
    assert slugs(client, "?material=nylon&litres_min=5&price_max=80") == ["fjallraven-kanken-mini"]


@pytest.mark.parametrize("sort", ["price", "-price", "capacity", "-capacity", "weight", "-weight", "depth", "-depth"])
def test_unknown_values_sort_last_in_both_directions(client: Client, bundled: None, sort: str) -> None:
    rows = csv_rows(client, f"?format=csv&sort={sort}")[1:]
    column = {"price": 8, "capacity": 6, "weight": 7, "depth": 5}[sort.lstrip("-")]
    known = [r[column] != "" for r in rows]
    assert len(rows) == TOTAL
    assert True in known and False in known
    # Every known value comes before every unknown one.
    assert known == sorted(known, reverse=True)


def test_sort_order_of_known_values(client: Client, bundled: None) -> None:
    assert slugs(client, "?sort=price")[:2] == ["vera-bradley-mini-pixie-backpack", "fjallraven-kanken-mini"]
    assert slugs(client, "?sort=-price")[0] == "coach-jordyn-backpack"
    assert slugs(client, "?sort=-capacity")[0] == "herschel-supply-co-nova-mini"
    assert slugs(client, "?sort=weight")[:2] == ["jansport-half-pint-mini-backpack", "fjallraven-kanken-mini"]
    assert slugs(client, "?sort=-name") == slugs(client, "?sort=name")[::-1]


def test_unknown_is_shown_as_unknown_not_zero(client: Client, bundled: None) -> None:
    html = client.get("/table/?brand=zara").content.decode()
    assert html.count('<span class="unknown">unknown</span>') >= 5
    assert ">0 g<" not in html and ">$0<" not in html


def test_units_toggle(client: Client, bundled: None) -> None:
    inches = client.get("/table/?brand=fjallraven").content.decode()
    metric = client.get("/table/?brand=fjallraven&units=cm").content.decode()
    assert "7.85 W x 5.1 D x 11.4 H in" in inches and "7.69 oz" in inches
    assert "20 W x 13 D x 29 H cm" in metric and "218 g" in metric
    assert "Show in centimetres" in inches and "units=cm" in inches
    assert "Show in inches" in metric


def test_the_state_is_in_the_links(client: Client, bundled: None) -> None:
    html = client.get("/table/?brand=coach&sort=price").content.decode()
    # The sort headers keep the filters; the current column flips direction.
    assert 'href="?brand=coach&amp;sort=-price"' in html
    assert 'aria-sort="ascending"' in html
    assert 'href="?brand=coach&amp;sort=price&amp;format=csv"' in html


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?price_min=abc", "price_min"),
        ("?price_max=-1", "price_max"),
        ("?price_min=NaN", "price_min"),
        ("?litres_min=1e400", "litres_min"),
        ("?litres_min=8&litres_max=2", "litres_max"),
        ("?depth_max=10.5", "depth_max"),
        ("?weight_max=0", "weight_max"),
        ("?material=" + "x" * 101, "material"),
        ("?features=jetpack", "features"),
        ("?brand=no-such-brand", "brand"),
        ("?category=tote", "category"),
        ("?units=furlongs", "units"),
        ("?sort=colour", "sort"),
        ("?format=xlsx", "format"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client: Client, bundled: None, query: str, parameter: str) -> None:
    response = client.get(f"/table/{query}")
    assert response.status_code == 400
    assert f"<code>{parameter}</code>" in response.content.decode()


def test_unknown_parameters_are_ignored_and_the_last_duplicate_wins(client: Client, bundled: None) -> None:
    assert len(slugs(client, "?utm_source=x&colour=red")) == TOTAL
    assert slugs(client, "?category=sling&category=crossbody") == ["baggallini-provence-crossbody"]


def test_csv_download_is_the_current_view(client: Client, bundled: None) -> None:
    response = client.get("/table/?format=csv&brand=vera-bradley&sort=-name&units=cm")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="minipack-bags.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["slug", "bag", "brand", "category"]
    assert [r[0] for r in rows[1:]] == [
        "vera-bradley-signature-cotton-mini-backpack",
        "vera-bradley-mini-pixie-backpack",
    ]
    assert rows[2][5] == "12.1 cm"
    assert rows[2][-1].endswith("/bags/vera-bradley-mini-pixie-backpack/")


def test_csv_cells_are_neutralised_against_formulas(client: Client, db: None) -> None:
    catalog_import(records=as_records(make_product("evil-bag", model="Evil", claims={"material": "=HYPERLINK(1)"})))
    rows = csv_rows(client, "?format=csv")
    assert rows[1][10] == "'=HYPERLINK(1)"
    html = client.get("/table/").content.decode()
    assert "=HYPERLINK(1)" in html and "&#x27;=HYPERLINK" not in html


def test_home_and_bag_pages_link_to_the_table(client: Client, bundled: None) -> None:
    assert 'href="/table/"' in client.get("/").content.decode()
    bag = client.get("/bags/fjallraven-kanken-mini/").content.decode()
    assert 'href="/table/"' in bag
    assert "/compare/?bags=fjallraven-kanken-mini," in bag
