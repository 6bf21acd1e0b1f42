"""The admin: read-only subscriber pages, export of everything we hold on a person, erase keeping only the hash."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from minipack.newsletter import CURRENT_CONSENT
from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter.digest import digest_send
from minipack_web.newsletter.models import (
    ConsentRecord,
    DigestDelivery,
    DigestIssue,
    OutboxMail,
    Subscriber,
    Suppression,
)
from minipack_web.newsletter.tokens import email_hash

from ..factories import as_records, make_product
from .helpers import subscribe

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"


def action(client: Client, name: str, *subscribers: Subscriber, **extra: str) -> object:
    return client.post(CHANGELIST, {"action": name, "_selected_action": [s.pk for s in subscribers], **extra})


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        "/admin/newsletter/suppression/",
        "/admin/newsletter/outboxmail/",
        "/admin/newsletter/digestissue/",
        "/admin/newsletter/consenttext/",
    ],
)
def test_admin_pages_load(admin_client: Client, url: str) -> None:
    subscribe("ann@example.com")

    assert admin_client.get(url).status_code == 200


def test_a_subscribers_page_shows_their_consent_and_cannot_be_edited_added_or_deleted(admin_client: Client) -> None:
    subscriber = subscribe("ann@example.com")

    page = admin_client.get(f"{CHANGELIST}{subscriber.pk}/change/")

    assert page.status_code == 200 and b"footer" in page.content  # the consent record's form
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{subscriber.pk}/delete/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{subscriber.pk}/change/", {"email": "x@example.com"}).status_code == 403
    assert Subscriber.objects.get().email == "ann@example.com"


def test_the_export_holds_every_field_we_keep_on_the_person(admin_client: Client) -> None:
    catalog_import(records=as_records(make_product()))
    subscriber = subscribe("ann@example.com")
    digest_send()

    response = action(admin_client, "export_json", subscriber)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    [person] = json.loads(response.content)["subscribers"]
    assert person["email"] == "ann@example.com" and person["status"] == "confirmed"
    for name in ("key", "created_at", "confirmed_at", "unsubscribed_at", "last_mail_at", "suppressed"):
        assert name in person
    [consent] = person["consents"]
    record = ConsentRecord.objects.get()
    assert consent["ip_hash"] == record.ip_hash and consent["form"] == "footer"
    assert consent["consent_text"] == CURRENT_CONSENT.text and consent["confirmed_at"] is not None
    assert [m["kind"] for m in person["mails"]] == ["confirm"]
    assert [(d["issue"], d["status"]) for d in person["digests"]] == [(1, "sent")]
    # Every column of every table that holds this person's data is in the export.
    columns = {f.name for f in Subscriber._meta.concrete_fields} - {"id"}
    assert columns <= set(person)


def test_erase_asks_first_then_keeps_only_the_suppression_hash(admin_client: Client) -> None:
    catalog_import(records=as_records(make_product()))
    ann = subscribe("ann@example.com")
    bob = subscribe("bob@example.com")
    digest_send()

    question = action(admin_client, "erase", ann)
    assert question.status_code == 200 and b"Erase 1 subscriber?" in question.content
    assert Subscriber.objects.filter(pk=ann.pk).exists()

    done = action(admin_client, "erase", ann, confirmed="yes")

    assert done.status_code == 302
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["bob@example.com"]
    assert not ConsentRecord.objects.filter(subscriber_id=ann.pk).exists()
    assert not OutboxMail.objects.filter(subscriber_id=ann.pk).exists()
    assert not DigestDelivery.objects.filter(subscriber_id=ann.pk).exists()
    assert Suppression.objects.get().email_hash == email_hash("ann@example.com")
    assert Suppression.objects.get().reason == "erased"
    # Nothing left anywhere spells the address.
    for model in (Subscriber, ConsentRecord, OutboxMail, DigestDelivery, DigestIssue, Suppression):
        for row in model.objects.values():
            assert "ann@example.com" not in json.dumps(row, default=str)
    assert bob.pk in DigestDelivery.objects.values_list("subscriber_id", flat=True)
