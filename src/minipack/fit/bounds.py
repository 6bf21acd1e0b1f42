"""Proofs that a kit cannot fit, found without searching.

Four arguments, cheapest first; each returns a ``Proof`` a shopper can check
by hand, or None:

* ``item_too_big``: an item's sorted sides against the bag's sorted sides
  (an item fits alone in some orientation exactly when its longest side fits
  the longest side, its middle side the middle side, its shortest the
  shortest);
* ``volume``: the items' box volumes add up to more than the interior;
* ``pair_conflict``: two items that cannot sit side by side along any axis,
  whatever their orientations. For a given axis the two orientations can be
  chosen independently, so it is enough to know, per item and axis, the least
  length it can take along that axis while fitting the bag (``thinnest``):
  the pair conflicts when those least lengths overflow every axis;
* ``dff_bound``: dual-feasible functions (Fekete & Schepers 2004; Carlier,
  Clautiaux & Moukrim 2007). A DFF f maps lengths (as shares of a side) so
  that lengths that fit side by side still fit after mapping; applying one
  per axis to a feasible packing gives a feasible packing of the mapped
  boxes, whose volume is then at most the bag's. Each item contributes its
  least mapped volume over its orientations, so the bound holds whatever
  orientations a packing uses. All arithmetic is on integers (each function
  value is a numerator over a per-function denominator), so no float decides.

The first three cost O(n^2) plain comparisons and run on every question; the
DFF bound uses numpy over a few hundred function combinations and runs only
when the cheap layouts have not already shown a fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Literal

import numpy as np
import numpy.typing as npt

from minipack.fit.model import Proof
from minipack.fit.problem import Dims, Problem, thinnest_along

IntArray = npt.NDArray[np.int64]


def _mm(d: Dims) -> str:
    return " x ".join(str(v) for v in d)


def cheap_proof(p: Problem) -> Proof | None:
    """Item too big, total volume, or a pair conflict; None when none of them applies."""
    return too_big_proof(p) or volume_proof(p) or pair_proof(p)


def too_big_proof(p: Problem) -> Proof | None:
    w0, w1, w2 = p.bag
    for name, (a, b, c) in zip(p.names, p.dims, strict=True):
        if a <= w0 and b <= w1 and c <= w2:
            continue
        if a > w0:
            why = f"its longest side, {a} mm, is longer than the bag's longest inside length, {w0} mm"
        elif b > w1:
            why = (
                f"its two longest sides ({a} and {b} mm) need a face larger than the bag's "
                f"largest inside face ({w0} x {w1} mm)"
            )
        else:
            why = f"even lying on its flattest side it is {c} mm thick, more than the bag's {w2} mm"
        message = (
            f"The {name} ({_mm((a, b, c))} mm) does not go into the {_mm(p.bag)} mm interior "
            f"however it is turned: {why}."
        )
        return Proof("item_too_big", message, (name,))
    return None


def volume_proof(p: Problem) -> Proof | None:
    w0, w1, w2 = p.bag
    bag_mm3 = w0 * w1 * w2
    total = sum(a * b * c for a, b, c in p.dims)
    if total <= bag_mm3:
        return None
    need_ml, have_ml = -(-total // 1000), bag_mm3 // 1000
    message = (
        f"Together the {p.n} items take {need_ml:,} ml as boxes, more than the {have_ml:,} ml "
        f"of the {_mm(p.bag)} mm interior, however they are arranged."
    )
    return Proof("volume", message, p.names)


def thinnest(p: Problem) -> list[tuple[int, int, int]]:
    """Per item, the least length it can take along each axis while fitting the bag (0 if it cannot)."""
    out = []
    for d in p.dims:
        lengths = [0, 0, 0]
        for axis in range(3):
            o = thinnest_along(d, p.bag, axis)
            lengths[axis] = 0 if o is None else o[axis]
        out.append((lengths[0], lengths[1], lengths[2]))
    return out


def pair_proof(p: Problem, least: list[tuple[int, int, int]] | None = None) -> Proof | None:
    w0, w1, w2 = p.bag
    least = thinnest(p) if least is None else least
    n = p.n
    for i in range(n):
        a0, a1, a2 = least[i]
        for j in range(i + 1, n):
            b0, b1, b2 = least[j]
            if a0 + b0 > w0 and a1 + b1 > w1 and a2 + b2 > w2:
                ni, nj = p.names[i], p.names[j]
                message = (
                    f"The {ni} ({_mm(p.dims[i])} mm) and the {nj} ({_mm(p.dims[j])} mm) cannot sit side by "
                    f"side in the {_mm(p.bag)} mm interior, however they are turned: the least room they "
                    f"need together is {a0 + b0} mm along the {w0} mm side, {a1 + b1} mm along the "
                    f"{w1} mm side and {a2 + b2} mm along the {w2} mm side."
                )
                return Proof("pair_conflict", message, (ni, nj))
    return None


# --------------------------------------------------------------------------- dual-feasible functions


_PERMS = np.array(list(permutations(range(3))), dtype=np.intp)
_PART = {1: "whole", 2: "half", 3: "third", 4: "quarter", 5: "fifth", 6: "sixth", 7: "seventh", 8: "eighth"}
DffKind = Literal["identity", "u", "U", "phi", "ccm"]


@dataclass(frozen=True, slots=True)
class _Dff:
    """One dual-feasible function on a side of length ``side``: a length x maps to ``num(x) / den``.

    * identity: x itself;
    * u (Fekete-Schepers u^(k), k = ``param``): x if (k + 1) x / side is whole,
      else floor((k + 1) x / side) / k of the side;
    * U (Fekete-Schepers U^(e), e = ``param`` <= side / 2): the whole side
      above side - e, nothing below e, x in between;
    * phi (Fekete-Schepers phi^(e)): slots of e, F = floor(side / e) of them;
      above half the side, F - floor((side - x) / e) slots, else one slot
      from e up;
    * ccm (Carlier-Clautiaux-Moukrim f^(k), k = ``param``): x rounded to
      multiples of k, up above half the side, down below.
    """

    kind: DffKind
    side: int
    param: int = 0

    @property
    def den(self) -> int:
        w, k, kind = self.side, self.param, self.kind
        if kind == "u":
            return w * k
        if kind == "phi":
            return w // max(k, 1)
        if kind == "ccm":
            return 2 * (w // max(k, 1))
        return w  # identity and U

    def num(self, x: IntArray) -> IntArray:
        w, k = self.side, self.param
        if self.kind == "identity":
            return x
        if self.kind == "u":
            return np.where(((k + 1) * x) % w == 0, x * k, ((k + 1) * x // w) * w)
        if self.kind == "U":
            return np.where(x > w - k, w, np.where(x >= k, x, 0))
        if self.kind == "phi":
            return np.where(2 * x > w, w // k - (w - x) // k, np.where(x >= k, 1, 0))
        q = w // k
        return np.where(2 * x > w, 2 * (q - (w - x) // k), np.where(2 * x == w, q, 2 * (x // k)))

    @property
    def words(self) -> str:
        w, k = self.side, self.param
        along = f"along the {w} mm side"
        if self.kind == "identity":
            return f"{along}, true lengths"
        if self.kind == "u" and k == 1:
            return f"{along}, anything longer than half counts as the whole side and anything shorter as nothing"
        if self.kind == "u":
            return f"{along}, each whole {_PART[k + 1]} of it that a thing spans counts as a {_PART[k]}"
        if self.kind == "U":
            return (
                f"{along}, anything longer than {w - k} mm counts as the whole side "
                f"and anything shorter than {k} mm as nothing"
            )
        if self.kind == "phi":
            return f"{along}, things at least {k} mm long take whole {k} mm slots (at most {w // k} fit)"
        return (
            f"{along}, lengths rounded to multiples of {k} mm, up for things over half the side and down for the rest"
        )


def _family(side: int, lengths: list[int], k_max: int = 6, e_max: int = 40) -> list[_Dff]:
    """The candidate DFFs for one side: identity, u^(1..k_max), and U, phi and CCM per parameter e.

    Parameters e are taken from the items' own lengths up to half the side,
    where these functions change value; a long list is thinned evenly, since
    any subset still gives a valid bound.
    """
    out = [_Dff("identity", side)] + [_Dff("u", side, k) for k in range(1, k_max + 1)]
    small = sorted({v for v in lengths if 1 <= v and 2 * v <= side})
    if len(small) > e_max:
        step = len(small) / e_max
        small = sorted({small[int(i * step)] for i in range(e_max)} | {small[-1]})
    for e in small:
        out += [_Dff("U", side, e), _Dff("phi", side, e), _Dff("ccm", side, e)]
    return out


def _nums(family: list[_Dff], x: IntArray) -> IntArray:
    """``f.num(x)`` for every function f of one side's family at once: shape (functions,) + x.shape."""
    w = family[0].side
    out = np.empty((len(family),) + x.shape, dtype=np.int64)
    by_kind: dict[str, list[int]] = {}
    for index, f in enumerate(family):
        by_kind.setdefault(f.kind, []).append(index)
    pad = (1,) * x.ndim
    for kind, rows in by_kind.items():
        k = np.array([family[r].param for r in rows], dtype=np.int64).reshape((len(rows),) + pad)
        if kind == "identity":
            out[rows] = x
        elif kind == "u":
            out[rows] = np.where(((k + 1) * x) % w == 0, x * k, ((k + 1) * x // w) * w)
        elif kind == "U":
            out[rows] = np.where(x > w - k, w, np.where(x >= k, x, 0))
        elif kind == "phi":
            out[rows] = np.where(2 * x > w, w // k - (w - x) // k, np.where(x >= k, 1, 0))
        else:
            q = w // k
            out[rows] = np.where(2 * x > w, 2 * (q - (w - x) // k), np.where(2 * x == w, q, 2 * (x // k)))
    return out


def dff_proof(p: Problem, *, top: int = 8) -> Proof | None:
    """A dual-feasible-function bound above 1, or None.

    First every function is tried on one axis with true lengths on the
    other two; then the ``top`` best per axis are combined over all three.
    Both steps are vectorised over the functions; the first combination
    found is the one a loop in that order would find.
    """
    if p.n < 2:
        return None
    # lengths[i, o, axis] over the six turns of each item; a turn that does not fit the bag is
    # replaced by the item's first one that does (repeats leave every minimum unchanged).
    turns = np.array(p.dims, dtype=np.int64)[:, _PERMS]
    fit: npt.NDArray[np.bool_] = np.all(turns <= np.array(p.bag, dtype=np.int64), axis=2)
    if not np.all(np.any(fit, axis=1)):
        return None  # an item too big: too_big_proof's business
    first = turns[np.arange(p.n), np.argmax(fit, axis=1)]
    table = np.where(fit[:, :, None], turns, first[:, None, :])
    families = [_family(p.bag[axis], np.unique(table[:, :, axis]).tolist()) for axis in range(3)]
    values = [_nums(families[axis], table[:, :, axis]) for axis in range(3)]
    dens = [np.array([f.den for f in families[axis]], dtype=np.int64) for axis in range(3)]

    # Step 1: one function at a time, true lengths elsewhere (function 0 is the identity);
    # rank each by its share of the bag.
    best: list[list[int]] = []
    for axis in range(3):
        others = [a for a in range(3) if a != axis]
        rest = values[others[0]][0] * values[others[1]][0]
        totals = (values[axis] * rest).min(axis=2).sum(axis=1)
        den_all = dens[axis] * (dens[others[0]][0] * dens[others[1]][0])
        over = np.flatnonzero(totals > den_all)
        if over.size:
            combo = [0, 0, 0]
            combo[axis] = int(over[0])
            return _dff_message(p, families, combo, values, int(totals[over[0]]), int(den_all[over[0]]))
        # ranking only: a float never decides the proof
        shares = sorted((-t / d, c) for c, (t, d) in enumerate(zip(totals.tolist(), den_all.tolist(), strict=True)))
        best.append([c for _, c in shares[:top]])
    # Step 2: all combinations of the best few, in the order (axis 1, axis 2, axis 0).
    b0, b1, b2 = (np.array(b, dtype=np.int64) for b in best)
    block = values[1][b1][:, None, None] * values[2][b2][None, :, None] * values[0][b0][None, None, :]
    totals3 = block.min(axis=4).sum(axis=3)  # (axis 1, axis 2, axis 0)
    dens3 = dens[1][b1][:, None, None] * dens[2][b2][None, :, None] * dens[0][b0][None, None, :]
    over3 = np.flatnonzero(totals3 > dens3)
    if over3.size:
        i1, i2, i0 = np.unravel_index(int(over3[0]), totals3.shape)
        combo = [int(b0[i0]), int(b1[i1]), int(b2[i2])]
        return _dff_message(p, families, combo, values, int(totals3[i1, i2, i0]), int(dens3[i1, i2, i0]))
    return None


def _dff_message(
    p: Problem, families: list[list[_Dff]], combo: list[int], values: list[IntArray], total: int, den: int
) -> Proof:
    contrib = (values[0][combo[0]] * values[1][combo[1]] * values[2][combo[2]]).min(axis=1)
    names = tuple(name for name, c in zip(p.names, contrib.tolist(), strict=True) if c > 0)
    rules = "; ".join(families[axis][combo[axis]].words for axis in range(3))
    share = 1000 * total // den  # per mille, rounded down: the proof is total > den, not this figure
    figure = "just over 100 %" if share == 1000 else f"{share / 10:.1f} %"
    message = (
        f"However they are arranged, these items need more room than the {_mm(p.bag)} mm interior has: "
        f"counting the space each one blocks ({rules}), the {', '.join(names)} take {figure} of the bag "
        "(a Fekete-Schepers dual-feasible-function bound)."
    )
    return Proof("dff_bound", message, names)
