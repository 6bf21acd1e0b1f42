"""Search text: what a bag, guide or question is found by, and how a visitor's query is read.

Pure functions the web layer's search index is built on. ``document_text``
says which words stand for a bag (brand, model, aliases, materials,
features); ``read_query`` turns whatever a visitor typed into at most a few
folded, plain-text terms (no character in it is ever an operator, and a very
long query is cut, with a flag saying so); ``close_words`` is the typo
fallback: the words of a small vocabulary nearest to a misspelt term by
``difflib`` ratio, so 'kankn' still finds 'kanken'.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from minipack.records import FEATURES, Product, fold

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# difflib ratio a vocabulary word must reach to stand in for a misspelt term: 'kankn'/'kanken' is 0.91,
# 'leathr'/'leather' 0.92, while unrelated words of the same length stay under 0.6.
CLOSE_RATIO = 0.75
MIN_FUZZY_CHARS = 4

# Anything that is not a letter or a digit separates words: quotes, %, _, *, ^, :, - and the rest are never syntax.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Query:
    """A visitor's query as search reads it: folded words, and whether the text was cut to ``MAX_QUERY_CHARS``."""

    text: str
    terms: tuple[str, ...]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not self.terms


def read_query(raw: str) -> Query:
    """The folded words of ``raw`` (at most ``MAX_TERMS``, from its first ``MAX_QUERY_CHARS`` characters)."""
    text = " ".join(raw.split())
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        text = text[:MAX_QUERY_CHARS]
    terms: list[str] = []
    for word in words(text):
        if word not in terms:
            terms.append(word)
    return Query(text=text, terms=tuple(terms[:MAX_TERMS]), truncated=truncated or len(terms) > MAX_TERMS)


def words(text: str) -> list[str]:
    """The folded words of a text: 'Fjällräven Kånken-Mini' -> ['fjallraven', 'kanken', 'mini']."""
    return _WORD.findall(fold(text))


def document_text(product: Product) -> tuple[str, str]:
    """(title, body) a bag is found by: its name, then aliases, materials and features, each once."""
    title = f"{product.brand} {product.model}"
    parts: list[str] = list(product.aliases)
    for claim in product.claims:
        if claim.field == "material" and isinstance(claim.value, str):
            parts.append(claim.value)
        elif claim.field == "features" and isinstance(claim.value, frozenset):
            parts.extend(FEATURES.get(code, code.replace("_", " ")) for code in sorted(claim.value))
    unique: dict[str, str] = {}
    for part in parts:
        unique.setdefault(fold(part), part)
    return title, " · ".join(unique.values())


def close_words(term: str, vocabulary: Iterable[str], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` vocabulary words nearest to ``term`` (already folded), best first; none for short terms."""
    if len(term) < MIN_FUZZY_CHARS:
        return []
    return difflib.get_close_matches(term, sorted(set(vocabulary)), n=limit, cutoff=CLOSE_RATIO)
