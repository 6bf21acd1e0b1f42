"""Signup: the footer form on every cached page, double opt-in, one answer for every address, consent, daily limit."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from selectolax.lexbor import LexborHTMLParser

from minipack.newsletter import CURRENT_CONSENT
from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter import services
from minipack_web.newsletter.models import ConsentRecord, OutboxMail, Subscriber
from minipack_web.newsletter.tokens import ip_hash

from ..factories import as_records, make_product
from .helpers import links, post_signup, signup_data, subscribe

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def drain() -> None:
    services.outbox_drain()


@pytest.mark.parametrize("path", ["/", "/faq/", "/table/", "/newsletter/"])
def test_every_public_page_offers_the_signup_form_and_stays_cached(path: str) -> None:
    catalog_import(records=as_records(make_product()))
    visitor = Client()

    first, second = visitor.get(path), visitor.get(path)

    assert first.status_code == 200
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    form = LexborHTMLParser(second.content.decode()).css_first('form[action="/newsletter/"]')
    assert form is not None and form.attributes["method"] == "post"
    field = form.css_first('input[type="email"][name="email"]')
    label = form.css_first(f'label[for="{field.attributes["id"]}"]')
    assert label is not None and label.text().strip() == "Your email address"
    assert CURRENT_CONSENT.text in form.text()
    assert form.css_first('input[name="consent_version"]').attributes["value"] == CURRENT_CONSENT.version
    # The cache layer puts each visitor's own token in the cached page.
    token = form.css_first('input[name="csrfmiddlewaretoken"]').attributes["value"]
    assert token and len(token) == 64 and "csrftoken" in visitor.cookies


def test_a_signup_stores_a_pending_subscriber_and_queues_exactly_one_confirmation() -> None:
    response = post_signup(Client(), "  Ann@Example.COM ", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("ann@example.com", "pending")
    assert mail.outbox == []  # queued, not sent on the request
    drain()
    [message] = mail.outbox
    assert message.to == ["ann@example.com"]
    assert "confirm" in links(message.body)


def test_the_consent_record_holds_time_hashed_ip_form_exact_text_and_later_the_confirm_time() -> None:
    before = Subscriber.objects.count()
    post_signup(Client(), "ann@example.com", REMOTE_ADDR="203.0.113.9")

    record = ConsentRecord.objects.select_related("text", "subscriber").get()
    assert Subscriber.objects.count() == before + 1
    assert record.form == "footer"
    assert record.text_id == CURRENT_CONSENT.version and record.text.text == CURRENT_CONSENT.text
    assert record.ip_hash == ip_hash("203.0.113.9") and "203.0.113.9" not in record.ip_hash
    assert record.created_at is not None and record.confirmed_at is None
    drain()
    Client().post(links(mail.outbox[0].body)["confirm"])
    record.refresh_from_db()
    assert record.confirmed_at is not None and record.confirmed_at >= record.created_at


def test_a_pending_subscriber_gets_no_newsletter() -> None:
    from minipack_web.newsletter.digest import digest_send

    catalog_import(records=as_records(make_product()))
    subscribe("pending@example.com", state="pending")

    run = digest_send()

    assert run.issue is not None and run.recipients == 0
    assert mail.outbox == []


def test_signing_up_again_sends_at_most_one_more_confirmation_per_day() -> None:
    client = Client()
    for _ in range(3):
        post_signup(client, "ann@example.com")
    drain()
    assert len(mail.outbox) == 1

    Subscriber.objects.update(last_mail_at=Subscriber.objects.get().last_mail_at - timedelta(hours=23))
    post_signup(client, "ann@example.com")
    drain()
    assert len(mail.outbox) == 1

    Subscriber.objects.update(last_mail_at=Subscriber.objects.get().last_mail_at - timedelta(hours=1, seconds=1))
    post_signup(client, "ann@example.com")
    post_signup(client, "ann@example.com")
    drain()
    assert len(mail.outbox) == 2
    assert ConsentRecord.objects.count() == 2  # one per confirmation actually sent


def test_a_confirmed_address_gets_a_throttled_note_and_stays_as_it_was() -> None:
    subscriber = subscribe("ann@example.com")

    post_signup(Client(), "ann@example.com")
    post_signup(Client(), "ann@example.com")
    drain()

    [note] = mail.outbox
    assert "already subscribed" in note.subject
    assert "confirm" not in links(note.body) and "unsubscribe" in links(note.body)
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"


def _answer(client: Client, address: str) -> tuple[int, bytes]:
    response = post_signup(client, address)
    return response.status_code, TOKEN.sub(b"", response.content)


def test_the_answer_is_the_same_for_new_pending_confirmed_and_unsubscribed_addresses() -> None:
    subscribe("pending@example.com", state="pending")
    subscribe("confirmed@example.com")
    subscribe("left@example.com", state="unsubscribed")
    client = Client()

    answers = {
        address: _answer(client, address)
        for address in ("new@example.com", "pending@example.com", "confirmed@example.com", "left@example.com")
    }

    assert len(set(answers.values())) == 1, "the answer must not tell who is subscribed"
    assert next(iter(answers.values()))[0] == 200


def test_the_answer_takes_as_long_for_every_kind_of_address() -> None:
    # RELIABILITY A.16: 30 trials each, medians within 50 ms. Mail is sent off the request, so the only
    # difference between the cases is a few inserts.
    subscribe("pending@example.com", state="pending")
    subscribe("confirmed@example.com")
    subscribe("left@example.com", state="unsubscribed")
    client = Client()
    timings: dict[str, list[float]] = {"new": [], "pending": [], "confirmed": [], "left": []}
    for trial in range(30):
        for kind in timings:
            address = f"new{trial}@example.com" if kind == "new" else f"{kind}@example.com"
            started = time.perf_counter()
            post_signup(client, address)
            timings[kind].append(time.perf_counter() - started)
    medians = {kind: statistics.median(values) for kind, values in timings.items()}

    assert max(medians.values()) - min(medians.values()) < 0.050, medians


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"email": "ann@example"}, "Email", "not a valid internet domain"),
        ({"email": ""}, "Email", "required"),
        ({"email": "ann@@example.com"}, "Email", "exactly one @"),
        ({"consent_version": "0" * 16}, "consent_version", "out of date"),
        ({"form_id": "elsewhere"}, "form_id", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    data: dict[str, str], field: str, reason: str
) -> None:
    response = Client().post("/newsletter/", {**signup_data("ann@example.com"), **data})

    assert response.status_code == 400
    errors = LexborHTMLParser(response.content.decode()).css_first("ul.errorlist").text()
    assert field in errors and reason in errors
    assert Subscriber.objects.count() == 0 and OutboxMail.objects.count() == 0


def test_a_signup_without_a_csrf_token_is_refused_and_nothing_is_written() -> None:
    response = post_signup(Client(enforce_csrf_checks=True), "ann@example.com")

    assert response.status_code == 403
    assert Subscriber.objects.count() == 0 and OutboxMail.objects.count() == 0


def test_a_signup_with_the_token_from_the_cached_footer_is_accepted() -> None:
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/newsletter/")  # a miss: fills the cache
    page = visitor.get("/newsletter/")
    assert page["X-Cache"] == "hit"
    token = LexborHTMLParser(page.content.decode()).css_first('input[name="csrfmiddlewaretoken"]').attributes["value"]

    response = visitor.post("/newsletter/", {**signup_data("ann@example.com"), "csrfmiddlewaretoken": token})

    assert response.status_code == 200
    assert Subscriber.objects.filter(email="ann@example.com").exists()
