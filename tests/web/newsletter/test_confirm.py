"""Confirming: the GET shows a button and changes nothing, the POST confirms; expired or forged links change nothing."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client

from minipack_web.newsletter import services
from minipack_web.newsletter.models import ConsentRecord, Subscriber, Suppression
from minipack_web.newsletter.tokens import confirm_token, email_hash, unsubscribe_token

from .helpers import links, post_signup, subscribe

pytestmark = pytest.mark.django_db


def signed_up(address: str = "ann@example.com") -> str:
    """Sign up through the form; the confirm link's path from the mail."""
    post_signup(Client(), address)
    services.outbox_drain()
    return links(mail.outbox[-1].body)["confirm"]


def state(address: str = "ann@example.com") -> tuple[str, bool]:
    subscriber = Subscriber.objects.get(email=address)
    return subscriber.status, ConsentRecord.objects.filter(subscriber=subscriber, confirmed_at__isnull=False).exists()


def test_the_confirm_links_get_shows_a_button_and_changes_nothing() -> None:
    link = signed_up()

    for _ in range(3):  # a mail scanner may open it several times
        response = Client().get(link)
        assert response.status_code == 200
        assert b"<button" in response.content and b'method="post"' in response.content

    assert state() == ("pending", False)


def test_the_confirm_links_post_confirms() -> None:
    link = signed_up()
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(link)
    token = visitor.cookies["csrftoken"].value
    assert page.status_code == 200

    response = visitor.post(link, {"csrfmiddlewaretoken": token})

    assert response.status_code == 200 and b"You are subscribed" in response.content
    assert state() == ("confirmed", True)
    assert Subscriber.objects.get().confirmed_at is not None


def test_the_confirm_post_needs_the_csrf_token() -> None:
    link = signed_up()

    assert Client(enforce_csrf_checks=True).post(link).status_code == 403
    assert state() == ("pending", False)


def test_confirming_twice_is_harmless() -> None:
    link = signed_up()
    Client().post(link)

    again = Client().post(link)

    assert again.status_code == 200
    assert state() == ("confirmed", True)


def test_an_expired_link_shows_an_error_page_and_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    post_signup(Client(), "ann@example.com")
    record = ConsentRecord.objects.get()
    eight_days_ago = time.time() - 8 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: eight_days_ago)
    link = f"/newsletter/confirm/{confirm_token(record.key)}/"
    monkeypatch.undo()

    for response in (Client().get(link), Client().post(link)):
        assert response.status_code == 400
        assert b"This link has expired" in response.content
    assert state() == ("pending", False)


def test_a_six_day_old_link_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    post_signup(Client(), "ann@example.com")
    record = ConsentRecord.objects.get()
    six_days_ago = time.time() - 6 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: six_days_ago)
    link = f"/newsletter/confirm/{confirm_token(record.key)}/"
    monkeypatch.undo()

    assert Client().post(link).status_code == 200
    assert state() == ("confirmed", True)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda link: link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:],  # the signature
        lambda link: link.replace("/confirm/", "/confirm/0"),  # the key
        lambda link: "/newsletter/confirm/nonsense/",
    ],
)
def test_a_tampered_link_shows_an_error_page_and_changes_nothing(mangle) -> None:  # noqa: ANN001
    link = mangle(signed_up())

    for response in (Client().get(link), Client().post(link)):
        assert response.status_code == 400
        assert b"This link does not work" in response.content
    assert state() == ("pending", False)


def test_an_unsubscribe_link_cannot_confirm_and_no_link_holds_the_address() -> None:
    subscriber = subscribe("ann@example.com", state="pending")
    link = f"/newsletter/confirm/{unsubscribe_token(subscriber.key)}/"

    assert Client().post(link).status_code == 400
    assert state() == ("pending", False)
    assert "example.com" not in link  # the token is a random key and a signature


def test_a_link_sent_before_an_unsubscribe_cannot_undo_it() -> None:
    link = signed_up()
    subscriber = Subscriber.objects.get()
    services.subscription_unsubscribe(token=unsubscribe_token(subscriber.key))

    for response in (Client().get(link), Client().post(link)):
        assert response.status_code == 400
    assert state()[0] == "unsubscribed"
    assert Suppression.objects.filter(email_hash=email_hash("ann@example.com")).exists()


def test_a_new_signup_confirmed_from_the_mailbox_lifts_the_suppression() -> None:
    subscribe("ann@example.com", state="unsubscribed")

    link = signed_up()
    Client().post(link)

    assert state()[0] == "confirmed"
    assert not Suppression.objects.filter(email_hash=email_hash("ann@example.com")).exists()
