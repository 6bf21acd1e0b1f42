"""`send-digest`: what an issue says, who gets it (once), headers, retries, failures, throttle, progress, the lock."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.utils import timezone

import minipack.records as core
from minipack_web.catalog.models import Product
from minipack_web.catalog.services import catalog_import
from minipack_web.community.models import Comment
from minipack_web.newsletter import delivery
from minipack_web.newsletter.digest import digest_issue_prepare, digest_message_id, digest_send
from minipack_web.newsletter.mail import InDoubt
from minipack_web.newsletter.models import DigestDelivery, DigestIssue, Subscriber, Suppression
from minipack_web.newsletter.tokens import email_hash, unsubscribe_token

from ..factories import SHOP, as_records, make_product
from .helpers import SCRIPTED, SCRIPTED_TWO_STEP, ScriptedBackend, links, subscribe

pytestmark = pytest.mark.django_db

NEXT_WEEK = timezone.now().date() + timedelta(days=7)


@pytest.fixture
def catalog() -> None:
    catalog_import(records=as_records(make_product()))


def send(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("send_digest", "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_every_confirmed_subscriber_gets_the_issue_once_and_nobody_else(catalog: None) -> None:
    for name in ("ann", "bob", "cy"):
        subscribe(f"{name}@example.com")
    subscribe("pending@example.com", state="pending")
    subscribe("left@example.com", state="unsubscribed")

    out, _ = send()
    again, _ = send()

    assert recipients() == ["ann@example.com", "bob@example.com", "cy@example.com"]
    assert "Issue 1" in out and "built" in out and "3 sent" in out
    assert "resumed" in again and "0 sent" in again
    assert DigestIssue.objects.count() == 1


def test_each_mail_has_one_click_unsubscribe_headers_and_a_message_id_of_its_own(catalog: None) -> None:
    ann = subscribe("ann@example.com")

    send()

    [message] = mail.outbox
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http") and "/newsletter/unsubscribe/" in url and "example.com" not in url
    assert headers["Message-ID"] == digest_message_id(1, ann.key)
    assert [mimetype for _, mimetype in message.alternatives] == ["text/html"]
    assert links(message.body)["unsubscribe"] == url[url.index("/newsletter/") :]
    # The header's link is the one-click endpoint: a POST with no cookie unsubscribes.
    response = Client().post(url[url.index("/newsletter/") :], "List-Unsubscribe=One-Click", content_type="x/y")
    assert response.status_code == 200 and Subscriber.objects.get().status == "unsubscribed"


def test_an_issue_lists_new_bags_price_changes_new_guides_and_notable_comments() -> None:
    catalog_import(records=as_records(make_product()))
    subscribe("ann@example.com")
    send()  # issue 1: the snapshot later issues compare with
    mail.outbox.clear()
    newer_price = core.Source(
        "A shop", core.ClaimKind.RETAILER, core.SourceDate.parse("2026-11-20"), "https://shop.example/k2"
    )
    catalog_import(
        records=as_records(
            make_product(claims={"price": "$70"}, source=newer_price),
            make_product("herschel-nova-mini", brand="Herschel", model="Nova Mini", source=SHOP),
        )
    )
    Comment.objects.create(
        product=Product.objects.get(slug="fjallraven-kanken-mini"),
        name="Ann",
        email="ann@example.com",
        body="It takes an iPad mini, a paperback and a water bottle, and the straps stay comfortable all day.",
        status="approved",
        created_at=timezone.now(),
        ip_hash="x",
        fingerprint="y",
    )
    Comment.objects.create(
        guide_slug="best-under-100",
        name="Bo",
        email="bo@example.com",
        body="Spam spam spam",
        status="spam",
        created_at=timezone.now(),
        ip_hash="x",
        fingerprint="z",
    )
    DigestIssue.objects.update(snapshot={**DigestIssue.objects.get().snapshot, "guides": {}})  # as if guides were new

    send("--date", NEXT_WEEK.isoformat())

    [message] = mail.outbox
    assert message.subject.startswith("Minipack weekly #2: 1 new bag, 1 price change, 4 new guides, 1 reader comment")
    text = message.body
    assert "Herschel Nova Mini" in text.split("PRICE CHANGES")[0]
    assert "$80 (dated 2024-05-01) -> $70 (dated 2026-11-20)" in text
    assert "under $100" in text.split("NEW GUIDES")[1]
    assert "straps stay comfortable" in text and "Spam spam" not in text
    html = message.alternatives[0][0]
    assert "Nova Mini" in html and "straps stay comfortable" in html


def test_the_digest_works_without_any_comments(catalog: None) -> None:
    subscribe("ann@example.com")

    send()

    assert "FROM THE COMMENTS" not in mail.outbox[0].body


def test_a_week_with_nothing_new_builds_no_issue(catalog: None) -> None:
    subscribe("ann@example.com")
    send()
    mail.outbox.clear()

    out, _ = send("--date", NEXT_WEEK.isoformat())

    assert "Nothing new" in out
    assert mail.outbox == [] and DigestIssue.objects.count() == 1


def test_an_address_suppressed_after_the_issue_was_built_is_skipped(catalog: None) -> None:
    subscribe("ann@example.com")
    subscribe("bob@example.com")
    digest_issue_prepare()
    Suppression.objects.create(email_hash=email_hash("bob@example.com"), reason="erased")

    out, _ = send()

    assert recipients() == ["ann@example.com"]
    assert "1 skipped" in out
    assert DigestDelivery.objects.get(subscriber__email="bob@example.com").status == "skipped"


@override_settings(EMAIL_BACKEND=SCRIPTED)
def test_a_temporary_refusal_is_retried_with_backoff_while_the_others_go_on(catalog: None) -> None:
    for name in ("ann", "bob"):
        subscribe(f"{name}@example.com")
    greylisted = smtplib.SMTPRecipientsRefused({"ann@example.com": (450, b"greylisted, try later")})
    ScriptedBackend.reset()
    ScriptedBackend.script = {"ann@example.com": [greylisted, greylisted]}

    out, _ = send()

    assert [m.to[0] for m in ScriptedBackend.sent] == ["bob@example.com", "ann@example.com"]
    assert "2 sent" in out
    ann = DigestDelivery.objects.get(subscriber__email="ann@example.com")
    assert (ann.status, ann.attempts) == ("sent", 3)


@override_settings(EMAIL_BACKEND=SCRIPTED)
def test_a_temporary_refusal_that_lasts_is_left_for_the_next_run_and_reported(catalog: None) -> None:
    subscribe("ann@example.com")
    full = smtplib.SMTPRecipientsRefused({"ann@example.com": (452, b"mailbox full")})
    ScriptedBackend.reset()
    ScriptedBackend.script = {"ann@example.com": [full] * 4}

    with pytest.raises(CommandError, match="did not go out"):
        send()

    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts) == ("pending", 4) and "452 mailbox full" in row.last_error
    out, _ = send()
    assert "1 sent" in out and len(ScriptedBackend.sent) == 1


@override_settings(EMAIL_BACKEND=SCRIPTED)
def test_a_permanent_refusal_is_reported_and_the_command_fails(catalog: None) -> None:
    subscribe("ann@example.com")
    subscribe("gone@example.com")
    ScriptedBackend.reset()
    ScriptedBackend.script = {"gone@example.com": [smtplib.SMTPRecipientsRefused({"x": (550, b"no such user")})]}

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("send_digest", "--no-progress", stdout=out, stderr=err)

    assert "1 sent, 1 failed for good" in out.getvalue()
    gone = Subscriber.objects.get(email="gone@example.com")
    assert f"subscriber {gone.pk}: 550 no such user" in err.getvalue()
    assert DigestDelivery.objects.get(subscriber=gone).status == "failed"
    assert [m.to[0] for m in ScriptedBackend.sent] == ["ann@example.com"]


@override_settings(EMAIL_BACKEND=SCRIPTED)
def test_an_unreachable_server_stops_the_run_and_the_next_run_delivers_each_mail_once(catalog: None) -> None:
    for name in ("ann", "bob", "cy"):
        subscribe(f"{name}@example.com")
    ScriptedBackend.reset()
    ScriptedBackend.script = {"ann@example.com": [ConnectionRefusedError(111, "Connection refused")] * 4}

    with pytest.raises(CommandError):
        send()
    assert ScriptedBackend.sent == []
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"pending"}

    out, _ = send()

    assert "3 sent" in out
    assert sorted(m.to[0] for m in ScriptedBackend.sent) == ["ann@example.com", "bob@example.com", "cy@example.com"]


@override_settings(EMAIL_BACKEND=SCRIPTED_TWO_STEP)
def test_a_mail_in_doubt_is_reported_and_never_sent_again(catalog: None) -> None:
    subscribe("ann@example.com")
    ScriptedBackend.reset()
    ScriptedBackend.script = {"ann@example.com": [InDoubt("no answer after the final dot: timed out")]}

    with pytest.raises(CommandError):
        send()
    out, _ = send()

    assert len(ScriptedBackend.sent) == 1
    assert DigestDelivery.objects.get().status == "in_doubt"
    assert "0 sent" in out


@override_settings(EMAIL_BACKEND=SCRIPTED_TWO_STEP)
def test_a_killed_run_is_settled_safely_by_the_next(catalog: None) -> None:
    # What a SIGKILL leaves: one row mid-transaction (no dot sent), one after committing "finalising".
    for name in ("ann", "bob", "cy"):
        subscribe(f"{name}@example.com")
    digest_issue_prepare()
    DigestDelivery.objects.filter(subscriber__email="ann@example.com").update(status="sending", attempts=1)
    DigestDelivery.objects.filter(subscriber__email="bob@example.com").update(status="finalising", attempts=1)
    ScriptedBackend.reset()

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError):
        call_command("send_digest", "--no-progress", stdout=out, stderr=err)

    assert sorted(m.to[0] for m in ScriptedBackend.sent) == ["ann@example.com", "cy@example.com"]
    assert (
        "1 in doubt from an interrupted run" in out.getvalue()
        and "1 left half-sent by an interrupted run" in out.getvalue()
    )
    bob = Subscriber.objects.get(email="bob@example.com")
    assert f"subscriber {bob.pk}: the sender stopped after handing the message over" in err.getvalue()
    assert DigestDelivery.objects.get(subscriber=bob).status == "in_doubt"


@override_settings(EMAIL_BACKEND=SCRIPTED_TWO_STEP)
def test_the_finalising_state_is_committed_before_the_final_dot(catalog: None) -> None:
    subscribe("ann@example.com")
    digest_issue_prepare()
    seen: list[str] = []

    class Watching(ScriptedBackend):
        def send_in_two_steps(self, message, *, before_final_dot) -> None:  # noqa: ANN001
            seen.append(DigestDelivery.objects.get().status)
            before_final_dot()
            seen.append(DigestDelivery.objects.get().status)

    digest = delivery.deliver(DigestDelivery.objects.get(), mail.EmailMessage(to=["ann@example.com"]), Watching())

    assert seen == ["sending", "finalising"]
    assert digest.status == "sent" and DigestDelivery.objects.get().status == "sent"


def test_a_delivery_unsubscribed_after_it_was_read_is_not_sent(catalog: None) -> None:
    ann = subscribe("ann@example.com")
    digest_issue_prepare()
    row = DigestDelivery.objects.get()  # the sender has read it…
    Client().post(f"/newsletter/unsubscribe/{unsubscribe_token(ann.key)}/")  # …then the reader leaves

    attempt = delivery.deliver(row, mail.EmailMessage(to=["ann@example.com"]), ScriptedBackend())

    assert attempt.status == "skipped" and ScriptedBackend.sent == []
    assert DigestDelivery.objects.get().status == "skipped"


def test_the_pacer_keeps_to_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = delivery.Pacer(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        pacer.wait()
        now[0] += 0.05  # each send takes 50 ms

    assert slept == pytest.approx([0.25 - 0.05] * 4)  # 4 mails a second: 250 ms apart, less the 50 ms of sending


def test_the_send_is_throttled(catalog: None) -> None:
    for n in range(6):
        subscribe(f"reader{n}@example.com")

    started = time.monotonic()
    send("--rate", "20")
    elapsed = time.monotonic() - started

    assert len(mail.outbox) == 6
    assert elapsed >= 5 / 20 * 0.95  # five gaps of 50 ms between six mails


def test_the_send_shows_a_progress_bar(catalog: None, capsys: pytest.CaptureFixture[str]) -> None:
    subscribe("ann@example.com")

    digest_send(progress=True)

    assert "digest: 100%" in capsys.readouterr().err


def test_only_one_send_digest_runs_at_a_time(catalog: None) -> None:
    subscribe("ann@example.com")
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        from django.db import connection

        try:
            with delivery.sender_lock("digest"):
                held.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert held.wait(10)
        with pytest.raises(CommandError, match="another send-digest is running"):
            send()
    finally:
        release.set()
        other.join()
    assert mail.outbox == []
    out, _ = send()
    assert "1 sent" in out
