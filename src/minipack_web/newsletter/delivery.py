"""How a queued mail leaves: one delivery at a time, each step committed, so a killed sender neither loses nor repeats.

A delivery row (``models.Delivery``) moves ``pending`` → ``sending`` →
``finalising`` → ``sent``, each step committed on its own before the SMTP
step it guards:

* ``sending`` is committed before the SMTP transaction starts. A sender
  killed now leaves a half-sent transaction the server throws away, so the
  next sender puts the row back to ``pending`` and sends it again.
* ``finalising`` is committed once the server holds everything but the final
  "." (``mail.SMTPBackend.send_in_two_steps``), and the dot goes right after.
  A sender killed now has most likely delivered: the row turns ``in_doubt``,
  is reported, and is never sent again. At most one copy, and the window in
  which "at most" can mean "none" is one socket write.
* A refusal with a 4xx reply or a broken connection is temporary: the row
  goes back to ``pending`` with a later ``next_attempt_at`` (exponential
  backoff); a 5xx reply is final (``failed``).

Only one sender works a queue at a time: ``sender_lock`` is an advisory lock
the operating system or PostgreSQL releases when its holder dies, so a new
sender that gets it knows every ``sending`` or ``finalising`` row belongs to
a dead one (``recover``). Backends without two steps (console, file,
locmem) are used as they are, with ``finalising`` committed before the call.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import smtplib
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db import connection, models
from django.db.models import F
from django.utils import timezone

from minipack.newsletter import reply_is_temporary
from minipack_web.newsletter.mail import InDoubt
from minipack_web.newsletter.models import Delivery

logger = logging.getLogger(__name__)

Status = Delivery.Status


class SenderBusy(Exception):
    """Another sender holds this queue's lock."""


# --------------------------------------------------------------------------- the lock


def _lock_key(name: str) -> int:
    # pg_advisory_lock takes a signed 64-bit key; crc32 of a fixed name is stable across processes.
    return zlib.crc32(f"minipack.newsletter.{name}".encode())


def lock_path(name: str) -> Path:
    """The file whose flock is queue ``name``'s sender lock on SQLite: one per queue and database."""
    database = str(connection.settings_dict["NAME"])
    digest = hashlib.blake2b(database.encode(), digest_size=6).hexdigest()
    directory = Path(settings.VAR_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"newsletter-{name}-{digest}.lock"


@contextlib.contextmanager
def sender_lock(name: str, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the one-sender lock of queue ``name``, waiting up to ``wait`` seconds; ``SenderBusy`` otherwise.

    PostgreSQL: a session advisory lock, released when the connection
    closes, so when the process dies. SQLite (one server by nature): an
    ``flock`` on a file next to the runtime files, released by the kernel
    when the process dies. Separate ``open()`` calls conflict even within one
    process, so a background thread and a command exclude each other too.
    """
    deadline = time.monotonic() + wait
    if connection.vendor == "postgresql":
        key = _lock_key(name)
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() >= deadline:
                    raise SenderBusy(name)
                time.sleep(0.1)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    fd = os.open(lock_path(name), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise SenderBusy(name) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def recover(queryset: models.QuerySet[Delivery]) -> tuple[int, list[int]]:
    """Settle rows a dead sender left mid-way (hold the queue's lock): (count to send again, ids now in doubt)."""
    resend = queryset.filter(status=Status.SENDING).update(
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
        last_error="the sender stopped before the message was complete; it will be sent again",
    )
    doubtful = list(queryset.filter(status=Status.FINALISING).values_list("pk", flat=True))
    queryset.filter(pk__in=doubtful).update(
        status=Status.IN_DOUBT,
        last_error="the sender stopped after handing the message over; it was most likely delivered, "
        "so it is not sent again",
    )
    return resend, doubtful


# --------------------------------------------------------------------------- one delivery


@dataclass(frozen=True)
class Attempt:
    """What one try did: the row's new status and, for a failure, why and whether to blame the connection."""

    status: str  # sent, in_doubt, failed, skipped (not claimed), or pending (temporary failure)
    error: str = ""
    temporary: bool = False
    connection_failed: bool = False  # the server could not be reached or dropped us: the next mail would fail too


def _set(row: Delivery, **values: object) -> None:
    # One UPDATE in autocommit: committed before the SMTP step it guards. update(), not save(): it writes
    # only these columns, so a concurrent change to another column of the row is never overwritten.
    type(row)._default_manager.filter(pk=row.pk).update(**values)


def _classify(exc: BaseException) -> Attempt:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return _reply_attempt(code, reply)
    if isinstance(exc, smtplib.SMTPResponseException):
        attempt = _reply_attempt(exc.smtp_code, exc.smtp_error)
        # A refused login or greeting is about the server, not this recipient.
        blame = isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError | smtplib.SMTPHeloError)
        return Attempt(attempt.status, attempt.error, attempt.temporary, connection_failed=blame)
    return Attempt(Status.PENDING, f"connection: {exc or type(exc).__name__}", temporary=True, connection_failed=True)


def _reply_attempt(code: int, reply: bytes | str) -> Attempt:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    error = f"{code} {text}".strip()
    if reply_is_temporary(code):
        return Attempt(Status.PENDING, error, temporary=True)
    return Attempt(Status.FAILED, error)


def deliver(row: Delivery, message: EmailMessage, backend: BaseEmailBackend) -> Attempt:
    """Send ``message`` for ``row``, committing each step; the row ends sent, in doubt, failed or due again.

    For a temporary failure the row is left ``pending`` with ``attempts``
    counted; the caller decides when it is due again (``reschedule``). A row
    that is no longer ``pending`` when it is claimed (an unsubscribe marked
    it skipped since it was read) is not sent: the status is ``skipped``.
    """
    claimed = (
        type(row)
        ._default_manager.filter(pk=row.pk, status=Status.PENDING)
        .update(status=Status.SENDING, attempts=F("attempts") + 1)
    )
    if not claimed:
        return Attempt(Status.SKIPPED, "no longer pending")
    two_steps = getattr(backend, "send_in_two_steps", None)
    try:
        if two_steps is not None:
            two_steps(message, before_final_dot=lambda: _set(row, status=Status.FINALISING))
        else:
            _set(row, status=Status.FINALISING)
            if backend.send_messages([message]) != 1:
                raise smtplib.SMTPException("the mail backend sent nothing")
    except InDoubt as exc:
        _set(row, status=Status.IN_DOUBT, last_error=str(exc)[:2000])
        return Attempt(Status.IN_DOUBT, str(exc))
    except OSError as exc:  # smtplib's errors are OSErrors too
        attempt = _classify(exc)
        _set(row, status=attempt.status, last_error=attempt.error[:2000])
        return attempt
    _set(row, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return Attempt(Status.SENT)


def reschedule(row: Delivery, *, delay: float) -> None:
    _set(row, next_attempt_at=timezone.now() + timedelta(seconds=delay))


# --------------------------------------------------------------------------- a run


class Pacer:
    """At most ``rate`` sends a second: ``wait()`` sleeps until the next send is allowed."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = clock()

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass
class Report:
    """What a run did, for its summary; ``problems`` names each delivery that did not go out."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry_later: int = 0
    in_doubt: int = 0
    recovered_resend: int = 0
    recovered_in_doubt: int = 0
    left: int = 0  # not tried: the run stopped because the server could not be reached
    unreachable: bool = False  # the run stopped early: the server could not be reached
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.failed or self.retry_later or self.in_doubt or self.recovered_in_doubt or self.left or self.unreachable
        )

    def summary(self) -> str:
        parts = [f"{self.sent} sent"]
        for count, words in (
            (self.skipped, "skipped (unsubscribed or suppressed since)"),
            (self.retry_later, "refused for now (will be tried again)"),
            (self.failed, "failed for good"),
            (self.in_doubt, "in doubt (no answer after the final dot; not sent again)"),
            (self.recovered_in_doubt, "in doubt from an interrupted run (not sent again)"),
            (self.recovered_resend, "left half-sent by an interrupted run (nothing reached the server; sent again)"),
            (self.left, "not tried (the mail server could not be reached)"),
        ):
            if count:
                parts.append(f"{count} {words}")
        if self.unreachable and not self.left:
            parts.append("stopped: the mail server could not be reached")
        return ", ".join(parts)


def open_backend() -> BaseEmailBackend:
    """The configured backend, never failing silently: a failure must reach the queue, not vanish."""
    return get_connection(fail_silently=False)


def close_backend(backend: BaseEmailBackend) -> None:
    """QUIT politely if the connection is still up; after a failure it was already dropped, so this cannot hang."""
    try:
        backend.close()
    except OSError:
        drop = getattr(backend, "drop", None)
        if drop is not None:
            drop()


# --------------------------------------------------------------------------- the background sender

_thread_lock = threading.Lock()
_thread: threading.Thread | None = None
_running = False  # guarded by _thread_lock: a thread is draining, or about to
_again = False  # guarded by _thread_lock: something was queued since the thread last looked
_unreachable_until = 0.0  # time.monotonic(): after a connection failure, leave retries to `send-mail` for a while
UNREACHABLE_PAUSE = 60.0


def kick(drain: Callable[[], Report]) -> None:
    """Run ``drain`` in this process's one background thread (start it, or ask it to go round once more).

    Called after a signup commits, so the answer never waits for SMTP. A
    dead or hanging server costs that thread EMAIL_TIMEOUT per step, never a
    visitor; after a connection failure the thread stays away for
    ``UNREACHABLE_PAUSE`` and `minipack send-mail` (cron) retries.
    """
    global _thread, _running, _again
    if not settings.MINIPACK_NEWSLETTER_BACKGROUND or time.monotonic() < _unreachable_until:
        return
    with _thread_lock:
        _again = True
        if _running:
            return  # the thread looks at the queue again before it stops
        _running = True
        _thread = threading.Thread(target=_background, args=(drain,), name="minipack-mail", daemon=True)
        _thread.start()


def _background(drain: Callable[[], Report]) -> None:
    global _running, _again, _unreachable_until
    from django.db import connections

    try:
        while True:
            with _thread_lock:
                if not _again:
                    _running = False  # decided under the lock: a kick from now on starts a new thread
                    return
                _again = False
            report = drain()
            if report.unreachable:
                _unreachable_until = time.monotonic() + UNREACHABLE_PAUSE
                with _thread_lock:
                    _running = False
                return
    except Exception:  # noqa: BLE001 - a thread's error would vanish; the queue keeps the mail for `send-mail`
        logger.exception("background mail sender failed; `minipack send-mail` will retry")
        with _thread_lock:
            _running = False
    finally:
        connections.close_all()  # this thread's connections only


def wait_for_background(timeout: float) -> bool:
    """Wait for the background thread to finish (tests, and a clean shutdown); False if it is still running."""
    thread = _thread
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def reset_background() -> None:
    """Forget a past connection failure (tests)."""
    global _unreachable_until
    _unreachable_until = 0.0
