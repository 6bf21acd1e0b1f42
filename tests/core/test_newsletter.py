"""The newsletter's pure rules: one spelling per address, consent text versions, backoff, SMTP replies, files."""

from __future__ import annotations

from pathlib import Path

import pytest

from minipack.errors import ImportRowError, ParseError, RuleDataError
from minipack.newsletter import (
    CONSENT_TEXTS,
    CURRENT_CONSENT,
    consent_by_version,
    consent_version,
    normalise_email,
    parse_subscriber_csv,
    read_subscriber_file,
    reply_is_temporary,
    retry_delay,
)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  Ann.Lee+bags@Example.COM ", "ann.lee+bags@example.com"),
        ("o'neil@mail.example.org", "o'neil@mail.example.org"),
        ("ann@bücher.example", "ann@xn--bcher-kva.example"),
        ("ann@example.com.", "ann@example.com"),
    ],
)
def test_an_address_has_one_stored_spelling(raw: str, stored: str) -> None:
    assert normalise_email(raw) == stored


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("ann", "exactly one @"),
        ("ann@@example.com", "exactly one @"),
        ("ann@example", "not a valid internet domain"),
        ("ann@-bad-.com", "not a valid internet domain"),
        ("ann lee@example.com", "space"),
        ("ann\n@example.com", "space or a control character"),
        ("ann..lee@example.com", "character addresses cannot have"),
        (".ann@example.com", "character addresses cannot have"),
        ('"ann lee"@example.com', "space"),
        ("zoë@example.com", "outside ASCII"),
        ("a" * 65 + "@example.com", "over 64"),
        ("a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 60 + ".com", "over 254"),
        ("ann@exa_mple.com", "not a valid internet domain"),
        (None, "expected text"),
    ],
)
def test_an_unusable_address_is_refused_with_the_reason(raw: object, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as caught:
        normalise_email(raw)
    assert caught.value.what == "email address"
    assert isinstance(caught.value, ValueError)


def test_a_consent_text_is_named_by_a_hash_of_its_exact_words() -> None:
    assert CURRENT_CONSENT is CONSENT_TEXTS[-1]
    assert consent_version(CURRENT_CONSENT.text) == CURRENT_CONSENT.version
    assert consent_version(CURRENT_CONSENT.text + " ") != CURRENT_CONSENT.version
    assert consent_by_version(CURRENT_CONSENT.version) == CURRENT_CONSENT
    assert consent_by_version("0" * 16) is None
    assert len({c.version for c in CONSENT_TEXTS}) == len(CONSENT_TEXTS)


def test_retries_back_off_exponentially_up_to_the_cap() -> None:
    assert [retry_delay(n, base=60, cap=3600) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert retry_delay(10_000, base=1, cap=5) == 5  # no overflow however many tries
    with pytest.raises(ValueError):
        retry_delay(0, base=1, cap=5)


@pytest.mark.parametrize(("code", "temporary"), [(421, True), (450, True), (452, True), (550, False), (554, False)])
def test_4xx_replies_are_worth_retrying_and_5xx_are_final(code: int, temporary: bool) -> None:
    assert reply_is_temporary(code) is temporary


HEADER = "email,consented_at,confirmed_at,source,consent_text\n"
WORDS = "Send me the weekly email."


def test_a_subscriber_file_with_proof_of_double_opt_in_is_read() -> None:
    rows = parse_subscriber_csv(
        HEADER + f"Ann@Example.com,2025-03-01T09:00:00+00:00,2025-03-01T09:05:00+00:00,old-site,{WORDS}\n"
    )

    assert [(r.line, r.email, r.source, r.consent_text) for r in rows] == [(2, "ann@example.com", "old-site", WORDS)]
    assert rows[0].confirmed_at > rows[0].consented_at


def test_a_subscriber_file_is_refused_whole_listing_every_bad_cell() -> None:
    text = HEADER + (
        f"ann@example.com,2025-03-01T09:00:00+00:00,2025-03-01T09:05:00+00:00,old-site,{WORDS}\n"
        f"not-an-address,2025-03-01T09:00:00+00:00,2025-03-01T09:05:00+00:00,old-site,{WORDS}\n"
        f"bob@example.com,2025-03-01 09:00,2025-03-01T08:00:00+00:00,old-site,{WORDS}\n"
        "cy@example.com,2025-03-01T09:00:00+00:00,,,\n"
        f"ANN@example.com,2025-03-01T09:00:00+00:00,2025-03-01T08:00:00+00:00,old-site,{WORDS}\n"
    )

    with pytest.raises(ImportRowError) as caught:
        parse_subscriber_csv(text)

    found = {(p.line, p.column) for p in caught.value.problems}
    assert found == {
        (3, "email"),
        (4, "consented_at"),  # no time zone
        (5, "confirmed_at"),
        (5, "source"),
        (5, "consent_text"),
        (6, "confirmed_at"),  # before consenting
        (6, "email"),  # the same address as line 2
    }
    assert "nothing imported" in str(caught.value)


def test_a_subscriber_file_needs_its_columns_and_utf8(tmp_path: Path) -> None:
    with pytest.raises(RuleDataError, match="missing column"):
        parse_subscriber_csv("email,source\nann@example.com,x\n")
    latin1 = tmp_path / "subscribers.csv"
    latin1.write_bytes((HEADER + "zoe@example.com,x,y,z,Café\n").encode("latin-1"))
    with pytest.raises(RuleDataError, match="not UTF-8"):
        read_subscriber_file(latin1)
    with pytest.raises(RuleDataError, match=".csv"):
        read_subscriber_file(tmp_path / "subscribers.json")
