"""Names: splitting a printed bag name into brand and model, and telling when two names mean one bag.

Articles name the same bag differently in different places: the table says
"Herschel Supply Co. Nova Mini", the ranked list "Herschel Nova Mini
Backpack". Two names are taken to mean the same product when their brands
agree (after the aliases below) and their models have the same distinctive
words, in any order, once accents are folded and generic words ("backpack",
"the", "bag"…) are dropped. Size words ("mini", "micro"…) are kept apart and
must also agree, because a "Kånken" and a "Kånken Mini" are different bags.
A bag with no brand is never merged with anything: two unbranded "mini
backpacks" are almost certainly two different listings.

The word lists are data, documented here; extending them is the intended way
to teach the extractor a new brand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from minipack.records import fold

UNBRANDED = "Unbranded"
MODEL_NOT_NAMED = "model not named"

# Brands written with more than one word. Without this list the first word of
# a name is taken as the brand ("COACH Jordyn Backpack" -> "COACH"), which is
# wrong for these. Longest match wins, compared after folding, so
# "LOUIS VUITTON" and "Louis Vuitton" are both found.
KNOWN_MULTIWORD_BRANDS: tuple[str, ...] = (
    "Alexander Wang",
    "Anne Klein",
    "Calvin Klein",
    "Dagne Dover",
    "Herschel Supply Co.",
    "Jack Wolfskin",
    "Kate Spade New York",
    "Kate Spade",
    "Louis Vuitton",
    "Marc Jacobs",
    "Michael Kors",
    "Montana West",
    "Nine West",
    "Polo Ralph Lauren",
    "Ralph Lauren",
    "Rebecca Minkoff",
    "Stella McCartney",
    "Steve Madden",
    "The North Face",
    "Tommy Hilfiger",
    "Tory Burch",
    "Vera Bradley",
)

# Other spellings of one brand, folded, mapped to one key. Corporate suffixes
# ("Co.", "Inc.") are dropped before this lookup.
BRAND_ALIASES: dict[str, str] = {
    "herschel supply": "herschel",
    "kate spade new york": "kate spade",
    "lv": "louis vuitton",
    "mk": "michael kors",
    "the north face": "north face",
    "tnf": "north face",
    "polo ralph lauren": "ralph lauren",
}
CORPORATE_SUFFIXES = frozenset({"co", "company", "inc", "ltd", "llc", "corp", "gmbh"})

# Words that describe any bag in a mini-backpack article and so never tell
# two models apart. A name that starts with one of them has no brand.
GENERIC_WORDS = frozenset(
    {
        "the", "a", "an", "and", "&", "for", "with", "of", "by",
        "backpack", "backpacks", "bag", "bags", "purse", "purses", "rucksack", "daypack", "pack",
        "women", "womens", "woman", "ladies", "lady", "girls", "men", "mens", "unisex",
        "casual", "cute", "stylish", "fashion",
    }
)  # fmt: skip
SIZE_WORDS = frozenset({"mini", "micro", "small", "petite", "tiny", "nano"})


@dataclass(frozen=True)
class Identity:
    """What two names must share to be one product."""

    brand: str
    distinctive: frozenset[str]
    size: frozenset[str]

    @property
    def mergeable(self) -> bool:
        return bool(self.brand) and self.brand != fold(UNBRANDED)


def word_keys(text: str) -> list[str]:
    """Folded words of ``text`` without punctuation: "ZARA's Le-Pliage" -> ['zara', 'le', 'pliage']."""
    text = re.sub(r"['\u2019]s\b", "", fold(text))
    return re.findall(r"[a-z0-9]+", text)


def _token_key(token: str) -> str:
    return "".join(word_keys(token))


_BRAND_KEYS = sorted(
    ((tuple(word_keys(b)), b) for b in KNOWN_MULTIWORD_BRANDS), key=lambda pair: len(pair[0]), reverse=True
)


def split_brand_model(name: str) -> tuple[str, str]:
    """("Herschel Supply Co. Nova Mini") -> ("Herschel Supply Co.", "Nova Mini"), spelled as printed.

    A known multi-word brand at the start wins; otherwise the first word is
    the brand, unless it is a generic word ("Mini Backpack for Women"), in
    which case the bag is unbranded and the whole name is its model.
    """
    tokens = name.split()
    if not tokens:
        return UNBRANDED, MODEL_NOT_NAMED
    keys = [_token_key(t) for t in tokens]
    for brand_keys, _ in _BRAND_KEYS:
        n = len(brand_keys)
        if tuple(keys[:n]) == brand_keys:
            return " ".join(tokens[:n]), " ".join(tokens[n:]) or MODEL_NOT_NAMED
    if not keys[0] or keys[0] in GENERIC_WORDS or keys[0] in SIZE_WORDS:
        return UNBRANDED, name
    return tokens[0], " ".join(tokens[1:]) or MODEL_NOT_NAMED


def brand_key(brand: str) -> str:
    """'Herschel Supply Co.' and 'Herschel' -> 'herschel'."""
    words = [w for w in word_keys(brand) if w not in CORPORATE_SUFFIXES]
    key = " ".join(words)
    return BRAND_ALIASES.get(key, key)


def identity(brand: str, model: str) -> Identity:
    words = word_keys(model)
    return Identity(
        brand_key(brand),
        frozenset(w for w in words if w not in GENERIC_WORDS and w not in SIZE_WORDS),
        frozenset(w for w in words if w in SIZE_WORDS),
    )


def same_product(a: Identity, b: Identity) -> bool:
    """Whether two names mean one bag, by the rule in the module docstring."""
    return a.mergeable and b.mergeable and a == b


def is_bag_word(word: str) -> bool:
    return _token_key(word) in _BAG_WORDS


_BAG_WORDS = frozenset(
    {"backpack", "backpacks", "bag", "bags", "purse", "purses", "rucksack", "daypack", "crossbody", "sling", "tote"}
)
