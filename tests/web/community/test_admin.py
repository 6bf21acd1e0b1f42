"""The editors' queue: filter and search comments, see why each was held, approve, mark spam or delete them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client

from minipack.moderation import Status
from minipack_web.community.models import Comment, ModerationWord

from .conftest import BAG_URL, GUIDE, PostComment, approved_comment

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/community/comment/"


@pytest.fixture
def editor(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("editor", "editor@example.com", "pw"))
    return client


@pytest.fixture
def queue(bag: str, post_comment: PostComment) -> list[Comment]:
    """Three held comments, each from a new address; one with two links."""
    post_comment(name="Ann", body="First from Ann.")
    post_comment(name="Bob", body="Links: https://a.example https://b.example")
    post_comment(GUIDE, name="Cat", body="On the guide.")
    return list(Comment.objects.order_by("id"))


def act(editor: Client, action: str, comments: list[Comment], *, follow: bool = True) -> HttpResponse:
    return editor.post(CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments]}, follow=follow)


def test_the_queue_lists_comments_with_why_they_were_held(editor: Client, queue: list[Comment]) -> None:
    page = editor.get(CHANGELIST + "?status__exact=pending").content.decode()
    assert "First from Ann." in page and "On the guide." in page
    assert "first comment from this address" in page
    assert "2 links; first comment from this address" in page


def test_the_queue_filters_by_status_and_page_and_searches(editor: Client, queue: list[Comment]) -> None:
    approved_comment(body="Already approved.")
    pending = editor.get(CHANGELIST + "?status__exact=pending").content.decode()
    assert "Already approved." not in pending and "First from Ann." in pending
    guides = editor.get(CHANGELIST + "?on=guide").content.decode()
    assert "On the guide." in guides and "First from Ann." not in guides
    found = editor.get(CHANGELIST + "?q=Bob").content.decode()
    assert "Links:" in found and "First from Ann." not in found


def test_bulk_approve_publishes_the_comments_at_once(
    editor: Client, queue: list[Comment], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    editor.logout()
    visitor = Client()
    visitor.get(BAG_URL)  # cached without them
    editor.force_login(User.objects.get(username="editor"))

    with django_capture_on_commit_callbacks(execute=True):
        response = act(editor, "approve", queue[:2])
    assert "2 comments approved." in response.content.decode()
    assert {c.status for c in Comment.objects.filter(pk__in=[queue[0].pk, queue[1].pk])} == {Status.APPROVED}
    assert Comment.objects.get(pk=queue[2].pk).status == Status.PENDING
    page = visitor.get(BAG_URL).content.decode()
    assert "First from Ann." in page and "https://a.example" in page


def test_bulk_mark_as_spam_hides_approved_comments(
    editor: Client, bag: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    shown = approved_comment(body="Turns out to be spam.")
    assert "Turns out to be spam." in Client().get(BAG_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        act(editor, "mark_spam", [shown])
    assert Comment.objects.get().status == Status.SPAM
    assert "Turns out to be spam." not in Client().get(BAG_URL).content.decode()


def test_bulk_delete_removes_the_comments_and_their_replies(
    editor: Client, bag: str, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    parent = approved_comment(body="Parent.")
    approved_comment(body="Reply.", parent=parent)
    keep = approved_comment(body="Keep me.")
    assert "Reply." in Client().get(BAG_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        editor.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [parent.pk], "post": "yes"})
    assert list(Comment.objects.all()) == [keep]
    page = Client().get(BAG_URL).content.decode()
    assert "Parent." not in page and "Reply." not in page and "Keep me." in page


def test_one_comment_is_approved_from_its_own_page(
    editor: Client, queue: list[Comment], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    comment = queue[0]
    form = editor.get(f"{CHANGELIST}{comment.pk}/change/").content.decode()
    assert "first comment from this address" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(
            f"{CHANGELIST}{comment.pk}/change/", {"status": "approved", "name": comment.name, "body": comment.body}
        )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.email and comment.created_at  # read-only fields untouched
    assert "First from Ann." in Client().get(BAG_URL).content.decode()


def test_editors_cannot_add_comments_in_the_admin(editor: Client) -> None:
    assert editor.get(f"{CHANGELIST}add/").status_code == 403


def test_a_listed_word_is_stored_folded_and_listed_once(editor: Client) -> None:
    response = editor.post("/admin/community/moderationword/add/", {"word": "  ViÁGRA ", "action": "spam"})
    assert response.status_code == 302
    assert list(ModerationWord.objects.values_list("word", flat=True)) == ["viagra"]
    again = editor.post("/admin/community/moderationword/add/", {"word": "VIAGRA", "action": "hold"})
    assert again.status_code == 200 and "is already listed" in again.content.decode()
    blank = editor.post("/admin/community/moderationword/add/", {"word": "\u200b", "action": "hold"})
    assert "visible character" in blank.content.decode()
