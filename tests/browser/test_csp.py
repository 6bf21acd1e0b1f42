"""The Content-Security-Policy in a real browser: pages break none of it, and a violation fails a test."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("viewport", ["1280"])]


def test_a_csp_violation_shows_up_as_a_console_error(visit: Callable[[str], Page], console_errors: list[str]) -> None:
    """Guards the guard: every browser test asserts console_errors == [], which is only a CSP check if this holds."""
    page = visit("/faq/")

    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
        }"""
    )
    page.wait_for_function("() => true")  # let the violation events reach the console

    assert page.evaluate("window.injected") is None  # the inline script did not run
    assert any("CSP violation: script-src-elem" in e for e in console_errors), console_errors
    assert any("CSP violation: style-src-attr" in e for e in console_errors), console_errors


def test_the_api_docs_load_swagger_ui_from_our_own_files_within_the_policy(
    visit: Callable[[str], Page], console_errors: list[str]
) -> None:
    page = visit("/api/docs")

    page.locator(".swagger-ui .info .title").wait_for()
    assert "Minipack API" in page.locator(".swagger-ui .info .title").inner_text()
    assert console_errors == []


def test_the_404_page_offers_search_and_breaks_no_policy(
    page: Page,
    live_server,
    bundled_catalog: None,
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
) -> None:
    response = page.goto(live_server.url + "/no-such-page/")

    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We have no page at this address"
    # The browser reports the 404 status itself as a console error; nothing else may be there.
    assert [e for e in console_errors if "status of 404 (Not Found)" not in e] == []
    assert_accessible(page)
    page.locator("main input[name=q]").fill("kanken")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/search/?q=kanken")
