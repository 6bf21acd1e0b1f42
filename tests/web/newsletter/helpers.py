"""Newsletter test helpers: a real SMTP server on loopback (aiosmtpd), subscribers in each state, links in mail."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email.message import Message
from typing import Any, ClassVar

from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.db.models import F
from django.test import Client

from minipack.newsletter import CURRENT_CONSENT
from minipack_web.newsletter import services
from minipack_web.newsletter.mail import InDoubt
from minipack_web.newsletter.models import ConsentRecord, Subscriber
from minipack_web.newsletter.tokens import confirm_token

LINK = re.compile(r"https?://[^\s<>\"]+/newsletter/(confirm|unsubscribe)/([^/\s<>\"]+)/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: Message

    def text(self) -> str:
        for part in self.message.walk():
            if part.get_content_type() == "text/plain":
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                return payload.decode(part.get_content_charset() or "utf-8")
        raise AssertionError("no text/plain part")


class _Handler:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.sink.on_rcpt is not None:
            self.sink.on_rcpt(self.sink.count())
        if address in self.sink.refuse:
            return self.sink.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=email.message_from_bytes(envelope.content, policy=email.policy.default),
        )
        with self.sink.lock:
            self.sink.messages.append(received)
            count = len(self.sink.messages)
        if self.sink.on_data is not None:
            self.sink.on_data(count)
        if self.sink.reply_delay:
            await asyncio.sleep(self.sink.reply_delay)  # the message is kept; the answer comes late
        return self.sink.data_reply


class Sink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts; stop and start it to play an outage.

    ``on_rcpt(count so far)`` runs before a recipient is accepted (the client has not sent the body);
    ``on_data(count)`` after a message is accepted, before the client reads the answer.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        self.on_rcpt: Callable[[int], None] | None = None
        self.on_data: Callable[[int], None] | None = None
        self.data_reply = "250 Message accepted for delivery"
        self.reply_delay = 0.0
        self.refuse: dict[str, str] = {}  # address -> the reply to its RCPT ('450 ...', '550 ...')
        self._controller: Controller | None = None

    def start(self) -> Sink:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if address in m.rcpt_tos]

    def wait_for_mail_to(self, address: str, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.to(address):
                return True
            time.sleep(0.01)
        return bool(self.to(address))

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= count:
                return True
            time.sleep(0.01)
        return self.count() >= count


class Blackhole:
    """A socket that accepts connections and never says a word: an SMTP server that hangs."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)  # the kernel completes the handshake; nobody ever answers
        self.port = int(self.socket.getsockname()[1])

    def close(self) -> None:
        self.socket.close()


def smtp_settings(port: int, timeout: float = 10) -> dict[str, Any]:
    return {
        "EMAIL_BACKEND": "minipack_web.newsletter.mail.SMTPBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": timeout,
    }


def signup_data(email_address: str, form_id: str = "footer") -> dict[str, str]:
    return {"email": email_address, "consent_version": CURRENT_CONSENT.version, "form_id": form_id}


def post_signup(client: Client, email_address: str, **extra: Any) -> Any:
    return client.post("/newsletter/", signup_data(email_address), **extra)


def links(text: str) -> dict[str, str]:
    """{'confirm': path, 'unsubscribe': path} found in a mail's text (paths, for the test client)."""
    return {kind: f"/newsletter/{kind}/{token}/" for kind, token in LINK.findall(text)}


def subscribe(
    address: str, *, state: str = "confirmed", client_ip: str = "192.0.2.1", mailed_ago: timedelta = timedelta(days=2)
) -> Subscriber:
    """A subscriber in ``state`` ('pending', 'confirmed', 'unsubscribed'), made through the real services.

    Mail queued on the way is sent (to locmem) and then forgotten, so a test's ``mail.outbox`` starts empty.
    The signup is dated ``mailed_ago`` (two days: past the one-mail-a-day limit, within the links' week).
    """
    services.subscription_request(
        email=address, client_ip=client_ip, form="footer", consent_version=CURRENT_CONSENT.version
    )
    subscriber = Subscriber.objects.get(email=address)
    if state in ("confirmed", "unsubscribed"):
        record = ConsentRecord.objects.filter(subscriber=subscriber).latest("created_at")
        services.subscription_confirm(token=confirm_token(record.key))
    if state == "unsubscribed":
        from minipack_web.newsletter.tokens import unsubscribe_token

        services.subscription_unsubscribe(token=unsubscribe_token(subscriber.key))
    services.outbox_drain()
    mail.outbox.clear()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        created_at=F("created_at") - mailed_ago, last_mail_at=F("last_mail_at") - mailed_ago
    )
    ConsentRecord.objects.filter(subscriber=subscriber).update(created_at=F("created_at") - mailed_ago)
    subscriber.refresh_from_db()
    return subscriber


class ScriptedBackend(BaseEmailBackend):
    """A mail backend that fails as a test scripts it: ``script[address]`` lists what each try raises (None: sent)."""

    script: ClassVar[dict[str, list[BaseException | None]]] = {}
    sent: ClassVar[list[EmailMessage]] = []

    @classmethod
    def reset(cls) -> None:
        cls.script = {}
        cls.sent = []

    def _outcome(self, message: EmailMessage) -> BaseException | None:
        outcomes = self.script.get(message.to[0])
        return outcomes.pop(0) if outcomes else None

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            problem = self._outcome(message)
            if problem is not None:
                raise problem
            self.sent.append(message)
        return len(email_messages)


class ScriptedTwoStepBackend(ScriptedBackend):
    """The same, with the two-step hand-over of ``mail.SMTPBackend``; an ``InDoubt`` counts as delivered."""

    def send_in_two_steps(self, message: EmailMessage, *, before_final_dot: Callable[[], None]) -> None:
        problem = self._outcome(message)
        if problem is not None and not isinstance(problem, InDoubt):
            raise problem
        before_final_dot()
        self.sent.append(message)
        if problem is not None:
            raise problem


SCRIPTED = "web.newsletter.helpers.ScriptedBackend"
SCRIPTED_TWO_STEP = "web.newsletter.helpers.ScriptedTwoStepBackend"
