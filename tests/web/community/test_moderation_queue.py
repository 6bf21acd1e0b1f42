"""The moderation queue as readers and editors meet it: who is held, who is published, who sees what."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client

from minipack.moderation import Status
from minipack_web.community.models import Comment, ModerationWord

from .conftest import BAG, BAG_URL, GUIDE, PostComment, approved_comment

pytestmark = pytest.mark.django_db


def stored(response: HttpResponse) -> Comment:
    assert response.status_code == 303, response.content.decode()[:2000]
    return Comment.objects.latest("id")


def test_the_first_comment_from_an_address_is_held_and_its_author_sees_it_awaiting_moderation(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    response = post_comment(email="new@example.com", body="My first words here.")
    comment = stored(response)
    assert (comment.status, comment.held_reasons) == (Status.PENDING, "first comment from this address")

    own = client.get(response["Location"])
    assert own.status_code == 200
    text = own.content.decode()
    assert "awaiting moderation" in text
    assert "My first words here." in text
    assert "My first words here." not in client.get(BAG_URL).content.decode()


def test_an_author_with_an_approved_comment_is_published_at_once_and_sent_to_it(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    approved_comment(email="known@example.com")

    response = post_comment(email="Known@Example.com", body="Second thoughts: still great.")
    comment = stored(response)
    assert comment.status == Status.APPROVED and comment.held_reasons == ""
    assert response["Location"] == f"{BAG_URL}#comment-{comment.pk}"
    page = client.get(BAG_URL).content.decode()
    assert f'id="comment-{comment.pk}"' in page and "Second thoughts: still great." in page


def test_two_links_hold_a_comment_even_from_a_known_author(bag: str, post_comment: PostComment) -> None:
    approved_comment(email="known@example.com")

    comment = stored(post_comment(email="known@example.com", body="https://a.example and https://b.example"))
    assert (comment.status, comment.held_reasons) == (Status.PENDING, "2 links")


def test_one_link_does_not_hold_a_known_author(bag: str, post_comment: PostComment) -> None:
    approved_comment(email="known@example.com")

    comment = stored(post_comment(email="known@example.com", body="Cheaper at https://shop.example/kanken"))
    assert comment.status == Status.APPROVED


def test_a_blocked_word_marks_the_comment_as_spam_and_its_author_is_not_told(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    ModerationWord.objects.create(word="viagra", action="spam")
    approved_comment(email="known@example.com")

    response = post_comment(email="known@example.com", body="Cheap ViAgRa at my shop")
    comment = stored(response)
    assert (comment.status, comment.held_reasons) == (Status.SPAM, "blocked word “viagra”")
    # The author is told what anyone held is told; nothing coaches a spammer around the list.
    assert "awaiting moderation" in client.get(response["Location"]).content.decode()
    assert "Cheap ViAgRa" not in client.get(BAG_URL).content.decode()


def test_a_hold_word_holds_the_comment_even_from_a_known_author(bag: str, post_comment: PostComment) -> None:
    ModerationWord.objects.create(word="discount code", action="hold")
    approved_comment(email="known@example.com")

    comment = stored(post_comment(email="known@example.com", body="Use my DISCOUNT   code!"))
    assert (comment.status, comment.held_reasons) == (Status.PENDING, "hold word “discount code”")


def test_a_reader_never_sees_anyone_elses_pending_comment(bag: str, post_comment: PostComment, client: Client) -> None:
    mine = post_comment(email="me@example.com", body="Mine, pending.")
    theirs = post_comment(email="them@example.com", body="Theirs, pending.")
    stored(theirs)

    own_page = client.get(mine["Location"]).content.decode()
    assert "Mine, pending." in own_page and "Theirs, pending." not in own_page
    bag_page = client.get(BAG_URL).content.decode()
    assert "Mine, pending." not in bag_page and "Theirs, pending." not in bag_page


def test_the_authors_link_is_signed_so_another_id_cannot_be_read(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    response = post_comment(body="Private until approved.")
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    answer = client.get(f"/comments/posted/{forged}/")
    assert answer.status_code == 404
    assert "Private until approved." not in answer.content.decode()
    assert answer["X-Robots-Tag"] == "noindex"


def test_a_comment_on_a_guide_is_held_and_shown_on_the_guide_once_approved(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    comment = stored(post_comment(GUIDE, body="A useful guide."))
    assert (comment.product, comment.guide_slug) == (None, GUIDE.slug)
    assert "A useful guide." not in client.get(f"/guides/{GUIDE.slug}/").content.decode()

    approved_comment(GUIDE, body="Another reader agrees.")
    assert "Another reader agrees." in client.get(f"/guides/{GUIDE.slug}/").content.decode()


def test_the_bag_page_counts_only_shown_comments(bag: str, client: Client) -> None:
    parent = approved_comment(BAG)
    approved_comment(BAG, parent=parent)
    approved_comment(BAG, status=Status.PENDING)
    approved_comment(BAG, status=Status.SPAM)
    hidden_parent = approved_comment(BAG, status=Status.PENDING)
    approved_comment(BAG, parent=hidden_parent)  # approved, but under a comment nobody sees

    assert "2 comments." in client.get(BAG_URL).content.decode()
