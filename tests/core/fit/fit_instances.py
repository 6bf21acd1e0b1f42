"""Seeded kits for the fit engine's tests: real things' sizes, bags near the feasibility boundary.

Independent of ``benchmarks/fitgen.py`` on purpose (its own size table and
its own way of getting close to the boundary), so the tests and the
benchmark do not share a blind spot.
"""

from __future__ import annotations

import random

Dims = tuple[int, int, int]

# (name, first side range, second side range or None for a cylinder's diameter, third side range)
KINDS: tuple[tuple[str, tuple[int, int], tuple[int, int] | None, tuple[int, int]], ...] = (
    ("phone", (143, 165), (68, 78), (7, 10)),
    ("keys", (60, 95), (30, 50), (15, 30)),
    ("wallet", (105, 120), (85, 100), (15, 25)),
    ("glasses-case", (145, 165), (55, 68), (32, 42)),
    ("power-bank", (95, 150), (60, 72), (14, 26)),
    ("e-reader", (157, 175), (108, 127), (8, 10)),
    ("passport", (125, 127), (88, 90), (4, 7)),
    ("makeup-pouch", (150, 200), (90, 120), (40, 70)),
    ("water-bottle", (60, 75), None, (180, 230)),
    ("umbrella", (50, 65), None, (170, 250)),
    ("lip-balm", (15, 20), None, (60, 75)),
    ("earbuds", (45, 62), (45, 55), (20, 27)),
    ("tablet", (195, 200), (134, 138), (6, 8)),
    ("sunglasses", (140, 155), (45, 55), (35, 45)),
)


def draw_kit(rng: random.Random, n: int) -> list[tuple[str, Dims, bool]]:
    """``n`` things as (name, sides, is a cylinder); repeated kinds get numbered names."""
    out = []
    seen: dict[str, int] = {}
    for _ in range(n):
        name, first, second, third = rng.choice(KINDS)
        a = rng.randint(*first)
        b = a if second is None else rng.randint(*second)
        c = rng.randint(*third)
        seen[name] = seen.get(name, 0) + 1
        out.append((name if seen[name] == 1 else f"{name}-{seen[name]}", (a, b, c), second is None))
    return out


def draw_bag(rng: random.Random) -> Dims:
    """A mini backpack's interior proportions (width, height, depth)."""
    return (rng.randint(180, 300), rng.randint(200, 350), rng.randint(60, 150))


def least_scale(bag: Dims, dims: list[Dims]) -> float:
    """The scale below which the bag is surely too small: volume, or one item's sorted sides."""
    volume = sum(a * b * c for a, b, c in dims) / (bag[0] * bag[1] * bag[2])
    sides = sorted(bag, reverse=True)
    by_item = max(s / w for d in dims for s, w in zip(sorted(d, reverse=True), sides, strict=True))
    return max(volume ** (1 / 3), by_item)


def near_boundary(
    rng: random.Random, *, max_items: int = 10, slack: float = 0.15
) -> tuple[Dims, list[tuple[str, Dims, bool]]]:
    """A kit and a bag scaled to between 1 and 1 + ``slack`` times its least possible size."""
    kit = draw_kit(rng, rng.randint(3, max_items))
    base = draw_bag(rng)
    scale = least_scale(base, [d for _, d, _ in kit]) * rng.uniform(1.0, 1.0 + slack)
    a, b, c = (max(1, int(v * scale)) for v in base)
    return (a, b, c), kit
