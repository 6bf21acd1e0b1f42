"""Against a real SMTP server on loopback (aiosmtpd): the whole subscription, one-click unsubscribe over HTTP, outages.

These tests use committed data (``transactional_db``): the background sender and the live server each
have their own database connection, as they do in production.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter import delivery
from minipack_web.newsletter.digest import digest_message_id, digest_send
from minipack_web.newsletter.models import DigestDelivery, OutboxMail, Subscriber, Suppression
from minipack_web.newsletter.tokens import email_hash

from ..factories import SHOP, as_records, make_product
from .helpers import Blackhole, Sink, links, post_signup, smtp_settings, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

NEXT_WEEK = timezone.now().date() + timedelta(days=7)


@pytest.fixture
def smtp(sink: Sink) -> Iterator[Sink]:
    with override_settings(**smtp_settings(sink.port)):
        yield sink


def one_click_over_http(url: str) -> http.client.HTTPResponse:
    """POST ``List-Unsubscribe=One-Click`` as a mail provider does: plain HTTP, no cookie, no redirect followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(
        "POST",
        parts.path,
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_signup_confirm_digest_and_one_click_unsubscribe_through_real_smtp(
    smtp: Sink, background: None, live_server
) -> None:
    catalog_import(records=as_records(make_product()))
    subscribe("bob@example.com")  # someone who stays subscribed throughout
    with override_settings(MINIPACK_SITE_URL=live_server.url):
        # The signup answers at once; the background sender hands the confirmation to the server.
        assert post_signup(Client(), "ann@example.com").status_code == 200
        assert smtp.wait_for_mail_to("ann@example.com"), "no confirmation reached the SMTP server"
        [confirmation] = smtp.to("ann@example.com")
        assert confirmation.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Long headers are folded onto a second line; unfolded, the value is the angle-bracketed URL.
        assert (
            confirmation.message["List-Unsubscribe"].strip().startswith(f"<{live_server.url}/newsletter/unsubscribe/")
        )
        confirm = links(confirmation.text())["confirm"]
        assert Client().get(confirm).status_code == 200
        assert Subscriber.objects.get(email="ann@example.com").status == "pending"
        assert Client().post(confirm).status_code == 200
        ann = Subscriber.objects.get(email="ann@example.com")
        assert ann.status == "confirmed"

        run = digest_send()

        assert run.report.ok and run.report.sent == 2
        digest = next(m for m in smtp.to("ann@example.com") if m.message["Subject"].startswith("Minipack weekly #1"))
        assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert digest.message["Message-ID"] == digest_message_id(1, ann.key)
        assert {p.get_content_type() for p in digest.message.walk()} >= {"text/plain", "text/html"}
        url = digest.message["List-Unsubscribe"].strip().strip("<>")
        assert "example.com" not in url

        response = one_click_over_http(url)

        assert response.status == 200
        assert response.getheader("Location") is None and response.getheader("Set-Cookie") is None
        assert Subscriber.objects.get(email="ann@example.com").status == "unsubscribed"
        assert Suppression.objects.filter(email_hash=email_hash("ann@example.com")).exists()

        catalog_import(
            records=as_records(make_product("herschel-nova-mini", brand="Herschel", model="Nova", source=SHOP))
        )
        later = digest_send(today=NEXT_WEEK)

    assert later.report.sent == 1
    assert [m.message["Subject"][:19] for m in smtp.to("bob@example.com")][-1] == "Minipack weekly #2:"
    assert len(smtp.to("ann@example.com")) == 2  # the confirmation and issue 1; never issue 2


def test_with_smtp_down_signup_answers_normally_and_the_mail_goes_out_once_it_is_back(background: None) -> None:
    sink = Sink()  # its port, with nothing listening yet
    with override_settings(**smtp_settings(sink.port, timeout=10)):
        started = time.monotonic()
        response = post_signup(Client(), "ann@example.com")
        answered_in = time.monotonic() - started

        assert response.status_code == 200 and b"Check your inbox" in response.content
        assert answered_in < 10  # the email timeout; measured: a few milliseconds
        assert Subscriber.objects.get().status == "pending"
        assert delivery.wait_for_background(30)
        row = OutboxMail.objects.get()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "connection" in row.last_error and row.next_attempt_at > timezone.now()

        call_command("send_mail")  # within the backoff: nothing is due, nothing is tried
        OutboxMail.objects.update(next_attempt_at=timezone.now())
        with pytest.raises(CommandError):
            call_command("send_mail")  # due, and still down: a cron run says so
        assert OutboxMail.objects.get().attempts == 2
        sink.start()
        try:
            OutboxMail.objects.update(next_attempt_at=timezone.now())  # the backoff has passed
            call_command("send_mail")
            call_command("send_mail")  # nothing is sent twice
            assert sink.wait_for(1)
            time.sleep(0.2)
            assert [m.rcpt_tos for m in sink.messages] == [("ann@example.com",)]
            assert OutboxMail.objects.get().status == "sent"
        finally:
            sink.stop()


def test_with_smtp_hanging_signup_answers_within_the_email_timeout(background: None) -> None:
    hole = Blackhole()  # accepts connections, never says a word
    try:
        with override_settings(**smtp_settings(hole.port, timeout=2)):
            started = time.monotonic()
            response = post_signup(Client(), "ann@example.com")
            answered_in = time.monotonic() - started

            assert response.status_code == 200 and b"Check your inbox" in response.content
            assert answered_in < 2
            assert Subscriber.objects.filter(email="ann@example.com").exists()
            assert delivery.wait_for_background(30)
            row = OutboxMail.objects.get()
            assert row.status == "pending" and "timed out" in row.last_error

            started = time.monotonic()
            OutboxMail.objects.update(next_attempt_at=timezone.now())
            with pytest.raises(CommandError):
                call_command("send_mail")
            assert time.monotonic() - started < 3 * 2  # one timeout per step, then it stops
    finally:
        hole.close()


def test_no_answer_after_the_final_dot_leaves_the_mail_in_doubt_and_it_is_not_sent_again(smtp: Sink) -> None:
    catalog_import(records=as_records(make_product()))
    subscribe("ann@example.com")
    smtp.messages.clear()
    smtp.reply_delay = 1.5  # longer than the timeout below: the server keeps the message, the answer is late

    with override_settings(EMAIL_TIMEOUT=0.5):
        first = digest_send()
    smtp.reply_delay = 0
    second = digest_send()

    assert (first.report.in_doubt, second.report.sent) == (1, 0)
    assert DigestDelivery.objects.get().status == "in_doubt"
    assert len(smtp.to("ann@example.com")) == 1


def test_real_smtp_refusals_are_told_apart(smtp: Sink) -> None:
    catalog_import(records=as_records(make_product()))
    for name in ("ann", "grey", "gone"):
        subscribe(f"{name}@example.com")
    smtp.messages.clear()
    smtp.refuse = {"grey@example.com": "450 4.2.0 greylisted", "gone@example.com": "550 5.1.1 no such user"}

    run = digest_send()

    statuses = dict(DigestDelivery.objects.values_list("subscriber__email", "status"))
    assert statuses == {"ann@example.com": "sent", "grey@example.com": "pending", "gone@example.com": "failed"}
    assert (run.report.sent, run.report.retry_later, run.report.failed) == (1, 1, 1)
    assert DigestDelivery.objects.get(subscriber__email="grey@example.com").attempts == 4
    smtp.refuse = {}
    assert digest_send().report.sent == 1  # the greylisted one, on the next run
    assert [m.rcpt_tos[0] for m in smtp.messages] == ["ann@example.com", "grey@example.com"]
