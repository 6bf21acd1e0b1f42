"""The newsletter's link pages in a real browser: confirm and unsubscribe render, fit a phone, pass axe, and work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from minipack.newsletter import CURRENT_CONSENT
from minipack_web.newsletter import services
from minipack_web.newsletter.models import ConsentRecord, Subscriber
from minipack_web.newsletter.tokens import confirm_token, unsubscribe_token

from .conftest import VIEWPORTS

pytestmark = pytest.mark.browser


def signed_up(address: str) -> Subscriber:
    services.subscription_request(
        email=address, client_ip="192.0.2.1", form="footer", consent_version=CURRENT_CONSENT.version
    )
    return Subscriber.objects.get(email=address)


def check_page(page: Page, viewport: str, console_errors: list[str], assert_accessible: Callable[[Page], None]) -> None:
    assert page.locator("h1").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport][0]
    assert console_errors == []
    assert_accessible(page)


def test_the_confirm_page_confirms_with_its_button(
    viewport: str,
    visit: Callable[[str], Page],
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    subscriber = signed_up("ann@example.com")
    token = confirm_token(ConsentRecord.objects.get(subscriber=subscriber).key)

    page = visit(f"/newsletter/confirm/{token}/")
    screenshot(page, "newsletter-confirm")
    check_page(page, viewport, console_errors, assert_accessible)
    assert Subscriber.objects.get().status == "pending"
    page.get_by_role("button", name="Yes, send me Minipack weekly").click()

    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert Subscriber.objects.get().status == "confirmed"


def test_the_unsubscribe_page_unsubscribes_with_its_button(
    viewport: str,
    visit: Callable[[str], Page],
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    subscriber = signed_up("ann@example.com")

    page = visit(f"/newsletter/unsubscribe/{unsubscribe_token(subscriber.key)}/")
    screenshot(page, "newsletter-unsubscribe")
    check_page(page, viewport, console_errors, assert_accessible)
    page.get_by_role("button", name="Unsubscribe").click()

    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert Subscriber.objects.get().status == "unsubscribed"


@pytest.mark.parametrize("viewport", ["375"])
def test_the_footer_form_signs_up_from_any_page(
    visit: Callable[[str], Page], assert_accessible: Callable[[Page], None]
) -> None:
    page = visit("/faq/")
    form = page.locator("footer form")
    form.get_by_label("Your email address").fill("bo@example.com")
    form.get_by_role("button", name="Subscribe").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert Subscriber.objects.get(email="bo@example.com").status == "pending"
    assert_accessible(page)
