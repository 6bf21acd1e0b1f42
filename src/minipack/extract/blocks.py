"""Blocks: an article reduced to the few shapes the extractor reads.

Plain text and HTML both become one flat sequence of ``Block`` records in
reading order: headings, paragraphs, list items and table rows. Everything
after this module (tables, ranked lists, product cards, spam signals) reads
blocks only, so the two input formats are handled by the same rules. This
module owns the plain-text reading and the choice between text and HTML;
``minipack.extract.html`` owns the HTML reading.

Plain text carries no markup, so its structure is inferred line by line: a
line starting with a bullet or a number is a list item, a short line with no
closing punctuation is a heading, anything else is a paragraph. Table rows
in plain text are ordinary paragraphs here; ``minipack.extract.table`` finds
them from their header line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["heading", "text", "item", "row"]

# Characters that articles pasted from the web use as bullets.
_BULLET = re.compile(r"^[\u2022\u00b7\u25aa\u25e6\u25cf\u2023\u2043*\-\u2013]\s+(?=\S)")
# "1. Name" or "1) Name". The number itself is not trusted (articles restart
# their numbering); positions are counted by the list reader.
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")
_HEADING_MAX_WORDS = 12
_HEADING_MAX_CHARS = 120
# Zero-width characters and the byte-order mark carry nothing a reader sees.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TITLE_SEARCH_BLOCKS = 15


@dataclass(frozen=True)
class Block:
    """One unit of reading order.

    ``line`` is the 1-based line of a plain-text input (None for HTML, whose
    source lines say little after parsing). ``cells`` holds a table row's
    cells when the input delimits them (HTML), ``header`` marks a row of
    ``<th>`` cells.
    """

    kind: BlockKind
    text: str
    line: int | None = None
    cells: tuple[str, ...] = ()
    header: bool = False


@dataclass(frozen=True)
class Document:
    """An article as blocks, with the title the input itself names, if any."""

    blocks: tuple[Block, ...]
    title: str | None
    is_html: bool


def clean_text(text: str) -> str:
    """One line of visible text: invisible characters dropped, all whitespace runs one space."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


# A real tag, not a "<" in prose such as "size < 10 in": a known element name
# directly after "<" and a closing ">".
_HTML_SIGNAL = re.compile(
    r"<!doctype\s+html|<(?:html|head|body|title|meta|table|thead|tbody|tr|td|th|p|div|span|section|article|"
    r"ul|ol|li|h[1-6]|a|b|strong|em|i|br|img|script|style)\b[^<>]{0,500}>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is markup rather than plain text (judged from its first 20,000 characters)."""
    return _HTML_SIGNAL.search(text[:20_000]) is not None


def read_document(text: str) -> Document:
    """Blocks of ``text``, read as HTML when it looks like HTML, else as plain text."""
    if looks_like_html(text):
        # Imported here so that plain-text callers do not load the HTML parser.
        from minipack.extract.html import html_document

        return html_document(text)
    return text_document(text)


def text_document(text: str) -> Document:
    """Blocks of a plain-text article, one per non-blank line."""
    blocks: list[Block] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = clean_text(raw)
        if not line:
            continue
        blocks.append(classify_line(line, number))
    return Document(tuple(blocks), guess_title(blocks), is_html=False)


def classify_line(line: str, number: int | None = None) -> Block:
    """A plain-text line as an item, a heading or a paragraph."""
    bullet = _BULLET.match(line)
    if bullet:
        return Block("item", line[bullet.end() :], number)
    numbered = _NUMBERED.match(line)
    if numbered:
        return Block("item", line[numbered.end() :], number)
    if is_heading_like(line):
        return Block("heading", line, number)
    return Block("text", line, number)


def is_heading_like(line: str) -> bool:
    """Short, and not closed like a sentence or a clause (a '?' or '!' may close a heading)."""
    return (
        len(line) <= _HEADING_MAX_CHARS
        and len(line.split()) <= _HEADING_MAX_WORDS
        and not line.endswith((".", ",", ";", ":", "\u2026"))
    )


def guess_title(blocks: list[Block] | tuple[Block, ...]) -> str | None:
    """The first early heading that is written in title case.

    Pasted pages open with navigation ('Close this search box.') and
    lower-case breadcrumbs ('mini backpack purse'); the article's title is the
    first heading of three or more words most of which are capitalised.
    """
    for block in blocks[:_TITLE_SEARCH_BLOCKS]:
        if block.kind != "heading":
            continue
        words = [w for w in block.text.split() if w[:1].isalpha()]
        if len(words) < 3:
            continue
        capitalised = sum(1 for w in words if w[:1].isupper())
        if capitalised * 2 > len(words):
            return block.text
    return None
