"""Readers' comments as plain text: what a comment may contain, how its links are found, how it is laid out.

A comment is never HTML. This module is responsible for the rules a name and
a body must meet (``text_problem``: no NUL or other control character, a name
on one line), for the one normal form bodies are stored in
(``normalise_body``: ``\\n`` line ends, no trailing spaces, at most one blank
line in a row), for finding the http and https addresses in a body
(``find_links``; the moderation rules count them) and for cutting a body
into paragraphs, lines and segments (``layout``) that a template prints with
its own escaping: a segment with an ``href`` becomes a link, everything else
stays text. Only ``http://`` and ``https://`` addresses with a host and no
``user@`` part become links, so ``javascript:``, ``data:`` and look-alike
addresses are always printed as the text they are.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "BODY_MAX_CHARS",
    "NAME_MAX_CHARS",
    "Segment",
    "fingerprint",
    "find_links",
    "fold",
    "layout",
    "normalise_body",
    "text_problem",
]

NAME_MAX_CHARS = 80
BODY_MAX_CHARS = 3000

# An address starts at "http://" or "https://" not glued to a preceding word ("xhttp://" is not one) and runs
# to the first space, control character, angle bracket, quote or backtick: characters that end an address in
# running text, and that could never reach an attribute unescaped anyway.
_URL = re.compile(r"(?<![\w])https?://[^\s<>\"'`\x00-\x1f\x7f]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than an address: "see https://a.example/x." links to ".../x".
_TRAILING = ".,;:!?*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_HOST = re.compile(r"^[\w.-]+$|^\[[0-9a-f:.]+\]$", re.IGNORECASE)
_LINE_ENDS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def text_problem(text: str, *, multiline: bool) -> str | None:
    """Why ``text`` cannot be a comment's name (``multiline=False``) or body, in words; ``None`` when it can.

    Control characters are refused rather than dropped: they are invisible,
    so removing them would change what the writer sent without their
    knowing. Tabs are allowed; line breaks only in a body.
    """
    for ch in text:
        if ch == "\x00":
            return "contains a NUL character, which text cannot hold"
        if ch in "\n\r\u2028\u2029\x85":
            if multiline:
                continue
            return "must be on one line"
        if ch != "\t" and unicodedata.category(ch) == "Cc":
            return f"contains an invisible control character (U+{ord(ch):04X}); remove it"
    return None


def normalise_body(text: str) -> str:
    """A body as stored: ``\\n`` line ends, no spaces at line ends or around, at most one blank line in a row."""
    lines = [line.rstrip() for line in _LINE_ENDS.sub("\n", text).split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Text for matching, not display: compatibility forms, lower case, no accents, no invisible format characters.

    'ＶＩＡＧＲＡ', 'Viágra' and 'vi\\u200bagra' (a zero-width space) all fold to 'viagra'.
    """
    compatible = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", compatible)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


def fingerprint(body: str) -> str:
    """What two bodies saying the same thing share: folded, spaces collapsed, hashed (duplicate detection)."""
    return hashlib.sha256(" ".join(fold(body).split()).encode()).hexdigest()


def _trim(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of an address."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    return url


def _linkable(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number in range
    except ValueError:
        return False
    # "http://trusted.example@evil.example" shows one host and goes to another: printed as text, never a link.
    if "@" in parts.netloc or not parts.hostname:
        return False
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.endswith("]") else parts.netloc
    return bool(_HOST.match(host)) and parts.scheme.lower() in ("http", "https")


def find_links(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every address in ``text`` that becomes a link, in order."""
    spans = []
    for match in _URL.finditer(text):
        url = _trim(match.group())
        if _linkable(url):
            spans.append((match.start(), match.start() + len(url)))
    return spans


@dataclass(frozen=True)
class Segment:
    """A run of a line: plain text, or a link (``href`` set) whose text is the address as written."""

    text: str
    href: str = ""


Line = tuple[Segment, ...]
Paragraph = tuple[Line, ...]


def _segments(line: str) -> Line:
    out: list[Segment] = []
    position = 0
    for start, end in find_links(line):
        if start > position:
            out.append(Segment(line[position:start]))
        # The scheme in lower case ("HTTPS://" is legal but some browsers' link checks are not so kind).
        scheme, rest = line[start:end].split(":", 1)
        out.append(Segment(line[start:end], href=f"{scheme.lower()}:{rest}"))
        position = end
    if position < len(line):
        out.append(Segment(line[position:]))
    return tuple(out)


def layout(body: str) -> tuple[Paragraph, ...]:
    """A body as paragraphs (split at blank lines) of lines of segments; templates escape every piece."""
    text = normalise_body(body)
    if not text:
        return ()
    return tuple(tuple(_segments(line) for line in block.split("\n")) for block in text.split("\n\n"))
