"""The weekly digest: build this week's issue once, then deliver it to each confirmed subscriber exactly once.

``digest_send`` is what `minipack send-digest` runs. Under the digest
sender's lock (``delivery.sender_lock``) it first settles what a killed run
left behind (``delivery.recover``), then builds the week's issue if there is
none yet (an ``Issue`` from ``minipack.digest``, stored with one
``DigestDelivery`` row per confirmed, unsuppressed subscriber, in one
transaction), then sends every pending delivery of every issue, oldest
first. Running it again the same week resumes the same issue: a delivery is
a row with a unique (issue, subscriber), and a row that reached the server
is never sent again (see ``delivery``).

The send is throttled (``MINIPACK_NEWSLETTER_RATE`` mails a second), shows
a progress bar on a terminal, retries a temporary refusal of one recipient
with backoff while it carries on with the others, waits and retries when the
server cannot be reached, and gives up on the run (leaving the rest pending
for the next one) after ``MINIPACK_NEWSLETTER_TRIES`` failed connections in
a row.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from tqdm import tqdm

from minipack.digest import Issue, Snapshot, build_issue, iso_week, issue_from_json, issue_subject, issue_text
from minipack.newsletter import retry_delay
from minipack_web.newsletter import delivery
from minipack_web.newsletter.mail import build_message, list_headers, mail_domain, unsubscribe_url
from minipack_web.newsletter.models import DigestDelivery, DigestIssue, Subscriber, Suppression
from minipack_web.newsletter.selectors import comments_since, site_snapshot
from minipack_web.newsletter.tokens import email_hash

Status = DigestDelivery.Status
FIRST_WINDOW = timedelta(days=7)  # the first issue's "new": the week before it


@dataclass
class DigestRun:
    issue: DigestIssue | None  # this week's issue; None when nothing was new
    built: bool  # built by this run (not resumed)
    recipients: int = 0  # deliveries this run set out to make
    report: delivery.Report = field(default_factory=delivery.Report)


def digest_message_id(number: int, subscriber_key: str) -> str:
    """The same Message-ID for every attempt at one (issue, subscriber): a duplicate at least looks like one."""
    return f"<minipack-weekly-{number}-{subscriber_key}@{mail_domain()}>"


def digest_message(row: DigestIssue, issue: Issue, subscriber: Subscriber) -> EmailMultiAlternatives:
    url = unsubscribe_url(subscriber.key)
    site_url = settings.MINIPACK_SITE_URL
    html = render_to_string(
        "newsletter/mail/digest.html", {"issue": issue, "site_url": site_url, "unsubscribe_url": url}
    )
    return build_message(
        to=subscriber.email,
        subject=row.subject,
        text=issue_text(issue, site_url=site_url, unsubscribe_url=url),
        html=html,
        headers=list_headers(subscriber.key, digest_message_id(issue.number, subscriber.key)),
    )


def _build(today: date, now: datetime) -> tuple[DigestIssue | None, bool]:
    existing = DigestIssue.objects.filter(week=iso_week(today)).first()
    if existing is not None:
        return existing, False
    previous = DigestIssue.objects.order_by("-number").first()
    since = previous.created_at if previous is not None else now - FIRST_WINDOW
    current = site_snapshot()
    issue = build_issue(
        number=previous.number + 1 if previous is not None else 1,
        today=today,
        current=current,
        previous=Snapshot.from_json(previous.snapshot) if previous is not None else None,
        window_start=since.date(),
        comments=comments_since(since),
    )
    if issue is None:
        return None, False
    row = DigestIssue.objects.create(
        number=issue.number,
        week=issue.week,
        subject=issue_subject(issue),
        content=issue.as_json(),
        snapshot=current.as_json(),
        created_at=now,
    )
    suppressed = set(Suppression.objects.values_list("email_hash", flat=True))
    audience = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).values_list("pk", "email")
    DigestDelivery.objects.bulk_create(
        [DigestDelivery(issue=row, subscriber_id=pk) for pk, email in audience if email_hash(email) not in suppressed],
        batch_size=500,
    )
    return row, True


def digest_issue_prepare(*, today: date | None = None) -> tuple[DigestIssue | None, bool]:
    """This week's issue and whether it was built now; (None, False) when nothing is new since the last one."""
    now = timezone.now()
    with transaction.atomic():
        return _build(today or now.date(), now)


def digest_preview(*, today: date | None = None) -> tuple[DigestIssue | None, int, str]:
    """(issue, recipients, plain text) of the issue a send would build now, without keeping anything."""
    now = timezone.now()
    with transaction.atomic():
        row, _ = _build(today or now.date(), now)
        text = ""
        recipients = 0
        if row is not None:
            recipients = row.deliveries.filter(status=Status.PENDING).count()
            text = issue_text(
                issue_from_json(row.content), site_url=settings.MINIPACK_SITE_URL, unsubscribe_url="<unsubscribe link>"
            )
        transaction.set_rollback(True)
    return row, recipients, text


def digest_send(*, today: date | None = None, rate: float | None = None, progress: bool = False) -> DigestRun:
    """Build this week's issue if needed and deliver every pending digest mail; ``delivery.SenderBusy`` if one runs."""
    with delivery.sender_lock("digest"):
        resend, doubtful = delivery.recover(DigestDelivery.objects.all())
        issue, built = digest_issue_prepare(today=today)
        pending = list(
            DigestDelivery.objects.filter(status=Status.PENDING)
            .order_by("issue__number", "pk")
            .values_list("pk", flat=True)
        )
        run = DigestRun(issue=issue, built=built, recipients=len(pending))
        run.report.recovered_resend = resend
        run.report.recovered_in_doubt = len(doubtful)
        for row in DigestDelivery.objects.filter(pk__in=doubtful[:1000]).select_related("issue"):
            run.report.problems.append(f"issue {row.issue.number}, subscriber {row.subscriber_id}: {row.last_error}")
        _send_all(
            pending, run.report, rate=settings.MINIPACK_NEWSLETTER_RATE if rate is None else rate, progress=progress
        )
    return run


def _send_all(pending: list[int], report: delivery.Report, *, rate: float, progress: bool) -> None:
    tries_allowed: int = settings.MINIPACK_NEWSLETTER_TRIES
    base: float = settings.MINIPACK_NEWSLETTER_RETRY_BASE
    cap: float = settings.MINIPACK_NEWSLETTER_RETRY_CAP
    queue = deque(pending)
    later: list[tuple[float, int, int]] = []  # (due on time.monotonic(), tie-breaker, delivery id)
    order = itertools.count()
    tries: dict[int, int] = {}
    unreachable_in_a_row = 0
    issues: dict[int, Issue] = {}
    pacer = delivery.Pacer(rate)
    backend = delivery.open_backend()
    bar = tqdm(total=len(pending), unit="mail", desc="digest", file=sys.stderr, disable=not progress)
    try:
        while queue or later:
            if later and (not queue or later[0][0] <= time.monotonic()):
                due, _, pk = heapq.heappop(later)
                time.sleep(max(0.0, due - time.monotonic()))
            else:
                pk = queue.popleft()
            row = DigestDelivery.objects.select_related("issue", "subscriber").filter(pk=pk).first()
            if row is None or row.status != Status.PENDING:  # erased, or unsubscribed (and skipped) meanwhile
                bar.update(1)
                continue
            subscriber = row.subscriber
            # Checked before every mail, not once per run: an unsubscribe during a long send wins at once.
            if (
                subscriber.status != Subscriber.Status.CONFIRMED
                or Suppression.objects.filter(email_hash=email_hash(subscriber.email)).exists()
            ):
                DigestDelivery.objects.filter(pk=pk).update(status=Status.SKIPPED, last_error="not subscribed any more")
                report.skipped += 1
                bar.update(1)
                continue
            if row.issue_id not in issues:
                issues[row.issue_id] = issue_from_json(row.issue.content)
            message = digest_message(row.issue, issues[row.issue_id], subscriber)
            pacer.wait()
            attempt = delivery.deliver(row, message, backend)
            tries[pk] = tries.get(pk, 0) + 1
            label = f"issue {row.issue.number}, subscriber {subscriber.pk}: {attempt.error}"
            if attempt.connection_failed:
                unreachable_in_a_row += 1
                if unreachable_in_a_row >= tries_allowed:
                    report.unreachable = True
                    report.retry_later += 1
                    report.left = len(queue) + len(later)
                    report.problems.append(label)
                    break
                # Every mail would fail the same way: wait, then try this one again before moving on.
                time.sleep(retry_delay(unreachable_in_a_row, base=base, cap=cap))
                queue.appendleft(pk)
                continue
            unreachable_in_a_row = 0
            if attempt.status == Status.PENDING and tries[pk] < tries_allowed:
                # This recipient's server said "later" (greylisting, a full mailbox): the others go on meanwhile.
                heapq.heappush(later, (time.monotonic() + retry_delay(tries[pk], base=base, cap=cap), next(order), pk))
                continue
            bar.update(1)
            if attempt.status == Status.SENT:
                report.sent += 1
            elif attempt.status == Status.SKIPPED:
                report.skipped += 1
            elif attempt.status == Status.IN_DOUBT:
                report.in_doubt += 1
                report.problems.append(label)
            elif attempt.status == Status.FAILED:
                report.failed += 1
                report.problems.append(label)
            else:
                report.retry_later += 1
                report.problems.append(f"{label} (after {tries[pk]} tries; left for the next run)")
    finally:
        bar.close()
        delivery.close_backend(backend)
