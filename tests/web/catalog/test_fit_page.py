"""/fit/, "Will my things fit?": every bag's answer is the fit engine's own, explained, pictured and shareable."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import replace

import pytest
from django.test import Client

from minipack.catalog import bundled_catalog
from minipack.fit import FitResult, Item, check_fit
from minipack.fit.interior import bag_space
from minipack.fit.items import distinct_names, load_item_library
from minipack.fit.screen import screen_catalog
from minipack.kits import COMMON_KITS
from minipack_web.catalog import fit_selectors
from minipack_web.catalog.fit_forms import MAX_KIT_ITEMS, kit_key
from minipack_web.catalog.fit_selectors import PICTURES, FitAnswer
from minipack_web.catalog.services import catalog_import

from ..factories import as_records, make_product

pytestmark = pytest.mark.django_db

ANSWER = re.compile(r'<li class="fit-answer[^"]*" id="bag-([a-z0-9-]+)">(.*?)</li>', re.DOTALL)
TABLET_DAY = next(kit for kit in COMMON_KITS if kit.name == "Tablet day")


def library_items(ids: list[str]) -> list[Item]:
    library = load_item_library()
    return distinct_names([library[i].as_item(library[i].name) for i in ids])


def expected(items: list[Item]) -> dict[str, FitResult | None]:
    """The engine's answer for every bundled bag, asked directly of the core (None: no published size)."""
    out: dict[str, FitResult | None] = {}
    for product in bundled_catalog():
        space = bag_space(product)
        out[product.slug] = None if space is None else check_fit(replace(space, name=product.name), items)
    return out


def answers(html: str) -> dict[str, str]:
    """slug -> the HTML of its answer card."""
    return dict(ANSWER.findall(html))


def unknown(html: str) -> list[str]:
    """The slugs listed as unknown: bags without a published size."""
    listed = re.search(r'<ul class="unknown-bags">(.*?)</ul>', html, re.DOTALL)
    return re.findall(r'<li id="bag-([a-z0-9-]+)"><a href="/bags/\1/">', listed.group(1)) if listed else []


def verdicts(html: str) -> dict[str, str]:
    """slug -> the verdict the page gives, for every bag on it."""
    return {slug: verdict_of(card) for slug, card in answers(html).items()} | dict.fromkeys(unknown(html), "unknown")


def verdict_of(card: str) -> str:
    match = re.search(r'<p class="verdict v-([a-z_]+)">', card)
    assert match, card
    return match.group(1)


def text(html: str) -> str:
    return html_lib.unescape(html)


# --------------------------------------------------------------------------- the empty page


def test_the_page_offers_the_library_grouped_with_quantities_the_kits_and_custom_rows(client: Client) -> None:
    response = client.get("/fit/")

    assert response.status_code == 200
    assert response.context["answer"] is None
    html = response.content.decode()
    assert "<h1>Will my things fit?</h1>" in html
    assert "The answer" not in html
    library = load_item_library()
    for item in library:
        assert f'name="item" value="{item.id}"' in html
        assert f'name="qty-{item.id}"' in html
    for label in ("Phones", "E-readers", "Bottles"):
        assert f"<legend>{label}</legend>" in html
    for kit in COMMON_KITS:
        assert f'value="{kit_key(kit)}"' in html and html_lib.escape(kit.name) in html
    assert 'name="c1-name"' in html and 'name="c1-size"' in html and 'name="c1-soft"' in html
    # Reachable from every page.
    assert '<a href="/fit/">Will it fit?</a>' in html


def test_a_submitted_empty_selection_prompts_and_checks_no_bag(client: Client, bundled: None) -> None:
    response = client.get("/fit/?c1-name=&c1-size=&qty-iphone-15=3")

    assert response.status_code == 200
    assert response.context["answer"] is None
    html = response.content.decode()
    assert "You have not picked anything yet" in html
    assert 'class="fit-answer' not in html


# --------------------------------------------------------------------------- answers


def test_every_bag_gets_the_engines_own_verdict(client: Client, bundled: None) -> None:
    items = library_items(list(TABLET_DAY.item_ids))
    response = client.get(f"/fit/?kit={kit_key(TABLET_DAY)}")

    assert response.status_code == 200
    truth = expected(items)
    shown = verdicts(response.content.decode())
    assert shown == {slug: "unknown" if r is None else r.verdict for slug, r in truth.items()}
    # The kit separates the catalog: some bags take it with room, some only just, some not at all.
    assert {"fits", "tight", "does_not_fit", "unknown"} <= set(shown.values())
    answer: FitAnswer = response.context["answer"]
    assert answer.fitting == sum(1 for r in truth.values() if r is not None and r.fits)
    assert [g.code for g in answer.groups] == ["fits", "tight", "does_not_fit", "unknown"]


def test_a_no_gives_the_proof_in_words_and_the_fewest_things_to_leave_out(client: Client, bundled: None) -> None:
    items = library_items(list(TABLET_DAY.item_ids))
    cards = answers(client.get(f"/fit/?kit={kit_key(TABLET_DAY)}").content.decode())

    noes = {slug: r for slug, r in expected(items).items() if r is not None and r.verdict == "does_not_fit"}
    assert noes
    for slug, result in noes.items():
        card = text(cards[slug])
        assert result.proof is not None and result.proof.message in card
        assert result.remove_to_fit
        assert f"To make it fit, leave out:</strong> {', '.join(result.remove_to_fit)}." in card
        assert "<svg" not in card


def test_a_yes_says_whether_there_is_room_to_spare(client: Client, bundled: None) -> None:
    items = library_items(list(TABLET_DAY.item_ids))
    cards = answers(client.get(f"/fit/?kit={kit_key(TABLET_DAY)}").content.decode())

    for slug, result in expected(items).items():
        if result is not None and result.fits:
            assert result.reason in text(cards[slug])
            assert "leave out" not in cards[slug]
    tight = [slug for slug, r in expected(items).items() if r is not None and r.verdict == "tight"]
    assert tight and all("but only just" in text(cards[slug]) for slug in tight)


def test_the_smallest_fitting_bags_get_a_to_scale_picture_and_every_bag_its_link(client: Client, bundled: None) -> None:
    items = library_items(["iphone-15", "bifold-wallet", "kindle-paperwhite-11"])
    html = client.get("/fit/?item=iphone-15&item=bifold-wallet&item=kindle-paperwhite-11").content.decode()
    cards = answers(html)

    fitting = sorted(
        (
            (space.interior_mm[0] * space.interior_mm[1] * space.interior_mm[2], p.name, p.slug)
            for p in bundled_catalog()
            if (space := bag_space(p)) is not None and check_fit(space, items).fits
        ),
    )
    assert len(fitting) > PICTURES
    pictured = [slug for slug, card in cards.items() if "<svg" in card]
    assert sorted(pictured) == sorted(slug for _, _, slug in fitting[:PICTURES])
    for slug in pictured:
        svg = re.search(r"<svg.*?</svg>", cards[slug], re.DOTALL)
        assert svg and 'role="img"' in svg.group(0)
        # Each item of the kit is drawn and named in the picture's key.
        for item in items:
            assert html_lib.escape(item.name) in svg.group(0)
    # Several pictures share the page: every id is unique.
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for slug, card in cards.items():
        assert f'<a href="/bags/{slug}/">' in card
    assert set(verdicts(html)) == {p.slug for p in bundled_catalog()}
    for slug in verdicts(html):
        assert client.get(f"/bags/{slug}/").status_code == 200


def test_bags_without_a_published_size_are_unknown_never_a_no(client: Client, bundled: None) -> None:
    html = client.get("/fit/?item=iphone-15").content.decode()

    unsized = sorted(p.slug for p in bundled_catalog() if bag_space(p) is None)
    assert unsized
    assert sorted(unknown(html)) == unsized
    assert '<h3 id="group-unknown" class="fit-group">Unknown: no published size' in html
    assert "No source publishes the outer size of these bags" in html
    assert not set(unsized) & set(answers(html))
    assert all(verdict_of(card) == "fits" for card in answers(html).values())


def test_a_bag_whose_size_leaves_no_inside_is_a_no_with_the_reason(client: Client) -> None:
    catalog_import(
        records=as_records(
            make_product(),
            make_product("wafer-mini", brand="Acme", model="Wafer Mini", claims={"exterior": "10 x 10 x 1 cm"}),
        )
    )

    cards = answers(client.get("/fit/?item=lip-balm-stick").content.decode())

    assert verdict_of(cards["wafer-mini"]) == "does_not_fit"
    assert "leaves no room inside the walls" in text(cards["wafer-mini"])
    assert verdict_of(cards["fjallraven-kanken-mini"]) == "fits"


# --------------------------------------------------------------------------- quantities and your own things


def test_quantities_and_custom_items_are_packed_as_typed(client: Client, bundled: None) -> None:
    response = client.get(
        "/fit/?item=iphone-15&qty-iphone-15=2&item=water-bottle-500ml"
        "&c1-name=Paperback&c1-size=20+x+13+x+3+cm&c2-name=Scarf&c2-size=8+x+4+x+1+in&c2-soft=on"
    )

    assert response.status_code == 200
    answer: FitAnswer = response.context["answer"]
    assert [(line.name, line.size) for line in answer.kit] == [
        ("Apple iPhone 15", "14.8 x 7.2 x 0.8 cm"),
        ("Apple iPhone 15 #2", "14.8 x 7.2 x 0.8 cm"),
        (load_item_library()["water-bottle-500ml"].name, "6.4 x 6.4 x 20.3 cm (round)"),
        ("Paperback", "20 x 13 x 3 cm"),
        ("Scarf", "20.3 x 10.2 x 2.5 cm (soft)"),
    ]
    items = [
        *library_items(["iphone-15", "iphone-15", "water-bottle-500ml"]),
        Item("Paperback", (200, 130, 30)),
        Item("Scarf", (203, 102, 25), rigid=False),
    ]
    truth = expected(items)
    assert verdicts(response.content.decode()) == {
        slug: "unknown" if r is None else r.verdict for slug, r in truth.items()
    }


def test_the_short_link_asks_the_same_question(client: Client, bundled: None) -> None:
    response = client.get(
        "/fit/?kit=day-out&item=kindle-paperwhite-11&qty-kindle-paperwhite-11=2&qty-iphone-15=1"
        "&c1-name=&c1-size=&c2-name=Book&c2-size=20x13x3cm&c3-name=&c3-size="
    )
    share = response.context["share_query"]

    assert share == "?kit=day-out&item=kindle-paperwhite-11&qty-kindle-paperwhite-11=2&c1-name=Book&c1-size=20x13x3cm"
    assert f'href="/fit/{html_lib.escape(share)}"' in response.content.decode()
    again = client.get("/fit/" + share)
    assert again.context["answer"] == response.context["answer"]


def test_a_long_list_keeps_exact_verdicts_when_time_runs_out(
    client: Client, bundled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fit_selectors, "EXPLAIN_BUDGET_S", -1.0)
    items = library_items(list(TABLET_DAY.item_ids))

    response = client.get(f"/fit/?kit={kit_key(TABLET_DAY)}")

    assert response.status_code == 200
    assert "we stopped explaining some answers in full" in response.content.decode()
    cards = answers(response.content.decode())
    spaces = [replace(s, name=p.name) for p in bundled_catalog() if (s := bag_space(p)) is not None]
    slugs = {p.name: p.slug for p in bundled_catalog()}
    for verdict in screen_catalog(spaces, items):
        assert verdict_of(cards[slugs[verdict.space.name]]) == verdict.verdict


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("c1-name=Book&c1-size=20+x+10", "c1-size", "expected 3 sides separated by 'x', found 2"),
        ("c1-name=Book&c1-size=20+x+10+x+3", "c1-size", "no unit given"),
        ("c1-name=Book&c1-size=20+x+10+x+-3+cm", "c1-size", "negative values are not allowed"),
        ("c1-name=Book&c1-size=2000+x+10+x+3+cm", "c1-size", "over 5000 mm"),
        ("c1-name=Book", "c1-size", "give a size for 'Book'"),
        ("c1-size=20+x+10+x+3+cm", "c1-name", "give the thing of size '20 x 10 x 3 cm' a name"),
        (
            "item=kindle-paperwhit",
            "item",
            "no such item in the library; did you mean 'kindle-paperwhite-1', 'kindle-paperwhite-11'?",
        ),
        ("item=toaster", "item", "no item 'toaster' in our library"),
        ("kit=picnic", "kit", "no common kit called picnic"),
        ("item=iphone-15&qty-iphone-15=11", "qty-iphone-15", "less than or equal to 10"),
        ("item=iphone-15&qty-iphone-15=0", "qty-iphone-15", "greater than or equal to 1"),
        ("item=iphone-15&qty-iphone-15=two", "qty-iphone-15", "Enter a whole number"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_the_reason(
    client: Client, bundled: None, query: str, field: str, reason: str
) -> None:
    response = client.get(f"/fit/?{query}")

    assert response.status_code == 400
    html = text(response.content.decode())
    problems = re.search(r'<ul class="problems">(.*?)</ul>', html, re.DOTALL)
    assert problems, "the page lists the problems"
    assert f"<code>{field}</code>" in problems.group(1)
    assert reason in problems.group(1)
    assert 'class="fit-answer' not in html
    # The form comes back as it was sent, so one fix is one fix.
    assert 'id="fit-form"' in html


def test_too_many_things_is_a_400_with_the_limit(client: Client, bundled: None) -> None:
    ids = ["iphone-15", "bifold-wallet", "lip-balm-stick", "airpods-pro-case", "kindle-paperwhite-11"]
    query = "&".join(f"item={i}&qty-{i}=9" for i in ids)  # 45 things

    response = client.get(f"/fit/?{query}")

    assert response.status_code == 400
    html = text(response.content.decode())
    assert f"45 things chosen; we check at most {MAX_KIT_ITEMS} at a time" in html
    assert 'value="9"' in html
