"""The fit engine's front door: ``pack`` for rigid items, ``check_fit`` for a whole kit and a bag.

``pack`` runs a pipeline of stages, cheapest first, and stops at the first
that decides:

1. "bounds": an item too big, the total volume, a pair that cannot sit side
   by side (``bounds.cheap_proof``);
2. "layout": a stack of flat-lying items, or one extreme-point pass
   (``heuristic.quick_layout``); most real kits stop here;
3. "bounds" again: dual-feasible-function bounds (``bounds.dff_proof``);
4. "heuristic": more extreme-point passes and short backtracking searches
   (``heuristic.heuristic_layout``);
5. "branch_and_bound": the complete search of ``exact.py``, with a node
   budget (``BNB_MAX_NODES``) and a share of the time budget;
6. "cp_sat": if that budget ran out, the complete CP-SAT model of
   ``cpsat.py`` with the rest of ``budget_s``. If it too runs out, the answer
   is "undecided": never a guess.

Stages 1-5 never read the clock except the branch and bound's share, and
CP-SAT runs single-threaded with a fixed seed, so a decided answer is
reproducible; only whether a very hard case is decided within ``budget_s``
depends on the machine. The first question that reaches CP-SAT imports
OR-Tools (about 0.4 s, once per process; not counted in ``budget_s``); a
long-running process or a benchmark can pay it up front with
``import minipack.fit.cpsat``.

Every "fits" is re-checked by ``validate.validate_placements`` before it is
returned; a layout that fails the check (a bug) is discarded and the next
stage runs. The input is first put in canonical form (``problem.Problem``:
bag sides sorted, items sorted), so the answer depends neither on the
order of the items nor on which way round the bag's sides are given, and the
same question always gets the same placements.

``check_fit`` adds what a shopper's question has beyond rigid packing:

* the opening: a rigid item passes a zip or slot of length ``opening_mm``
  when its middle side is at most that long (it goes in end first; the
  opening gapes enough for its thinnest side);
* soft items (``rigid=False``) are not packed: they squeeze into the room
  the rigid items leave, which is the bag's ``usable_ml`` minus the rigid
  items' box volumes (a box, not the item's true shape: the corners around
  a bottle are counted as taken, which errs on the side of "does not fit").
  A soft item whose shortest side is longer than the bag's longest inside
  side still cannot go in;
* "tight": everything fits, but would not fit in the same bag made
  ``tight_margin`` (5 %) smaller on every side: each interior side 5 %
  shorter (rounded down), the usable volume shrunk by the same factor cubed
  (so soft items filling nearly all the room left are tight too), the opening
  unchanged. If that smaller question is undecided the answer is "tight",
  since no room to spare was shown;
* ``remove_to_fit``: the fewest items to leave out so the rest fits, found
  by trying sets of 1, 2, 3... items, bulkiest sets first, skipping any set
  that leaves a known conflict (a pair, or a bound's items) whole. The search
  is bounded (``REMOVE_MAX_CHECKS`` questions, ``REMOVE_BUDGET_S``); past the
  bound it falls back to leaving out the fewest of the bulkiest items (by
  bisection), which fits but may not be the fewest overall.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

from minipack.errors import FitError
from minipack.fit.bounds import cheap_proof, dff_proof
from minipack.fit.exact import branch_and_bound
from minipack.fit.heuristic import heuristic_layout, quick_layout
from minipack.fit.model import (
    MAX_ITEMS,
    TIGHT_MARGIN,
    BagSpace,
    Dims,
    FitResult,
    Item,
    PackResult,
    PackStatus,
    Placement,
    Proof,
    Stage,
    check_dims,
)
from minipack.fit.problem import Layout, Problem
from minipack.fit.validate import validate_placements

# The branch and bound's budget: about 25 microseconds a node, so 300 nodes is
# under 10 ms. On the benchmark's hard residue it settles about 70 % of cases
# in that; past it, CP-SAT (clause learning) is faster than more nodes. The
# time share only matters for tiny budgets.
BNB_MAX_NODES = 300
BNB_SHARE = 0.3

# remove_to_fit is a bounded search: at most this many pack questions, this
# long in all, each with this budget (an undecided subset counts as not fitting).
REMOVE_MAX_CHECKS = 400
REMOVE_BUDGET_S = 3.0
REMOVE_PACK_BUDGET_S = 0.25
REMOVE_MAX_SUBSETS = 20_000  # sets of one size ranked at once; beyond, the greedy fallback

# tight: the smaller question gets at most this budget.
TIGHT_BUDGET_S = 1.0


# --------------------------------------------------------------------------- pack


def _canonical(interior: Dims, items: Sequence[Item]) -> tuple[Problem, list[int], list[int]]:
    """The canonical problem, the caller's axis for each canonical axis, and the caller's index for each item."""
    axes = sorted(range(3), key=lambda a: (-interior[a], a))
    bag = (interior[axes[0]], interior[axes[1]], interior[axes[2]])
    sides = [item.sorted_mm for item in items]
    order = sorted(
        range(len(items)),
        key=lambda k: (-sides[k][0] * sides[k][1] * sides[k][2], [-v for v in sides[k]], items[k].name, k),
    )
    problem = Problem(bag, tuple(items[k].name for k in order), tuple(sides[k] for k in order))
    return problem, axes, order


def _placements(items: Sequence[Item], layout: Layout, axes: list[int], order: list[int]) -> tuple[Placement, ...]:
    """Map a canonical layout back to the caller's axes, one placement per item in the caller's order."""
    out: list[Placement | None] = [None] * len(items)
    for (pos, size), k in zip(layout, order, strict=True):
        p, s = [0, 0, 0], [0, 0, 0]
        for c in range(3):
            p[axes[c]] = pos[c]
            s[axes[c]] = size[c]
        out[k] = Placement(items[k].name, (p[0], p[1], p[2]), (s[0], s[1], s[2]))
    return tuple(pl for pl in out if pl is not None)


def _check_items(items: Sequence[Item]) -> None:
    if len(items) > MAX_ITEMS:
        raise FitError(f"at most {MAX_ITEMS} items can be checked at once, got {len(items)}")
    for item in items:
        if not isinstance(item, Item):
            raise FitError(f"expected an Item, got {type(item).__name__}")


def pack(interior_mm: Dims, items: Sequence[Item], *, budget_s: float = 5.0) -> PackResult:
    """Decide whether rigid ``items`` fit in a box of ``interior_mm``, each in any orientation; see the module doc.

    ``budget_s`` bounds the complete searches; cheap cases take well under a
    millisecond whatever it is. Raises ``FitError`` for a bad interior, a soft
    item, more than ``MAX_ITEMS`` items or a budget that is not positive.
    """
    interior = check_dims(interior_mm, "interior")
    _check_items(items)
    soft = [item.name for item in items if not item.rigid]
    if soft:
        raise FitError(f"pack() places rigid items only; use check_fit for soft ones: {', '.join(soft)}")
    if not budget_s > 0:
        raise FitError(f"the budget must be positive, got {budget_s!r}")
    deadline = time.perf_counter() + budget_s
    problem, axes, order = _canonical(interior, items)
    if problem.n == 0:
        return PackResult("fits", (), None, "layout")

    def accept(layout: Layout | None, stage: Stage) -> PackResult | None:
        if layout is None:
            return None
        placements = _placements(items, layout, axes, order)
        if validate_placements(interior, items, placements):
            return None  # a solver bug: never hand out a packing the validator refuses
        return PackResult("fits", placements, None, stage)

    proof = cheap_proof(problem)
    if proof is not None:
        return PackResult("does_not_fit", (), proof, "bounds")
    done = accept(quick_layout(problem), "layout")
    if done is not None:
        return done
    proof = dff_proof(problem)
    if proof is not None:
        return PackResult("does_not_fit", (), proof, "bounds")
    done = accept(heuristic_layout(problem), "heuristic")
    if done is not None:
        return done

    start = time.perf_counter()
    searched = branch_and_bound(problem, max_nodes=BNB_MAX_NODES, deadline=start + BNB_SHARE * (deadline - start))
    if searched.outcome == "fits":
        done = accept(searched.layout, "branch_and_bound")
        if done is not None:
            return done
    elif searched.outcome == "does_not_fit":
        return PackResult(
            "does_not_fit", (), _exhausted(problem, "branch_and_bound", searched.nodes), "branch_and_bound"
        )

    from minipack.fit.cpsat import cp_sat  # OR-Tools takes ~0.4 s to load: only when a hard case needs it

    solved = cp_sat(problem, time_limit_s=deadline - time.perf_counter(), workers=1)
    if solved.outcome == "fits":
        done = accept(solved.layout, "cp_sat")
        if done is not None:
            return done
    elif solved.outcome == "does_not_fit":
        return PackResult("does_not_fit", (), _exhausted(problem, "cp_sat", 0), "cp_sat")
    return PackResult("undecided", (), None, "cp_sat")


def _exhausted(p: Problem, method: str, nodes: int) -> Proof:
    how = (
        f"a complete branch-and-bound search over every orientation and relative position ({nodes:,} cases)"
        if method == "branch_and_bound"
        else "a complete constraint-programming search (OR-Tools CP-SAT) over every orientation and position"
    )
    bag = " x ".join(map(str, p.bag))
    shown = list(p.names[:8]) + ([f"{p.n - 8} more"] if p.n > 8 else [])
    message = (
        f"No arrangement of the {_plain(shown)} fits the {bag} mm interior: {how} found none, "
        "although no single simple rule (size, volume, a clashing pair) rules it out."
    )
    return Proof("exhaustive_search", message, p.names, method)


# --------------------------------------------------------------------------- check_fit


def passes_opening(item: Item, opening_mm: int) -> bool:
    """Whether ``item`` goes through a slot of ``opening_mm``: its middle side is at most that long."""
    return item.sorted_mm[1] <= opening_mm


def _shrunk(bag: BagSpace, per_mille: int) -> BagSpace:
    keep = 1000 - per_mille
    a, b, c = (max(1, side * keep // 1000) for side in bag.interior_mm)
    return BagSpace(bag.name, (a, b, c), bag.usable_ml * keep**3 // 1000**3, bag.opening_mm)


def _rigid_ml(items: Sequence[Item]) -> int:
    return -(-sum(item.box_mm3 for item in items if item.rigid) // 1000)


def _plain(names: Sequence[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one bag-and-kit question came to, before it is dressed as a ``FitResult``."""

    status: PackStatus
    pack: PackResult
    proof: Proof | None
    soft_ml: int
    soft_room_ml: int


def _decide(bag: BagSpace, items: Sequence[Item], budget_s: float) -> _Outcome:
    """Opening, rigid packing, soft items too big, soft room: the first that fails is the answer."""
    rigid = [item for item in items if item.rigid]
    soft = [item for item in items if not item.rigid]
    soft_ml = sum(item.squeezed_ml for item in soft)
    room = max(0, bag.usable_ml - _rigid_ml(rigid))
    if bag.opening_mm is not None:
        for item in sorted(rigid, key=lambda it: (-it.sorted_mm[1], it.name)):
            if not passes_opening(item, bag.opening_mm):
                a, b, c = item.sorted_mm
                message = (
                    f"The {item.name} ({a} x {b} x {c} mm) cannot pass the {bag.opening_mm} mm opening: "
                    f"even end first it needs a {b} mm wide gap."
                )
                proof = Proof("opening", message, (item.name,))
                # The rigid part cannot get in, whatever the interior would allow.
                return _Outcome("does_not_fit", PackResult("does_not_fit", (), proof, "bounds"), proof, soft_ml, room)
    result = pack(bag.interior_mm, rigid, budget_s=budget_s)
    if result.status != "fits":
        return _Outcome(result.status, result, result.proof, soft_ml, room)
    longest = max(bag.interior_mm)
    for item in sorted(soft, key=lambda it: (-it.sorted_mm[2], it.name)):
        if item.sorted_mm[2] > longest:
            message = (
                f"The {item.name} is {item.sorted_mm[2]} mm across even at its thinnest, longer than the "
                f"bag's longest inside side ({longest} mm), so squeezing does not help."
            )
            return _Outcome("does_not_fit", result, Proof("item_too_big", message, (item.name,)), soft_ml, room)
    if soft_ml > room:
        message = (
            f"The soft items ({_plain([it.name for it in soft])}) need {soft_ml:,} ml squeezed, but only "
            f"{room:,} ml of the bag's {bag.usable_ml:,} ml is left beside the rigid items."
        )
        names = tuple(it.name for it in soft)
        return _Outcome("does_not_fit", result, Proof("soft_volume", message, names), soft_ml, room)
    return _Outcome("fits", result, None, soft_ml, room)


def check_fit(
    bag: BagSpace, items: Sequence[Item], *, tight_margin: float = TIGHT_MARGIN, budget_s: float = 5.0
) -> FitResult:
    """Does the kit go in the bag? A verdict, its evidence, and what to leave out if not; see the module doc.

    ``budget_s`` is the rigid packing's budget; the "tight" question gets at
    most ``TIGHT_BUDGET_S`` and ``remove_to_fit`` its own bound, so a kit at
    the very limit can take some seconds, an ordinary one milliseconds.
    """
    if not isinstance(bag, BagSpace):
        raise FitError(f"expected a BagSpace, got {type(bag).__name__}")
    _check_items(items)
    if not 0 <= tight_margin < 1:
        raise FitError(f"tight_margin must be a share between 0 and 1, got {tight_margin!r}")
    outcome = _decide(bag, items, budget_s)
    if outcome.status == "fits":
        per_mille = round(tight_margin * 1000)
        smaller = _decide(_shrunk(bag, per_mille), items, min(budget_s, TIGHT_BUDGET_S)) if per_mille else None
        if smaller is not None and smaller.status != "fits":
            reason = (
                f"Everything fits in the {bag.name}, but only just: it would not in a bag "
                f"{per_mille / 10:g} % smaller on every side."
            )
            return FitResult("tight", outcome.pack, outcome.soft_ml, outcome.soft_room_ml, reason, None, None)
        reason = f"Everything fits in the {bag.name}, with room to spare."
        return FitResult("fits", outcome.pack, outcome.soft_ml, outcome.soft_room_ml, reason, None, None)
    if outcome.status == "undecided":
        reason = (
            f"We could not settle whether this kit fits the {bag.name} within the time allowed: "
            "it is right at the limit."
        )
        return FitResult("undecided", outcome.pack, outcome.soft_ml, outcome.soft_room_ml, reason, None, None)
    assert outcome.proof is not None  # every "does_not_fit" carries its proof
    remove = remove_to_fit(bag, items)
    reason = outcome.proof.message
    if remove:
        reason = f"{reason} Leave out the {_plain(remove)} and the rest fits."
    return FitResult("does_not_fit", outcome.pack, outcome.soft_ml, outcome.soft_room_ml, reason, outcome.proof, remove)


def remove_to_fit(bag: BagSpace, items: Sequence[Item]) -> tuple[str, ...] | None:
    """The fewest items to leave out so the rest fits (bounded search; see the module doc), or None if all fit."""
    return _Remover(bag, items).run()


class _Remover:
    """The bounded search behind ``remove_to_fit``, with what it learns from each failed question."""

    def __init__(self, bag: BagSpace, items: Sequence[Item]) -> None:
        self.bag, self.items = bag, list(items)
        self.started = time.perf_counter()
        self.checks = 0
        names = [item.name for item in items]
        # Proofs name items; with repeated names they cannot be mapped back to one item.
        self.index = {name: k for k, name in enumerate(names)} if len(set(names)) == len(names) else None
        self.bulk = [item.box_mm3 if item.rigid else 1000 * item.squeezed_ml for item in items]
        # Sets of items at least one of which must go (a pair, a bound's items): learnt from failures.
        self.conflicts: list[frozenset[int]] = []

    def out_of_budget(self) -> bool:
        return self.checks >= REMOVE_MAX_CHECKS or time.perf_counter() - self.started > REMOVE_BUDGET_S

    def fits_without(self, removed: set[int]) -> bool:
        self.checks += 1
        kept = [item for k, item in enumerate(self.items) if k not in removed]
        outcome = _decide(self.bag, kept, REMOVE_PACK_BUDGET_S)
        if outcome.status == "fits":
            return True
        proof = outcome.proof
        # These proofs stay true while all their items stay in: one of those must go.
        if self.index is not None and proof is not None and proof.kind in _LOCAL_PROOFS:
            self.conflicts.append(frozenset(self.index[name] for name in proof.items))
        return False

    def label(self, removed: set[int]) -> tuple[str, ...]:
        """Names of the removed items, bulkiest first."""
        order = sorted(removed, key=lambda k: (-self.bulk[k], self.items[k].name, k))
        return tuple(self.items[k].name for k in order)

    def run(self) -> tuple[str, ...] | None:
        bag_sides = sorted(self.bag.interior_mm, reverse=True)
        forced: set[int] = set()
        for k, item in enumerate(self.items):
            a, b, c = item.sorted_mm
            if item.rigid:
                alone = a <= bag_sides[0] and b <= bag_sides[1] and c <= bag_sides[2]
                through = self.bag.opening_mm is None or passes_opening(item, self.bag.opening_mm)
                if not (alone and through):
                    forced.add(k)
            elif c > bag_sides[0]:
                forced.add(k)
        free = [k for k in range(len(self.items)) if k not in forced]
        if self.fits_without(forced):
            return self.label(forced) if forced else None
        for count in range(1, len(free) + 1):
            if comb(len(free), count) > REMOVE_MAX_SUBSETS:
                break
            ranked = sorted(
                combinations(free, count),
                key=lambda s: (-sum(self.bulk[k] for k in s), [self.items[k].name for k in s]),
            )
            for subset in ranked:
                chosen = forced | set(subset)
                if any(not conflict & chosen for conflict in self.conflicts) or not self.roomy(chosen):
                    continue
                if self.out_of_budget():
                    return self.greedy(forced, free)
                if self.fits_without(chosen):
                    return self.label(chosen)
        return self.greedy(forced, free)

    def roomy(self, removed: set[int]) -> bool:
        """The volume checks of ``pack`` and ``_decide``, redone in O(n) so hopeless sets cost no question."""
        rigid_mm3 = sum(it.box_mm3 for k, it in enumerate(self.items) if it.rigid and k not in removed)
        soft_ml = sum(it.squeezed_ml for k, it in enumerate(self.items) if not it.rigid and k not in removed)
        a, b, c = self.bag.interior_mm
        if rigid_mm3 > a * b * c:
            return False
        return soft_ml <= max(0, self.bag.usable_ml - -(-rigid_mm3 // 1000))

    def greedy(self, forced: set[int], free: list[int]) -> tuple[str, ...]:
        """Past the search bound: leave out the k bulkiest items, the least k that is shown to fit.

        Leaving out more never hurts, so k is found by bisection: about
        log2(n) questions. Leaving out everything always fits.
        """
        bulkiest = sorted(free, key=lambda k: (-self.bulk[k], self.items[k].name, k))
        lo, hi = 0, len(bulkiest)  # lo: not shown to fit; hi: fits
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.fits_without(forced | set(bulkiest[:mid])):
                hi = mid
            else:
                lo = mid
        return self.label(forced | set(bulkiest[:hi]))


_LOCAL_PROOFS = ("pair_conflict", "dff_bound", "item_too_big", "opening")
