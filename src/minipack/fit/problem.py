"""The canonical form every solver stage works on, and the small geometry they share.

``engine.pack`` turns a question into a ``Problem``: the bag's sides sorted
longest first and the items sorted (by volume, then sides, then name), so
that every stage sees the same input however the caller ordered items or
turned the bag. That is what makes answers deterministic and independent of
input order. Solvers return a ``Layout`` (position and size per item, in
``Problem`` order and axes); the engine maps it back to the caller's axes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

Dims = tuple[int, int, int]
# One (position, size) per item, in Problem order and axes.
Layout = list[tuple[Dims, Dims]]


@dataclass(frozen=True, slots=True)
class Problem:
    """A packing question in canonical form.

    ``bag`` has its sides longest first; ``dims[i]`` are item i's sides
    longest first; items are sorted by volume, then sides (both descending),
    then name.
    """

    bag: Dims
    names: tuple[str, ...]
    dims: tuple[Dims, ...]

    @property
    def n(self) -> int:
        return len(self.dims)

    def volume(self, i: int) -> int:
        a, b, c = self.dims[i]
        return a * b * c

    def orientations(self, i: int) -> list[Dims]:
        """Item i's distinct axis-aligned orientations that fit the bag alone."""
        return orientations(self.dims[i], self.bag)


def orientations(dims: Dims, bag: Dims) -> list[Dims]:
    """Distinct permutations of ``dims`` that fit inside ``bag``; a cube has one, a square slab three."""
    w0, w1, w2 = bag
    seen: list[Dims] = []
    for o in permutations(dims):
        if o[0] <= w0 and o[1] <= w1 and o[2] <= w2 and o not in seen:
            seen.append((o[0], o[1], o[2]))
    return seen


def thinnest_along(dims: Dims, bag: Dims, axis: int) -> Dims | None:
    """The orientation giving the least length along ``axis`` while fitting the bag, or None.

    The other two sides go largest-along-largest across the other two axes,
    which fits whenever any assignment does. ``dims`` must be sorted longest
    first, and so must ``bag``.
    """
    a, b, c = dims
    others = [k for k in range(3) if k != axis]
    e, f = others  # bag[e] >= bag[f] because bag is sorted
    for along, big, small in ((c, a, b), (b, a, c), (a, b, c)):
        if along <= bag[axis] and big <= bag[e] and small <= bag[f]:
            o = [0, 0, 0]
            o[axis], o[e], o[f] = along, big, small
            return (o[0], o[1], o[2])
    return None
