"""Every page in a real browser, at 375 px and 1280 px: it renders, fits the phone, logs no errors, passes axe."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from minipack_web.catalog.services import bundled_catalog

from .conftest import VIEWPORTS

pytestmark = pytest.mark.browser

# One line per page: each path below gets every check in test_page, at both widths.
PAGES = [
    "/",
    "/bags/fjallraven-kanken-mini/",
    "/bags/herschel-supply-co-nova-mini/",
    "/guides/best-under-100/",
    "/table/",
    "/table/?sort=-capacity&units=cm&features=water_resistant",
    "/compare/?bags=fjallraven-kanken-mini,herschel-supply-co-nova-mini,longchamp-le-pliage-backpack",
    "/search/?q=kankn",
    "/faq/",
    "/fit/",
    "/fit/?kit=tablet-day&item=kindle-paperwhite-11&c1-name=Paperback&c1-size=20+x+13+x+3+cm",
    "/for-you/",
    "/for-you/?budget_max=200&must=adjustable_straps&w_capacity=2",
    "/newsletter/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page(
    path: str,
    viewport: str,
    visit: Callable[[str], Page],
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    page = visit(path)
    screenshot(page, path)

    assert page.locator("h1").first.is_visible()
    assert page.locator("main").is_visible()

    # Wide tables scroll inside their own box; the page itself never scrolls sideways.
    width = VIEWPORTS[viewport][0]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} is {scroll_width} px wide at a {width} px viewport"

    assert console_errors == []
    assert_accessible(page)


def test_root_is_the_flagship_guide(visit: Callable[[str], Page]) -> None:
    page = visit("/")

    assert page.get_by_role("heading", level=1).inner_text() == "Top 10 mini backpack purses"
    entries = page.locator("ol.guide-list > li.guide-entry")
    assert entries.count() == 10
    assert entries.first.is_visible()
    assert page.get_by_role("heading", level=2, name="How we rank").is_visible()
    assert page.get_by_role("heading", level=2, name="Disclosure").is_visible()


def test_table_lists_every_bundled_bag(visit: Callable[[str], Page]) -> None:
    page = visit("/table/")

    rows = page.locator("table.catalog tbody tr")
    assert rows.count() == len(bundled_catalog().products)
    assert rows.first.is_visible()
    assert page.get_by_role("rowheader", name="Fjällräven Kånken Mini", exact=True).is_visible()


def test_bag_page_shows_its_name_and_sections(visit: Callable[[str], Page]) -> None:
    page = visit("/bags/fjallraven-kanken-mini/")

    assert page.get_by_role("heading", level=1).inner_text() == "Fjällräven Kånken Mini"
    for section in ("Specs and where they come from", "What fits", "Airlines", "Price", "Where to buy"):
        assert page.get_by_role("heading", level=2, name=section).is_visible()
    assert page.locator("table.airlines tbody tr").first.is_visible()


def test_bag_page_shows_a_conflict_side_by_side(visit: Callable[[str], Page]) -> None:
    page = visit("/bags/herschel-supply-co-nova-mini/")

    conflict = page.locator(".spec-conflict").first
    assert conflict.is_visible()
    assert conflict.get_by_text("Sources disagree").is_visible()
    assert conflict.locator("ul.side-by-side li").count() >= 2


@pytest.mark.parametrize("viewport", ["1280"])
def test_openapi_schema_loads_as_json(page: Page, live_server) -> None:
    response = page.goto(live_server.url + "/api/openapi.json")

    assert response is not None and response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    schema = json.loads(page.locator("body").inner_text())
    assert schema["openapi"].startswith("3.")
    assert any(p.startswith("/api/bags") for p in schema["paths"])


def test_bags_photo_loads_as_webp_in_its_reserved_box(
    visit: Callable[[str], Page],
    bundled_catalog: None,
    settings,
    tmp_path: Path,
    viewport: str,
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
) -> None:
    from PIL import Image

    from minipack.photos import prepare_photo
    from minipack_web.catalog.models import Product
    from minipack_web.catalog.services import bag_photo_create

    settings.MEDIA_ROOT = tmp_path / "media"
    upload = io.BytesIO()
    Image.new("RGB", (1600, 1200), (120, 60, 90)).save(upload, format="JPEG")
    bag_photo_create(
        product=Product.objects.get(slug="fjallraven-kanken-mini"),
        photo=prepare_photo(upload.getvalue(), file_name="kanken.jpg"),
        alt="The Kånken Mini, front view",
    )

    page = visit("/bags/fjallraven-kanken-mini/")

    image = page.get_by_role("img", name="The Kånken Mini, front view")
    image.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.currentSrc").endswith(".webp")
    box = image.bounding_box()
    assert box is not None and box["width"] <= VIEWPORTS[viewport][0]
    assert box["height"] == pytest.approx(box["width"] * 768 / 1024, abs=2)
    # The width and height attributes give the box its shape before the file arrives: no layout shift.
    assert image.evaluate("img => getComputedStyle(img).aspectRatio") == "auto 1024 / 768"
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][0]
    assert console_errors == []
    assert_accessible(page)
