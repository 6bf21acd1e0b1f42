"""A plain-Python ranking over ``minipack.rank.Columns``: the reference the vectorised one must equal.

Used only by tests/core/test_rank.py and benchmarks/bench_rank.py. It walks
the products one by one with lists and loops, applying the rules of
``minipack.rank`` as written in its docstring, and the same float operations in
the same order, so its scores equal ``rank_arrays``'s to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from minipack.rank import _FEATURE_BIT, _ORGANISATION_MASK, CATEGORIES, CRITERIA, Columns, Preferences, constraint_keys


@dataclass(frozen=True)
class ReferenceRanking:
    eligible: list[bool]
    score: list[float]
    order: list[int]
    top: list[int]
    pareto: list[bool]
    fails: list[list[bool]]


def reference_rank(cols: Columns, prefs: Preferences, *, top: int = 10) -> ReferenceRanking:
    n = len(cols)
    data = {name: cols.criterion(name).tolist() for name in ("price", "capacity", "weight", "depth", "organisation")}
    features, known = cols.features.tolist(), cols.features_known.tolist()
    material, category = cols.material.tolist(), cols.category.tolist()
    fails: list[list[bool]] = []
    for key in constraint_keys(prefs):
        row = []
        for i in range(n):
            if key in ("budget_min", "budget_max", "capacity_min", "capacity_max", "weight_max", "depth_max"):
                column = {"budget": "price", "capacity": "capacity", "weight": "weight", "depth": "depth"}
                v = data[column[key.split("_")[0]]][i]
                bound = {
                    "budget_min": prefs.budget_min,
                    "budget_max": prefs.budget_max,
                    "capacity_min": prefs.capacity_min_ml,
                    "capacity_max": prefs.capacity_max_ml,
                    "weight_max": prefs.max_weight_g,
                    "depth_max": prefs.max_depth_mm,
                }[key]
                assert bound is not None
                row.append(v < 0 or (v < bound if key.endswith("min") else v > bound))
            elif key.startswith("feature:"):
                row.append(not known[i] or not features[i] & _FEATURE_BIT[key[8:]])
            elif key == "material":
                m = material[i]
                row.append(m < 0 or not any(t in cols.materials[m] for t in prefs.materials_include))
            elif key.startswith("not_material:"):
                m = material[i]
                row.append(m < 0 or key[13:] in cols.materials[m])
            elif key == "category":
                row.append(CATEGORIES[category[i]] not in prefs.categories)
            else:
                raise AssertionError(f"the reference does not decide {key}")
        fails.append(row)
    eligible = [not any(row[i] for row in fails) for i in range(n)]
    norm: list[list[float]] = []
    for name in CRITERIA:
        values = data[name]
        pool = [values[i] for i in range(n) if eligible[i] and values[i] >= 0]
        lo, hi = (min(pool), max(pool)) if pool else (0, 0)
        better_high = name in ("capacity", "organisation")
        out = []
        for i in range(n):
            v = values[i]
            if not eligible[i] or v < 0:
                out.append(0.0)
            elif hi == lo:
                out.append(1.0)
            else:
                out.append(((v - lo) if better_high else (hi - v)) / (hi - lo))
        norm.append(out)
    w = prefs.weights.as_tuple()
    score = []
    for i in range(n):
        s = w[0] * norm[0][i]
        for c in range(1, len(CRITERIA)):
            s = s + w[c] * norm[c][i]
        score.append(s if eligible[i] else float("-inf"))
    big = 1 << 62
    slug_order = cols.slug_order.tolist()
    order = sorted(
        (i for i in range(n) if eligible[i]),
        key=lambda i: (-score[i], data["price"][i] if data["price"][i] >= 0 else big, slug_order[i]),
    )
    family = cols.family.tolist()
    seen: set[int] = set()
    shown: list[int] = []
    for i in order:
        if family[i] not in seen:
            seen.add(family[i])
            shown.append(i)
    shown = shown[:top]
    active = [c for c in range(len(CRITERIA)) if w[c] > 0]
    pareto = []
    for t in shown:
        dominated = any(
            all(norm[c][j] >= norm[c][t] for c in active) and any(norm[c][j] > norm[c][t] for c in active)
            for j in range(n)
            if eligible[j]
        )
        pareto.append(not dominated or not active)
    return ReferenceRanking(eligible, score, order, shown, pareto, fails)


def random_columns(n: int, *, seed: int = 0, families: int | None = None) -> Columns:
    """``n`` generated products as columns: realistic ranges, about a fifth of each value unknown."""
    rng = np.random.default_rng(seed)

    def col(low: int, high: int, unknown: float = 0.2) -> np.ndarray:
        values = rng.integers(low, high, n, dtype=np.int64)
        values[rng.random(n) < unknown] = -1
        return values

    features = rng.integers(0, 1 << 16, n, dtype=np.int64)
    features_known = rng.random(n) > 0.15
    features[~features_known] = 0
    organisation = np.array([(f & _ORGANISATION_MASK).bit_count() for f in features.tolist()], dtype=np.int64)
    organisation[~features_known] = -1
    materials = ("nylon", "leather", "faux leather", "polyester", "recycled cotton", "canvas", "vinylon f")
    slugs = tuple(f"bag-{i:06d}" for i in range(n))
    order = rng.permutation(n).astype(np.int64)
    return Columns(
        slugs=slugs,
        currency="USD",
        price=col(1500, 40000),
        capacity=col(2000, 12000),
        weight=col(150, 900, 0.5),
        depth=col(60, 200),
        organisation=organisation,
        features=features,
        features_known=features_known,
        material=col(0, len(materials), 0.1),
        materials=materials,
        category=rng.integers(0, len(CATEGORIES), n, dtype=np.int64),
        family=rng.integers(0, families or max(1, n // 2), n, dtype=np.int64),
        slug_order=order,
    )
