"""The newsletter's rules that need no database: addresses, consent texts, retries and subscriber files.

This module is responsible for four things the Django layer
(``minipack_web.newsletter``) applies. *One spelling per address*:
``normalise_email`` turns what a reader typed into the one form we store,
look up and hash, or refuses it with the reason. *The exact words agreed
to*: every consent text a form has shown is listed in ``CONSENT_TEXTS``,
identified by a hash of its text (its *version*), so a consent record can
name the very words a person saw, even after the text changes. *When to try
again*: ``retry_delay`` (exponential backoff with a cap) and
``reply_is_temporary`` (an SMTP 4xx is worth retrying, a 5xx is not).
*Subscriber files*: ``read_subscriber_file`` reads a CSV of people who
confirmed their subscription elsewhere, all rows or none, with every bad
cell listed (``ImportRowError``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from minipack.errors import ImportRowError, ParseError, RowProblem, RuleDataError

__all__ = [
    "CONFIRM_DAYS",
    "CONSENT_TEXTS",
    "CURRENT_CONSENT",
    "IMPORT_COLUMNS",
    "ConsentText",
    "ImportedSubscriber",
    "consent_by_version",
    "consent_version",
    "normalise_email",
    "parse_subscriber_csv",
    "read_subscriber_file",
    "reply_is_temporary",
    "retry_delay",
]

# A confirmation link works this long; a signup still unconfirmed after it is deleted.
CONFIRM_DAYS = 7

MAX_EMAIL = 254  # RFC 5321's limit on a forward path, less the angle brackets
MAX_LOCAL = 64

# RFC 5322's dot-atom, ASCII only: a quoted local part ("a b"@x) is legal but no reader types one, and
# non-ASCII local parts need SMTPUTF8, which not every server on the way supports.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def normalise_email(raw: object) -> str:
    """The stored form of an address: trimmed, domain in ASCII (IDNA), all lower case.

    The local part is lower-cased too. RFC 5321 lets a server tell ``Ann@``
    from ``ann@``, but no mainstream provider does, and treating them as two
    people would let one person hold two subscriptions, or unsubscribe as
    one spelling and keep receiving as the other. Raises ``ParseError``
    (a ``ValueError``) saying what is wrong.
    """
    what = "email address"
    if not isinstance(raw, str):
        raise ParseError(raw, "expected text", what=what)
    text = raw.strip()
    if not text:
        raise ParseError(raw, "it is empty", what=what)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ParseError(raw, "it contains a space or a control character", what=what)
    if text.count("@") != 1:
        raise ParseError(raw, "it needs exactly one @", what=what)
    local, domain = text.split("@")
    if not local or not domain:
        raise ParseError(raw, "it needs a name before the @ and a domain after it", what=what)
    if not local.isascii():
        raise ParseError(raw, "letters outside ASCII before the @ are not supported", what=what)
    if len(local) > MAX_LOCAL:
        raise ParseError(raw, f"the part before the @ is over {MAX_LOCAL} characters", what=what)
    if not _LOCAL.fullmatch(local):
        raise ParseError(raw, "the part before the @ has a character addresses cannot have", what=what)
    domain = domain.rstrip(".").lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ParseError(raw, "the domain is not a valid internet domain", what=what) from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or not _TLD.fullmatch(labels[-1]):
        raise ParseError(raw, "the domain is not a valid internet domain (such as example.com)", what=what)
    address = f"{local.lower()}@{ascii_domain}"
    if len(address) > MAX_EMAIL:
        raise ParseError(raw, f"it is over {MAX_EMAIL} characters", what=what)
    return address


# --------------------------------------------------------------------------- consent texts


@dataclass(frozen=True)
class ConsentText:
    """Words a signup form showed next to its button, and the version that names them in consent records."""

    version: str
    text: str


def consent_version(text: str) -> str:
    """The version of a consent text: the first 16 hex digits of the SHA-256 of its exact words."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _text(words: str) -> ConsentText:
    return ConsentText(consent_version(words), words)


# Every text a form has ever shown, oldest first; the last is the one forms show now. Never edit or
# remove an entry: consent records name them by version. To change the words, append a new one.
CONSENT_TEXTS: tuple[ConsentText, ...] = (
    _text(
        "Send me Minipack's weekly email: new bags, price changes, new guides and readers' best comments. "
        "We will email you once to confirm. Every email has a one-click unsubscribe link, and we never "
        "share your address."
    ),
)
CURRENT_CONSENT = CONSENT_TEXTS[-1]


def consent_by_version(version: str) -> ConsentText | None:
    """The text with this version, or None if no form ever showed it."""
    for consent in CONSENT_TEXTS:
        if consent.version == version:
            return consent
    return None


# --------------------------------------------------------------------------- retries


def retry_delay(attempt: int, *, base: float, cap: float) -> float:
    """Seconds to wait before try ``attempt + 1`` after ``attempt`` failed tries: base, 2 base, 4 base, … up to cap.

    Doubling spreads retries out quickly when a server is down for hours,
    while the first retry comes soon after a brief hiccup.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    if base <= 0 or cap < base:
        raise ValueError(f"need 0 < base <= cap, got base={base}, cap={cap}")
    # min() before the power would overflow: 2**1100 is fine as an int but not as a float.
    return float(min(cap, base * 2 ** min(attempt - 1, 64)))


def reply_is_temporary(code: int) -> bool:
    """An SMTP reply code that means "try again later" (4xx); 5xx and anything else are final.

    RFC 5321 §4.2.1: 4yz is a transient negative completion, 5yz a permanent one.
    """
    return 400 <= code < 500


# --------------------------------------------------------------------------- subscriber files

IMPORT_COLUMNS = ("email", "consented_at", "confirmed_at", "source", "consent_text")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 200_000


@dataclass(frozen=True)
class ImportedSubscriber:
    """One person from a subscriber file, with the proof of their double opt-in elsewhere."""

    line: int
    email: str
    consented_at: datetime
    confirmed_at: datetime
    source: str
    consent_text: str


def read_subscriber_file(path: Path) -> list[ImportedSubscriber]:
    """Read a subscriber CSV (``IMPORT_COLUMNS``); ``ImportRowError`` listing every bad cell, else every row."""
    if path.suffix.lower() != ".csv":
        raise RuleDataError(f"{path.name}: a subscriber file must be a .csv file")
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise RuleDataError(f"{path.name}: {size / 1024 / 1024:.1f} MB is over the 20 MB limit; split the file")
        data = path.read_bytes()
    except OSError as exc:
        raise RuleDataError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleDataError(f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return parse_subscriber_csv(text, path.name)


def _when(raw: str) -> datetime:
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError("give a time zone, such as 2025-03-01T09:30:00+00:00")
    return value


def parse_subscriber_csv(text: str, name: str = "subscribers.csv") -> list[ImportedSubscriber]:
    """The rows of a subscriber CSV, checked as ``read_subscriber_file`` says; ``name`` is used in messages.

    Every row must prove a double opt-in: when the person agreed, when they
    confirmed (not before agreeing), where (``source``) and to which words
    (``consent_text``). A row without that proof is refused, not imported
    as pending: mailing a list "please confirm" is how spam starts.
    """
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise RuleDataError(f"{name}: missing column(s) {', '.join(missing)}; the header must name {IMPORT_COLUMNS}")
    problems: list[RowProblem] = []
    rows: list[ImportedSubscriber] = []
    first_line: dict[str, int] = {}
    for index, row in enumerate(reader):
        if index >= MAX_IMPORT_ROWS:
            raise RuleDataError(f"{name}: more than {MAX_IMPORT_ROWS:,} rows; split the file")
        line = reader.line_num
        if None in row:  # more cells than the header names
            problems.append(RowProblem(line, "(row)", ",".join(row[None]), "more cells than the header has columns"))
            continue
        cells = {c: (row.get(c) or "").strip() for c in IMPORT_COLUMNS}
        before = len(problems)
        email = ""
        try:
            email = normalise_email(cells["email"])
        except ParseError as exc:
            problems.append(RowProblem(line, "email", cells["email"], exc.reason))
        times: dict[str, datetime] = {}
        for column in ("consented_at", "confirmed_at"):
            try:
                times[column] = _when(cells[column])
            except ValueError as exc:
                reason = str(exc) if "time zone" in str(exc) else "not an ISO 8601 date and time"
                problems.append(RowProblem(line, column, cells[column], reason))
        if len(times) == 2 and times["confirmed_at"] < times["consented_at"]:
            problems.append(RowProblem(line, "confirmed_at", cells["confirmed_at"], "before consented_at"))
        for column in ("source", "consent_text"):
            if not cells[column]:
                problems.append(RowProblem(line, column, "", "required: where and to which words the person agreed"))
        if len(cells["source"]) > 80:
            problems.append(RowProblem(line, "source", cells["source"], "over 80 characters"))
        if email and email in first_line:
            problems.append(RowProblem(line, "email", cells["email"], f"the same address as line {first_line[email]}"))
        elif email:
            first_line[email] = line
        if len(problems) == before:
            rows.append(
                ImportedSubscriber(
                    line=line,
                    email=email,
                    consented_at=times["consented_at"],
                    confirmed_at=times["confirmed_at"],
                    source=cells["source"],
                    consent_text=cells["consent_text"],
                )
            )
    if problems:
        raise ImportRowError(name, problems)
    return rows
