"""Writes for comments: storing a new one under the flood, duplicate and moderation rules; editors' bulk decisions.

``comment_post`` checks and inserts in **one transaction**, holding a lock
that every other post from the same IP or email must also take, so two
posts sent at once (from two gunicorn workers, or two servers) cannot both
pass a limit that only one of them may:

* SQLite: Django opens the transaction with ``BEGIN IMMEDIATE``
  (``settings.base.SQLITE_OPTIONS``), which takes the database's one write
  lock before the first read; the next writer waits for the commit (up to the
  20 s busy timeout), then reads the row this one wrote.
* PostgreSQL: a transaction-level advisory lock per sender key (the IP hash
  and the email), taken in a fixed order so two posts never wait on each
  other in a cycle, and released by the commit. Posts from other senders do not wait.

The rules themselves (moderation, text, form age) live in the core:
``minipack.moderation`` and ``minipack.comment_text``.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from minipack.client_ip import rate_key
from minipack.comment_text import fingerprint, normalise_body
from minipack.moderation import Action, Status, WordRule, decide
from minipack_web.caching import invalidate_pages
from minipack_web.community.models import Comment, ModerationWord
from minipack_web.community.selectors import TargetPage

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)


class CommentRefused(Exception):
    """A comment that is not stored, with what to tell its writer; ``status`` is the HTTP answer."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.retry_after = retry_after


class Flooded(CommentRefused):
    status = 429


class Duplicate(CommentRefused):
    status = 409


def ip_hash(address: str) -> str:
    """A keyed hash of the address's rate key: counts one sender's comments without keeping where they came from."""
    return salted_hmac("minipack.community.ip", rate_key(address), algorithm="sha256").hexdigest()


def normalise_email(email: str) -> str:
    """One spelling per mailbox in practice: mail providers ignore case on both sides of the @."""
    return email.strip().lower()


def _lock_senders(*keys: str) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the database's one write lock (see the module docstring)
    digests = (hashlib.blake2b(k.encode(), digest_size=8).digest() for k in keys)
    ids = sorted({int.from_bytes(d, "big", signed=True) for d in digests})
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def word_rules() -> list[WordRule]:
    return [WordRule(word, Action(action)) for word, action in ModerationWord.objects.values_list("word", "action")]


def comment_post(
    *, page: TargetPage, parent_id: int | None, name: str, email: str, body: str, client_ip: str
) -> Comment:
    """Store a new comment with the status the moderation rules give it, or raise ``CommentRefused``.

    Refused, nothing is written: a duplicate of the sender's own comment on
    this page (409), a second comment within the flood window from the same
    IP or email, or one past the hourly cap per IP (429), a reply to a
    comment that is not a shown top-level comment on this page (400).
    """
    email = normalise_email(email)
    body = normalise_body(body)
    sender = ip_hash(client_ip)
    body_print = fingerprint(body)
    # Filters and fields alike: product_id=None filters as IS NULL.
    on_page = {"product_id": page.product_id, "guide_slug": "" if page.product_id else page.target.slug}
    rules = word_rules()
    try:
        with transaction.atomic():
            _lock_senders(f"ip:{sender}", f"email:{email}")
            # Read the clock once the lock is ours: a post that waited is judged at the moment it is stored.
            now = timezone.now()
            if Comment.objects.filter(email=email, fingerprint=body_print, **on_page).exists():
                raise Duplicate("You have already posted this comment here.")
            _check_flood(sender=sender, email=email, now=now)
            if parent_id is not None and not (
                Comment.objects.shown().filter(pk=parent_id, parent__isnull=True, **on_page).exists()
            ):
                raise CommentRefused(
                    "The comment you are replying to is not open for replies: it may have been removed.",
                    field="parent",
                )
            decision = decide(
                name=name,
                email=email,
                body=body,
                rules=rules,
                author_has_approved_comment=Comment.objects.filter(email=email, status=Status.APPROVED).exists(),
            )
            return Comment.objects.create(
                parent_id=parent_id,
                name=name,
                email=email,
                body=body,
                status=decision.status,
                held_reasons="\n".join(decision.reasons),
                created_at=now,
                ip_hash=sender,
                fingerprint=body_print,
                **on_page,
            )
    except IntegrityError:
        # The bag or the comment replied to was deleted between our check and the commit (logged in case it
        # was anything else: the writer still gets a clear answer and nothing is half-written).
        logger.warning("comment not stored: integrity error", exc_info=True)
        raise CommentRefused("The page or comment you wrote to was removed meanwhile; nothing was saved.") from None


def _check_flood(*, sender: str, email: str, now: datetime) -> None:
    window = settings.MINIPACK_COMMENT_FLOOD_SECONDS
    if window:
        since = now - timedelta(seconds=window)
        for recent in (
            Comment.objects.filter(email=email, created_at__gt=since),
            Comment.objects.filter(ip_hash=sender, created_at__gt=since),
        ):
            latest = recent.order_by("-created_at").values_list("created_at", flat=True).first()
            if latest is not None:
                wait = _seconds_until(latest + timedelta(seconds=window), now)
                raise Flooded(
                    f"A comment came from your email address or network moments ago. Please wait {wait} "
                    f"second{'s' if wait != 1 else ''} before posting another; your text is kept below.",
                    retry_after=wait,
                )
    cap = settings.MINIPACK_COMMENT_HOURLY_LIMIT
    if cap:
        times = list(
            Comment.objects.filter(ip_hash=sender, created_at__gt=now - HOUR)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:cap]
        )
        if len(times) >= cap:
            raise Flooded(
                f"Your network has posted {cap} comments in the last hour, our limit. Please try again later; "
                "your text is kept below.",
                retry_after=_seconds_until(times[-1] + HOUR, now),
            )


def comments_set_status(*, ids: list[int], status: Status) -> int:
    """Approve, hold or mark as spam the given comments at once (the admin's bulk actions); how many changed.

    A bulk update sends no model signals, so the pages are invalidated here.
    """
    with transaction.atomic():
        changed = Comment.objects.filter(pk__in=ids).exclude(status=status).update(status=status)
        if changed:
            invalidate_pages()
    return changed
