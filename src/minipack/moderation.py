"""The comment moderation rules: which new comments are published at once, which are held, which are spam.

This module is responsible for one decision, ``decide``, made when a comment
arrives, in this order (WordPress's discussion settings, and RELIABILITY A.13):

1. a *blocked* word or phrase in the name, email or body makes it **spam**
   (kept for editors to review, never shown);
2. otherwise it is **held** for an editor (``pending``) for every reason that
   applies: a *hold* word, two or more links, or an author whose address has
   no approved comment yet (so every address's first comment is read by a person);
3. with no reason to hold it, it is **approved** and shown at once.

Words are matched on folded text (``comment_text.fold``: case, accents,
full-width forms and zero-width characters do not hide a word) and on word
boundaries, so 'ass' never blocks 'class'. It also holds ``form_age_problem``,
the rule on how soon and how late a comment form may be sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from minipack.comment_text import find_links, fold

__all__ = [
    "HOLD_AT_LINKS",
    "Action",
    "Decision",
    "Status",
    "WordRule",
    "decide",
    "form_age_problem",
    "matching_words",
    "normalise_word",
]

# Two links or more: the shape of most link spam, while one link (a shop, a review) is ordinary.
HOLD_AT_LINKS = 2


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"


class Action(StrEnum):
    """What a listed word does to a comment that contains it."""

    HOLD = "hold"
    SPAM = "spam"


@dataclass(frozen=True)
class WordRule:
    word: str  # as normalise_word returns it
    action: Action


@dataclass(frozen=True)
class Decision:
    status: Status
    reasons: tuple[str, ...]  # why it is held or spam, in words, for the editors; () when approved


def normalise_word(word: str) -> str:
    """A listed word as stored and matched: folded, inner spaces collapsed; ``ValueError`` when nothing is left."""
    folded = " ".join(fold(word).split())
    if not folded:
        raise ValueError("a word to match must contain at least one visible character")
    return folded


def _pattern(word: str) -> re.Pattern[str]:
    # A boundary only where the word itself starts or ends with a letter or digit: ".ru" must still match
    # "spam.ru", and "cheap pills" must match across any run of spaces (the text is collapsed the same way).
    left = r"(?<!\w)" if re.match(r"\w", word) else ""
    right = r"(?!\w)" if re.search(r"\w$", word) else ""
    return re.compile(left + re.escape(word) + right)


def matching_words(texts: Iterable[str], words: Iterable[str]) -> tuple[str, ...]:
    """The listed ``words`` (normalised) that occur in any of ``texts``, in the order given."""
    haystack = "\n".join(" ".join(fold(t).split()) for t in texts)
    return tuple(w for w in words if _pattern(w).search(haystack))


def decide(
    *, name: str, email: str, body: str, rules: Sequence[WordRule], author_has_approved_comment: bool
) -> Decision:
    """The status of a new comment and the reasons for it (see the module's docstring for the order)."""
    texts = (name, email, body)
    blocked = matching_words(texts, [r.word for r in rules if r.action is Action.SPAM])
    if blocked:
        return Decision(Status.SPAM, tuple(f"blocked word “{w}”" for w in blocked))
    reasons = [f"hold word “{w}”" for w in matching_words(texts, [r.word for r in rules if r.action is Action.HOLD])]
    links = len(find_links(body))
    if links >= HOLD_AT_LINKS:
        reasons.append(f"{links} links")
    if not author_has_approved_comment:
        reasons.append("first comment from this address")
    return Decision(Status.PENDING if reasons else Status.APPROVED, tuple(reasons))


def form_age_problem(age_s: float, *, minimum_s: float, maximum_s: float) -> str | None:
    """Why a form sent ``age_s`` seconds after it was made is refused, in words; ``None`` when it is in time.

    Too soon: people read and type, scripts do not. Too late: an old form
    could be replayed for ever; the writer's text is kept, so sending it again costs one click.
    """
    if age_s < minimum_s:
        return "This form was sent too quickly after the page loaded. Check your comment and send it again."
    if age_s > maximum_s:
        hours = maximum_s / 3600
        span = f"{hours:g} hour{'s' if hours != 1 else ''}" if hours >= 1 else f"{maximum_s:g} seconds"
        return f"This form is more than {span} old. Your text is kept below: send it again."
    return None
