"""The comment form's defences (RELIABILITY A.5, A.10-A.14): each refuses with a clear answer and writes nothing."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from selectolax.lexbor import LexborHTMLParser

from minipack.moderation import Status
from minipack_web.community import services
from minipack_web.community.forms import form_token
from minipack_web.community.models import Comment

from .conftest import BAG, BAG_URL, GUIDE, POST_URL, PostComment, approved_comment, form_data, fresh_ip

pytestmark = pytest.mark.django_db


def refused(response: HttpResponse, status: int, *phrases: str) -> str:
    text = response.content.decode()
    assert response.status_code == status, text[:3000]
    for phrase in phrases:
        assert phrase in text, phrase
    assert Comment.objects.count() == 0
    return text


# --------------------------------------------------------------------------- honeypot and the signed timestamp


def test_a_filled_honeypot_gets_a_plain_thank_you_and_nothing_is_stored(bag: str, post_comment: PostComment) -> None:
    response = post_comment(website="https://spam.example")
    assert response.status_code == 200
    assert "Your comment has been received." in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_form_sent_seconds_after_the_page_loaded_is_refused_with_the_text_kept(
    bag: str, post_comment: PostComment
) -> None:
    text = refused(post_comment(age_s=1, body="Typed by a script."), 400, "too quickly")
    assert "Typed by a script.</textarea>" in text


def test_a_form_older_than_two_hours_is_refused(bag: str, post_comment: PostComment) -> None:
    refused(post_comment(age_s=2 * 60 * 60 + 5), 400, "more than 2 hours old")


def test_a_form_two_hours_old_is_still_in_time(bag: str, post_comment: PostComment) -> None:
    assert post_comment(age_s=2 * 60 * 60 - 60).status_code == 303


@pytest.mark.parametrize(
    "issued",
    [
        "nonsense",
        form_token(BAG, now=time.time() - 60)[:-2] + "xx",  # a forged signature
        form_token(GUIDE, now=time.time() - 60),  # made for another page
        None,  # left out
    ],
    ids=["garbage", "forged", "other-page", "missing"],
)
def test_a_tampered_or_missing_form_token_is_refused(bag: str, post_comment: PostComment, issued: str | None) -> None:
    refused(post_comment(issued=issued), 400, "could not be checked")


def test_a_refused_form_comes_back_with_a_fresh_token_that_works(
    bag: str, post_comment: PostComment, client: Client
) -> None:
    text = refused(post_comment(age_s=1), 400)
    token = text.split('name="issued" value="', 1)[1].split('"', 1)[0]
    assert token
    # The fresh token was made just now, so it is itself too fresh for an instant retry: the writer's
    # reading time covers that. It names the same page and is genuine.
    from minipack_web.community.forms import token_problem

    assert token_problem(token, BAG, now=time.time() + 10) is None


# --------------------------------------------------------------------------- flood and duplicates


def test_a_second_comment_from_one_email_within_15_seconds_gets_429_and_is_not_stored(
    bag: str, post_comment: PostComment
) -> None:
    assert post_comment(email="quick@example.com", body="First.").status_code == 303
    response = post_comment(email="quick@example.com", body="Second, too soon.")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 15
    assert "Please wait" in response.content.decode()
    assert list(Comment.objects.values_list("body", flat=True)) == ["First."]


def test_a_second_comment_from_one_ip_within_15_seconds_gets_429(bag: str, post_comment: PostComment) -> None:
    ip = fresh_ip()
    assert post_comment(ip=ip, email="one@example.com").status_code == 303
    assert post_comment(ip=ip, email="two@example.com", body="Another person, same network.").status_code == 429
    assert Comment.objects.count() == 1


def test_after_the_flood_window_the_same_sender_may_post_again(bag: str, post_comment: PostComment) -> None:
    ip = fresh_ip()
    assert post_comment(ip=ip, email="patient@example.com", body="First.").status_code == 303
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=16))
    assert post_comment(ip=ip, email="patient@example.com", body="Second, later.").status_code == 303


def test_the_hourly_cap_per_ip_refuses_the_next_comment(bag: str, post_comment: PostComment, settings: Any) -> None:
    settings.MINIPACK_COMMENT_HOURLY_LIMIT = 3
    ip = fresh_ip()
    for n in range(3):
        assert post_comment(ip=ip, body=f"Comment {n}.").status_code == 303
        Comment.objects.update(created_at=timezone.now() - timedelta(minutes=10 * (n + 1)))
    response = post_comment(ip=ip, body="One too many.")
    assert response.status_code == 429
    assert "3 comments in the last hour" in response.content.decode()
    # The oldest of the three leaves the hour in 30 minutes.
    assert 29 * 60 <= int(response["Retry-After"]) <= 30 * 60
    assert Comment.objects.count() == 3


def test_an_ipv6_sender_cannot_escape_the_flood_limit_by_changing_address_within_its_slash_64(
    bag: str, post_comment: PostComment
) -> None:
    assert post_comment(ip="2001:db8:5:6::1", email="v6a@example.com").status_code == 303
    assert post_comment(ip="2001:db8:5:6::beef", email="v6b@example.com", body="Other words.").status_code == 429


def test_the_same_comment_twice_gets_409_and_is_stored_once(bag: str, post_comment: PostComment) -> None:
    assert post_comment(email="twice@example.com", body="Great bag!").status_code == 303
    Comment.objects.update(created_at=timezone.now() - timedelta(days=2))  # past every flood limit
    response = post_comment(email="twice@example.com", body="great   BAG!")
    assert response.status_code == 409
    assert "already posted this comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_the_same_words_on_another_page_are_not_a_duplicate(bag: str, post_comment: PostComment) -> None:
    assert post_comment(BAG, email="both@example.com", body="Nice.").status_code == 303
    Comment.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert post_comment(GUIDE, email="both@example.com", body="Nice.").status_code == 303


# --------------------------------------------------------------------------- CSRF, mass assignment, bad input


def test_a_post_without_a_csrf_token_is_forbidden_and_stores_nothing(bag: str) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(POST_URL, form_data(), REMOTE_ADDR=fresh_ip())
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_a_post_with_the_token_from_the_page_is_accepted(bag: str) -> None:
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/bags/{BAG.slug}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = strict.post(POST_URL, {**form_data(), "csrfmiddlewaretoken": token}, REMOTE_ADDR=fresh_ip())
    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_fields_outside_the_form_are_ignored(bag: str, post_comment: PostComment) -> None:
    response = post_comment(
        status="approved",
        id="999",
        created_at="2000-01-01T00:00:00Z",
        held_reasons="",
        ip_hash="f" * 64,
        product="1",
        guide_slug="best-under-100",
    )
    assert response.status_code == 303
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING and comment.held_reasons
    assert comment.pk != 999 and comment.created_at.year >= 2026 and comment.ip_hash != "f" * 64
    assert (comment.product.slug, comment.guide_slug) == (BAG.slug, "")


@pytest.mark.parametrize(
    ("fields", "field_label", "reason"),
    [
        ({"body": "Hello\x00world"}, "Comment", "NUL"),
        ({"name": "Ann\x00"}, "Name", "NUL"),
        ({"body": "x" * 3001}, "Comment", "at most 3000 characters"),
        ({"name": "n" * 81}, "Name", "at most 80 characters"),
        ({"email": "not-an-address"}, "Email", "valid email"),
        ({"body": "x" * 1_000_000}, "Comment", "at most 3000 characters"),
        ({"body": "   "}, "Comment", "required"),
        ({"name": "Ann\nSmith"}, "Name", "one line"),
        ({"body": "ring \x07 ring"}, "Comment", "control character (U+0007)"),
    ],
    ids=[
        "nul-body",
        "nul-name",
        "3001-body",
        "81-name",
        "bad-email",
        "1mb-body",
        "blank-body",
        "two-line-name",
        "bell",
    ],
)
def test_bad_fields_get_400_naming_the_field_and_the_reason(
    bag: str, post_comment: PostComment, fields: dict[str, str], field_label: str, reason: str
) -> None:
    text = refused(post_comment(**fields), 400, reason)
    assert f">{field_label}</a>:" in text  # the summary names the field and links to it


def test_a_body_of_exactly_3000_characters_with_browser_line_ends_is_accepted(
    bag: str, post_comment: PostComment
) -> None:
    body = "\r\n".join(["x" * 1000, "x" * 999, "x" * 999])  # 3002 as sent; 3000 once \r\n counts as one
    assert post_comment(body=body).status_code == 303
    assert len(Comment.objects.get().body) == 3000


def test_a_comment_on_a_page_that_does_not_exist_is_refused(bag: str, post_comment: PostComment) -> None:
    from minipack_web.community.selectors import Target

    refused(post_comment(Target("bag", "no-such-bag")), 400, "no bag or guide here")
    refused(post_comment(target="comment:1"), 400, "no bag or guide here")


def test_get_on_the_post_address_is_not_allowed(bag: str, client: Client) -> None:
    assert client.get(POST_URL).status_code == 405


def test_a_database_that_stays_locked_gets_503_with_the_text_kept(
    bag: str, post_comment: PostComment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "comment_post", locked)
    response = post_comment(body="Please keep me.")
    text = refused(response, 503, "could not save your comment")
    assert response["Retry-After"] == "5"
    assert "Please keep me.</textarea>" in text


def test_a_database_that_is_down_gets_503_with_the_text_kept_not_the_generic_error_page(
    bag: str, post_comment: PostComment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL restarting: the form's first query (which page is this comment for?) already fails."""
    from minipack_web.community import forms

    def down(target: object) -> None:
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(forms, "target_page", down)
    response = post_comment(body="Please keep me too.", parent="42")  # a reply to comment 42
    text = refused(response, 503, "could not save your comment")
    assert response["Retry-After"] == "5"
    assert "Please keep me too.</textarea>" in text
    # The form still says where the comment goes (and what it answers), so sending it again works.
    form = LexborHTMLParser(text).css_first('form[action="/comments/"]')
    assert form is not None
    sent = {i.attributes["name"]: i.attributes.get("value") for i in form.css("input[type=hidden]")}
    assert (sent["target"], sent["parent"]) == (BAG.value, "42")


# --------------------------------------------------------------------------- who the client is


def test_a_forwarded_for_header_is_ignored_unless_it_comes_from_a_trusted_proxy(
    bag: str, client: Client, settings: Any
) -> None:
    settings.MINIPACK_TRUSTED_PROXIES = []
    proxy = fresh_ip()
    first = client.post(POST_URL, form_data(), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = client.post(POST_URL, form_data(body="Other"), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert (first.status_code, second.status_code) == (303, 429)  # one sender: the header was not believed

    settings.MINIPACK_TRUSTED_PROXIES = [proxy]
    third = client.post(POST_URL, form_data(body="Third"), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.3")
    assert third.status_code == 303  # a new sender behind our proxy


def test_the_stored_ip_is_a_keyed_hash_never_the_address(bag: str, post_comment: PostComment) -> None:
    post_comment(ip="203.0.113.77")
    stored = Comment.objects.get().ip_hash
    assert "203.0.113.77" not in stored and len(stored) == 64
    assert stored == services.ip_hash("203.0.113.77")


def test_an_approved_author_keeps_their_privilege_under_another_spelling_of_their_email(
    bag: str, post_comment: PostComment
) -> None:
    approved_comment(email="case@example.com")
    post_comment(email="  CASE@Example.COM ")
    assert Comment.objects.get(email="case@example.com", status=Status.APPROVED, body__startswith="Fits")


def test_a_cached_page_s_comment_form_is_stamped_when_it_is_served_not_when_it_was_rendered(
    bag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    from django.core import signing

    from minipack_web.community import apps, forms

    def issued_at(response: Any) -> float:
        token = LexborHTMLParser(response.content.decode()).css_first('input[name="issued"]').attributes["value"]
        return float(signing.loads(token, salt=forms.TOKEN_SALT)["t"])

    clock = types.SimpleNamespace(time=lambda: 1_000_000.0)
    monkeypatch.setattr(forms, "time", clock)
    monkeypatch.setattr(apps, "time", clock)  # the served form's stamp is taken there
    first = Client().get(BAG_URL)
    clock.time = lambda: 1_003_600.0  # an hour later, the page comes from the cache
    second = Client().get(BAG_URL)

    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert (issued_at(first), issued_at(second)) == (1_000_000.0, 1_003_600.0)
