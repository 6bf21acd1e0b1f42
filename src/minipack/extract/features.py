"""Features and materials: printed phrases mapped to the catalog's vocabulary.

Articles describe features in their own words ("Dual top handles",
"rain-flap protection"); the catalog stores codes from
``minipack.records.FEATURES``. ``FEATURE_KEYWORDS`` below is the whole
mapping, one documented pattern per code, matched case-insensitively within
a phrase (a comma before a capitalised word ends a phrase). A phrase that matches nothing is kept in the
published text but gets no code: guessing would put claims in the catalog
that the article never made. "Zip pockets" with no word saying where they
are is such a phrase.

Materials are read from a short vocabulary of material words, because a
whitespace-separated table row runs the material straight into the
features ("Recycled Cotton Two external pockets").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from minipack.records import FEATURES, fold

# Up to three words between two keywords of one phrase ("Front zip pocket",
# "Inside zip and multifunction pockets"), never across a comma.
_GAP = r"(?:[a-z0-9-]+\s+){0,3}"

# code -> pattern, matched case-insensitively within one phrase.
FEATURE_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("key_fob", r"\bkey\s*(?:fob|ring|clip|leash)s?\b"),
    ("front_pocket", rf"\bfront\s+{_GAP}pockets?\b"),
    ("rain_flap", r"\brain[\s-]*(?:flap|cover)s?\b"),
    ("foldable", r"\b(?:foldable|fold(?:s|ing)?\s+(?:flat|away|up)|packable|collapsible)\b"),
    ("top_handle", r"\btop[\s-]*handles?\b"),
    ("adjustable_straps", rf"\badjustable\s+{_GAP}straps?\b"),
    ("removable_strap", rf"\b(?:removable|detachable)\b[\s,]+{_GAP}straps?\b"),
    ("recycled_material", r"\brecycled\b"),
    # "Internal storage sleeve", "Inside zip and multifunction pockets", and
    # the organiser words articles use for pockets inside the main compartment.
    (
        "interior_pockets",
        rf"\b(?:internal|interior|inside|inner)\s+{_GAP}(?:pockets?|sleeves?|compartments?|organi[sz]ers?)\b"
        rf"|\b(?:multiple|organi[sz]ational|multi-?functional?|multifunction)\s+{_GAP}(?:pockets?|compartments?)\b",
    ),
    # "Two external pockets"; "Two zip pockets" on a bag's outside in article tables.
    (
        "exterior_pockets",
        rf"\b(?:external|exterior|outside|outer|side)\s+{_GAP}pockets?\b|\b(?:two|2|dual)\s+zip(?:ped)?\s+pockets\b",
    ),
    ("anti_theft", r"\banti[\s-]*theft\b|\btheft[\s-]*proof\b"),
    ("usb_port", r"\busb(?:\s+(?:charging\s+)?ports?)?\b"),
    ("water_resistant", r"\bwater[\s-]*(?:resistant|repellent|proof)\b|\bwaterproof\b|\bweather[\s-]*proof\b"),
    ("convertible_straps", r"\bconvertible\b|\bconverts?\s+(?:in)?to\b"),
    ("laptop_sleeve", rf"\blaptop\s+{_GAP}(?:sleeve|compartment|pocket)s?\b"),
    ("tablet_sleeve", rf"\b(?:tablet|ipad)\s+{_GAP}(?:sleeve|compartment|pocket)s?\b"),
)
_COMPILED = tuple((code, re.compile(pattern, re.IGNORECASE)) for code, pattern in FEATURE_KEYWORDS)
_ORDER = {code: i for i, code in enumerate(FEATURES)}

# Words that name or qualify a bag material, folded. "Vinylon-F" is
# Fjällräven's fabric; "monogram" qualifies Louis Vuitton's coated canvas.
MATERIAL_WORDS = frozenset(
    {
        "leather", "faux", "vegan", "pu", "genuine", "full-grain", "top-grain", "patent", "saffiano", "suede",
        "nylon", "polyester", "canvas", "cotton", "denim", "linen", "wool", "felt", "jute", "straw",
        "vinyl", "pvc", "tpu", "polyurethane", "microfiber", "neoprene", "ripstop", "cordura", "ballistic",
        "recycled", "organic", "coated", "waxed", "quilted", "monogram", "econyl", "vinylon", "vinylon-f",
    }
)  # fmt: skip
# A material phrase in a long listing title: optional qualifiers, then a base material.
_MATERIAL_IN_TITLE = re.compile(
    r"\b(?:(?:pu|faux|vegan|genuine|recycled|organic|waxed|coated|quilted|patent|full-grain|top-grain)\s+){0,2}"
    r"(?:leather|nylon|polyester|canvas|cotton|denim|suede|vinyl|neoprene)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FeatureMatch:
    code: str
    text: str  # the words that matched, as printed


def match_features(text: str) -> tuple[FeatureMatch, ...]:
    """Every vocabulary feature named in ``text``, in vocabulary order, with the printed words."""
    found: dict[str, FeatureMatch] = {}
    for phrase in _phrases(text):
        for code, pattern in _COMPILED:
            match = pattern.search(phrase)
            if match and code not in found:
                found[code] = FeatureMatch(code, match.group(0))
    return tuple(sorted(found.values(), key=lambda m: _ORDER[m.code]))


def feature_codes(*texts: str | None) -> tuple[str, ...]:
    """The vocabulary codes named in any of ``texts``, in vocabulary order."""
    codes = {m.code for text in texts if text for m in match_features(text)}
    return tuple(sorted(codes, key=_ORDER.__getitem__))


def _phrases(text: str) -> list[str]:
    """Comma-, semicolon- and bar-separated phrases.

    A comma followed by a lower-case word continues one phrase
    ("Removable, adjustable strap"), so it stays inside.
    """
    return re.split(r"[;|]|,(?!\s*[a-z])", text)


def split_material_features(text: str) -> tuple[str | None, str | None]:
    """'Recycled Cotton Two external pockets' -> ('Recycled Cotton', 'Two external pockets').

    The material is the longest run of material words at the start. When the
    first word is not one, it is still taken as a one-word material (most are
    one word) unless the text starts with a feature phrase.
    """
    tokens = text.split()
    if not tokens:
        return None, None
    n = 0
    while n < len(tokens) and _material_key(tokens[n]) in MATERIAL_WORDS:
        n += 1
    if n == 0:
        starts_with_feature = any(pattern.match(text) for _, pattern in _COMPILED)
        n = 0 if starts_with_feature else 1
    material = " ".join(tokens[:n]) or None
    features = " ".join(tokens[n:]) or None
    return material, features


def _material_key(token: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", fold(token))


def material_in_title(title: str) -> str | None:
    """A material named in a long shop-listing title ('Cute PU Leather Gift' -> 'PU Leather')."""
    match = _MATERIAL_IN_TITLE.search(title)
    return match.group(0) if match else None
