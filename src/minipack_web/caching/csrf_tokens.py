"""The visitor's CSRF token for a cached page's form slot, made as Django's ``get_token`` makes it, faster.

A cached page with a form is filled with a token on every hit, and the visitor without a cookie also needs
a new secret: Django draws each of those 64 characters with ``secrets.choice`` (~90 µs a hit, a third of
the whole hit; docs/decisions/0008-page-cache.md). Here the same alphabet is drawn from ``os.urandom``
bytes, rejecting the 8 byte values that would favour some characters, so the secret is as unpredictable
as Django's. The token keeps Django's format (a fresh mask, then the secret shifted by it, which is what
stops BREACH from reading the secret out of compressed pages), so the CSRF middleware checks it as its own;
tests/web/test_caching.py posts with one.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_SIZE = len(CSRF_ALLOWED_CHARS)  # 62
_USABLE = 256 - 256 % _SIZE  # 248: bytes at or above it are dropped, so every character is equally likely
_TO_CHAR = bytes(ord(CSRF_ALLOWED_CHARS[b % _SIZE]) for b in range(256))
_DROPPED = bytes(range(_USABLE, 256))
_INDEX = {c: i for i, c in enumerate(CSRF_ALLOWED_CHARS)}
# (secret character, mask character) -> the secret character moved along the alphabet by the mask's index.
_SHIFTED = {
    (s, m): CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % _SIZE] for s in CSRF_ALLOWED_CHARS for m in CSRF_ALLOWED_CHARS
}


class _HasMeta(Protocol):
    META: dict[str, Any]


def random_chars(length: int = CSRF_SECRET_LENGTH) -> str:
    """``length`` characters of Django's CSRF alphabet, each uniformly and independently drawn."""
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(length + 8).translate(_TO_CHAR, _DROPPED)
    return drawn[:length].decode("ascii")


def masked(secret: str) -> str:
    """A token for ``secret``: a fresh mask, then each character of the secret moved along the alphabet by it."""
    mask = random_chars()
    return mask + "".join(map(_SHIFTED.__getitem__, zip(secret, mask, strict=True)))


def token_for(request: _HasMeta) -> str:
    """What ``django.middleware.csrf.get_token`` returns, with the same effects on ``request.META``.

    The visitor's secret (from their cookie, read by the middleware's ``process_request``) or a new one;
    either way the cookie is sent again by ``process_response``, renewing it, as Django does.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = random_chars()
        request.META["CSRF_COOKIE"] = secret
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    return masked(secret)
