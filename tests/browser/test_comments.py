"""Comments in a real browser: the XSS corpus posted through the form runs nowhere and shows as typed.

Each payload of RELIABILITY A.6 goes into the name, the body and (where an
address allows it) the email of a comment posted through the page's own
form, with no script of ours involved. The author's own page, the bag page
once an editor approves them, and the reply page must open no dialog, hold
no element the payloads would inject, and show every payload as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page

from minipack.moderation import Status
from minipack_web.community.models import Comment
from minipack_web.community.services import comments_set_status

from .conftest import VIEWPORTS

pytestmark = pytest.mark.browser

BAG = "/bags/fjallraven-kanken-mini/"
CORPUS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "{{7*7}}",
    "</script><script>alert(1)</script>",
]
# The payloads an email address can carry in its local part (an unquoted dot-atom allows ' { } * =).
EMAILS = {"{{7*7}}": "{{7*7}}@example.com", "' onmouseover='alert(1)": "'onmouseover='alert@example.com"}

# Everything a payload above would create if it ran or was parsed as markup: elements, handlers, script links.
INJECTED = """() => {
  const main = document.querySelector('main');
  const handlers = [...main.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on')));
  return {
    scripts: main.querySelectorAll('script').length,
    images: main.querySelectorAll('img[src="x"]').length,
    handlers: handlers.map(e => e.outerHTML.slice(0, 120)),
    scriptLinks: main.querySelectorAll('a[href^="javascript:" i]').length,
  };
}"""
CLEAN = {"scripts": 0, "images": 0, "handlers": [], "scriptLinks": 0}


@pytest.fixture(autouse=True)
def instant_forms(settings: Any) -> None:
    """Posts here come from 127.0.0.1 seconds after their page: lift the flood window and the form's minimum age."""
    settings.MINIPACK_COMMENT_FLOOD_SECONDS = 0
    settings.MINIPACK_COMMENT_FORM_MIN_SECONDS = 0


@pytest.fixture
def dialogs(page: Page) -> Iterator[list[str]]:
    """Every alert, confirm or prompt the page opens (dismissed at once); an XSS that runs shows up here."""
    opened: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield opened


def post_through_the_form(page: Page, *, name: str, email: str, body: str) -> None:
    form = page.locator("form.comment-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Comment").fill(body)
    form.get_by_role("button", name="Post your comment").click()
    page.wait_for_load_state()


def hover_everything(page: Page) -> None:
    """Move the mouse over every comment's name and body: an injected onmouseover would fire now."""
    for part in page.locator(".comment .comment-name, .comment .comment-body p").all():
        part.hover()


@pytest.mark.parametrize("viewport", ["1280"])
def test_the_xss_corpus_in_every_field_runs_nowhere_and_reads_as_typed(
    visit: Callable[[str], Page], dialogs: list[str], console_errors: list[str]
) -> None:
    page = visit(BAG)
    for n, payload in enumerate(CORPUS):
        post_through_the_form(
            page,
            name=payload,
            email=EMAILS.get(payload, f"reader{n}@example.com"),
            body=f"{payload}\nSee https://shop.example/{payload}\n\n{' '.join(CORPUS)}",
        )
        # The author's own page: their comment, awaiting moderation, shown as text.
        assert page.get_by_role("heading", level=1).inner_text() == "Your comment is awaiting moderation"
        assert page.locator(".comment-own .comment-name").inner_text() == payload
        hover_everything(page)
        assert page.evaluate(INJECTED) == CLEAN
        page.goto(page.url.split("/comments/")[0] + BAG)

    assert Comment.objects.count() == len(CORPUS)
    comments_set_status(ids=list(Comment.objects.values_list("pk", flat=True)), status=Status.APPROVED)

    page.reload()
    names = page.locator("section.comments .comment-name").all_inner_texts()
    assert names == CORPUS
    bodies = page.locator("section.comments .comment-body").all_inner_texts()
    for payload, body in zip(CORPUS, bodies, strict=True):
        assert body.startswith(payload + "\n")
    assert "{{7*7}}" in bodies[4] and "49" not in bodies[4]
    links = page.locator("section.comments .comment-body a")
    assert all(href.startswith("https://shop.example/") for href in links.evaluate_all("as => as.map(a => a.href)"))
    hover_everything(page)
    assert page.evaluate(INJECTED) == CLEAN
    html = page.content()
    assert not any(email in html for email in EMAILS.values())

    # The reply page prints the name in its title and heading.
    page.locator("section.comments .comment-reply a").nth(1).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Reply to {CORPUS[1]}"
    assert page.title().startswith(f"Reply to {CORPUS[1]}")
    hover_everything(page)
    assert page.evaluate(INJECTED) == CLEAN

    assert dialogs == []
    assert console_errors == []


def test_a_bag_page_with_comments_replies_and_a_long_address_fits_the_phone_and_passes_axe(
    visit: Callable[[str], Page],
    viewport: str,
    dialogs: list[str],
    console_errors: list[str],
    assert_accessible: Callable[[Page], None],
    screenshot: Callable[[Page, str], Path],
) -> None:
    page = visit(BAG)
    post_through_the_form(
        page,
        name="Ann",
        email="ann@example.com",
        body="Fits a Kindle.\nBought at https://shop.example/a/very/long/address/that/does/not/break/anywhere/at/all/x",
    )
    comments_set_status(ids=list(Comment.objects.values_list("pk", flat=True)), status=Status.APPROVED)
    page.goto(page.url.split("/comments/")[0] + BAG)
    page.locator("section.comments .comment-reply a").first.click()
    page.wait_for_load_state()
    page.locator("form.comment-form").get_by_label("Name").fill("Bob")
    page.locator("form.comment-form").get_by_label("Email").fill("bob@example.com")
    page.locator("form.comment-form").get_by_label("Comment").fill("So does a paperback.")
    page.get_by_role("button", name="Post your reply").click()
    page.wait_for_load_state()
    assert "awaiting moderation" in page.content()
    comments_set_status(ids=list(Comment.objects.values_list("pk", flat=True)), status=Status.APPROVED)

    page.goto(page.url.split("/comments/")[0] + BAG + "#comments")
    assert page.locator("section.comments ol.comment-replies .comment-name").inner_text() == "Bob"
    screenshot(page, "bag-with-comments")
    width = VIEWPORTS[viewport][0]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)
    assert dialogs == [] and console_errors == []


def test_a_refused_comment_comes_back_with_the_errors_named_and_passes_axe(
    visit: Callable[[str], Page], console_errors: list[str], assert_accessible: Callable[[Page], None]
) -> None:
    page = visit(BAG)
    form = page.locator("form.comment-form")
    form.get_by_label("Name").fill("Ann")
    form.get_by_label("Email").fill("ann@example.com")
    form.get_by_label("Comment").fill("Control \x07 character")
    form.get_by_role("button", name="Post your comment").click()
    page.wait_for_load_state()

    alert = page.get_by_role("alert")
    assert "Your comment was not posted" in alert.inner_text()
    assert "Comment: This contains an invisible control character (U+0007)" in alert.inner_text()
    assert page.locator("#comment-body").input_value() == "Control \x07 character"
    assert page.locator("#comment-body").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    # Chromium logs the form's 400 answer itself; nothing else may be logged.
    assert [e for e in console_errors if "status of 400 (Bad Request)" not in e] == []
