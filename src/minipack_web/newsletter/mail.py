"""Newsletter mails as Django messages, and the SMTP backend that hands one over in two steps.

Every mail carries ``List-Unsubscribe`` (the reader's own signed one-click
URL) and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058),
plus a ``Message-ID`` we choose, so a mail sent twice by mistake at least
looks like one message to the receiving side.

``SMTPBackend`` is Django's SMTP backend with one more method,
``send_in_two_steps``: it sends MAIL, RCPT, DATA and the whole body, calls
``before_final_dot`` (the sender commits "finalising" there), and only then
sends the final "." that makes the server take the message. An SMTP server
discards a transaction whose dot never came, so a sender killed before that
commit has delivered nothing and may send again; one killed after it has
most likely delivered and must not (docs/decisions/0010-newsletter.md).
Ordinary ``send_messages`` still works, so ``EMAIL_BACKEND`` can be this
class for every mail the site sends.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Callable, Mapping
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.core.mail.message import EmailMessage, sanitize_address
from django.urls import reverse

from minipack_web.newsletter.tokens import unsubscribe_token
from minipack_web.seo.origin import absolute_url

ONE_CLICK = "List-Unsubscribe=One-Click"


class InDoubt(Exception):
    """The final "." was sent (or may have been) but the server's answer never came: it may have taken the message."""


def unsubscribe_url(subscriber_key: str) -> str:
    return absolute_url(reverse("newsletter:unsubscribe", args=[unsubscribe_token(subscriber_key)]))


def mail_domain() -> str:
    """The domain of ``DEFAULT_FROM_EMAIL``, for Message-IDs and List-Id."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def list_headers(subscriber_key: str, message_id: str) -> dict[str, str]:
    return {
        "Message-ID": message_id,
        "List-Id": f"Minipack weekly <weekly.{mail_domain()}>",
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber_key)}>",
        "List-Unsubscribe-Post": ONE_CLICK,
    }


def build_message(*, to: str, subject: str, text: str, html: str, headers: Mapping[str, str]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to], headers=dict(headers)
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


_LINE_ENDS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _dot_stuffed(data: bytes) -> bytes:
    """The DATA section as smtplib's ``data()`` sends it, less the final dot: CRLF lines, leading dots doubled."""
    body = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", data))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class SMTPBackend(EmailBackend):
    """Django's SMTP backend, able to stop just before the final "." (``send_in_two_steps``)."""

    def send_in_two_steps(self, message: EmailMessage, *, before_final_dot: Callable[[], None]) -> None:
        """Send one message, calling ``before_final_dot`` once the server holds all of it but the final ".".

        Raises ``smtplib.SMTPResponseException`` (and ``SMTPRecipientsRefused``)
        for a refusal, with the server's code: the server did not take the
        message. Raises ``OSError`` (``SMTPServerDisconnected`` is one) when
        the connection failed before the dot: not taken either. Raises
        ``InDoubt`` when the dot went out but no answer came back. If
        ``before_final_dot`` raises, the connection is dropped without the
        dot (the server discards the message) and its error propagates.
        """
        recipients = message.recipients()
        if not recipients:
            raise ValueError("a message without recipients")
        with self._lock:
            self.open()  # raises on failure: fail_silently is never set here
            connection = self.connection
            assert connection is not None
            if connection.sock is not None:
                # The final dot is a 3-byte write right after the body; with Nagle's algorithm it would wait for
                # the server's delayed ACK of the body (~40 ms a mail, measured on loopback).
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            encoding = message.encoding or settings.DEFAULT_CHARSET
            sender = sanitize_address(message.from_email, encoding)
            to = [sanitize_address(address, encoding) for address in recipients]
            data = _dot_stuffed(message.message().as_bytes(linesep="\r\n"))
            try:
                connection.ehlo_or_helo_if_needed()
                code, reply = connection.mail(sender)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, reply, sender)
                for address in to:
                    code, reply = connection.rcpt(address)
                    if code not in (250, 251):
                        raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
                code, reply = connection.docmd("data")
                if code != 354:
                    raise smtplib.SMTPDataError(code, reply)
                connection.send(data)
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
                self._reset_or_drop()
                raise
            except OSError:
                self.drop()
                raise
            try:
                before_final_dot()
            except BaseException:
                self.drop()  # no dot: the server throws the half-sent message away
                raise
            try:
                connection.send(b".\r\n")
                code, reply = connection.getreply()
            except OSError as exc:
                self.drop()
                raise InDoubt(f"no answer after the final dot: {exc}") from exc
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)

    def _reset_or_drop(self) -> None:
        """After a refusal: RSET so the connection can carry the next message; drop it if even that fails."""
        try:
            assert self.connection is not None
            self.connection.rset()
        except (OSError, AssertionError):
            self.drop()

    def drop(self) -> None:
        """Close the socket without QUIT: after a failure, waiting for a polite goodbye could hang for a timeout."""
        for connection in (self.connection, self._partial_connection):
            if connection is not None:
                try:
                    connection.close()
                except OSError:
                    pass
        self.connection = None
        self._partial_connection = None
