"""The FAQ answered from data: each question's numbers computed from the catalog, the fit engine and the airline rules.

Questions come from the launch article's FAQ (plus two readers ask about
that the catalog can answer: waterproofing and materials). Each answer
function takes its data as arguments and returns an ``Answer`` with a
summary sentence, the figures behind it and their sources, or ``None``
when the data cannot answer (an empty catalog, say).

Skipped, because no data we hold answers them (they ask for opinions,
trends or definitions, not measurements): "Why do people wear mini
backpacks?", "What is a small bag called?", "Why I use a backpack instead of
a purse?", "Are mini backpacks out of style?", "Why do seniors wear childish
backpacks?", "What are the trendy small bags called?", "What is a hobo style
purse?", "What is a micro bag?", "Why is Loungefly so popular?", "What bags
are trending 2023?" and "Should I buy a purse or a backpack?".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from minipack.airlines import AirlineRule
from minipack.drawings import A4, US_LETTER, Outline, front_of, outline_svg
from minipack.fit import check_fit
from minipack.fit.interior import bag_space
from minipack.fit.items import ItemLibrary
from minipack.kits import Kit
from minipack.records import FEATURES, Product, fold
from minipack.units import Dimensions, display_length

FIT_BUDGET_S = 0.5


@dataclass(frozen=True)
class Question:
    anchor: str
    question: str


HOW_BIG = Question("how-big", "How big is a mini backpack in inches?")
WHAT_FITS = Question("what-fits", "What can fit in a mini backpack?")
CARRY_ON = Question("carry-on", "Can I carry-on a purse and a backpack?")
LIKE_A_PURSE = Question("like-a-purse", "Can you carry a backpack like a purse?")
WATERPROOF = Question("waterproof", "Are mini backpacks waterproof?")
MATERIALS = Question("materials", "What are mini backpacks made of?")

QUESTIONS: tuple[Question, ...] = (HOW_BIG, WHAT_FITS, CARRY_ON, LIKE_A_PURSE, WATERPROOF, MATERIALS)


@dataclass(frozen=True)
class Cited:
    """A source an answer rests on: what it says, where, and when it was read or dated."""

    label: str
    title: str
    url: str
    date: str


@dataclass(frozen=True)
class Answer:
    question: Question
    summary: str  # one paragraph, plain text: the page's first line and the JSON-LD answer
    facts: tuple[str, ...]
    sources: tuple[Cited, ...]
    svg: str = ""  # a to-scale drawing, when the answer has one


def _both(mm: int) -> str:
    return f"{display_length(mm, 'imperial')} ({display_length(mm, 'metric')})"


def _median(values: Sequence[int]) -> int:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid] + 1) // 2


def _name(product: Product) -> str:
    return f"{product.brand} {product.model}"


def how_big(catalog: Sequence[Product]) -> Answer | None:
    """Median and range of the bags' outer fronts (width, height, depth), with the smallest and largest cited."""
    sized = []
    for product in catalog:
        claim = product.chosen("exterior")
        if claim is not None and isinstance(claim.value, Dimensions):
            sized.append((product, claim, front_of(claim.value)))
    if not sized:
        return None
    sides = {name: [front[i] for _, _, front in sized] for i, name in enumerate(("width", "height", "depth"))}
    w, h, d = (_median(values) for values in sides.values())
    by_volume = sorted(sized, key=lambda s: (s[2][0] * s[2][1] * s[2][2], s[0].slug))
    summary = (
        f"Of the {len(catalog)} bags in our catalog, {len(sized)} publish an outer size. The median bag is "
        f"{display_length(w, 'imperial')} wide, {display_length(h, 'imperial')} tall and "
        f"{display_length(d, 'imperial')} deep ({display_length(w, 'metric')} x {display_length(h, 'metric')} x "
        f"{display_length(d, 'metric')}): smaller than a US Letter sheet."
    )
    facts = [
        f"Median {name}: {_both(_median(values))}; from {_both(min(values))} to {_both(max(values))} "
        f"({len(values)} bags)."
        for name, values in sides.items()
    ]
    sources = []
    for label, (product, claim, _) in (("Smallest", by_volume[0]), ("Largest", by_volume[-1])):
        assert isinstance(claim.value, Dimensions)
        facts.append(f"{label}: {_name(product)}, {claim.published or claim.value}.")
        sources.append(Cited(f"{label} bag's size", claim.source.title, claim.source.url, claim.source.date.stated))
    svg = outline_svg(
        Outline("Median mini backpack", w, h, "Median bag"),
        [US_LETTER, A4],
        title="The median mini backpack's front beside a US Letter and an A4 sheet, to scale",
    )
    return Answer(HOW_BIG, summary, tuple(facts), tuple(sources), svg)


def what_fits(catalog: Sequence[Product], kits: Sequence[Kit], library: ItemLibrary) -> Answer | None:
    """For each kit, in how many bags with a size the fit engine fits it (its estimated interior, each item's sides)."""
    spaces = [space for space in (bag_space(p) for p in catalog) if space is not None]
    if not spaces or not kits:
        return None
    facts = []
    counts = []
    cited: dict[str, Cited] = {}
    for kit in kits:
        items = [item for item in (library.get(i) for i in kit.item_ids) if item is not None]
        if not items:
            continue
        fit = sum(check_fit(space, [i.as_item(i.name) for i in items], budget_s=FIT_BUDGET_S).fits for space in spaces)
        counts.append((kit.name, fit))
        facts.append(f"{kit.name} ({', '.join(i.name for i in items)}): fits {fit} of {len(spaces)} bags.")
        for item in items:
            cited.setdefault(item.id, Cited(f"{item.name} size", item.name, item.source_url, item.source_date))
    if not counts:
        return None
    best, worst = max(counts, key=lambda c: c[1]), min(counts, key=lambda c: c[1])
    summary = (
        f"We packed {len(counts)} everyday kits into the {len(spaces)} bags whose size we know, with our fit engine "
        f"and each item's measured sides: “{best[0]}” fits {best[1]} of them, “{worst[0]}” {worst[1]}."
    )
    return Answer(WHAT_FITS, summary, tuple(facts), tuple(cited.values()))


def _rule_volume(rule: AirlineRule) -> int:
    assert rule.dims_mm is not None
    a, b, c = rule.dims_mm
    return a * b * c


def carry_on(rules: Sequence[AirlineRule]) -> Answer | None:
    """How many airlines publish a personal-item size; the smallest and largest (ties named together); who has none."""
    personal = [r for r in rules if r.kind == "personal"]
    if not personal:
        return None
    sized = [r for r in personal if not r.no_published_size]
    none = sorted(r.airline for r in personal if r.no_published_size)
    facts = []
    sources: list[Cited] = []
    if sized:
        volumes = [_rule_volume(r) for r in sized]
        for label, target in (("Smallest", min(volumes)), ("Largest", max(volumes))):
            tied = [r for r in sized if _rule_volume(r) == target]
            facts.append(f"{label} personal item: {tied[0].published}, at {', '.join(r.airline for r in tied)}.")
            sources.extend(
                Cited(f"{r.airline} personal item", f"{r.airline}: {r.published}", r.source_url, r.checked_on)
                for r in tied
            )
    if none:
        facts.append(f"No published personal-item size: {', '.join(none)}.")
    carry = [r for r in rules if r.kind == "carry_on" and not r.no_published_size]
    paid = sum(1 for r in carry if r.free_on_basic is False)
    summary = (
        f"Usually: of the {len(personal)} airlines in our rules, {len(sized)} publish a size for a personal item "
        f"(under the seat) and {len(carry)} a size for a carry-on, so a mini backpack within the personal-item "
        f"limit can go as the personal item and a second bag as the carry-on"
        + (f"; on {paid} of them the carry-on is not free on the basic fare." if paid else ".")
    )
    return Answer(CARRY_ON, summary, tuple(facts), tuple(sources))


def _feature_answer(
    question: Question, catalog: Sequence[Product], codes: Sequence[str], summary: str
) -> Answer | None:
    if not catalog:
        return None
    having = []
    for product in catalog:
        claim = product.chosen("features")
        if claim is not None and isinstance(claim.value, frozenset) and claim.value & set(codes):
            having.append((product, claim))
    labels = " or ".join(FEATURES[c].lower() for c in codes)  # for summaries that name the feature
    facts = tuple(f"{_name(p)}: {', '.join(FEATURES[c] for c in sorted(c.value & set(codes)))}." for p, c in having)
    sources = tuple(
        Cited(f"{_name(p)} features", c.source.title, c.source.url, c.source.date.stated) for p, c in having
    )
    text = summary.format(n=len(having), total=len(catalog), labels=labels)
    return Answer(question, text, facts, sources)


def like_a_purse(catalog: Sequence[Product]) -> Answer | None:
    """Bags whose sources list convertible straps or a top handle."""
    return _feature_answer(
        LIKE_A_PURSE,
        catalog,
        ("convertible_straps", "top_handle"),
        "{n} of the {total} bags in our catalog list a top handle or convertible straps in their sources, "
        "so they carry like a purse too.",
    )


def waterproof(catalog: Sequence[Product]) -> Answer | None:
    """Bags whose sources list a water-resistant feature; we hold no waterproofing test, and say so."""
    return _feature_answer(
        WATERPROOF,
        catalog,
        ("water_resistant",),
        "Few are sold as more than water-resistant: {n} of the {total} bags in our catalog list a {labels} "
        "feature in their sources. We know of no independent waterproof test of any of them.",
    )


# First match wins: "faux leather" must be read before "leather", "vinylon" before "nylon".
MATERIAL_FAMILIES = (
    ("Faux (PU) leather", ("faux", "pu leather", "vegan")),
    ("Leather", ("leather",)),
    ("Vinylon", ("vinylon",)),
    ("Nylon", ("nylon",)),
    ("Polyester", ("polyester",)),
    ("Canvas", ("canvas",)),
    ("Cotton", ("cotton",)),
)


def material_family(material: str) -> str:
    text = fold(material)
    for family, words in MATERIAL_FAMILIES:
        if any(w in text for w in words):
            return family
    return "Other"


def materials(catalog: Sequence[Product]) -> Answer | None:
    """The bags' chosen materials, grouped into families, with how many bags publish none."""
    chosen = [(p, c) for p in catalog if (c := p.chosen("material")) is not None and isinstance(c.value, str)]
    if not chosen:
        return None
    families = Counter(material_family(str(c.value)) for _, c in chosen)
    ranked = sorted(families.items(), key=lambda kv: (-kv[1], kv[0]))
    facts = [f"{family}: {n} bag{'s' if n != 1 else ''}." for family, n in ranked]
    missing = len(catalog) - len(chosen)
    if missing:
        facts.append(f"No published material: {missing} bag{'s' if missing != 1 else ''}.")
    top = ", ".join(f"{family.lower()} ({n})" for family, n in ranked[:3])
    summary = f"Of the {len(chosen)} bags in our catalog with a published material, the most common are {top}."
    sources = tuple(
        Cited(f"{_name(p)} material", c.source.title, c.source.url, c.source.date.stated) for p, c in chosen
    )
    return Answer(MATERIALS, summary, tuple(facts), sources)


def answer_all(
    catalog: Sequence[Product], rules: Sequence[AirlineRule], kits: Sequence[Kit], library: ItemLibrary
) -> tuple[Answer, ...]:
    """Every question the data can answer, in ``QUESTIONS`` order."""
    answers = (
        how_big(catalog),
        what_fits(catalog, kits, library),
        carry_on(rules),
        like_a_purse(catalog),
        waterproof(catalog),
        materials(catalog),
    )
    return tuple(a for a in answers if a is not None)


def faq_jsonld(answers: Sequence[Answer]) -> dict[str, Any]:
    """schema.org FAQPage data: one Question per answer, its summary as the accepted answer."""
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": a.question.question,
                "acceptedAnswer": {"@type": "Answer", "text": a.summary},
            }
            for a in answers
        ],
    }
