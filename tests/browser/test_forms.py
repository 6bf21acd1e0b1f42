"""The two forms in a real browser, without any script: tick, type, submit, and read the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

from minipack.catalog import bundled_catalog
from minipack.fit.interior import bag_space
from minipack.fit.items import load_item_library
from minipack.rank import Preferences, rank

from .conftest import VIEWPORTS

pytestmark = pytest.mark.browser


def no_sideways_scroll(page: Page, viewport: str) -> None:
    width = VIEWPORTS[viewport][0]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width} px wide at a {width} px viewport"


def library_checkbox(page: Page, item_id: str) -> Locator:
    item = load_item_library()[item_id]
    # The label reads the item's name, then its size.
    return page.get_by_role("checkbox", name=re.compile("^" + re.escape(item.name) + r" \d"))


def test_fit_form_ticks_items_adds_your_own_and_draws_the_packing(
    visit: Callable[[str], Page],
    viewport: str,
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    page = visit("/fit/")
    library = load_item_library()

    library_checkbox(page, "iphone-15").check()
    library_checkbox(page, "bifold-wallet").check()
    page.get_by_label(f"How many: {library['bifold-wallet'].name}").fill("2")
    first = page.get_by_role("group", name="Thing 1")
    first.get_by_label("Name").fill("Paperback")
    first.get_by_label("Size").fill("20 x 13 x 3 cm")
    second = page.get_by_role("group", name="Thing 2")
    second.get_by_label("Name").fill("Scarf")
    second.get_by_label("Size").fill("8 x 4 x 1 in")
    second.get_by_label("Soft: it squashes into gaps").check()
    page.get_by_role("button", name="Check every bag").click()
    page.wait_for_load_state()

    assert "item=iphone-15" in page.url and "c1-name=Paperback" in page.url
    assert page.get_by_role("heading", level=2, name="The answer").is_visible()
    sized = sum(1 for p in bundled_catalog() if bag_space(p) is not None)
    assert page.get_by_role("status").inner_text().startswith(f"{sized} of the {sized} bags")
    page.get_by_text("Your things (5)").click()
    things = page.locator("details.kit-list li").all_inner_texts()
    assert [t.split(" ")[0] for t in things] == ["Apple", "Bifold", "Bifold", "Paperback", "Scarf"]
    assert any(t.startswith(library["bifold-wallet"].name + " #2") for t in things)

    fits = page.get_by_role("heading", level=3, name=re.compile("^Fits, with room to spare"))
    assert fits.is_visible()
    picture = page.locator("figure.packing svg").first
    picture.scroll_into_view_if_needed()
    assert picture.is_visible()
    assert picture.get_attribute("role") == "img"
    assert "Paperback" in picture.inner_html()
    box = picture.bounding_box()
    assert box is not None and box["width"] > 200
    unknown = page.get_by_role("heading", level=3, name=re.compile("^Unknown: no published size"))
    assert unknown.is_visible()

    screenshot(page, "fit-form-answer")
    no_sideways_scroll(page, viewport)
    assert console_errors == []
    assert_accessible(page)

    # Each answer leads to the bag's own page.
    card = page.locator("li.fit-answer.has-picture").first
    name = card.locator("h4 a").inner_text()
    card.locator("h4 a").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == name


@pytest.mark.parametrize("viewport", ["375"])
def test_fit_form_names_a_bad_size_and_keeps_what_was_typed(
    visit: Callable[[str], Page], assert_accessible: Callable[[Page], None]
) -> None:
    page = visit("/fit/")

    first = page.get_by_role("group", name="Thing 1")
    first.get_by_label("Name").fill("Paperback")
    first.get_by_label("Size").fill("20 x 13")
    with page.expect_response(lambda r: "/fit/?" in r.url) as answer:
        page.get_by_role("button", name="Check every bag").click()
    page.wait_for_load_state()

    assert answer.value.status == 400
    alert = page.get_by_role("alert")
    assert alert.is_visible()
    assert "c1-size: cannot read dimensions '20 x 13': expected 3 sides" in alert.inner_text()
    assert page.get_by_role("group", name="Thing 1").get_by_label("Size").input_value() == "20 x 13"
    assert_accessible(page)


def test_for_you_form_sets_a_budget_and_ranks_with_reasons(
    visit: Callable[[str], Page],
    viewport: str,
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    page = visit("/for-you/")

    page.get_by_label("Spend at most").fill("$100")
    page.get_by_role("button", name="Show my top 10").click()
    page.wait_for_load_state()

    ranking = rank(bundled_catalog(), Preferences(budget_max=10000))
    assert "budget_max=%24100" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == f"Your top {len(ranking.ranked)}"
    entries = page.locator("ol.guide-list > li.guide-entry")
    assert entries.count() == len(ranking.ranked)
    names = [entries.nth(i).locator("h2 a").inner_text() for i in range(entries.count())]
    assert names == [bag.name for bag in ranking.ranked]
    assert entries.first.get_by_role("heading", level=3, name="Why it ranks here").is_visible()
    assert entries.first.locator("ul.why-lines li").count() == 4

    not_for_you = page.get_by_role("heading", level=2, name=f"Not for you ({len(ranking.excluded)})")
    not_for_you.scroll_into_view_if_needed()
    assert not_for_you.is_visible()
    assert page.locator("ul.not-for-you li").count() == len(ranking.excluded)
    assert page.get_by_text("over budget: $295 > $100").first.is_visible()
    assert page.get_by_role("heading", level=2, name="What would change the answer").is_visible()
    assert page.get_by_text(ranking.counterfactuals[0].message[1:]).is_visible()
    # The form comes back with the answer given.
    assert page.get_by_label("Spend at most").input_value() == "$100"

    screenshot(page, "for-you-form-answer")
    no_sideways_scroll(page, viewport)
    assert console_errors == []
    assert_accessible(page)
