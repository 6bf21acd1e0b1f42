"""Importing subscribers (all or nothing, the suppression list wins) and deleting signups nobody confirmed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from minipack.newsletter import consent_version
from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter import services
from minipack_web.newsletter.digest import digest_send
from minipack_web.newsletter.models import ConsentRecord, OutboxMail, Subscriber, Suppression

from ..factories import as_records, make_product
from .helpers import subscribe

pytestmark = pytest.mark.django_db

HEADER = "email,consented_at,confirmed_at,source,consent_text\n"
WORDS = "Yes, send me the Minipack weekly email."


def row(address: str) -> str:
    return f'{address},2025-03-01T09:00:00+00:00,2025-03-01T09:05:00+00:00,old-list,"{WORDS}"\n'


def import_file(tmp_path: Path, *rows: str, dry_run: bool = False) -> str:
    path = tmp_path / "subscribers.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    out = StringIO()
    call_command("import_subscribers", str(path), *(["--dry-run"] if dry_run else []), stdout=out)
    return out.getvalue()


def test_an_import_adds_confirmed_subscribers_each_with_their_consent(tmp_path: Path) -> None:
    out = import_file(tmp_path, row("ann@example.com"), row("Bob@Example.com"))

    assert "2 added" in out
    assert sorted(Subscriber.objects.values_list("email", "status")) == [
        ("ann@example.com", "confirmed"),
        ("bob@example.com", "confirmed"),
    ]
    for record in ConsentRecord.objects.select_related("text"):
        assert record.form == "import:old-list"
        assert record.text.text == WORDS and record.text_id == consent_version(WORDS)
        assert record.confirmed_at is not None and record.created_at < record.confirmed_at
    assert mail.outbox == [] and OutboxMail.objects.count() == 0  # nobody on the list is mailed "please confirm"


def test_the_suppression_list_wins_over_an_import(tmp_path: Path) -> None:
    left = subscribe("left@example.com", state="unsubscribed")
    erased = subscribe("erased@example.com")
    services.subscriber_erase(subscriber=erased)

    out = import_file(tmp_path, row("left@example.com"), row("erased@example.com"), row("new@example.com"))

    assert "2 on the suppression list and skipped (lines 2, 3)" in out
    left.refresh_from_db()
    assert left.status == "unsubscribed"
    assert not Subscriber.objects.filter(email="erased@example.com").exists()
    catalog_import(records=as_records(make_product()))
    digest_send()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_an_import_confirms_a_pending_signup_and_leaves_a_confirmed_one_alone(tmp_path: Path) -> None:
    subscribe("pending@example.com", state="pending")
    confirmed = subscribe("confirmed@example.com")

    out = import_file(tmp_path, row("pending@example.com"), row("confirmed@example.com"))

    assert "0 added, 1 confirmed, 1 already subscribed" in out
    assert Subscriber.objects.get(email="pending@example.com").status == "confirmed"
    assert Subscriber.objects.get(email="confirmed@example.com").confirmed_at == confirmed.confirmed_at
    assert ConsentRecord.objects.filter(subscriber=confirmed).count() == 1


def test_a_file_with_any_bad_row_imports_nothing_and_lists_every_problem(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as caught:
        import_file(tmp_path, row("ann@example.com"), row("not-an-address"), "cy@example.com,yesterday,,,\n")

    message = str(caught.value)
    assert "nothing imported" in message
    assert "line 3, column 'email'" in message and "line 4, column 'consented_at'" in message
    assert "line 4, column 'source'" in message
    assert Subscriber.objects.count() == 0


def test_a_dry_run_reports_and_writes_nothing(tmp_path: Path) -> None:
    out = import_file(tmp_path, row("ann@example.com"), dry_run=True)

    assert "1 added" in out and "dry run" in out
    assert Subscriber.objects.count() == 0 and ConsentRecord.objects.count() == 0


def age(subscriber: Subscriber, days: float) -> None:
    then = timezone.now() - timedelta(days=days)
    Subscriber.objects.filter(pk=subscriber.pk).update(created_at=then, last_mail_at=then)
    ConsentRecord.objects.filter(subscriber=subscriber).update(created_at=then)


def test_signups_unconfirmed_after_seven_days_are_deleted() -> None:
    stale = subscribe("stale@example.com", state="pending")
    fresh = subscribe("fresh@example.com", state="pending")
    confirmed = subscribe("confirmed@example.com")
    age(stale, 7.01)
    age(fresh, 6.9)
    age(confirmed, 30)

    out = StringIO()
    call_command("send_mail", stdout=out)

    assert "deleted 1 unconfirmed signup(s)" in out.getvalue()
    assert sorted(Subscriber.objects.values_list("email", flat=True)) == ["confirmed@example.com", "fresh@example.com"]
    assert ConsentRecord.objects.filter(subscriber=confirmed).exists()  # confirmed consent is kept


def test_a_pending_signup_renewed_within_the_week_is_kept() -> None:
    renewed = subscribe("renewed@example.com", state="pending")
    age(renewed, 10)
    services.subscription_request(
        email="renewed@example.com",
        client_ip="192.0.2.1",
        form="footer",
        consent_version=ConsentRecord.objects.get().text_id,
    )

    services.subscribers_prune()

    assert Subscriber.objects.filter(email="renewed@example.com").exists()
    assert ConsentRecord.objects.filter(subscriber=renewed).count() == 1  # the expired request went, the new one stays


def test_an_expired_request_to_come_back_is_deleted_but_the_unsubscribe_stays() -> None:
    left = subscribe("left@example.com", state="unsubscribed")
    services.subscription_request(
        email="left@example.com",
        client_ip="192.0.2.1",
        form="footer",
        consent_version=ConsentRecord.objects.get().text_id,
    )
    ConsentRecord.objects.filter(confirmed_at__isnull=True).update(created_at=timezone.now() - timedelta(days=8))

    services.subscribers_prune()

    left.refresh_from_db()
    assert left.status == "unsubscribed"
    assert ConsentRecord.objects.filter(subscriber=left, confirmed_at__isnull=True).count() == 0
    assert Suppression.objects.count() == 1
