"""The CSRF tokens the page cache prints into cached forms: Django's format, Django's secrecy, a new one each time.

That Django's CSRF check accepts them from real cached pages is tested in tests/web/test_caching.py.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace
from typing import Any

from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token

from minipack_web.caching.csrf_tokens import random_chars, token_for


def visitor(cookie: str | None = None) -> Any:
    return SimpleNamespace(META={} if cookie is None else {"CSRF_COOKIE": cookie})


def test_a_visitor_with_a_cookie_gets_a_token_for_their_own_secret_which_is_renewed() -> None:
    secret = "a" * 32
    request = visitor(secret)
    token = token_for(request)

    assert len(token) == 64 and _unmask_cipher_token(token) == secret
    assert request.META == {"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True}


def test_a_new_visitor_gets_a_new_secret_to_be_set_as_their_cookie() -> None:
    request = visitor()
    token = token_for(request)

    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert set(request.META["CSRF_COOKIE"]) <= set(CSRF_ALLOWED_CHARS) and len(request.META["CSRF_COOKIE"]) == 32


def test_every_token_is_masked_afresh_so_a_compressed_page_cannot_leak_the_secret() -> None:
    request = visitor("b" * 32)
    tokens = {token_for(request) for _ in range(100)}

    assert len(tokens) == 100
    assert {_unmask_cipher_token(t) for t in tokens} == {"b" * 32}


def test_every_character_is_equally_likely() -> None:
    # 124,000 draws, 2,000 expected per character (sd ~44). Mapping bytes with a plain modulo would make
    # the first 8 characters 25 % likelier (~2,500): outside the band. Within it, chance alone fails
    # this far less than once in a million runs.
    counts = Counter("".join(random_chars(1000) for _ in range(124)))

    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert all(1750 <= n <= 2250 for n in counts.values()), counts.most_common(3)
