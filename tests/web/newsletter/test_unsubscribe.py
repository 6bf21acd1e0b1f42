"""One-click unsubscribe (RFC 8058): a POST unsubscribes at once, no cookie, no redirect; a GET changes nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter import services
from minipack_web.newsletter.digest import digest_send
from minipack_web.newsletter.models import DigestDelivery, OutboxMail, Subscriber, Suppression
from minipack_web.newsletter.tokens import email_hash, unsubscribe_token

from ..factories import as_records, make_product
from .helpers import links, post_signup, subscribe

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


def one_click(path: str) -> object:
    # What a mail client sends: no cookie, no CSRF token, the RFC 8058 body.
    return Client(enforce_csrf_checks=True).post(path, ONE_CLICK, content_type="application/x-www-form-urlencoded")


def link_of(subscriber: Subscriber) -> str:
    return f"/newsletter/unsubscribe/{unsubscribe_token(subscriber.key)}/"


def suppressed(address: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(address)).exists()


def test_a_one_click_post_unsubscribes_at_once_with_no_redirect_and_no_cookie() -> None:
    subscriber = subscribe("ann@example.com")

    response = one_click(link_of(subscriber))

    assert response.status_code == 200
    assert "Location" not in response
    assert not response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None
    assert suppressed("ann@example.com")


def test_the_link_in_the_mail_unsubscribes_even_before_confirming() -> None:
    post_signup(Client(), "ann@example.com")
    services.outbox_drain()

    assert one_click(links(mail.outbox[0].body)["unsubscribe"]).status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"
    assert suppressed("ann@example.com")


def test_the_get_shows_a_button_and_changes_nothing() -> None:
    subscriber = subscribe("ann@example.com")

    for _ in range(3):
        response = Client().get(link_of(subscriber))
        assert response.status_code == 200
        assert b"<button" in response.content and ONE_CLICK.split("=")[0].encode() in response.content
        # The head's canonical and OpenGraph URLs name the signup page, never the reader's signed link.
        assert unsubscribe_token(subscriber.key).encode() not in response.content

    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert not suppressed("ann@example.com")


def test_the_pages_button_posts_to_the_same_link_without_a_cookie() -> None:
    subscriber = subscribe("ann@example.com")
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(link_of(subscriber))
    assert not page.cookies

    response = visitor.post(link_of(subscriber), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


def test_unsubscribing_twice_is_harmless() -> None:
    subscriber = subscribe("ann@example.com")
    one_click(link_of(subscriber))

    assert one_click(link_of(subscriber)).status_code == 200
    assert Suppression.objects.count() == 1


def test_tampered_and_unknown_links_get_the_same_error_page_and_change_nothing() -> None:
    subscriber = subscribe("ann@example.com")
    erased = subscribe("gone@example.com")
    erased_link = link_of(erased)
    services.subscriber_erase(subscriber=erased)
    good = link_of(subscriber)
    tampered = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    forged = good.replace(subscriber.key, "0" * 32)

    answers = set()
    for path in (tampered, forged, erased_link):
        for response in (Client().get(path), one_click(path)):
            answers.add((response.status_code, response.content))

    assert len(answers) == 1
    status, body = answers.pop()
    assert status == 400 and b"This link does not work" in body
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"
    assert not suppressed("ann@example.com")


def test_the_unsubscribe_link_is_opaque() -> None:
    subscriber = subscribe("ann.lee@example.com")

    link = link_of(subscriber)

    token = link.split("/")[-2]
    # A random key and its signature: no address, no row id (random letters may spell anything, so look for the
    # address as a whole, and check what the token is made of).
    assert "example.com" not in link
    assert token.split(":")[0] == subscriber.key and len(subscriber.key) == 32


def test_nothing_queued_for_them_goes_out_after_unsubscribing() -> None:
    catalog_import(records=as_records(make_product()))
    subscriber = subscribe("ann@example.com")
    post_signup(Client(), "ann@example.com")  # queues an "already subscribed" note
    from minipack_web.newsletter.digest import digest_issue_prepare

    digest_issue_prepare()  # and a digest delivery

    one_click(link_of(subscriber))
    services.outbox_drain()
    digest_send()

    assert mail.outbox == []
    assert OutboxMail.objects.get(kind="already").status == "skipped"
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"skipped"}
