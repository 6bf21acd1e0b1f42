"""A complete search for a packing: branch and bound over pairwise relative positions.

Any packing separates every pair of items along at least one axis: one item
ends before the other begins. The search fixes these relations ("i before j
along axis d", six options per pair) and the items' orientations, and keeps,
per item and axis, an earliest start ``lo`` and a latest end ``hi``
(bounds propagation over the chosen relations, as in a disjunctive
scheduling solver). With a set of relations fixed, putting every item at
its earliest start is the left-bottom-back justified packing those relations
allow: each coordinate is 0 or the far face of an item before it, i.e. a sum
of item sizes along the axis (a normal pattern in the sense of Herz and
Christofides-Whitlock, extended to 3D with all orientations). So a node is a
solution as soon as all orientations are fixed and no two items overlap at
their earliest starts; the search only branches on pairs that still overlap.

Why it is complete: every feasible packing satisfies, at each node, one of
the branches taken (it separates the branched pair one of the six ways, and
its orientation is one of the item's), and its coordinates satisfy every
bound the propagation derives, so the propagation never prunes the branch it
lies in. Options are removed only by two symmetry arguments, each of which
keeps at least one image of every packing:

* identical items may be relabelled so that their positions along the
  first axis are sorted, so "a later twin entirely before an earlier one
  along the first axis" is never needed;
* while no relation along axis d has been fixed, the node's set of packings
  is symmetric under mirroring the bag along d, so one of the two directions
  along d suffices for the pair branched on there.

Pruning at each node, all derived from the fixed relations: a chain of items
along an axis longer than the bag, an item whose window is shorter than its
least length, a pair with no separating option left (a pair with one option
left gets it fixed), and an orientation too long for the item's window. (A
timetable check on the items' compulsory parts was tried and dropped: on the
benchmark's hard cases it cost 30 % more time per node and saved almost no
nodes.)

The search is depth first with fail-first choices, in plain Python lists
copied per node (cheaper than undo trails at n <= 50); it counts nodes and
checks the clock, and reports "budget" rather than guess when either runs
out. CP-SAT (``cpsat.py``) is far stronger on the hardest cases thanks to
clause learning; this search earns its place by settling most of the
residue in a few milliseconds without loading OR-Tools.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from minipack.fit.problem import Dims, Layout, Problem

Outcome = Literal["fits", "does_not_fit", "budget"]

_POP = [bin(m).count("1") for m in range(64)]
_BIG = 1 << 40


@dataclass(slots=True)
class _Node:
    """One search node's mutable state; children get copies."""

    lo: list[int]  # earliest start, index i * 3 + axis
    hi: list[int]  # latest end
    ln: list[int]  # least length over the remaining orientations
    dom: list[int]  # bitmask of remaining orientations per item
    opts: list[int]  # bitmask of remaining separation options per pair (bit 2 * axis + dir)
    chosen: list[int]  # the fixed option per pair, -1 while open
    pristine: list[bool]  # per axis: no relation along it fixed yet (mirror symmetry still holds)

    def copy(self) -> _Node:
        return _Node(self.lo[:], self.hi[:], self.ln[:], self.dom[:], self.opts[:], self.chosen[:], self.pristine[:])


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A complete search's answer: a layout when it fits, and how many nodes it took (0 when not counted)."""

    outcome: Outcome
    layout: Layout | None
    nodes: int


class _Search:
    """The fixed data of one search (orientations, pairs) and the operations on its nodes."""

    def __init__(self, p: Problem) -> None:
        self.p = p
        n = self.n = p.n
        self.bag = p.bag
        self.ori: list[list[Dims]] = [p.orientations(i) for i in range(n)]
        self.first: list[int] = []
        self.second: list[int] = []
        self.pairs_of: list[list[tuple[int, int, bool]]] = [[] for _ in range(n)]
        self.weight: list[int] = []
        for i in range(n):
            for j in range(i + 1, n):
                pid = len(self.first)
                self.first.append(i)
                self.second.append(j)
                self.pairs_of[i].append((pid, j, True))
                self.pairs_of[j].append((pid, i, False))
                self.weight.append(p.volume(i) + p.volume(j))

    # ----------------------------------------------------------------- set-up

    def root(self) -> _Node | None:
        n, w = self.n, self.bag
        lo = [0] * (3 * n)
        hi = [w[0], w[1], w[2]] * n
        ln = [0] * (3 * n)
        dom = []
        for i in range(n):
            if not self.ori[i]:
                return None
            dom.append((1 << len(self.ori[i])) - 1)
            for axis in range(3):
                ln[3 * i + axis] = min(o[axis] for o in self.ori[i])
        opts = [63] * len(self.first)
        twins = False
        for pid, (i, j) in enumerate(zip(self.first, self.second, strict=True)):
            if self.p.dims[i] == self.p.dims[j]:
                # Twins sorted by position along axis 0: the later one never lies wholly before the earlier.
                opts[pid] &= ~0b10
                twins = True
        node = _Node(lo, hi, ln, dom, opts, [-1] * len(self.first), [not twins, True, True])
        if not self.propagate(node, list(range(n))):
            return None
        return node

    # ----------------------------------------------------------------- propagation

    def _filter_orientations(self, node: _Node, i: int) -> bool:
        """Drop orientations longer than item i's windows; refresh its least lengths. False if none is left."""
        b = 3 * i
        lo, hi = node.lo, node.hi
        s0, s1, s2 = hi[b] - lo[b], hi[b + 1] - lo[b + 1], hi[b + 2] - lo[b + 2]
        dm = node.dom[i]
        new = 0
        m0 = m1 = m2 = _BIG
        for k, o in enumerate(self.ori[i]):
            if dm >> k & 1:
                if o[0] <= s0 and o[1] <= s1 and o[2] <= s2:
                    new |= 1 << k
                    if o[0] < m0:
                        m0 = o[0]
                    if o[1] < m1:
                        m1 = o[1]
                    if o[2] < m2:
                        m2 = o[2]
        if not new:
            return False
        node.dom[i] = new
        ln = node.ln
        ln[b], ln[b + 1], ln[b + 2] = m0, m1, m2
        return True

    def propagate(self, node: _Node, queue: list[int]) -> bool:
        """Bounds propagation to a fixpoint from the items in ``queue``; False when the node is infeasible."""
        lo, hi, ln, opts, chosen = node.lo, node.hi, node.ln, node.opts, node.chosen
        pending = [False] * self.n
        for i in queue:
            pending[i] = True
        first = self.first
        while queue:
            i = queue.pop()
            pending[i] = False
            if not self._filter_orientations(node, i):
                return False
            for pid, j, i_first in self.pairs_of[i]:
                c = chosen[pid]
                if c < 0:
                    # Which separations are still possible: "a before b along d" needs
                    # a's earliest end plus b's least length within b's latest end.
                    m = opts[pid]
                    new = 0
                    a, b = (3 * i, 3 * j) if i_first else (3 * j, 3 * i)
                    if m & 1 and lo[a] + ln[a] + ln[b] <= hi[b]:
                        new = 1
                    if m & 2 and lo[b] + ln[b] + ln[a] <= hi[a]:
                        new |= 2
                    a += 1
                    b += 1
                    if m & 4 and lo[a] + ln[a] + ln[b] <= hi[b]:
                        new |= 4
                    if m & 8 and lo[b] + ln[b] + ln[a] <= hi[a]:
                        new |= 8
                    a += 1
                    b += 1
                    if m & 16 and lo[a] + ln[a] + ln[b] <= hi[b]:
                        new |= 16
                    if m & 32 and lo[b] + ln[b] + ln[a] <= hi[a]:
                        new |= 32
                    if not new:
                        return False
                    if new != m:
                        opts[pid] = new
                    if _POP[new] != 1:
                        continue
                    c = new.bit_length() - 1
                    chosen[pid] = c
                    node.pristine[c >> 1] = False
                # Enforce the fixed relation: before -> after along axis d.
                d = c >> 1
                f = first[pid]
                s = j if f == i else i
                before, after = (f, s) if c & 1 == 0 else (s, f)
                kb, ka = 3 * before + d, 3 * after + d
                start = lo[kb] + ln[kb]
                if start > lo[ka]:
                    lo[ka] = start
                    if start + ln[ka] > hi[ka]:
                        return False
                    if not pending[after]:
                        pending[after] = True
                        queue.append(after)
                end = hi[ka] - ln[ka]
                if end < hi[kb]:
                    hi[kb] = end
                    if lo[kb] + ln[kb] > end:
                        return False
                    if not pending[before]:
                        pending[before] = True
                        queue.append(before)
        return True

    # ----------------------------------------------------------------- search

    def choose(self, node: _Node) -> tuple[str, int] | Layout:
        """What to branch on: ("pair", id) for an overlapping pair, ("orient", item); or, if neither, the packing.

        Pairs overlapping at the earliest starts are the only ones that need
        a decision; among them the one with the fewest options left (fail
        first), the bulkiest on ties. A pair whose items are not yet turned
        is preceded by fixing the turn of its bigger open item.
        """
        lo, ln, opts, chosen = node.lo, node.ln, node.opts, node.chosen
        first, second, weight = self.first, self.second, self.weight
        best, best_key = -1, (99, 0)
        for pid in range(len(first)):
            if chosen[pid] >= 0:
                continue
            a, b = 3 * first[pid], 3 * second[pid]
            if (
                lo[a] < lo[b] + ln[b]
                and lo[b] < lo[a] + ln[a]
                and lo[a + 1] < lo[b + 1] + ln[b + 1]
                and lo[b + 1] < lo[a + 1] + ln[a + 1]
                and lo[a + 2] < lo[b + 2] + ln[b + 2]
                and lo[b + 2] < lo[a + 2] + ln[a + 2]
            ):
                key = (_POP[opts[pid]], -weight[pid])
                if key < best_key:
                    best, best_key = pid, key
        dom = node.dom
        if best >= 0:
            for item in (first[best], second[best]):
                if _POP[dom[item]] != 1:
                    return ("orient", item)
            return ("pair", best)
        for item in range(self.n):
            if _POP[dom[item]] != 1:
                return ("orient", item)
        return [
            ((lo[3 * i], lo[3 * i + 1], lo[3 * i + 2]), (ln[3 * i], ln[3 * i + 1], ln[3 * i + 2]))
            for i in range(self.n)
        ]

    def pair_options(self, node: _Node, pid: int) -> list[int]:
        """The pair's remaining separations, roomiest first; on a still-symmetric axis only one direction."""
        lo, hi, ln = node.lo, node.hi, node.ln
        i, j = self.first[pid], self.second[pid]
        m = node.opts[pid]
        scored = []
        for c in range(6):
            if not m >> c & 1:
                continue
            d = c >> 1
            if c & 1 and node.pristine[d]:
                continue  # the mirror image of option c - 1 along a still-symmetric axis
            before, after = (i, j) if c & 1 == 0 else (j, i)
            kb, ka = 3 * before + d, 3 * after + d
            scored.append((lo[kb] + ln[kb] + ln[ka] - hi[ka], c))
        scored.sort()
        return [c for _, c in scored]

    def orient_options(self, node: _Node, item: int) -> list[int]:
        """The item's remaining orientations, the one leaving most room in its windows first."""
        b = 3 * item
        lo, hi = node.lo, node.hi
        scored = []
        for k, o in enumerate(self.ori[item]):
            if node.dom[item] >> k & 1:
                slack = min(hi[b] - lo[b] - o[0], hi[b + 1] - lo[b + 1] - o[1], hi[b + 2] - lo[b + 2] - o[2])
                scored.append((-slack, k))
        scored.sort()
        return [k for _, k in scored]

    def child(self, node: _Node, kind: str, target: int, option: int) -> _Node | None:
        """The node with one more decision, propagated; None if that decision is impossible."""
        new = node.copy()
        if kind == "pair":
            new.chosen[target] = option
            new.opts[target] = 1 << option
            new.pristine[option >> 1] = False
            queue = [self.first[target], self.second[target]]
        else:
            new.dom[target] = 1 << option
            b = 3 * target
            new.ln[b], new.ln[b + 1], new.ln[b + 2] = self.ori[target][option]
            queue = [target]
        return new if self.propagate(new, queue) else None


def branch_and_bound(p: Problem, *, max_nodes: int = 200_000, deadline: float | None = None) -> SearchResult:
    """Decide ``p`` exactly: "fits" with a layout, "does_not_fit" after an exhaustive search, or "budget".

    ``max_nodes`` counts decisions tried (each a propagation); the clock is
    read every 32 of them.
    """
    search = _Search(p)
    root = search.root()
    if root is None:
        return SearchResult("does_not_fit", None, 1)
    # Depth first; children are propagated only when taken off the stack, so a
    # branch that finds a packing never pays for its untried siblings.
    stack: list[tuple[_Node, str, int, int]] = []
    nodes = 1
    node: _Node | None = root
    while True:
        if node is not None:
            decision = search.choose(node)
            if isinstance(decision, list):
                return SearchResult("fits", decision, nodes)
            kind, target = decision
            options = search.pair_options(node, target) if kind == "pair" else search.orient_options(node, target)
            stack.extend((node, kind, target, option) for option in reversed(options))
        if not stack:
            return SearchResult("does_not_fit", None, nodes)
        if nodes >= max_nodes or (deadline is not None and nodes % 32 == 0 and time.perf_counter() > deadline):
            return SearchResult("budget", None, nodes)
        parent, kind, target, option = stack.pop()
        nodes += 1
        node = search.child(parent, kind, target, option)
