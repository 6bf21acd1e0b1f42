"""A second complete search: the packing question as an OR-Tools CP-SAT model.

Used only on the hard residue, after the bounds, the heuristics and the
branch and bound have not decided. The model:

* per item, one boolean per distinct orientation that fits the bag (equal
  permutations of a square or a cube are one orientation), exactly one true;
  the item's size along each axis is an integer variable tied to them;
* per item and axis, a position ``x`` with ``x + size <= side``;
* per pair, six separation booleans ("i ends before j starts along axis d",
  and the reverse), at least one true; options that cannot hold even with
  the least sizes are left out;
* symmetry breaking that keeps an image of every packing: identical items
  sorted along the first axis (so the reverse option there is dropped), and
  one item's centre in the lower half of the bag on each axis where the
  bag's mirror image can be taken without undoing that sorting;
* a redundant cumulative per axis (the cross-sections of the items covering
  any slice of the bag fit in the bag's cross-section), for CP-SAT's energy
  reasoning. Measured on ~490 hard models from the benchmark's generator:
  it costs about 20 % on the median but keeps the worst packing-critical
  case at 0.18 s (0.34 s without).

The solver runs with one worker by default (at most two), a fixed seed and
a time limit, so its answers are reproducible; a timeout is reported as
"budget", never as an answer.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from minipack.fit.exact import SearchResult
from minipack.fit.problem import Layout, Problem


def cp_sat(p: Problem, *, time_limit_s: float, workers: int = 1) -> SearchResult:
    """Decide ``p`` with CP-SAT: "fits" with a layout, "does_not_fit" (proved infeasible) or "budget"."""
    n, bag = p.n, p.bag
    ori = [p.orientations(i) for i in range(n)]
    if any(not o for o in ori):
        return SearchResult("does_not_fit", None, 0)
    m = cp_model.CpModel()
    pick = [[m.new_bool_var(f"o{i}_{k}") for k in range(len(ori[i]))] for i in range(n)]
    size: list[list[cp_model.IntVar]] = []
    pos: list[list[cp_model.IntVar]] = []
    end: list[list[cp_model.IntVar]] = []
    span: list[list[cp_model.IntervalVar]] = []
    least: list[list[int]] = []
    for i in range(n):
        m.add_exactly_one(pick[i])
        sizes_i, pos_i, end_i, span_i, least_i = [], [], [], [], []
        for d in range(3):
            values = sorted({o[d] for o in ori[i]})
            s = m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"s{i}_{d}")
            m.add(s == sum(o[d] * b for o, b in zip(ori[i], pick[i], strict=True)))
            x = m.new_int_var(0, bag[d] - values[0], f"x{i}_{d}")
            e = m.new_int_var(values[0], bag[d], f"e{i}_{d}")
            # The interval also states x + s == e; e's domain keeps the item inside the bag.
            span_i.append(m.new_interval_var(x, s, e, f"iv{i}_{d}"))
            sizes_i.append(s)
            pos_i.append(x)
            end_i.append(e)
            least_i.append(values[0])
        size.append(sizes_i)
        pos.append(pos_i)
        end.append(end_i)
        span.append(span_i)
        least.append(least_i)

    twins: set[int] = set()
    for i in range(n):
        for j in range(i + 1, n):
            twin = p.dims[i] == p.dims[j]
            if twin:
                twins.update((i, j))
                if j == i + 1 or all(p.dims[k] == p.dims[i] for k in range(i + 1, j)):
                    m.add(pos[i][0] <= pos[j][0])
            options = []
            for d in range(3):
                if least[i][d] + least[j][d] > bag[d]:
                    continue
                for before, after in ((i, j), (j, i)):
                    if twin and d == 0 and before == j:
                        continue  # twins are sorted along axis 0
                    lit = m.new_bool_var(f"r{i}_{j}_{d}_{before}")
                    m.add(end[before][d] <= pos[after][d]).only_enforce_if(lit)
                    options.append(lit)
            if not options:
                return SearchResult("does_not_fit", None, 0)
            m.add_bool_or(options)

    # Mirror symmetry: put one item's centre in the lower half of each axis. The
    # first axis only if that item has no twin (twins' sorting along it would clash).
    anchor = next((i for i in range(n) if i not in twins), 0)
    for d in range(3):
        if d == 0 and anchor in twins:
            continue
        m.add(2 * pos[anchor][d] + size[anchor][d] <= bag[d])

    for d in range(3):
        u, v = (d + 1) % 3, (d + 2) % 3  # the two axes across d
        demands = []
        for i in range(n):
            areas = sorted({o[u] * o[v] for o in ori[i]})
            a = m.new_int_var_from_domain(cp_model.Domain.from_values(areas), f"a{i}_{d}")
            m.add(a == sum(o[u] * o[v] * b for o, b in zip(ori[i], pick[i], strict=True)))
            demands.append(a)
        m.add_cumulative([span[i][d] for i in range(n)], demands, bag[u] * bag[v])

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, min(2, workers))
    solver.parameters.max_time_in_seconds = max(0.001, time_limit_s)
    solver.parameters.random_seed = 1
    # Measured on the hard residue of the benchmark's kits (about 280 models of
    # 5-12 items): the LP relaxation costs more than it saves at this size
    # (linearization 0); presolve costs ~4 ms a model but cuts the worst case
    # from 0.63 s to 0.14 s; a second worker on two cores slows the median.
    solver.parameters.linearization_level = 0
    status = solver.solve(m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        layout: Layout = []
        for i in range(n):
            xs = [solver.value(pos[i][d]) for d in range(3)]
            ss = [solver.value(size[i][d]) for d in range(3)]
            layout.append(((xs[0], xs[1], xs[2]), (ss[0], ss[1], ss[2])))
        return SearchResult("fits", layout, 0)
    if status == cp_model.INFEASIBLE:
        return SearchResult("does_not_fit", None, 0)
    return SearchResult("budget", None, 0)
