"""Comments on the pages: threads one reply deep, replying without script, safe text and links, counts, the cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from selectolax.lexbor import LexborHTMLParser

from minipack.moderation import Status
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.community.models import Comment
from minipack_web.community.selectors import comment_counts
from minipack_web.community.services import comments_set_status

from .conftest import BAG, BAG_URL, GUIDE, PostComment, approved_comment

pytestmark = pytest.mark.django_db


def html(client: Client, url: str) -> LexborHTMLParser:
    response = client.get(url)
    assert response.status_code == 200, url
    return LexborHTMLParser(response.content.decode())


# --------------------------------------------------------------------------- threads and replies


def test_a_bag_page_lists_its_comments_oldest_first_with_replies_under_them(bag: str, client: Client) -> None:
    first = approved_comment(name="Ann", body="First!")
    second = approved_comment(name="Bob", body="Second.")
    reply = approved_comment(name="Cat", body="Replying to Ann.", parent=first)

    tree = html(client, BAG_URL)
    threads = tree.css("section.comments ol.comment-list > li")
    assert [t.css_first("article").attributes["id"] for t in threads] == [f"comment-{first.pk}", f"comment-{second.pk}"]
    replies = threads[0].css("ol.comment-replies article")
    assert [r.attributes["id"] for r in replies] == [f"comment-{reply.pk}"]
    assert "3 comments." in tree.css_first(".comment-count").text()


def test_top_level_comments_have_a_reply_link_and_replies_have_none(bag: str, client: Client) -> None:
    parent = approved_comment()
    approved_comment(parent=parent)

    tree = html(client, BAG_URL)
    links = [a.attributes["href"] for a in tree.css("section.comments .comment-reply a")]
    assert links == [f"/comments/{parent.pk}/reply/"]


def test_the_reply_page_shows_the_comment_and_a_form_that_posts_a_reply(
    bag: str, client: Client, post_comment: PostComment
) -> None:
    parent = approved_comment(name="Ann", body="Does a Kindle fit?")
    page = client.get(f"/comments/{parent.pk}/reply/")
    assert page.status_code == 200 and page["X-Robots-Tag"] == "noindex"
    tree = LexborHTMLParser(page.content.decode())
    assert tree.css_first("h1").text() == "Reply to Ann"
    assert "Does a Kindle fit?" in tree.css_first(".comment-parent").text()
    form = tree.css_first("form.comment-form")
    assert form.css_first('input[name="parent"]').attributes["value"] == str(parent.pk)
    assert form.css_first('input[name="target"]').attributes["value"] == BAG.value

    assert post_comment(parent=str(parent.pk), body="Yes, easily.").status_code == 303
    assert Comment.objects.get(body="Yes, easily.").parent == parent


@pytest.mark.parametrize("which", ["reply", "pending", "spam", "other-page", "missing"])
def test_a_reply_must_answer_a_shown_top_level_comment_on_the_same_page(
    bag: str, client: Client, post_comment: PostComment, which: str
) -> None:
    top = approved_comment()
    parent = {
        "reply": lambda: approved_comment(parent=top),
        "pending": lambda: approved_comment(status=Status.PENDING),
        "spam": lambda: approved_comment(status=Status.SPAM),
        "other-page": lambda: approved_comment(GUIDE),
        "missing": lambda: Comment(pk=10**9),
    }[which]()
    before = Comment.objects.count()

    response = post_comment(parent=str(parent.pk), body="A reply too deep or misplaced.")
    assert response.status_code == 400
    assert "not open for replies" in response.content.decode()
    assert Comment.objects.count() == before
    if which != "other-page":  # that one is open for replies, on its own page
        assert client.get(f"/comments/{parent.pk}/reply/").status_code == 404


# --------------------------------------------------------------------------- plain text, safe links


def test_a_body_is_shown_as_text_with_its_lines_and_its_web_addresses_as_nofollow_links(
    bag: str, client: Client
) -> None:
    comment = approved_comment(
        body="Bought it at https://shop.example/kanken?a=1&b=2.\nLove it.\n\njavascript:alert(1) <b>bold</b>"
    )
    article = html(client, BAG_URL).css_first(f"#comment-{comment.pk} .comment-body")
    paragraphs = article.css("p")
    assert len(paragraphs) == 2
    assert paragraphs[0].html.count("<br>") == 1
    links = article.css("a")
    assert [(a.attributes["href"], a.attributes["rel"], a.text()) for a in links] == [
        ("https://shop.example/kanken?a=1&b=2", "nofollow ugc noopener", "https://shop.example/kanken?a=1&b=2")
    ]
    assert paragraphs[1].text() == "javascript:alert(1) <b>bold</b>"
    assert article.css("b") == []


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
    "{{7*7}}",
    "</script><script>",
]


@pytest.mark.parametrize("payload", XSS)
def test_the_xss_corpus_in_name_and_body_is_printed_as_text(bag: str, client: Client, payload: str) -> None:
    comment = approved_comment(name=payload[:80], body=f"{payload}\nhttps://a.example/{payload}")
    raw = client.get(BAG_URL).content.decode()
    section = raw.split('<section aria-labelledby="comments"', 1)[1]
    assert "<script" not in section.lower() and "<img" not in section.lower()
    node = LexborHTMLParser(raw).css_first(f"#comment-{comment.pk}")
    for element in node.traverse():
        assert not [name for name in element.attributes if name.lower().startswith("on")], element.html
        assert not (element.attributes.get("href") or "").lower().startswith("javascript:"), element.html
    assert node.css_first(".comment-name").text() == payload
    assert node.css_first(".comment-body p").text().startswith(payload)  # {{7*7}} stays itself, never 49


# --------------------------------------------------------------------------- counts and the page cache


def test_guide_cards_show_each_bags_count_of_shown_comments(db: None, client: Client) -> None:
    catalog_load_bundled()
    approved_comment(BAG)
    approved_comment(BAG, parent=approved_comment(BAG))
    approved_comment(BAG, status=Status.PENDING)

    tree = html(client, "/")
    entry = next(e for e in tree.css("li.guide-entry") if e.css_first(f'a[href="{BAG_URL}"]'))
    link = entry.css_first(f'a[href="{BAG_URL}#comments"]')
    assert link.text(deep=True).startswith("3 comments")
    others = [e for e in tree.css("li.guide-entry") if e.attributes["id"] != entry.attributes["id"]]
    assert all("0 comments" in e.text() for e in others)


def test_counts_are_per_page_for_bags_and_guides(bag: str) -> None:
    approved_comment(BAG)
    approved_comment(GUIDE)
    approved_comment(GUIDE)
    approved_comment(GUIDE, status=Status.SPAM)

    assert comment_counts(kind="bag", slugs=[BAG.slug, "other-bag"]) == {BAG.slug: 1}
    assert comment_counts(kind="guide", slugs=[GUIDE.slug, BAG.slug]) == {GUIDE.slug: 2}


def test_an_approval_shows_on_the_next_request_to_a_cached_page(
    bag: str, client: Client, post_comment: PostComment, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    post_comment(body="Waiting for an editor.")
    client.get(BAG_URL)
    assert client.get(BAG_URL)["X-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        comments_set_status(ids=[Comment.objects.get().pk], status=Status.APPROVED)
    page = client.get(BAG_URL)
    assert page["X-Cache"] == "miss"
    assert "Waiting for an editor." in page.content.decode()


def test_a_held_comment_leaves_the_cached_pages_alone(
    bag: str, client: Client, post_comment: PostComment, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client.get(BAG_URL)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_comment(body="Held: no page changes.").status_code == 303
    assert client.get(BAG_URL)["X-Cache"] == "hit"


def test_a_comment_published_at_once_is_on_the_page_it_redirects_to(
    bag: str, client: Client, post_comment: PostComment, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    approved_comment(email="known@example.com")
    client.get(BAG_URL)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(email="known@example.com", body="Published at once.")
    assert "Published at once." in client.get(response["Location"]).content.decode()


def test_editing_or_deleting_an_approved_comment_in_one_save_refreshes_the_page(
    bag: str, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    comment = approved_comment(body="Original words.")
    assert "Original words." in client.get(BAG_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment.status = Status.SPAM
        comment.save()
    assert "Original words." not in client.get(BAG_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment.status = Status.APPROVED
        comment.save()
    assert "Original words." in client.get(BAG_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        comment.delete()
    assert "Original words." not in client.get(BAG_URL).content.decode()


def test_the_form_on_a_cached_page_carries_each_visitors_own_csrf_token(bag: str) -> None:
    first, second = Client(), Client()
    one = LexborHTMLParser(first.get(BAG_URL).content.decode())
    two_response = second.get(BAG_URL)
    two = LexborHTMLParser(two_response.content.decode())
    assert two_response["X-Cache"] == "hit"
    token = 'form.comment-form input[name="csrfmiddlewaretoken"]'
    assert one.css_first(token).attributes["value"] != two.css_first(token).attributes["value"]
