"""/for-you/, the personal top 10: the ranking, the not-for-you list and what would change it are the core's own."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client

from minipack.catalog import bundled_catalog
from minipack.fit.items import distinct_names, load_item_library
from minipack.kits import COMMON_KITS
from minipack.rank import Preferences, Ranking, Weights, rank
from minipack_web.catalog.fit_forms import kit_key
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.guides.selectors import ForYouPage

pytestmark = pytest.mark.django_db

ENTRY = re.compile(
    r'<li class="guide-entry" id="rank-(\d+)">\s*<h2>.*?<a href="/bags/([a-z0-9-]+)/">'
    r'(.*?)</li>\s*(?=<li class="guide-entry"|</ol>)',
    re.DOTALL,
)
TABLET_DAY = next(kit for kit in COMMON_KITS if kit.name == "Tablet day")


@pytest.fixture
def bundled() -> None:
    catalog_load_bundled()


def core_ranking(prefs: Preferences) -> Ranking:
    """The answer asked of the core directly, on the catalog the site loaded."""
    return rank(bundled_catalog(), prefs, top=10)


def shown(html: str) -> list[tuple[int, str, str]]:
    return [(int(n), slug, body) for n, slug, body in ENTRY.findall(html)]


def section(html: str, heading_id: str) -> str:
    match = re.search(rf'<h2 id="{heading_id}">.*?</section>', html, re.DOTALL)
    assert match, f"no section {heading_id}"
    return html_lib.unescape(match.group(0))


def test_the_page_starts_with_the_form_and_no_ranking(client: Client, bundled: None) -> None:
    response = client.get("/for-you/")

    assert response.status_code == 200
    assert response.context["page"] is None
    html = response.content.decode()
    assert "<h1>Your own top 10</h1>" in html
    assert 'class="guide-entry"' not in html
    for legend in (
        "Budget",
        "Size and weight",
        "It must have",
        "Materials",
        "What matters most (weights from 0 to 10)",
    ):
        assert f"<legend>{legend}</legend>" in html
    assert '<a href="/for-you/">For you</a>' in html


def test_a_budget_gives_the_cores_ranking_explained(client: Client, bundled: None) -> None:
    response = client.get("/for-you/?budget_max=100")

    assert response.status_code == 200
    ranking = core_ranking(Preferences(budget_max=10000))
    html = response.content.decode()
    entries = shown(html)
    assert [slug for _, slug, _ in entries] == list(ranking.slugs)
    assert [n for n, _, _ in entries] == list(range(1, len(ranking.ranked) + 1))
    assert "<h1>Your top 4</h1>" in html and len(ranking.ranked) == 4
    for (_, _, body), bag in zip(entries, ranking.ranked, strict=True):
        body = html_lib.unescape(body)
        assert f"{bag.score:.0f} points out of 100." in body
        for c in bag.contributions:
            assert f"{c.points:.1f} of " in body
            if not c.missing:
                assert c.raw in body
    page: ForYouPage = response.context["page"]
    assert page.requirements == "budget up to $100"
    assert f"{ranking.eligible} of the 23 bags" in html


def test_every_bag_left_out_is_listed_with_every_reason(client: Client, bundled: None) -> None:
    html = client.get("/for-you/?budget_max=%24100").content.decode()

    ranking = core_ranking(Preferences(budget_max=10000))
    listed = section(html, "not-for-you")
    assert f"Not for you ({len(ranking.excluded)})" in listed
    assert len(ranking.excluded) + len(ranking.ranked) == 23
    for excluded in ranking.excluded:
        assert f'<a href="/bags/{excluded.slug}/">{excluded.name}</a>: {"; ".join(excluded.reasons)}' in listed
    assert "over budget: $295 > $100" in listed
    assert "unknown price in USD (only a price in EUR is published)" in listed


def test_what_would_change_the_answer_comes_from_the_core(client: Client, bundled: None) -> None:
    html = client.get("/for-you/?budget_max=10").content.decode()

    ranking = core_ranking(Preferences(budget_max=1000))
    assert ranking.ranked == () and ranking.counterfactuals
    assert "No bag meets all of your requirements." in html
    changes = section(html, "what-would-change")
    for c in ranking.counterfactuals:
        assert c.message[:1].upper() + c.message[1:] + "." in changes
    assert "+$45 of budget (up to $55) adds the Vera Bradley Mini Pixie Backpack." in changes


def test_weights_change_the_order_as_the_core_says(client: Client, bundled: None) -> None:
    response = client.get("/for-you/?w_price=0&w_capacity=10&w_weight=&w_organisation=0.5")

    # A cleared box is the default weight (weight 0.5); a typed 0 is zero.
    prefs = Preferences(weights=Weights(price=0, capacity=10, weight=0.5, organisation=0.5))
    ranking = core_ranking(prefs)
    assert [slug for _, slug, _ in shown(response.content.decode())] == list(ranking.slugs)
    assert ranking.slugs != core_ranking(Preferences()).slugs
    weights = {w.label: (w.weight, w.out_of) for w in response.context["page"].weights}
    assert weights == {
        "Price": ("0", "0.0"),
        "Capacity": ("10", "90.9"),
        "Weight": ("0.5", "4.5"),
        "Organisation": ("0.5", "4.5"),
    }
    assert "<strong>Capacity</strong>: weight 10, so up to 90.9 points out of 100" in response.content.decode()


def test_features_airlines_and_things_to_hold_filter_as_the_core_does(client: Client, bundled: None) -> None:
    response = client.get(f"/for-you/?airline=UA&kit={kit_key(TABLET_DAY)}&item=kindle-paperwhite-11&currency=USD")

    assert response.status_code == 200
    library = load_item_library()
    kit = distinct_names([library[i].as_item(library[i].name) for i in (*TABLET_DAY.item_ids, "kindle-paperwhite-11")])
    ranking = core_ranking(Preferences(airlines=("UA",), kit=tuple(kit)))
    html = response.content.decode()
    assert [slug for _, slug, _ in shown(html)] == list(ranking.slugs)
    listed = section(html, "not-for-you")
    reasons = [r for e in ranking.excluded for r in e.reasons]
    assert any(r.startswith("the kit does not fit: ") for r in reasons)
    assert any(r.startswith("borderline UA personal-item size") for r in reasons)
    for reason in reasons:
        assert reason in listed
    assert "personal item on UA; holds Apple iPhone 15" in html_lib.unescape(html)


def test_a_budget_in_another_currency_ranks_in_that_currency(client: Client, bundled: None) -> None:
    response = client.get("/for-you/?budget_max=80&currency=EUR")

    ranking = core_ranking(Preferences(budget_max=8000, currency="EUR"))
    assert (
        [slug for _, slug, _ in shown(response.content.decode())]
        == list(ranking.slugs)
        == ["herschel-supply-co-nova-mini"]
    )


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("budget_max=abc", "budget_max", "cannot read price 'abc'"),
        ("budget_max=-5", "budget_max", "negative values are not allowed"),
        ("min_capacity=6", "min_capacity", "expected a number and a unit such as '7 L'"),
        ("max_depth=12", "max_depth", "no unit"),
        ("max_weight=heavy", "max_weight", "cannot read weight 'heavy'"),
        ("must=zzz", "must", "no feature called zzz"),
        ("category=tote", "category", "no category called tote"),
        ("airline=ZZ", "airline", "no personal-item rule for the airline ZZ"),
        ("kit=picnic", "kit", "no common kit called picnic"),
        ("item=toaster", "item", "no item 'toaster' in our library"),
        ("w_price=-1", "w_price", "greater than or equal to 0"),
        ("w_price=11", "w_price", "less than or equal to 10"),
        ("w_price=nan", "w_price", "Enter a number"),
        ("budget_min=200&budget_max=100", "budget_max", "is below the minimum you will spend"),
        ("budget_min=%E2%82%AC50&budget_max=%24100", "budget_max", "is in USD but the minimum is in EUR"),
        ("min_capacity=10+L&max_capacity=5+L", "max_capacity", "is below the minimum capacity"),
        ("currency=XYZ", "currency", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_the_reason(
    client: Client, bundled: None, query: str, field: str, reason: str
) -> None:
    response = client.get(f"/for-you/?{query}")

    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    problems = re.search(r'<ul class="problems">(.*?)</ul>', html, re.DOTALL)
    assert problems, "the page lists the problems"
    assert f"<code>{field}</code>" in problems.group(1)
    assert reason in problems.group(1)
    assert 'class="guide-entry"' not in html
    assert 'id="preferences"' in html
