"""Signals: article-level findings read from the prose itself.

Three heuristics, each a small documented rule rather than a model:

* **off_topic_link_text** — phrases injected for search engines ("your
  Airbnb hawaii essentials", "during your Flights To San Juan Puerto rico").
  Two signals find them. The *keyword* signal looks for query words from
  other trades (holiday rentals, airline fare classes, cinema listings,
  sports schedules, classic spam such as "near me"); the weak ones
  ("flights", "tickets"…) count only when capitalised mid-sentence, as pasted
  search phrases are. The *casing* signal, applied to product text only
  (descriptions, pros, cons, benefits), looks for a run of two or more
  capitalised words mid-sentence that names nothing the article names
  (brands, models, listing titles, the article title). Either way the phrase
  is grown to the neighbouring words of the query: capitalised words, and
  lower-case words that are neither function words ("your", "the") nor the
  noun the phrase was pasted in front of ("essentials", "adventures").
* **unsupported_expert_claim** — a sentence where experts, a panel or
  editors give a verdict, in an article that names no expert and describes
  no method (no "we tested", no "according to Jane Doe").
* **capacity_claim_vs_sizes** — a paragraph that gives a capacity range and
  a size "approximately" equal to it, where the size's box is smaller than
  the top of the range.

Limits: a spam phrase made only of ordinary lower-case words ("cheap
vacation ideas") is not found; a legitimate capitalised name the article
never otherwise mentions ("Rome") is found by the casing signal only in
product text, and then at ``info`` severity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from minipack.errors import ParseError
from minipack.extract.names import word_keys
from minipack.units import format_volume, parse_dimensions, parse_volume_ml

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ArticleFinding:
    """A finding about the article as a whole, with the evidence behind it."""

    code: str
    severity: Severity
    message: str
    evidence: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class TextUnit:
    """A stretch of prose and where it sits, for messages ("the pros of Leaper Retro Mini Backpack")."""

    text: str
    where: str
    about_product: bool = False


# --------------------------------------------------------------------------- off-topic link text

# (pattern, what kind of search it looks like). Matched case-insensitively on whole words.
STRONG_SIGNALS: tuple[tuple[str, str], ...] = (
    (r"airbnb|vrbo|expedia|tripadvisor|booking\.com|hotels\.com", "a holiday-rental or travel-booking search"),
    (r"comfort\s+plus|premium\s+select|basic\s+economy|main\s+cabin", "an airline fare-class search"),
    (r"showtimes?|movie\s+times|full\s+movie|watch\s+online", "a cinema or streaming search"),
    (r"liga|nfl|nba|mlb|nhl|premier\s+league|fixtures|standings|live\s+scores?", "a sports-schedule search"),
    (r"lyrics|casino|betting|promo\s+codes?|coupon\s+codes?|near\s+me", "a keyword-spam search"),
)
# Ordinary words in a bag article ("fits your tickets"); suspicious only when
# capitalised mid-sentence ("during your Flights To San Juan").
WEAK_SIGNALS: tuple[tuple[str, str], ...] = (
    (r"flights?|airfares?|hotels?|resorts?|cruises?|tickets?|schedules?", "a travel or ticket search"),
)
FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "your", "their", "this", "that", "these", "those", "my", "our", "his", "her", "its",
        "of", "in", "on", "at", "for", "with", "to", "from", "by", "and", "or", "but", "nor", "while", "during",
        "as", "is", "are", "was", "were", "be", "been", "it", "you", "we", "they", "so", "if", "than", "then",
        "into", "onto", "over", "under", "up", "out", "about", "after", "before", "around", "through", "per",
        "not", "no", "can", "will", "may", "might", "would", "should", "could", "has", "have", "had", "do",
        "does", "did", "all", "any", "some", "more", "most", "very", "just", "also", "even", "every",
    }
)  # fmt: skip
# Nouns a pasted phrase is put in front of; the phrase ends before them.
HEAD_NOUNS = frozenset(
    {
        "essentials", "essential", "adventures", "adventure", "trip", "trips", "travel", "travels", "outing",
        "outings", "day", "days", "needs", "items", "belongings", "getaway", "getaways", "journey", "journeys",
        "plans", "use", "backpack", "backpacks", "bag", "bags", "purse", "purses", "pack", "wardrobe", "style",
    }
)  # fmt: skip
_MAX_LEFT = 2
_MAX_RIGHT = 5
_MAX_LOWER_RIGHT = 3
_WORD = re.compile(r"[^\W_](?:[\w'\u2019-]*[^\W_])?")
_SENTENCE_END = (".", "!", "?", ":", ";", "\u2013", "\u2014", '"', "\u201c", "(")
_COMPILED_STRONG = tuple((re.compile(rf"\b(?:{p})\b", re.IGNORECASE), kind) for p, kind in STRONG_SIGNALS)
_COMPILED_WEAK = tuple((re.compile(rf"\b(?:{p})\b", re.IGNORECASE), kind) for p, kind in WEAK_SIGNALS)


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str
    key: str
    parts: tuple[str, ...]  # folded pieces: "Anti-Theft" -> ('anti', 'theft')
    initial: bool  # first word of a sentence

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def _words(text: str) -> list[_Word]:
    out: list[_Word] = []
    for match in _WORD.finditer(text):
        before = text[: match.start()].rstrip()
        initial = not before or before.endswith(_SENTENCE_END)
        parts = tuple(word_keys(match.group(0)))
        out.append(_Word(match.start(), match.end(), match.group(0), "".join(parts), parts, initial))
    return out


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Only whitespace between two words: punctuation ends a pasted phrase."""
    return text[left.end : right.start].strip() == ""


def _grow(text: str, words: list[_Word], first: int, last: int) -> tuple[int, int]:
    """Extend words[first..last] to the neighbouring words of the same query."""
    steps = 0
    while first > 0 and steps < _MAX_LEFT and _adjacent(text, words[first - 1], words[first]):
        word = words[first - 1]
        if word.key in FUNCTION_WORDS or word.key in HEAD_NOUNS:
            break
        if word.initial and word.capitalised:
            first -= 1  # a sentence may open with the pasted phrase
            break
        first -= 1
        steps += 1
    steps = lower = 0
    while last + 1 < len(words) and steps < _MAX_RIGHT and _adjacent(text, words[last], words[last + 1]):
        word = words[last + 1]
        if word.initial or word.key in HEAD_NOUNS:
            break
        if not word.capitalised:
            if word.key in FUNCTION_WORDS or lower >= _MAX_LOWER_RIGHT:
                break
            lower += 1
        last += 1
        steps += 1
    # A query does not end on "To" or "the".
    while last > first and words[last].key in FUNCTION_WORDS:
        last -= 1
    return first, last


def _span_words(words: list[_Word], start: int, end: int) -> tuple[int, int] | None:
    inside = [i for i, w in enumerate(words) if w.end > start and w.start < end]
    return (inside[0], inside[-1]) if inside else None


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("? ", 0, start), text.rfind("! ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("? ", end), text.find("! ", end)) if i != -1]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 2 if left != -1 else 0 : right].strip()


def off_topic_phrases(units: Iterable[TextUnit], vocabulary: Iterable[str]) -> list[ArticleFinding]:
    """Link-bait phrases, by the two signals in the module docstring."""
    known = frozenset(vocabulary)
    findings: list[ArticleFinding] = []
    for unit in units:
        words = _words(unit.text)
        taken: list[tuple[int, int]] = []
        hits: list[tuple[int, int, Severity, str]] = []
        for pattern, kind in _COMPILED_STRONG:
            for match in pattern.finditer(unit.text):
                hits.append((match.start(), match.end(), "warning", kind))
        for pattern, kind in _COMPILED_WEAK:
            for match in pattern.finditer(unit.text):
                span = _span_words(words, match.start(), match.end())
                if span and words[span[0]].capitalised and not words[span[0]].initial:
                    hits.append((match.start(), match.end(), "warning", kind))
        if unit.about_product:
            hits.extend(_casing_hits(unit.text, words, known))
        # Keyword hits first, so that a casing hit overlapping one does not lower its severity.
        for start, end, severity, kind in sorted(hits, key=lambda h: (h[2] != "warning", h[0], h[1])):
            span = _span_words(words, start, end)
            if span is None:
                continue
            first, last = _grow(unit.text, words, *span)
            if any(first <= t_last and t_first <= last for t_first, t_last in taken):
                continue
            taken.append((first, last))
            phrase = unit.text[words[first].start : words[last].end]
            sentence = _sentence_around(unit.text, words[first].start, words[last].end)
            findings.append(
                ArticleFinding(
                    "off_topic_link_text",
                    severity,
                    f"Off-topic link text {phrase!r} in {unit.where}: it reads like {kind}, "
                    f"not something about a bag (\u201c{sentence}\u201d).",
                    (("phrase", phrase), ("where", unit.where), ("sentence", sentence)),
                )
            )
    return findings


def _casing_hits(text: str, words: list[_Word], known: frozenset[str]) -> list[tuple[int, int, Severity, str]]:
    """Runs of two or more capitalised words mid-sentence that name nothing the article names."""
    hits: list[tuple[int, int, Severity, str]] = []
    i = 0
    while i < len(words):
        if not words[i].capitalised:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and words[j + 1].capitalised and _adjacent(text, words[j], words[j + 1]):
            if words[j + 1].initial:
                break
            j += 1
        run = words[i : j + 1]
        if run and run[0].initial:
            run = run[1:]
        unknown = [w for w in run if w.key not in FUNCTION_WORDS and not all(p in known for p in w.parts)]
        if len(run) >= 2 and unknown:
            hits.append((run[0].start, run[-1].end, "info", "a pasted search phrase (capitalised mid-sentence)"))
        i = j + 1
    return hits


# --------------------------------------------------------------------------- expert claims

_EXPERTS = re.compile(
    r"\b(?:experts?|panel(?:ists)?|specialists?|stylists?|editors?|testers?|reviewers?|professionals?)\b", re.I
)
_VERDICT = re.compile(
    r"\b(?:verdict|agree[sd]?|unanimous(?:ly)?|recommend(?:s|ed)?|approved?|endorse[sd]?|vouch(?:es)?|"
    r"rate[sd]?|picked|chose|choose|confirm(?:s|ed)?|swear)\b",
    re.I,
)
# What would support such a claim: a named person, or a described method.
_NAMED_PERSON = re.compile(
    r"\b(?:according to|said|says|writes|notes)\s+[A-Z][a-z]+\s+[A-Z][a-z]+"
    r"|\b[A-Z][a-z]+\s+[A-Z][a-z]+,\s+(?:a|an|our|the)?\s*(?:[a-z-]+\s+)?"
    r"(?:stylist|editor|expert|designer|tester|reviewer|buyer)\b"
)
_METHOD = re.compile(
    r"\b(?:we|our (?:team|testers|editors|panel))\s+(?:tested|measured|weighed|compared|carried|packed|wore)\b"
    r"|\bmethodology\b|\bhow we (?:test|tested|chose|picked|rated)\b|\btested\s+(?:\d+|over|more than)\b",
    re.I,
)


def unsupported_expert_claims(units: Sequence[TextUnit]) -> list[ArticleFinding]:
    """Experts giving verdicts in an article that names none and describes no method."""
    everything = " ".join(u.text for u in units)
    if _NAMED_PERSON.search(everything) or _METHOD.search(everything):
        return []
    findings: list[ArticleFinding] = []
    for unit in units:
        for sentence in sentences(unit.text):
            if _EXPERTS.search(sentence) and _VERDICT.search(sentence):
                findings.append(
                    ArticleFinding(
                        "unsupported_expert_claim",
                        "warning",
                        f"Unsupported expert claim in {unit.where}: \u201c{sentence}\u201d. The article names no "
                        "expert and says nothing about how anything was tested or chosen.",
                        (("sentence", sentence), ("where", unit.where)),
                    )
                )
    return findings


# --------------------------------------------------------------------------- capacity claims in prose

_LITRE_RANGE = re.compile(
    r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*(?:l|liters?|litres?)?\s*(?:to|-|\u2013)\s*(\d{1,3}(?:\.\d+)?)\s*"
    r"(?:l|liters?|litres?)\b",
    re.IGNORECASE,
)
_SIDE = r"\d{1,3}(?:\.\d+)?\s*(?:[\"\u201d\u2033]|in\b|cm\b)?\s*(?:[LWHD]\b)?"
_PROSE_DIMENSIONS = re.compile(rf"{_SIDE}\s*[x\u00d7]\s*{_SIDE}\s*[x\u00d7]\s*{_SIDE}")


def capacity_claims(units: Iterable[TextUnit]) -> list[ArticleFinding]:
    """A capacity range said to equal a size whose box cannot hold the top of the range."""
    findings: list[ArticleFinding] = []
    for unit in units:
        litres = _LITRE_RANGE.search(unit.text)
        size = _PROSE_DIMENSIONS.search(unit.text)
        if litres is None or size is None:
            continue
        try:
            capacity = parse_volume_ml(f"{litres.group(1)}-{litres.group(2)} L")
            dims = parse_dimensions(size.group(0).strip())
        except ParseError:
            continue
        if capacity.high_ml <= dims.box_ml:
            continue
        box = f"{dims.box_ml / 1000:.1f} L"
        findings.append(
            ArticleFinding(
                "capacity_claim_vs_sizes",
                "warning",
                f"In {unit.where} the article puts mini backpacks at {litres.group(0).strip()!r} and equates that "
                f"with {size.group(0).strip()!r}, but that box holds only {box}: "
                f"{format_volume(capacity.high_ml)} cannot fit in it.",
                (("capacity", litres.group(0).strip()), ("size", size.group(0).strip()), ("box volume", box)),
            )
        )
    return findings


# --------------------------------------------------------------------------- shared text helpers


def sentences(text: str) -> list[str]:
    """Split prose at sentence ends followed by a capital or a quote."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\u00c0-\u00de\"\u201c\u2018'(])", text.strip())
    return [p.strip() for p in parts if p.strip()]
