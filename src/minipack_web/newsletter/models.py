"""Newsletter tables: subscribers and their consent, the suppression list, the mail queue and the digest issues.

Invariants live here as constraints: an address is stored once and in its
normal form (lower case); a confirmed subscriber has a confirm time and an
unsubscribed one an unsubscribe time; a delivery marked sent has a send
time; no subscriber gets two deliveries of one issue. The suppression list
keeps only a keyed hash of each address (``tokens.email_hash``), so it can
outlive an erased subscriber without keeping the address.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone


def new_key() -> str:
    """A random public name for a row (in signed links and Message-IDs), so no link carries an address or an id."""
    return secrets.token_hex(16)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending (not confirmed yet)"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    email = models.CharField(max_length=254, unique=True)  # minipack.newsletter.normalise_email
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # When we last queued a confirmation or an "already subscribed" note: at most one a day per address.
    last_mail_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed"]), name="newsletter_subscriber_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="newsletter_subscriber_confirmed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="unsubscribed") | Q(unsubscribed_at__isnull=False),
                name="newsletter_subscriber_unsubscribed_has_time",
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="newsletter_subscriber_email_normal"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class ConsentText(models.Model):
    """The exact words of a consent, stored on first use so every record's version can be read back."""

    version = models.CharField(max_length=16, primary_key=True)  # minipack.newsletter.consent_version
    text = models.TextField()
    first_used_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.version}: {self.text[:60]}"


class ConsentRecord(models.Model):
    """One request to subscribe: when, from which (hashed) IP, on which form, to which words; and its confirmation."""

    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)  # in the confirm link
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents")
    created_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(max_length=64, blank=True)  # tokens.ip_hash; blank for an import
    form = models.CharField(max_length=100)  # "footer", "page", "import:<source>"
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="records")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["subscriber_id", "created_at", "pk"]

    def __str__(self) -> str:
        return f"consent of {self.subscriber_id} on {self.form} at {self.created_at:%Y-%m-%d %H:%M}"


class Suppression(models.Model):
    """An address we must never mail a newsletter again, kept only as a keyed hash; it wins over every import."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        ERASED = "erased", "Erased on request"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.reason})"


class Delivery(models.Model):
    """One mail to one subscriber and where its hand-over to SMTP stands (``delivery`` moves it along).

    ``sending``: a sender started the SMTP transaction; the server has not
    been sent the final "." (a sender that dies here leaves nothing at the
    server, so the mail is sent again). ``finalising``: everything but the
    final "." is at the server and this state is committed before the dot
    goes; a sender that dies here most likely delivered, so the mail turns
    ``in_doubt`` and is never sent again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        FINALISING = "finalising", "Finalising"
        SENT = "sent", "Sent"
        IN_DOUBT = "in_doubt", "In doubt (not sent again)"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "finalising", "sent", "in_doubt", "failed", "skipped"]),
                name="%(app_label)s_%(class)s_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="%(app_label)s_%(class)s_sent_has_time"
            ),
        ]


class OutboxMail(Delivery):
    """A transactional mail (a confirmation, an "already subscribed" note), rendered when it was queued."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirmation request"
        ALREADY = "already", "Already subscribed"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict)  # Message-ID, List-Unsubscribe, List-Unsubscribe-Post, …
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(Delivery.Meta):
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="newsletter_outbox_due")]
        verbose_name = "queued mail"

    def __str__(self) -> str:
        return f"{self.kind} to subscriber {self.subscriber_id} ({self.status})"


class DigestIssue(models.Model):
    """One weekly issue: its content as built (minipack.digest.Issue) and what the site showed then (the snapshot)."""

    number = models.PositiveIntegerField(unique=True)
    week = models.CharField(max_length=8, unique=True)  # ISO week, '2026-W48': one issue a week
    subject = models.CharField(max_length=200)
    content = models.JSONField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = "digest issue"

    def __str__(self) -> str:
        return f"#{self.number} ({self.week})"


class DigestDelivery(Delivery):
    issue = models.ForeignKey(DigestIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="digest_deliveries")

    class Meta(Delivery.Meta):
        ordering = ["issue_id", "pk"]
        constraints = [
            *Delivery.Meta.constraints,
            models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletter_digestdelivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="newsletter_digest_due")]
        verbose_name_plural = "digest deliveries"

    def __str__(self) -> str:
        return f"issue {self.issue_id} to subscriber {self.subscriber_id} ({self.status})"
