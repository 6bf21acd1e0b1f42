"""Signed links and keyed hashes: what the newsletter puts in URLs and keeps instead of addresses.

A link carries a row's random ``key`` signed with a salt per purpose, so a
confirm link cannot be used to unsubscribe or the other way round, and no
link carries an address or a database id. A confirm link expires after
``minipack.newsletter.CONFIRM_DAYS``; an unsubscribe link never does (a
mail read a year later must still let its reader leave).

Hashes are HMAC-SHA256 under ``MINIPACK_NEWSLETTER_HASH_KEY`` (derived from
``SECRET_KEY`` when unset), one salt per kind of value: unkeyed, a hash of an
address is reversed by hashing a list of known addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.core import signing

from minipack.newsletter import CONFIRM_DAYS

CONFIRM_SALT = "minipack.newsletter.confirm"
UNSUBSCRIBE_SALT = "minipack.newsletter.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=CONFIRM_DAYS)


class TokenError(Exception):
    """A link that cannot be used; ``expired`` when only its age is wrong (the page says so)."""

    def __init__(self, *, expired: bool = False) -> None:
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def confirm_token(consent_key: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(consent_key)


def read_confirm_token(token: str) -> str:
    """The consent record's key; ``TokenError`` (``expired`` set when it was good but is too old)."""
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenError(expired=True) from None
    except signing.BadSignature:
        raise TokenError() from None


def unsubscribe_token(subscriber_key: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber_key)


def read_unsubscribe_token(token: str) -> str:
    """The subscriber's key; ``TokenError`` for any link we did not sign."""
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise TokenError() from None


def _hash_key() -> bytes:
    configured: str = settings.MINIPACK_NEWSLETTER_HASH_KEY
    if configured:
        return configured.encode()
    return hashlib.sha256(b"minipack.newsletter.hash-key\0" + settings.SECRET_KEY.encode()).digest()


def _keyed(kind: str, value: str) -> str:
    return hmac.new(_hash_key(), f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    """The suppression list's name for a normalised address."""
    return _keyed("email", email)


def ip_hash(address: str) -> str:
    """What a consent record keeps of the address a signup came from."""
    return _keyed("ip", address)
