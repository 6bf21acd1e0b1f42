"""Reads for the "Will my things fit?" page: one kit against every bag in the catalog, each answer explained.

``fit_answer(kit=...)`` asks the fit engine the way ``minipack fits-in-catalog`` does, on the live
catalog: each bag's inside comes from ``minipack.fit.interior.bag_space`` and
``minipack.fit.screen.screen_catalog`` settles every bag at once (a numpy prepass, dominance between
bags, the exact engine for the rest). Then ``minipack.fit.check_fit`` answers bag by bag what a
shopper reads: whether a fit is tight or has room to spare, the proof of a "no" in plain words and
the fewest things to leave out, and the placements the to-scale picture draws
(``minipack.fit.svg.packing_svg``).

A "no" can take the engine a second or more to explain when the kit is large (finding what to leave
out is a search), so the explanations share a time budget (``EXPLAIN_BUDGET_S``): bags that take the
kit first, then the others from the roomiest down, since what to leave out matters most for the bags
that nearly take it. A bag the budget does not reach keeps the screen's verdict and reason, which are
exact; the page says it stopped early. A bag without a published outer size is "unknown", never
"does not fit".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from minipack import records
from minipack.errors import SpecError
from minipack.fit import BagSpace, FitResult, Item, check_fit
from minipack.fit.interior import bag_space
from minipack.fit.items import LibraryItem
from minipack.fit.screen import BagVerdict, screen_catalog
from minipack.fit.svg import packing_svg
from minipack.units import Dimensions, display_dimensions, format_dimensions
from minipack_web.catalog.selectors import FIT_VERDICTS, catalog_products

# The packing budget of one bag's question, and of all the explanations on one page.
FIT_BUDGET_S = 1.0
EXPLAIN_BUDGET_S = 1.5
# Pictures drawn on one page (the smallest bags that take the kit): each is some kilobytes of SVG.
PICTURES = 3

GROUPS = (
    ("fits", "Fits, with room to spare"),
    ("tight", "Fits, but only just"),
    ("does_not_fit", "Does not fit"),
    ("undecided", "Unsure"),
    ("unknown", "Unknown: no published size"),
)
VERDICT_LABELS = {**FIT_VERDICTS, "unknown": "Unknown"}


def item_size_text(item: Item | LibraryItem) -> str:
    """'14.8 x 7.2 x 0.8 cm', with the shape or softness when it matters to the packing."""
    size = format_dimensions(Dimensions(item.dims_mm))
    notes = []
    if item.shape == "cylinder":
        notes.append("round")
    if not item.rigid:
        notes.append("soft")
    return f"{size} ({', '.join(notes)})" if notes else size


@dataclass(frozen=True)
class KitLine:
    name: str
    size: str


@dataclass(frozen=True)
class BagAnswer:
    """One bag's answer, ready to print."""

    slug: str
    name: str
    url: str
    verdict_code: str  # fits, tight, does_not_fit, undecided or unknown
    verdict: str
    inside: str  # '' when unknown
    reason: str
    leave_out: tuple[str, ...]  # the fewest things to leave at home, for a "no"
    explained: bool  # False when the time budget ran out before the engine explained this bag
    picture_svg: SafeString | str  # '' when no picture is drawn


@dataclass(frozen=True)
class AnswerGroup:
    code: str
    title: str
    answers: tuple[BagAnswer, ...]


@dataclass(frozen=True)
class FitAnswer:
    kit: tuple[KitLine, ...]
    groups: tuple[AnswerGroup, ...]  # the non-empty ones, in ``GROUPS`` order
    fitting: int  # bags that take the kit (with room or tightly)
    sized: int  # bags with a published size, so a verdict
    unknown: int
    pictures: int
    explained_all: bool


@dataclass
class _Bag:
    product: records.Product
    space: BagSpace | None
    error: str = ""  # the bag's size leaves no inside (``SpecError``)
    screened: BagVerdict | None = None
    checked: FitResult | None = None


def fit_answer(*, kit: Sequence[Item]) -> FitAnswer:
    """Which catalog bags take ``kit``, each with its reason; see the module docstring."""
    bags = [_bag(p) for p in catalog_products()]
    sized = [b for b in bags if b.space is not None]
    screened = screen_catalog([b.space for b in sized if b.space is not None], list(kit))
    for bag, verdict in zip(sized, screened.verdicts, strict=True):
        bag.screened = verdict
    explained_all = _explain(sized, kit)

    # Smallest inside first in every group, as ``fits-in-catalog`` lists them; unknown bags by name.
    answered = sorted(((bag, _answer(bag)) for bag in bags), key=lambda pair: (_volume(pair[0].space), pair[1].name))
    fitting = [(bag, a) for bag, a in answered if a.verdict_code in ("fits", "tight")]
    # Pictures for the smallest bags that take the kit: the closest fits are the telling ones.
    drawn = {bag.product.slug: _picture(bag, kit) for bag, _ in fitting[:PICTURES]}
    ready = [replace(a, picture_svg=drawn.get(a.slug, "")) for _, a in answered]
    groups = tuple(
        AnswerGroup(code, title, members)
        for code, title in GROUPS
        if (members := tuple(a for a in ready if a.verdict_code == code))
    )
    return FitAnswer(
        kit=tuple(KitLine(item.name, item_size_text(item)) for item in kit),
        groups=groups,
        fitting=len(fitting),
        sized=sum(1 for b in bags if b.space is not None or b.error),
        unknown=sum(1 for b in bags if b.space is None and not b.error),
        pictures=len(drawn),
        explained_all=explained_all,
    )


def _bag(product: records.Product) -> _Bag:
    try:
        space = bag_space(product)
    except SpecError as exc:  # walls thicker than the bag: nothing fits
        return _Bag(product, None, error=str(exc))
    # Named as the page names the bag: the engine's reasons quote it.
    return _Bag(product, None if space is None else replace(space, name=product.name))


def _explain(bags: list[_Bag], kit: Sequence[Item]) -> bool:
    """``check_fit`` for each bag, the ones that take the kit first, then the roomiest; False if time ran out."""
    order = sorted(bags, key=lambda b: (b.screened is None or b.screened.verdict != "fits", -_volume(b.space)))
    started = time.perf_counter()
    for bag in order:
        if time.perf_counter() - started > EXPLAIN_BUDGET_S:
            return False
        assert bag.space is not None
        bag.checked = check_fit(bag.space, kit, budget_s=FIT_BUDGET_S)
    return True


def _volume(space: BagSpace | None) -> int:
    if space is None:
        return 0
    a, b, c = space.interior_mm
    return a * b * c


def _answer(bag: _Bag) -> BagAnswer:
    product = bag.product
    url = reverse("catalog:bag", kwargs={"slug": product.slug})
    if bag.space is None:
        code = "does_not_fit" if bag.error else "unknown"
        reason = (
            f"Its published size leaves no room inside the walls: {bag.error}."
            if bag.error
            else "No source publishes its outer size, so we cannot say what fits."
        )
        return BagAnswer(product.slug, product.name, url, code, VERDICT_LABELS[code], "", reason, (), True, "")
    code, reason, leave_out, explained = _verdict(bag)
    a, b, c = bag.space.interior_mm
    dims = Dimensions((a, b, c))
    litres = f"{bag.space.usable_ml / 1000:.1f} L"
    inside = f"{display_dimensions(dims, 'metric')} ({display_dimensions(dims, 'imperial')}) inside, {litres} usable"
    return BagAnswer(
        product.slug, product.name, url, code, VERDICT_LABELS[code], inside, reason, leave_out, explained, ""
    )


def _verdict(bag: _Bag) -> tuple[str, str, tuple[str, ...], bool]:
    """(verdict code, reason, what to leave out, explained): the engine's full answer where it has one."""
    screened, checked = bag.screened, bag.checked
    assert screened is not None
    # The screen can be more decided than check_fit (soft items alone rule a bag out while the rigid
    # packing is still open); it never contradicts it. Keep the decided answer.
    if checked is not None and not (checked.verdict == "undecided" and screened.verdict != "undecided"):
        if checked.verdict == "does_not_fit" and checked.proof is not None:
            return "does_not_fit", checked.proof.message, tuple(checked.remove_to_fit or ()), True
        reason = checked.reason
        if checked.fits and checked.soft_ml:
            reason += f" The soft things need {checked.soft_ml:,} ml of the {checked.soft_room_ml:,} ml left."
        return checked.verdict, reason, (), True
    return screened.verdict, _sentence(screened.reason), (), False


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")) if text else ""


def _picture(bag: _Bag, kit: Sequence[Item]) -> SafeString | str:
    """The to-scale packing of ``kit`` in the bag, as inline SVG with ids of its own."""
    assert bag.space is not None
    if bag.checked is not None and bag.checked.fits:
        placements = bag.checked.pack.placements
    else:
        assert bag.screened is not None
        placements = bag.screened.placements or ()
    if not placements and any(item.rigid for item in kit):
        return ""
    svg = packing_svg(
        bag.space, kit, placements, title=f"Your things in the {bag.product.name}", id_prefix=f"pack-{bag.product.slug}"
    )
    # Inline in HTML the XML declaration is noise; the drawing is escaped by packing_svg itself.
    body = svg.split("\n", 1)[1] if svg.startswith("<?xml") else svg
    return mark_safe(body)  # noqa: S308
