"""/ (the flagship "Top 10 mini backpack purses") and /guides/<slug>/: ranked entries, explained and disclosed."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from minipack.guides import load_guides
from minipack_web.caching import new_generation
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import, catalog_load_bundled
from minipack_web.guides.selectors import FLAGSHIP_SLUG, GuidePage, guide_page, honest_title

from ..factories import SHOP, as_records, make_product

pytestmark = pytest.mark.django_db

ENTRY = re.compile(r'<li class="guide-entry" id="rank-(\d+)">(.*?)</li>\s*(?=<li class="guide-entry"|</ol>)', re.DOTALL)


@pytest.fixture
def bundled() -> None:
    catalog_load_bundled()


def entries(html: str) -> list[tuple[int, str]]:
    return [(int(n), body) for n, body in ENTRY.findall(html)]


def title_number(html: str) -> int:
    match = re.search(r"<h1>Top (\d+) mini backpack purses</h1>", html)
    assert match, "the title states a number"
    return int(match.group(1))


def test_the_flagship_is_at_the_root_and_lists_exactly_the_number_its_title_states(
    client: Client, bundled: None
) -> None:
    response = client.get("/")

    assert response.status_code == 200
    page: GuidePage = response.context["page"]
    assert page.slug == FLAGSHIP_SLUG
    html = response.content.decode()
    found = entries(html)
    assert title_number(html) == len(found) == len(page.entries) == 10
    assert f"<title>Top {len(found)} mini backpack purses – Minipack</title>" in html
    assert [n for n, _ in found] == list(range(1, len(found) + 1))


def test_each_entry_has_rank_linked_name_price_with_date_pros_cons_and_why(client: Client, bundled: None) -> None:
    response = client.get("/")
    page: GuidePage = response.context["page"]
    html = response.content.decode()

    for (n, body), entry in zip(entries(html), page.entries, strict=True):
        assert n == entry.position
        assert f'<span class="rank">{n}.</span> <a href="/bags/{entry.slug}/">' in body
        assert client.get(f"/bags/{entry.slug}/").status_code == 200
        if entry.price:
            assert entry.price_date and entry.price_source
            assert entry.price in body and entry.price_date in body
        else:
            assert "Price unknown" in body
        assert "<h3>For</h3>" in body and "<h3>Against</h3>" in body
        assert entry.pros or entry.cons
        assert "<h3>Why it ranks here</h3>" in body
        assert f"{entry.score} points out of 100." in body
        assert body.count(" points<") + body.count(" points ") >= len(entry.why) == 4  # one line per criterion
        assert ("<svg" in body) == bool(entry.outline_svg)
    assert any(e.price and e.price_date for e in page.entries)
    # Every drawing names its title and desc uniquely: several share one page.
    ids = re.findall(r' id="(outline-[^"]+)"', html)
    assert ids and len(ids) == len(set(ids))


def test_the_page_explains_the_method_dates_the_data_and_discloses(client: Client, bundled: None) -> None:
    html = client.get("/").content.decode()

    assert '<h2 id="methodology">How we rank</h2>' in html
    for label in ("Price", "Capacity", "Weight", "Organisation"):
        assert f'<th scope="row">{label}</th>' in html
    assert "Unknown values count as the worst." in html
    assert "Where the data comes from:" in html
    newest = max(Product.objects.values_list("updated_at", flat=True)).date().isoformat()
    assert f'Last updated <time datetime="{newest}">{newest}</time>' in html
    assert '<h2 id="disclosure">Disclosure</h2>' in html
    assert "Minipack has no affiliate links" in html


def test_a_bag_without_a_size_gets_no_drawing(client: Client) -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product("sizeless-mini", brand="Acme", model="Sizeless Mini", claims={"price": "$30"}, source=SHOP),
        )
    )

    page = guide_page(slug=FLAGSHIP_SLUG)

    assert page is not None
    drawings = {e.slug: bool(e.outline_svg) for e in page.entries}
    assert drawings == {"fjallraven-kanken-mini": True, "sizeless-mini": False}


def test_a_short_catalog_gets_a_title_with_the_real_number_never_padding(client: Client) -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini", source=SHOP),
            make_product("acme-mini", brand="Acme", model="Mini", claims={"price": "$20"}, source=SHOP),
        )
    )

    html = client.get("/").content.decode()

    assert title_number(html) == len(entries(html)) == 3
    assert "Top 10" not in html.split("<main>", 1)[1]


def test_honest_title() -> None:
    assert honest_title("Top 10 mini backpack purses", 10) == "Top 10 mini backpack purses"
    assert honest_title("Top 10 mini backpack purses", 4) == "Top 4 mini backpack purses"
    assert honest_title("Top 10 mini backpack purses", 0) == "Mini backpack purses"
    assert honest_title("Best mini backpacks under $100", 3) == "Best mini backpacks under $100"


def test_an_empty_catalog_says_how_to_fill_it(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Mini backpack purses</h1>" in html
    assert entries(html) == []
    assert "load_bundled_catalog" in html


@pytest.mark.parametrize("slug", [g.slug for g in load_guides()])
def test_every_guide_has_its_page(client: Client, bundled: None, slug: str) -> None:
    guide = next(g for g in load_guides() if g.slug == slug)

    response = client.get(f"/guides/{slug}/")

    assert response.status_code == 200
    page: GuidePage = response.context["page"]
    html = response.content.decode()
    assert f"<h1>{page.title}</h1>".replace("'", "&#x27;") in html
    assert len(entries(html)) == len(page.entries) <= guide.top
    assert '<h2 id="methodology">How we rank</h2>' in html and "Minipack has no affiliate links" in html
    for note_slug, note in guide.notes.items():
        if note_slug in {e.slug for e in page.entries}:
            assert note.replace("'", "&#x27;") in html


def test_the_flagship_s_own_address_points_to_the_root(client: Client, bundled: None) -> None:
    html = client.get(f"/guides/{FLAGSHIP_SLUG}/").content.decode()
    assert f'<link rel="canonical" href="{settings.MINIPACK_SITE_URL}/">' in html


def test_an_unknown_guide_is_a_404(client: Client, bundled: None) -> None:
    assert client.get("/guides/no-such-guide/").status_code == 404


def test_the_ranking_is_the_same_on_two_requests(client: Client, bundled: None) -> None:
    first = client.get("/").context["page"]
    new_generation()  # else the second answer is the cached first page, and nothing is ranked again
    second = client.get("/").context["page"]
    assert [e.slug for e in first.entries] == [e.slug for e in second.entries]
    assert first == second


def test_guide_pages_refuse_writes(client: Client) -> None:
    assert client.post("/").status_code == 405
    assert client.post(f"/guides/{FLAGSHIP_SLUG}/").status_code == 405


def test_below_the_top_10_the_root_lists_every_bag_in_the_catalog(client: Client, bundled: None) -> None:
    html = client.get("/").content.decode()

    section = html.split('id="every-bag"', 1)[1]
    rows = re.findall(r'<th scope="row"><a href="/bags/([a-z0-9-]+)/">', section)
    assert len(rows) == 23
    assert "fjallraven-kanken-mini" in rows and "carhartt-classic-mini-backpack" in rows
    assert "unknown" in section  # bags with no published size say so
