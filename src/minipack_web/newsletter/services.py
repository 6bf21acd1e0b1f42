"""Writes of the newsletter: signup, confirm, unsubscribe, erase, import, prune, and draining the mail queue.

Each write runs in ``transaction.atomic``; a mail is only ever *queued*
here (an ``OutboxMail`` row, in the same transaction as the rows it is
about) and sent after the commit, off the request, by ``delivery.kick`` or
`minipack send-mail`. So a signup answers at the speed of a few inserts
whether SMTP is up, down or hanging, and a rolled-back signup sends nothing.

The rules that decide what happens:

* *No enumeration*: ``subscription_request`` returns nothing. New, pending,
  confirmed and unsubscribed addresses get the same answer; only the mailbox
  differs (a confirmation, a note that the address is already subscribed, or
  nothing when one went out in the last 24 hours).
* *Double opt-in*: each confirmation mail belongs to a ``ConsentRecord``
  (time, hashed IP, form, text version); its link confirms that record and
  no other, and a record made before the address last unsubscribed cannot
  confirm, so an old link never undoes an unsubscribe.
* *Suppression wins*: unsubscribing or erasing puts the address's hash on
  the suppression list; imports skip suppressed addresses and the digest
  never sends to one. Only the address's owner lifts it, by confirming a new
  signup from the mailbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from minipack.errors import ParseError
from minipack.newsletter import CONFIRM_DAYS, ImportedSubscriber, consent_by_version, consent_version, normalise_email
from minipack.newsletter import retry_delay as backoff
from minipack_web.newsletter import delivery, selectors
from minipack_web.newsletter.mail import build_message, list_headers, mail_domain, unsubscribe_url
from minipack_web.newsletter.models import (
    ConsentRecord,
    ConsentText,
    DigestDelivery,
    OutboxMail,
    Subscriber,
    Suppression,
    new_key,
)
from minipack_web.newsletter.tokens import (
    TokenError,
    confirm_token,
    email_hash,
    ip_hash,
    read_confirm_token,
    read_unsubscribe_token,
)
from minipack_web.seo.origin import absolute_url

# One more confirmation (or "already subscribed" note) per address per this long, however often it is entered.
MAIL_INTERVAL = timedelta(hours=24)
CONFIRM_LIFE = timedelta(days=CONFIRM_DAYS)
# Transactional mail is retried 1 min, 2, 4, … up to hourly; after the confirm link's life it is pointless.
OUTBOX_RETRY_BASE = 60.0
OUTBOX_RETRY_CAP = 3600.0
# Sent, failed and skipped queue rows are kept this long (to answer "did my confirmation go out?"), then deleted.
OUTBOX_KEEP = timedelta(days=30)
CHUNK = 900  # under SQLite's historic limit of 999 bound parameters

Status = OutboxMail.Status


class SignupError(ValueError):
    """A signup that cannot be read: ``field`` names the form field, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


# --------------------------------------------------------------------------- signup


def subscription_request(*, email: str, client_ip: str, form: str, consent_version: str) -> None:
    """Record a signup and queue the mail it calls for (if one is due); the same silence whatever the address's state.

    Raises ``SignupError`` only for input that cannot be read (the address,
    an unknown consent text), never because of who is or is not subscribed.
    """
    try:
        address = normalise_email(email)
    except ParseError as exc:
        raise SignupError("email", exc.reason) from None
    consent = consent_by_version(consent_version)
    if consent is None:
        raise SignupError("consent_version", "this form's consent text is unknown; reload the page and try again")
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=address)
        # Locked, so two signups at once cannot both decide a mail is due (PostgreSQL; SQLite's IMMEDIATE
        # transactions already run one at a time).
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.last_mail_at is not None and now - subscriber.last_mail_at < MAIL_INTERVAL:
            return
        if subscriber.status == Subscriber.Status.CONFIRMED:
            _queue_already_subscribed(subscriber)
        else:
            text, _ = ConsentText.objects.get_or_create(version=consent.version, defaults={"text": consent.text})
            record = ConsentRecord.objects.create(
                subscriber=subscriber, created_at=now, ip_hash=ip_hash(client_ip), form=form, text=text
            )
            _queue_confirmation(subscriber, record)
        subscriber.last_mail_at = now
        subscriber.save(update_fields=["last_mail_at"])
        transaction.on_commit(lambda: delivery.kick(outbox_drain))


def _queue(subscriber: Subscriber, kind: str, template: str, context: dict[str, object]) -> None:
    message_id = f"<{kind}-{new_key()}@{mail_domain()}>"
    context = {**context, "unsubscribe_url": unsubscribe_url(subscriber.key), "site_url": absolute_url("/")}
    OutboxMail.objects.create(
        subscriber=subscriber,
        kind=kind,
        subject=render_to_string(f"newsletter/mail/{template}_subject.txt", context).strip(),
        body_text=render_to_string(f"newsletter/mail/{template}.txt", context),
        body_html=render_to_string(f"newsletter/mail/{template}.html", context),
        headers=list_headers(subscriber.key, message_id),
    )


def _queue_confirmation(subscriber: Subscriber, record: ConsentRecord) -> None:
    url = absolute_url(reverse("newsletter:confirm", args=[confirm_token(record.key)]))
    _queue(subscriber, OutboxMail.Kind.CONFIRM, "confirm", {"confirm_url": url, "days": CONFIRM_DAYS})


def _queue_already_subscribed(subscriber: Subscriber) -> None:
    _queue(subscriber, OutboxMail.Kind.ALREADY, "already_subscribed", {})


# --------------------------------------------------------------------------- confirm and unsubscribe


def subscription_confirm(*, token: str) -> Subscriber:
    """Confirm the signup the link was sent for; ``TokenError`` (nothing changed) for a link that cannot."""
    key = read_confirm_token(token)
    now = timezone.now()
    with transaction.atomic():
        record = ConsentRecord.objects.select_for_update().select_related("subscriber").filter(key=key).first()
        if record is None:  # pruned after 7 days, or erased
            raise TokenError()
        subscriber = Subscriber.objects.select_for_update().get(pk=record.subscriber_id)
        state = selectors.consent_state(record, subscriber)
        if state == selectors.DONE:
            return subscriber  # pressed twice: already done
        if state != selectors.READY:
            raise TokenError()
        record.confirmed_at = now
        record.save(update_fields=["confirmed_at"])
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["status", "confirmed_at"])
        # The owner of the mailbox asked again and proved it: their own new consent lifts the suppression.
        Suppression.objects.filter(email_hash=email_hash(subscriber.email)).delete()
    return subscriber


def subscription_unsubscribe(*, token: str) -> None:
    """Unsubscribe at once and suppress the address; again is fine. ``TokenError`` for a link we cannot match."""
    key = read_unsubscribe_token(token)
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(key=key).first()
        if subscriber is None:  # erased: same answer as a forged link
            raise TokenError()
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["status", "unsubscribed_at"])
        Suppression.objects.get_or_create(
            email_hash=email_hash(subscriber.email), defaults={"reason": Suppression.Reason.UNSUBSCRIBED}
        )
        # Nothing still queued for them goes out; a digest being sent re-checks before each mail as well.
        skipped = {"status": Status.SKIPPED, "last_error": "unsubscribed before it was sent"}
        OutboxMail.objects.filter(subscriber=subscriber, status=Status.PENDING).update(**skipped)
        DigestDelivery.objects.filter(subscriber=subscriber, status=Status.PENDING).update(**skipped)


# --------------------------------------------------------------------------- the admin's export and erase


def subscriber_erase(*, subscriber: Subscriber) -> None:
    """Delete everything we hold on ``subscriber``; keep only the keyed hash of the address on the suppression list."""
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email_hash=email_hash(subscriber.email), defaults={"reason": Suppression.Reason.ERASED}
        )
        subscriber.delete()  # consents, queued mail and digest deliveries go with it (CASCADE)


# --------------------------------------------------------------------------- import


@dataclass
class ImportSummary:
    added: int = 0
    confirmed: int = 0  # pending signups the file proves were confirmed elsewhere
    unchanged: int = 0  # already confirmed here
    suppressed: list[int] = field(default_factory=list)  # file lines skipped: unsubscribed or erased here
    dry_run: bool = False

    def __str__(self) -> str:
        text = (
            f"{self.added} added, {self.confirmed} confirmed, {self.unchanged} already subscribed, "
            f"{len(self.suppressed)} on the suppression list and skipped"
        )
        if self.suppressed:
            more = ", …" if len(self.suppressed) > 20 else ""
            text += " (lines " + ", ".join(map(str, self.suppressed[:20])) + more + ")"
        return text + (" (dry run: nothing written)" if self.dry_run else "")


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def subscribers_import(*, rows: Sequence[ImportedSubscriber], dry_run: bool = False) -> ImportSummary:
    """Add people who confirmed elsewhere, each with a consent record; all rows or none; the suppression list wins.

    Only rows proving a double opt-in reach here (``minipack.newsletter``
    refuses the others). A suppressed address is skipped and named in the
    summary, whatever the file says: someone who unsubscribed or asked to be
    erased is never put back by an import.
    """
    summary = ImportSummary(dry_run=dry_run)
    hashes = {row.email: email_hash(row.email) for row in rows}
    with transaction.atomic():
        suppressed: set[str] = set()
        for chunk in _chunks(list(hashes.values())):
            suppressed |= set(Suppression.objects.filter(email_hash__in=chunk).values_list("email_hash", flat=True))
        existing: dict[str, Subscriber] = {}
        for chunk in _chunks([row.email for row in rows]):
            existing |= {s.email: s for s in Subscriber.objects.select_for_update().filter(email__in=chunk)}
        texts: dict[str, ConsentText] = {}
        new_subscribers: list[Subscriber] = []
        upgraded: list[Subscriber] = []
        records: list[tuple[ImportedSubscriber, ConsentText]] = []
        for row in rows:
            subscriber = existing.get(row.email)
            if hashes[row.email] in suppressed or (
                subscriber is not None and subscriber.status == Subscriber.Status.UNSUBSCRIBED
            ):
                summary.suppressed.append(row.line)
                continue
            if subscriber is not None and subscriber.status == Subscriber.Status.CONFIRMED:
                summary.unchanged += 1
                continue
            version = consent_version(row.consent_text)
            if version not in texts:
                texts[version], _ = ConsentText.objects.get_or_create(
                    version=version, defaults={"text": row.consent_text}
                )
            records.append((row, texts[version]))
            if subscriber is None:
                new_subscribers.append(
                    Subscriber(
                        email=row.email,
                        status=Subscriber.Status.CONFIRMED,
                        created_at=row.consented_at,
                        confirmed_at=row.confirmed_at,
                    )
                )
            else:
                subscriber.status = Subscriber.Status.CONFIRMED
                subscriber.confirmed_at = row.confirmed_at
                upgraded.append(subscriber)
        Subscriber.objects.bulk_create(new_subscribers, batch_size=500)
        Subscriber.objects.bulk_update(upgraded, ["status", "confirmed_at"], batch_size=500)
        ids: dict[str, int] = {}
        for chunk in _chunks([row.email for row, _ in records]):
            ids |= dict(Subscriber.objects.filter(email__in=chunk).values_list("email", "pk"))
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    subscriber_id=ids[row.email],
                    created_at=row.consented_at,
                    form=f"import:{row.source}",
                    text=text,
                    confirmed_at=row.confirmed_at,
                )
                for row, text in records
            ],
            batch_size=500,
        )
        summary.added, summary.confirmed = len(new_subscribers), len(upgraded)
        if dry_run:
            transaction.set_rollback(True)
    return summary


# --------------------------------------------------------------------------- prune


@dataclass(frozen=True)
class PruneSummary:
    signups: int  # pending subscribers whose every link expired
    consents: int  # unconfirmed consent records whose link expired (of subscribers we keep)
    mails: int  # finished queue rows past OUTBOX_KEEP

    def __str__(self) -> str:
        return (
            f"deleted {self.signups} unconfirmed signup(s), {self.consents} expired consent request(s) "
            f"and {self.mails} old queued mail(s)"
        )


def subscribers_prune(*, now: datetime | None = None) -> PruneSummary:
    """Delete what an unconfirmed signup left once its links expired (``CONFIRM_DAYS``), and old finished mail."""
    now = now or timezone.now()
    cutoff = now - CONFIRM_LIFE
    with transaction.atomic():
        stale = Subscriber.objects.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff).exclude(
            consents__created_at__gte=cutoff
        )
        signups = stale.count()
        stale.delete()
        consents, _ = ConsentRecord.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
        finished = [Status.SENT, Status.FAILED, Status.SKIPPED, Status.IN_DOUBT]
        mails, _ = OutboxMail.objects.filter(status__in=finished, created_at__lt=now - OUTBOX_KEEP).delete()
    return PruneSummary(signups=signups, consents=consents, mails=mails)


# --------------------------------------------------------------------------- the mail queue


def outbox_drain(*, wait: float = 30.0) -> delivery.Report:
    """Send every queued mail that is due, one sender at a time; ``delivery.SenderBusy`` if another keeps the lock.

    A temporary failure is tried again later (1 min, 2, 4, … hourly) until
    the confirmation link it carries has expired. When the server cannot be
    reached the drain stops: the next mails would fail the same way.
    """
    report = delivery.Report()
    with delivery.sender_lock("outbox", wait=wait):
        report.recovered_resend, doubtful = delivery.recover(OutboxMail.objects.all())
        report.recovered_in_doubt = len(doubtful)
        backend = delivery.open_backend()
        try:
            while True:
                now = timezone.now()
                row = (
                    OutboxMail.objects.select_related("subscriber")
                    .filter(status=Status.PENDING, next_attempt_at__lte=now)
                    .order_by("next_attempt_at", "pk")
                    .first()
                )
                if row is None:
                    break
                message = build_message(
                    to=row.subscriber.email,
                    subject=row.subject,
                    text=row.body_text,
                    html=row.body_html,
                    headers=row.headers,
                )
                attempt = delivery.deliver(row, message, backend)
                if attempt.status == Status.SENT:
                    report.sent += 1
                    continue
                if attempt.status == Status.SKIPPED:
                    report.skipped += 1
                    continue
                label = f"{row.kind} mail {row.pk} to subscriber {row.subscriber_id}: {attempt.error}"
                if attempt.status == Status.IN_DOUBT:
                    report.in_doubt += 1
                    report.problems.append(label)
                elif attempt.status == Status.FAILED:
                    report.failed += 1
                    report.problems.append(label)
                elif now - row.created_at >= CONFIRM_LIFE:
                    OutboxMail.objects.filter(pk=row.pk).update(
                        status=Status.FAILED, last_error=f"gave up after {row.attempts + 1} tries: {attempt.error}"
                    )
                    report.failed += 1
                    report.problems.append(label)
                else:
                    delivery.reschedule(
                        row, delay=backoff(row.attempts + 1, base=OUTBOX_RETRY_BASE, cap=OUTBOX_RETRY_CAP)
                    )
                    report.retry_later += 1
                    report.problems.append(label)
                    if attempt.connection_failed:
                        report.unreachable = True
                        report.left = OutboxMail.objects.filter(status=Status.PENDING, next_attempt_at__lte=now).count()
                        break
        finally:
            delivery.close_backend(backend)
    return report
