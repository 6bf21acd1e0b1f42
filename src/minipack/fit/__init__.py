"""Will my things fit? An exact packing engine for a kit of items in a bag.

``pack`` decides whether rigid items (boxes; a cylinder as its bounding
box) fit in a bag's interior, each in any of its six orientations, and
proves its answer: a "fits" comes with a placement that the independent
``validate_placements`` accepts, a "does_not_fit" with a ``Proof`` (a
simple bound, or an exhaustive search naming its method). ``check_fit``
adds soft items, the bag's opening, a "tight" verdict and what to leave out.

The modules: ``model`` (the records), ``problem`` (the canonical form the
solvers share), ``validate`` (the independent check), ``bounds`` (proofs
without search), ``heuristic`` (fast layouts), ``exact`` (branch and bound),
``cpsat`` (OR-Tools CP-SAT) and ``engine`` (the pipeline and ``check_fit``).
Everything else in the package builds on these names.
"""

from minipack.fit.engine import check_fit, pack, passes_opening, remove_to_fit
from minipack.fit.model import (
    MAX_ITEMS,
    TIGHT_MARGIN,
    BagSpace,
    FitResult,
    Item,
    PackResult,
    PackStatus,
    Placement,
    Proof,
    ProofKind,
    Shape,
    Stage,
    Verdict,
)
from minipack.fit.validate import validate_placements

__all__ = [
    "MAX_ITEMS",
    "TIGHT_MARGIN",
    "BagSpace",
    "FitResult",
    "Item",
    "PackResult",
    "PackStatus",
    "Placement",
    "Proof",
    "ProofKind",
    "Shape",
    "Stage",
    "Verdict",
    "check_fit",
    "pack",
    "passes_opening",
    "remove_to_fit",
    "validate_placements",
]
