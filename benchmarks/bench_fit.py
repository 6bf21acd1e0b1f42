"""Will my things fit? Minipack's exact packer next to py3dbp and a plain CP-SAT model, on the same questions.

The peers:

* **py3dbp 1.1.2** (the "3D bin packing" package most tutorials reach for),
  used as its README shows: ``Packer``, ``Bin``, ``Item``, ``packer.pack()``
  with its defaults, and again with ``bigger_first=True``. It is a greedy
  heuristic: a "yes" is a packing, a "no" proves nothing. Note from its
  source: ``Bin.put_item`` gives up on a pivot after the *first* orientation
  that fits the walls collides with an item, without trying the others.
* **CP-SAT** (OR-Tools), an exact model written here and independent of the
  engine's: integer x, y, z per item, one boolean per distinct orientation,
  and six separation booleans per pair (left, right, below, above, in front,
  behind) of which at least one holds; identical items and mirror images
  are broken as symmetries; two workers. Its answer is the
  ground truth: "feasible" means it found a packing, "infeasible" that it
  proved none exists; past ``CPSAT_TIME_LIMIT_S`` the instance is
  "unknown" and left out of the found/wrong counts.

Minipack's ``pack`` runs with its default budget. For every tool and every
"yes", the placements are checked with ``validate_placements`` (py3dbp's
converted from its Decimals and rotation types), and "wrong" counts a "no"
where CP-SAT found a packing and a "yes" where CP-SAT proved none.

The instances come from ``benchmarks/fitgen.py`` (seeded; see its
docstring for the categories). Finding the packing-critical pairs takes a
few thousand CP-SAT solves, so the instances and CP-SAT's answers and
times are cached in ``var/bench/`` under the seed and the generator and
model versions; delete the file (or pass ``--fresh``) to measure CP-SAT
again (a cached run reports the CP-SAT times measured when the cache was
made, and says so). On two cores a run from nothing takes about three
minutes, a cached run about two.

Run alone with ``python -m benchmarks.bench_fit`` (``--quick`` for a small
smoke run); ``make bench`` runs it with the others.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

import numpy as np
from ortools.sat.python import cp_model
from py3dbp import Bin as PyBin
from py3dbp import Item as PyItem
from py3dbp import Packer as PyPacker
from tqdm import tqdm

from benchmarks import fitgen
from benchmarks.fitgen import Dims, Instance
from minipack.fit import BagSpace, Item, Placement, pack, validate_placements
from minipack.fit.screen import screen_catalog

SEED = 20_251_125
# Bump when the CP-SAT model below changes, so cached answers are not reused for another model.
MODEL_VERSION = 1
CPSAT_TIME_LIMIT_S = 10.0
CPSAT_WORKERS = 2
CACHE_DIR = Path(__file__).resolve().parents[1] / "var" / "bench"

CATALOG_BAGS = 2_000
CATALOG_KITS = 5

CATEGORIES = ("realistic", "tight", "critical")
CATEGORY_TITLES = {"realistic": "realistic", "tight": "tight", "critical": "packing-critical", "all": "overall"}
TOOLS = ("minipack", "py3dbp", "py3dbp-bigger-first", "cp-sat")
TOOL_TITLES = {
    "minipack": "Minipack pack (budget 5 s)",
    "py3dbp": "py3dbp, README defaults",
    "py3dbp-bigger-first": "py3dbp, bigger_first=True",
    "cp-sat": "CP-SAT model (bench_fit.py)",
}


@dataclass(frozen=True)
class Answer:
    """One tool's answer to one instance: 'yes', 'no' or 'unknown', how long it took, and its packing."""

    answer: str
    seconds: float
    placements: tuple[Placement, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {
            "answer": self.answer,
            "seconds": self.seconds,
            "placements": [[p.name, list(p.position_mm), list(p.size_mm)] for p in self.placements],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Answer:
        placements = data["placements"]
        assert isinstance(placements, list)
        return cls(
            str(data["answer"]),
            float(data["seconds"]),  # type: ignore[arg-type]
            tuple(Placement(n, fitgen.dims3(p), fitgen.dims3(s)) for n, p, s in placements),
        )


# --------------------------------------------------------------------------- the tools


def engine_items(instance: Instance) -> list[Item]:
    # Cylinders keep their shape for Minipack; the engine packs them as their bounding box,
    # which is exactly what the peers get, so all four answer the same question.
    return [Item(name, dims, shape="cylinder" if cylinder else "box") for name, dims, cylinder in instance.items]


def run_minipack(instance: Instance) -> Answer:
    items = engine_items(instance)
    start = time.perf_counter()
    result = pack(instance.interior_mm, items)
    seconds = time.perf_counter() - start
    answer = {"fits": "yes", "does_not_fit": "no"}.get(result.status, "unknown")
    return Answer(answer, seconds, result.placements)


def run_py3dbp(instance: Instance, *, bigger_first: bool = False) -> Answer:
    """py3dbp as its README uses it: one Bin, every Item, ``pack()``; "yes" only if nothing is left unfitted."""
    start = time.perf_counter()
    packer = PyPacker()
    w, h, d = instance.interior_mm
    packer.add_bin(PyBin("bag", w, h, d, 1_000_000))
    for name, (a, b, c), _ in instance.items:
        packer.add_item(PyItem(name, a, b, c, 1))
    packer.pack(bigger_first=bigger_first)
    seconds = time.perf_counter() - start
    (bag,) = packer.bins
    if bag.unfitted_items or len(bag.items) != len(instance.items):
        return Answer("no", seconds)
    placements = tuple(
        # py3dbp works in Decimals quantised to 3 places; our sides are whole mm, so these are exact.
        Placement(item.name, _whole3(item.position), _whole3(item.get_dimension()))
        for item in bag.items
    )
    return Answer("yes", seconds, placements)


def _whole3(values: Sequence[object]) -> Dims:
    a, b, c = (int(v) for v in values)  # type: ignore[call-overload]
    return (a, b, c)


def run_cpsat(interior: Dims, items: Sequence[tuple[str, Dims, bool]], *, time_limit_s: float) -> Answer:
    """The exact model of the module docstring; the time counts building the model too."""
    start = time.perf_counter()
    model = cp_model.CpModel()
    x: list[list[cp_model.IntVar]] = []
    size: list[list[cp_model.IntVar]] = []
    for i, (_, dims, _) in enumerate(items):
        turns = sorted({t for t in permutations(dims) if all(t[k] <= interior[k] for k in range(3))})
        if not turns:  # no orientation fits the walls: the model would be infeasible at once
            return Answer("no", time.perf_counter() - start)
        chosen = [model.new_bool_var(f"turn_{i}_{r}") for r in range(len(turns))]
        model.add_exactly_one(chosen)
        xs, ls = [], []
        for k in range(3):
            sides = [t[k] for t in turns]
            length = model.new_int_var(min(sides), max(sides), f"len_{i}_{k}")
            model.add(length == sum(b * t[k] for b, t in zip(chosen, turns, strict=True)))
            pos = model.new_int_var(0, interior[k] - min(sides), f"pos_{i}_{k}")
            model.add(pos + length <= interior[k])
            xs.append(pos)
            ls.append(length)
        x.append(xs)
        size.append(ls)
    n = len(items)
    for i in range(n):
        for j in range(i + 1, n):
            apart = []
            for k in range(3):
                before, after = model.new_bool_var(""), model.new_bool_var("")
                model.add(x[i][k] + size[i][k] <= x[j][k]).only_enforce_if(before)
                model.add(x[j][k] + size[j][k] <= x[i][k]).only_enforce_if(after)
                apart += [before, after]
            model.add_bool_or(apart)
            if sorted(items[i][1]) == sorted(items[j][1]):
                # Identical items can swap places: require i to come first along some axis.
                model.add_bool_or(apart[0::2])
    if n:
        # Mirror symmetry: any packing mirrored along an axis is one too, so put item 0 in the lower half.
        for k in range(3):
            model.add(2 * x[0][k] + size[0][k] <= interior[k])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = CPSAT_WORKERS
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.random_seed = 1
    status = solver.solve(model)
    seconds = time.perf_counter() - start
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placements = tuple(
            Placement(
                name,
                _whole3([solver.value(v) for v in x[i]]),
                _whole3([solver.value(v) for v in size[i]]),
            )
            for i, (name, _, _) in enumerate(items)
        )
        return Answer("yes", seconds, placements)
    if status == cp_model.INFEASIBLE:
        return Answer("no", seconds)
    return Answer("unknown", seconds)


# --------------------------------------------------------------------------- instances and ground truth


def cache_path(seed: int, scale: float) -> Path:
    tag = "" if scale == 1.0 else f"-x{scale:g}"
    return CACHE_DIR / f"fit-truth-seed{seed}-gen{fitgen.GENERATOR_VERSION}-model{MODEL_VERSION}{tag}.json"


def instances_and_truth(seed: int, scale: float, *, fresh: bool) -> tuple[list[Instance], dict[str, Answer], str]:
    """The instances and CP-SAT's answer for each: from the cache when it is there, else computed and cached."""
    path = cache_path(seed, scale)
    if path.exists() and not fresh:
        data = json.loads(path.read_text())
        instances = [Instance.from_json(d) for d in data["instances"]]
        cached = {k: Answer.from_json(v) for k, v in data["truth"].items()}
        return instances, cached, f"cached in {path.relative_to(path.parents[2])}, measured {data['made']}"

    truth: dict[str, Answer] = {}
    pairs = max(1, round(210 * scale))
    decided: dict[tuple[Dims, tuple[tuple[str, Dims, bool], ...]], Answer] = {}

    def decide(interior: Dims, items: Sequence[tuple[str, Dims, bool]]) -> bool | None:
        answer = run_cpsat(interior, items, time_limit_s=CPSAT_TIME_LIMIT_S)
        decided[(interior, tuple(items))] = answer
        return {"yes": True, "no": False}.get(answer.answer)

    with tqdm(total=pairs, desc="fit: packing-critical pairs (CP-SAT bisection)", unit="pair", file=sys.stderr) as bar:
        instances = fitgen.generate(
            seed,
            decide,
            realistic_count=round(1_200 * scale),
            tight_count=round(400 * scale),
            critical_pairs=pairs,
            progress=bar.update,
        )
    for instance in tqdm(instances, desc="fit: CP-SAT ground truth", unit="check", file=sys.stderr):
        known = decided.get((instance.interior_mm, instance.items))
        # A bisection step already solved exactly this question: its answer and time are the measurement.
        truth[instance.key] = known or run_cpsat(instance.interior_mm, instance.items, time_limit_s=CPSAT_TIME_LIMIT_S)
    made = time.strftime("%Y-%m-%d %H:%M")
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "seed": seed,
        "generator_version": fitgen.GENERATOR_VERSION,
        "model_version": MODEL_VERSION,
        "made": made,
        "instances": [i.as_json() for i in instances],
        "truth": {k: a.as_json() for k, a in truth.items()},
    }
    path.write_text(json.dumps(document))
    return instances, truth, f"computed now, cached in {path.relative_to(path.parents[2])}"


# --------------------------------------------------------------------------- scoring and the table


@dataclass
class Tally:
    n: int = 0
    feasible: int = 0
    infeasible: int = 0
    found: int = 0
    wrong: int = 0
    invalid: int = 0
    undecided: int = 0
    times: list[float] = field(default_factory=list)


def score(
    instances: Sequence[Instance], truth: dict[str, Answer], answers: dict[str, dict[str, Answer]]
) -> dict[tuple[str, str], Tally]:
    tallies = {(tool, cat): Tally() for tool in TOOLS for cat in (*CATEGORIES, "all")}
    for instance in instances:
        expected = truth[instance.key].answer
        items = engine_items(instance)
        for tool in TOOLS:
            got = answers[tool][instance.key]
            for cat in (instance.category, "all"):
                t = tallies[(tool, cat)]
                t.n += 1
                t.times.append(got.seconds)
                t.feasible += expected == "yes"
                t.infeasible += expected == "no"
                t.found += expected == "yes" and got.answer == "yes"
                t.wrong += (expected, got.answer) in (("yes", "no"), ("no", "yes"))
                t.undecided += got.answer == "unknown"
                if got.answer == "yes":
                    t.invalid += bool(validate_placements(instance.interior_mm, items, got.placements))
    return tallies


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def print_fit_table(
    instances: Sequence[Instance], tallies: dict[tuple[str, str], Tally], truth_note: str, seed: int
) -> None:
    print(
        f"Does the kit fit the bag? {len(instances):,} instances (seed {seed}, generator v{fitgen.GENERATOR_VERSION}); "
        f"ground truth: CP-SAT, {CPSAT_TIME_LIMIT_S:g} s limit, {CPSAT_WORKERS} workers ({truth_note})"
    )
    print("  found = share of the kits CP-SAT packed that the tool packed too; wrong = 'no' to a packable kit or")
    print("  'yes' to one CP-SAT proved impossible; invalid = 'yes' whose placements fail validate_placements;")
    print("  times are per check, wall clock, in ms")
    header = (
        f"  {'':30} {'found':>7} {'wrong':>6} {'invalid':>8} {'undecided':>10} {'median':>8} {'p99':>8} {'worst':>8}"
    )
    for cat in (*CATEGORIES, "all"):
        t0 = tallies[("cp-sat", cat)]
        unknown = t0.n - t0.feasible - t0.infeasible
        print()
        print(
            f"{CATEGORY_TITLES[cat]}: {t0.n:,} instances, {t0.feasible:,} feasible, {t0.infeasible:,} infeasible"
            + (f", {unknown:,} unknown to CP-SAT (not counted in found/wrong)" if unknown else "")
        )
        print(header)
        medians = {}
        for tool in TOOLS:
            t = tallies[(tool, cat)]
            times = np.array(t.times)
            medians[tool] = float(np.median(times))
            found = f"{100 * t.found / t.feasible:.1f}%" if t.feasible else "-"
            print(
                f"  {TOOL_TITLES[tool]:30} {found:>7} {t.wrong:>6} {t.invalid:>8} {t.undecided:>10} "
                f"{ms(medians[tool]):>8} {ms(float(np.percentile(times, 99))):>8} {ms(float(times.max())):>8}"
            )
        print(
            f"  Minipack median / py3dbp median: {medians['minipack'] / medians['py3dbp']:.2f}x (defaults), "
            f"{medians['minipack'] / medians['py3dbp-bigger-first']:.2f}x (bigger_first)"
        )


def print_catalog_table(seed: int, instances: Sequence[Instance], bags: int, kits: int) -> None:
    """One kit against ``bags`` generated bags: ``screen_catalog`` next to one py3dbp pack per bag.

    Two kinds of kit: the realistic ones (most bags take them, so the
    question is how fast the yeses come) and the bulky kits of the 'tight'
    category (many bags refuse them, and more need the engine).
    """
    spaces = [
        BagSpace(f"generated-{i:04d}", dims, dims[0] * dims[1] * dims[2] // 1000)
        for i, dims in enumerate(fitgen.catalog_bags(seed, bags))
    ]
    screen_catalog(spaces[:50], engine_items(instances[0]))  # warm-up: imports, numpy's first calls
    print(
        f"Whole-catalog query: one kit against {bags:,} generated bags (3-15 L), median of {kits} kits of each kind; "
        "ratio against the peer"
    )
    print(f"  {'':52} {'ms':>9} {'ratio':>7}")
    for category, label in (("realistic", "realistic kits"), ("tight", "bulky kits")):
        chosen = [i for i in instances if i.category == category][:kits]
        screen_times, peer_times, calls, fitting = [], [], [], []
        for instance in tqdm(chosen, desc=f"fit: whole-catalog query, {label}", unit="kit", file=sys.stderr):
            items = engine_items(instance)
            start = time.perf_counter()
            result = screen_catalog(spaces, items)
            screen_times.append(time.perf_counter() - start)
            calls.append(result.engine_calls)
            fitting.append(len(result.fitting))
            start = time.perf_counter()
            for space in spaces:
                run_py3dbp(Instance("peer", category, space.interior_mm, instance.items))
            peer_times.append(time.perf_counter() - start)
        screen_s, peer_s = statistics.median(screen_times), statistics.median(peer_times)
        peer = f"py3dbp, one pack() per bag (peer), {label}"
        print(f"  {peer:52} {peer_s * 1000:9.1f} {1:7.2f}x  a 'no' proves nothing")
        print(
            f"  {f'screen_catalog, {label}':52} {screen_s * 1000:9.1f} {screen_s / peer_s:7.2f}x  exact; median "
            f"{statistics.median(calls):g} engine calls, {statistics.median(fitting):g} bags take the kit"
        )


# --------------------------------------------------------------------------- main


def run(*, scale: float = 1.0, seed: int = SEED, fresh: bool = False, catalog_bags: int = CATALOG_BAGS) -> None:
    instances, truth, truth_note = instances_and_truth(seed, scale, fresh=fresh)
    answers: dict[str, dict[str, Answer]] = {tool: {} for tool in TOOLS}
    answers["cp-sat"] = truth
    runners: dict[str, Callable[[Instance], Answer]] = {
        "minipack": run_minipack,
        "py3dbp": run_py3dbp,
        "py3dbp-bigger-first": lambda i: run_py3dbp(i, bigger_first=True),
    }
    pack((10, 10, 10), [Item("warm-up", (1, 1, 1))])  # first-call costs (imports) are not a check's time
    for instance in tqdm(instances, desc="fit: Minipack and py3dbp", unit="instance", file=sys.stderr):
        for tool, runner in runners.items():
            answers[tool][instance.key] = runner(instance)
    print_fit_table(instances, score(instances, truth, answers), truth_note, seed)
    print()
    print_catalog_table(seed, instances, catalog_bags, CATALOG_KITS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_fit", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the instances and 200 catalog bags")
    parser.add_argument("--fresh", action="store_true", help="ignore the cache: generate and solve everything again")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.quick:
        run(scale=0.1, seed=args.seed, fresh=args.fresh, catalog_bags=200)
    else:
        run(seed=args.seed, fresh=args.fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
