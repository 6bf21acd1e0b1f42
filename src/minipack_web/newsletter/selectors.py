"""Reads for the newsletter: what the site shows now (for the digest), recent comments, and one subscriber's data.

``site_snapshot`` and ``comments_since`` turn rows into the core's plain
records (``minipack.digest``), which decides what an issue says.
``subscriber_export`` is everything we hold on one person, for the admin's
export (GDPR article 15).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Count
from django.urls import reverse

from minipack.digest import BagState, CommentNote, GuideState, Snapshot
from minipack.guides import load_guides
from minipack_web.catalog.models import Product
from minipack_web.guides.selectors import guide_summaries, guide_url
from minipack_web.newsletter.models import ConsentRecord, DigestIssue, Subscriber, Suppression
from minipack_web.newsletter.tokens import TokenError, email_hash, read_confirm_token, read_unsubscribe_token

COMMENTS_CONSIDERED = 200  # the newest approved comments of the week, among which the core picks

# What a confirm link can do now.
READY = "ready"  # confirm on POST
DONE = "done"  # already confirmed by this link
EXPIRED = "expired"  # older than CONFIRM_DAYS
INVALID = "invalid"  # not ours, pruned, erased, or made before the address last unsubscribed


def consent_state(record: ConsentRecord, subscriber: Subscriber) -> str:
    """READY, DONE or INVALID for a signed, unexpired link to ``record``: the one rule GET and POST both apply."""
    if record.confirmed_at is not None:
        return DONE if subscriber.status == Subscriber.Status.CONFIRMED else INVALID
    if subscriber.unsubscribed_at is not None and record.created_at <= subscriber.unsubscribed_at:
        return INVALID  # asked before they left: an old link never undoes an unsubscribe
    return READY


def confirm_link_state(token: str) -> str:
    """What the confirm link ``token`` would do if posted; reads only."""
    try:
        key = read_confirm_token(token)
    except TokenError as exc:
        return EXPIRED if exc.expired else INVALID
    record = ConsentRecord.objects.select_related("subscriber").filter(key=key).first()
    return INVALID if record is None else consent_state(record, record.subscriber)


def unsubscribe_link_valid(token: str) -> bool:
    """Whether ``token`` is a signed unsubscribe link of a subscriber we still hold; reads only."""
    try:
        key = read_unsubscribe_token(token)
    except TokenError:
        return False
    return Subscriber.objects.filter(key=key).exists()


def site_snapshot() -> Snapshot:
    """Every bag with its shown price and that price's date, and every guide with when its words were written."""
    bags = {
        p.slug: BagState(
            slug=p.slug,
            name=p.name,
            path=reverse("catalog:bag", kwargs={"slug": p.slug}),
            price_minor=p.price_minor,
            currency=p.price_currency,
            price_date=p.price_date_stated,
            added=p.created_at.date().isoformat(),
        )
        for p in Product.objects.listed()
    }
    written = {g.slug: g.written for g in load_guides()}
    guides = {
        s.slug: GuideState(slug=s.slug, title=s.title, path=s.url, written=written.get(s.slug, ""))
        for s in guide_summaries()
    }
    return Snapshot(bags=bags, guides=guides)


def comments_since(since: datetime) -> list[CommentNote]:
    """Approved top-level comments written since ``since``, newest first; none when comments are not installed.

    Guarded because the newsletter must not depend on comments existing:
    a site without the community app still gets its digest, without the
    comments section.
    """
    if not apps.is_installed("minipack_web.community"):
        return []
    from minipack_web.community.models import Comment

    titles = {g.slug: g.title for g in load_guides()}
    comments = (
        Comment.objects.shown()
        .filter(parent__isnull=True, created_at__gte=since)
        .select_related("product__brand")
        .order_by("-created_at", "-pk")[:COMMENTS_CONSIDERED]
    )
    notes = []
    for comment in comments:
        if comment.product is not None:
            on_title, path = comment.product.name, reverse("catalog:bag", kwargs={"slug": comment.product.slug})
        elif comment.guide_slug in titles:
            on_title = titles[comment.guide_slug]
            path = guide_url(comment.guide_slug)
        else:
            continue  # a guide that was removed from the guides file
        notes.append(
            CommentNote(
                author=comment.name,
                body=comment.body,
                on_title=on_title,
                path=path,
                created=comment.created_at.isoformat(),
            )
        )
    return notes


def issue_totals(issue: DigestIssue) -> dict[str, int]:
    """How many of ``issue``'s deliveries stand in each status, for the command's last line and the admin."""
    rows = issue.deliveries.values("status").annotate(n=Count("pk")).order_by("status")
    return {row["status"]: row["n"] for row in rows}


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def subscriber_export(subscriber: Subscriber) -> dict[str, Any]:
    """Every field we hold on ``subscriber``: the row, each consent with its exact words, queued mail, deliveries."""
    return {
        "email": subscriber.email,
        "status": subscriber.status,
        "key": subscriber.key,
        "created_at": _when(subscriber.created_at),
        "confirmed_at": _when(subscriber.confirmed_at),
        "unsubscribed_at": _when(subscriber.unsubscribed_at),
        "last_mail_at": _when(subscriber.last_mail_at),
        "suppressed": Suppression.objects.filter(email_hash=email_hash(subscriber.email)).exists(),
        "consents": [
            {
                "created_at": _when(c.created_at),
                "confirmed_at": _when(c.confirmed_at),
                "form": c.form,
                "ip_hash": c.ip_hash,
                "consent_text_version": c.text_id,
                "consent_text": c.text.text,
            }
            for c in subscriber.consents.select_related("text").order_by("created_at", "pk")
        ],
        "mails": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
                "last_error": m.last_error,
                "message_id": m.headers.get("Message-ID", ""),
            }
            for m in subscriber.outbox.order_by("created_at", "pk")
        ],
        "digests": [
            {
                "issue": d.issue.number,
                "week": d.issue.week,
                "subject": d.issue.subject,
                "status": d.status,
                "attempts": d.attempts,
                "sent_at": _when(d.sent_at),
                "last_error": d.last_error,
            }
            for d in subscriber.digest_deliveries.select_related("issue").order_by("issue__number")
        ],
    }
