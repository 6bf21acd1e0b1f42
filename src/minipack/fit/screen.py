"""Which bags of a whole catalog take one kit: cheap answers first, the exact engine for the rest.

``screen_catalog(spaces, items)`` answers "does this kit go in bag X?" for
every bag at once, and says how each answer was reached:

1. **prepass** (numpy, all bags together) settles the easy pairs with the
   engine's own rules (``engine._decide``). *No* when a rigid item is larger
   than the inside whichever way it turns (sorted sides against sorted
   sides), when the rigid items' boxes add up to more than the inside, when
   a rigid item cannot pass the bag's opening, when a soft item is longer at
   its thinnest than the bag's longest side, or when the soft items need
   more than the usable volume the rigid items leave. *Yes* when all that
   holds and the rigid items, each turned to its thinnest way that still
   fits across the bag, stack in one column along one side of the bag: the
   column is a packing, so the answer comes with placements.
2. **dominance** spreads each answer the engine gives. A bag still open
   has passed the opening and soft-item checks, so its answer is the rigid
   packing's. When the engine packs bag A, every open bag that holds the box
   around A's packing (its extents, sorted, against the bag's sorted sides)
   takes the kit: the packing, turned onto that bag's sides, is valid there.
   When the kit does not pack in bag A, it packs in no open bag that is no
   larger than A on any sorted side. The engine is asked about the open bag
   of median volume first, so each answer settles as many others as
   possible, as in a bisection.
3. **engine** decides the rest: ``quick_check`` by default, which is
   ``check_fit``'s verdict without its extras (the "tight" re-check and the
   search for what to leave out, which can take seconds on a "no" and do not
   change whether the kit fits). Pass ``check=minipack.fit.check_fit`` to
   get full ``FitResult``s instead.

The screen never contradicts the engine: the tests compare it with
``check_fit`` on every bag. It can be *more* decided: when the soft items
alone rule a bag out but the rigid packing is too hard to settle in time,
the engine says "undecided" and the screen says "does_not_fit".
``smallest_bags`` lists the smallest bags (by interior volume) that take the
kit. A "fits" keeps only how its packing is made (the column, or another
bag's packing turned); ``BagVerdict.placements`` builds it on first read, so
a screening that only wants verdicts does not pay for 2,000 packings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from minipack.catalog import Catalog
from minipack.fit.engine import pack, passes_opening
from minipack.fit.interior import bag_space
from minipack.fit.model import BagSpace, Item, PackResult, Placement

__all__ = [
    "BagVerdict",
    "CheckFit",
    "Decision",
    "QuickCheck",
    "ScreenResult",
    "catalog_spaces",
    "quick_check",
    "screen_catalog",
    "smallest_bags",
]

Verdict = Literal["fits", "does_not_fit", "undecided"]
DecidedBy = Literal["prepass", "dominance", "engine", "skipped"]

# The engine's budget per bag in a screening: a few bags at the limit must not hold up a page.
SCREEN_BUDGET_S = 2.0

_I64 = npt.NDArray[np.int64]
_OPEN, _FITS, _NO = 0, 1, -1
# Longer than any column of items can be (a side is at most 5 m, a kit at most 50 items).
_NEVER = np.int64(1) << 40


class Decision(Protocol):
    """What the screen needs from an engine answer; ``FitResult`` and ``QuickCheck`` both have it."""

    @property
    def verdict(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def pack(self) -> PackResult: ...


CheckFit = Callable[[BagSpace, Sequence[Item]], Decision]


@dataclass(frozen=True)
class QuickCheck:
    """``check_fit``'s verdict for one bag, without "tight" and without what to leave out."""

    verdict: Verdict
    reason: str
    pack: PackResult


class BagVerdict:
    """Whether one bag takes the kit, how that was decided, and a packing when one is known.

    ``placements`` (in this bag's interior axes) prove a "fits" whenever the
    deciding step had one; ``engine`` is the engine's own answer for the
    bags the engine decided (a ``FitResult`` when screening with
    ``check=check_fit``), with its proof for a "no".

    A screening decides most bags without building their packing; each
    bag's placements are built the first time they are read (and kept), so
    a caller that only wants verdicts pays nothing for them. Two verdicts are
    equal when they agree on the bag, the verdict, how it was decided and the
    reason.
    """

    __slots__ = ("_build", "_placements", "decided_by", "engine", "reason", "space", "verdict")

    def __init__(
        self,
        space: BagSpace,
        verdict: Verdict,
        decided_by: DecidedBy,
        reason: str,
        placements: tuple[Placement, ...] | None = None,
        engine: Decision | None = None,
        *,
        build: Callable[[], tuple[Placement, ...] | None] | None = None,
    ) -> None:
        self.space = space
        self.verdict: Verdict = verdict
        self.decided_by: DecidedBy = decided_by
        self.reason = reason
        self.engine = engine
        self._placements = placements
        self._build = build

    @property
    def placements(self) -> tuple[Placement, ...] | None:
        if self._build is not None:
            self._placements = self._build()
            self._build = None
        return self._placements

    @property
    def fits(self) -> bool | None:
        """True, False, or None when undecided."""
        return None if self.verdict == "undecided" else self.verdict == "fits"

    def _key(self) -> tuple[BagSpace, str, str, str]:
        return (self.space, self.verdict, self.decided_by, self.reason)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BagVerdict):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"BagVerdict(space={self.space!r}, verdict={self.verdict!r}, decided_by={self.decided_by!r}, "
            f"reason={self.reason!r})"
        )


@dataclass(frozen=True)
class ScreenResult:
    """One verdict per bag, in the order the bags were given."""

    items: tuple[Item, ...]
    verdicts: tuple[BagVerdict, ...]
    engine_calls: int

    def __iter__(self) -> Iterator[BagVerdict]:
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def by_name(self, name: str) -> BagVerdict:
        for verdict in self.verdicts:
            if verdict.space.name == name:
                return verdict
        raise KeyError(name)

    @property
    def fitting(self) -> tuple[BagVerdict, ...]:
        return tuple(v for v in self.verdicts if v.verdict == "fits")

    def counts(self) -> dict[str, int]:
        """How many bags each step decided: {'prepass': …, 'dominance': …, 'engine': …, 'skipped': …}."""
        out = {"prepass": 0, "dominance": 0, "engine": 0, "skipped": 0}
        for verdict in self.verdicts:
            out[verdict.decided_by] += 1
        return out


def catalog_spaces(catalog: Catalog) -> list[BagSpace]:
    """The interior of every catalog bag that has an exterior size, in catalog (slug) order."""
    spaces = (bag_space(product) for product in catalog)
    return [space for space in spaces if space is not None]


def smallest_bags(result: ScreenResult, n: int = 3) -> list[BagVerdict]:
    """The ``n`` smallest bags (interior box volume, then name) that take the kit."""
    fitting = sorted(result.fitting, key=lambda v: (_box_mm3(v.space), v.space.name))
    return fitting[:n]


def quick_check(bag: BagSpace, items: Sequence[Item], *, budget_s: float = SCREEN_BUDGET_S) -> QuickCheck:
    """``check_fit``'s rules, in its order, for the verdict alone (see ``minipack.fit.engine``).

    The opening, soft items too long for the bag, the rigid packing
    (``pack``, exact), then the soft items against the usable volume the
    rigid items' boxes leave.
    """
    rigid = [item for item in items if item.rigid]
    soft = [item for item in items if not item.rigid]
    if bag.opening_mm is not None:
        for item in rigid:
            if not passes_opening(item, bag.opening_mm):
                return QuickCheck(
                    "does_not_fit", f"the {item.name} cannot pass the {bag.opening_mm} mm opening", _NOT_PACKED
                )
    longest = max(bag.interior_mm)
    for item in soft:
        if item.sorted_mm[2] > longest:
            return QuickCheck(
                "does_not_fit", f"the {item.name} is longer than the bag even at its thinnest", _NOT_PACKED
            )
    result = pack(bag.interior_mm, rigid, budget_s=budget_s)
    if result.status == "undecided":
        return QuickCheck("undecided", "the exact packer ran out of time", result)
    if result.status == "does_not_fit":
        return QuickCheck("does_not_fit", result.proof.message if result.proof else "no packing exists", result)
    soft_ml = sum(item.squeezed_ml for item in soft)
    room = _soft_room(bag.usable_ml, rigid)
    if soft_ml > room:
        return QuickCheck("does_not_fit", f"the soft items need {soft_ml} ml; {room} ml is left", result)
    return QuickCheck("fits", "the exact packer found a packing", result)


_NOT_PACKED = PackResult("undecided", (), None, "bounds")


def screen_catalog(
    spaces: Sequence[BagSpace],
    items: Sequence[Item],
    *,
    check: CheckFit | None = None,
    max_engine_calls: int | None = None,
) -> ScreenResult:
    """Decide for every bag in ``spaces`` whether it takes ``items`` (see the module docstring).

    ``check`` decides what the prepass and dominance leave open
    (``quick_check`` by default). After ``max_engine_calls`` calls the bags
    still open are left "undecided" with ``decided_by="skipped"``, so a page
    can bound its time.
    """
    kit = tuple(items)
    bags = tuple(spaces)
    if not bags:
        return ScreenResult(kit, (), 0)
    screen = _Screen(bags, kit)
    screen.prepass()
    calls = screen.run_engine(check or quick_check, max_engine_calls)
    return ScreenResult(kit, screen.verdicts(), calls)


def _soft_room(usable_ml: int, rigid: Sequence[Item]) -> int:
    # check_fit's rule: soft things fill the usable volume less the rigid items' boxes (rounded up).
    rigid_ml = -(-sum(item.box_mm3 for item in rigid) // 1000)
    return max(0, usable_ml - rigid_ml)


# --------------------------------------------------------------------------- the work


class _Screen:
    """Arrays over all bags, and each bag's state as the steps decide it.

    A bag decided "fits" keeps how its packing can be built (``self.how``),
    not the packing itself: ``verdicts`` hands each verdict a builder that
    runs only if someone reads the placements.
    """

    def __init__(self, bags: tuple[BagSpace, ...], kit: tuple[Item, ...]) -> None:
        self.bags = bags
        self.kit = kit
        n = len(bags)
        interior = np.array([b.interior_mm for b in bags], dtype=np.int64).reshape(n, 3)
        # Each bag's sides largest first, and which interior axis holds each of them.
        self.order = np.argsort(-interior, axis=1, kind="stable")
        self.sorted = np.take_along_axis(interior, self.order, axis=1)
        self.box = self.sorted.prod(axis=1)
        self.usable = np.array([b.usable_ml for b in bags], dtype=np.int64)
        # No opening is the widest opening there is.
        self.opening = np.array([_NEVER if b.opening_mm is None else b.opening_mm for b in bags], dtype=np.int64)
        self.state = np.zeros(n, dtype=np.int8)
        self.decided_by: list[DecidedBy] = ["skipped"] * n
        self.asked = np.zeros(n, dtype=bool)
        self.reasons: list[str] = [""] * n
        # How a "fits" gets its placements: ("none",), ("given", placements),
        # ("column", axis, turns) or ("moved", source bag, source axis per sorted rank).
        self.how: list[tuple[object, ...] | None] = [None] * n
        self.answers: list[Decision | None] = [None] * n
        self.rigid = [item for item in kit if item.rigid]
        self.soft = [item for item in kit if not item.rigid]
        sides = np.array([item.sorted_mm for item in self.rigid], dtype=np.int64)
        self.rigid_sides: _I64 = sides.reshape(len(self.rigid), 3)

    # ---------------------------------------------------------------- prepass

    def prepass(self) -> None:
        self._too_big()
        self._too_much_volume()
        self._opening()
        self._soft()
        self._one_column()

    def _refuse(self, mask: npt.NDArray[np.bool_], reason: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask & (self.state == _OPEN)).tolist():
            self._decide(i, _NO, "prepass", reason(i))

    def _too_big(self) -> None:
        if not self.rigid:
            return
        # bag x item x side: an item fits some way round exactly when each sorted side fits.
        over: npt.NDArray[np.bool_] = np.any(self.rigid_sides[None, :, :] > self.sorted[:, None, :], axis=2)

        def reason(i: int) -> str:
            item = self.rigid[int(np.argmax(over[i]))]
            return (
                f"the {item.name} ({_mm(item.sorted_mm)}) is larger than the inside "
                f"({_mm(self.bags[i].interior_mm)}) whichever way it turns"
            )

        self._refuse(np.any(over, axis=1), reason)

    def _too_much_volume(self) -> None:
        rigid_mm3 = int(self.rigid_sides.prod(axis=1).sum()) if self.rigid else 0
        self._refuse(
            self.box < rigid_mm3,
            lambda i: (
                f"the rigid items' boxes take {-(-rigid_mm3 // 1000)} ml, more than the "
                f"{int(self.box[i]) // 1000} ml inside"
            ),
        )

    def _opening(self) -> None:
        if not self.rigid:
            return
        # An item goes in end first: its middle side must pass the opening.
        widest = int(self.rigid_sides[:, 1].max())
        self._refuse(
            self.opening < widest,
            lambda i: f"an item {widest} mm wide even end first cannot pass the {int(self.opening[i])} mm opening",
        )

    def _soft(self) -> None:
        if not self.soft:
            return
        thickest = max(item.sorted_mm[2] for item in self.soft)
        self._refuse(
            self.sorted[:, 0] < thickest,
            lambda i: f"a soft item is {thickest} mm even at its thinnest, longer than the bag",
        )
        soft_ml = sum(item.squeezed_ml for item in self.soft)
        rigid_ml = -(-int(self.rigid_sides.prod(axis=1).sum()) // 1000) if self.rigid else 0
        room = np.maximum(self.usable - rigid_ml, 0)
        self._refuse(
            room < soft_ml,
            lambda i: f"the soft items need {soft_ml} ml; {int(room[i])} ml is left beside the rigid items",
        )

    def _one_column(self) -> None:
        rows = np.flatnonzero(self.state == _OPEN)
        if rows.size == 0:
            return
        if not self.rigid:
            # Nothing to pack, and the soft items passed every check above.
            for row in rows.tolist():
                self._decide(row, _FITS, "prepass", "only soft items, and they fit the room", ("given", ()))
            return
        extents, turns = self._column_extents(self.sorted[rows])
        room = self.sorted[rows]  # stack axis s runs along the bag's sorted side s
        length = extents.sum(axis=2)  # rows x 3 stack axes
        fits = length <= room
        good = np.flatnonzero(fits.any(axis=1))
        axes = np.argmax(fits[good], axis=1)
        used = length[good, axes].tolist()
        wall = room[good, axes].tolist()
        for row, axis, mm, side in zip(good.tolist(), axes.tolist(), used, wall, strict=True):
            self._decide(
                int(rows[row]),
                _FITS,
                "prepass",
                f"all items lie stacked along one side: {mm} of {side} mm",
                ("column", axis, turns[row, axis]),
            )

    def _column_extents(self, sides: _I64) -> tuple[_I64, npt.NDArray[np.int8]]:
        """Per bag, stack axis s (a sorted side) and item: the item's least extent along s with its
        other two sides fitting across, and which of its sides lies along s (2 = thinnest,
        1 = middle, 0 = longest, -1 = none fits)."""
        x, y, z = sides[:, 0:1], sides[:, 1:2], sides[:, 2:3]
        a, b, c = self.rigid_sides[:, 0], self.rigid_sides[:, 1], self.rigid_sides[:, 2]
        extents = []
        turns = []
        # The cross-section left by stacking along s: its larger and its smaller side.
        for p, q in ((y, z), (x, z), (x, y)):
            along_c = (a <= p) & (b <= q)
            along_b = (a <= p) & (c <= q)
            along_a = (b <= p) & (c <= q)
            # c <= b <= a, so the first turn possible in this order is the thinnest.
            extents.append(np.where(along_c, c, np.where(along_b, b, np.where(along_a, a, _NEVER))))
            turns.append(np.where(along_c, 2, np.where(along_b, 1, np.where(along_a, 0, -1))).astype(np.int8))
        return np.stack(extents, axis=1), np.stack(turns, axis=1)

    def _column_placements(self, i: int, axis: int, turns: npt.NDArray[np.int8]) -> tuple[Placement, ...]:
        # Sorted side s of bag i is its interior axis order[i, s]; across the column the larger
        # side of the cross-section takes the item's larger remaining side.
        across = [s for s in range(3) if s != axis]
        to_axis = [int(self.order[i, s]) for s in (axis, across[0], across[1])]
        offset = 0
        out = []
        for item, sides, turn in zip(self.rigid, self.rigid_sides.tolist(), turns.tolist(), strict=True):
            rest = [sides[j] for j in range(3) if j != turn]
            size = [0, 0, 0]
            pos = [0, 0, 0]
            size[to_axis[0]], size[to_axis[1]], size[to_axis[2]] = sides[turn], rest[0], rest[1]
            pos[to_axis[0]] = offset
            offset += sides[turn]
            out.append(Placement(item.name, _t3(pos), _t3(size)))
        return tuple(out)

    # ---------------------------------------------------------------- engine and dominance

    def run_engine(self, check: CheckFit, max_calls: int | None) -> int:
        calls = 0
        while max_calls is None or calls < max_calls:
            rows = np.flatnonzero((self.state == _OPEN) & ~self.asked)
            if rows.size == 0:
                break
            # The open bag of median volume: each answer then settles about half of a chain.
            by_volume = rows[np.argsort(self.box[rows], kind="stable")]
            i = int(by_volume[by_volume.size // 2])
            self._take_answer(i, check(self.bags[i], self.kit))
            calls += 1
        for j in np.flatnonzero((self.state == _OPEN) & ~self.asked).tolist():
            self.reasons[j] = "not checked: the screening's engine budget ran out"
        return calls

    def _take_answer(self, i: int, answer: Decision) -> None:
        self.asked[i] = True
        self.answers[i] = answer
        if answer.verdict in ("fits", "tight"):
            placements = tuple(answer.pack.placements)
            self._decide(i, _FITS, "engine", answer.reason, ("given", placements))
            self._spread_fits(i, placements)
        elif answer.verdict == "does_not_fit":
            self._decide(i, _NO, "engine", answer.reason)
            self._spread_no(i)
        else:
            # The engine ran out of time: the bag stays open and is not asked again.
            self.decided_by[i] = "engine"
            self.reasons[i] = answer.reason

    def _spread_fits(self, i: int, placements: tuple[Placement, ...]) -> None:
        """Every open bag that holds the box around bag i's packing, turned some way, takes the kit.

        An open bag passed the prepass's opening and soft-item checks, so its
        answer is the rigid packing's; the packing, moved onto the bag's
        sides (its extents sorted against the bag's sorted sides), is valid there.
        """
        extent = [0, 0, 0]
        for p in placements:
            for a in range(3):
                extent[a] = max(extent[a], p.position_mm[a] + p.size_mm[a])
        axes = sorted(range(3), key=lambda a: (-extent[a], a))  # source axis per sorted rank
        need = np.array([extent[a] for a in axes], dtype=np.int64)
        larger = (self.sorted >= need).all(axis=1) & (self.state == _OPEN)
        rows = np.flatnonzero(larger).tolist()
        if not rows:
            return
        reason = (
            f"the packing found for the {self.bags[i].name} takes {_mm(_t3(need.tolist()))}, "
            "no larger on any side than this bag's inside"
        )
        how = ("moved", i, tuple(axes))
        for j in rows:
            self._decide(j, _FITS, "dominance", reason, how)

    def _spread_no(self, i: int) -> None:
        # Open bags passed the opening and soft-item checks: their answer is the rigid packing's,
        # and what does not pack in bag i packs in no bag that is no larger on every side.
        smaller = (self.sorted <= self.sorted[i]).all(axis=1) & (self.state == _OPEN)
        rows = np.flatnonzero(smaller).tolist()
        if not rows:
            return
        reason = f"the kit does not fit the {self.bags[i].name}, which is at least as large on every side"
        for j in rows:
            self._decide(j, _NO, "dominance", reason)

    # ---------------------------------------------------------------- placements, when asked for

    def placements(self, i: int) -> tuple[Placement, ...] | None:
        how = self.how[i]
        if how is None:
            return None
        if how[0] == "given":
            return how[1]  # type: ignore[return-value]
        if how[0] == "column":
            _, axis, turns = how
            return self._column_placements(i, axis, turns)  # type: ignore[arg-type]
        _, src, axes = how
        return self._moved(src, i, axes)  # type: ignore[arg-type]

    def _moved(self, src: int, dst: int, axes: tuple[int, ...]) -> tuple[Placement, ...] | None:
        """Bag ``src``'s placements turned onto bag ``dst``'s axes: the packing's r-th longest
        extent (along source axis ``axes[r]``) goes to the bag's r-th longest side."""
        placements = self.placements(src)
        if placements is None:
            return None
        target = [0, 0, 0]
        for rank, a in enumerate(axes):
            target[a] = int(self.order[dst, rank])
        out = []
        for p in placements:
            pos = [0, 0, 0]
            size = [0, 0, 0]
            for a in range(3):
                pos[target[a]] = p.position_mm[a]
                size[target[a]] = p.size_mm[a]
            out.append(Placement(p.name, _t3(pos), _t3(size)))
        return tuple(out)

    # ---------------------------------------------------------------- bookkeeping

    def _decide(
        self,
        i: int,
        state: int,
        by: DecidedBy,
        reason: str,
        how: tuple[object, ...] | None = None,
    ) -> None:
        self.state[i] = state
        self.decided_by[i] = by
        self.reasons[i] = reason
        self.how[i] = how

    def verdicts(self) -> tuple[BagVerdict, ...]:
        names: dict[int, Verdict] = {_FITS: "fits", _NO: "does_not_fit", _OPEN: "undecided"}
        out = []
        for i, (bag, state) in enumerate(zip(self.bags, self.state.tolist(), strict=True)):
            how = self.how[i]
            out.append(
                BagVerdict(
                    bag,
                    names[state],
                    self.decided_by[i],
                    self.reasons[i],
                    how[1] if how is not None and how[0] == "given" else None,  # type: ignore[arg-type]
                    self.answers[i],
                    build=None if how is None or how[0] == "given" else partial(self.placements, i),
                )
            )
        return tuple(out)


def _box_mm3(space: BagSpace) -> int:
    a, b, c = space.interior_mm
    return a * b * c


def _mm(dims: tuple[int, int, int]) -> str:
    return " x ".join(str(v) for v in dims) + " mm"


def _t3(values: list[int]) -> tuple[int, int, int]:
    return (values[0], values[1], values[2])
