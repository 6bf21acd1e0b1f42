"""The shapes of the API's answers; the OpenAPI document is generated from these.

Sizes, volumes, weights and prices are canonical integers (mm, ml, g, minor
currency units) so they round-trip exactly; text as a source printed it is
kept beside them.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema


class ErrorDetail(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    error: str
    detail: list[ErrorDetail]


class PriceOut(Schema):
    amount_minor: int
    currency: str
    date: str


class BagOut(Schema):
    slug: str
    name: str
    brand: str
    model: str
    category: str
    exterior_mm: list[int] | None
    exterior_axes: str
    depth_mm: int | None
    capacity_ml: int | None
    capacity_high_ml: int | None
    weight_g: int | None
    price: PriceOut | None
    material: str
    url: str


class BagPage(Schema):
    count: int
    page: int
    page_size: int
    sort: str
    results: list[BagOut]


class SourceOut(Schema):
    title: str
    url: str
    date: str
    kind: str


class ClaimOut(Schema):
    field: str
    published: str
    value: Any
    note: str
    source: SourceOut


class FindingOut(Schema):
    field: str
    code: str
    severity: str
    message: str
    evidence: list[Any]


class BagDetailOut(BagOut):
    features: list[str]
    claims: list[ClaimOut]
    conflicts: dict[str, list[ClaimOut]]
    findings: list[FindingOut]


class CompareRow(Schema):
    field: str
    values: list[str]


class CompareOut(Schema):
    bags: list[BagDetailOut]
    rows: list[CompareRow]


class PlacementOut(Schema):
    name: str
    position_mm: list[int]
    size_mm: list[int]


class ProofOut(Schema):
    kind: str
    message: str
    items: list[str]
    method: str


class FitOut(Schema):
    id: str | int | None
    bag: str
    interior_mm: list[int]
    usable_ml: int
    fits: bool
    verdict: str
    placements: list[PlacementOut]
    reason: str
    proof: ProofOut | None
    remove_to_fit: list[str] | None


class ContributionOut(Schema):
    criterion: str
    weight: float
    raw: str
    source: str
    normalised: float
    points: float
    missing: bool
    note: str


class RankedOut(Schema):
    position: int
    slug: str
    name: str
    score: float
    pareto: bool
    variants: list[str]
    contributions: list[ContributionOut]


class NotForYouOut(Schema):
    slug: str
    name: str
    reasons: list[str]


class CounterfactualOut(Schema):
    constraint: str
    change: str
    adds: list[str]
    message: str


class RankOut(Schema):
    preferences: str
    weights: dict[str, float]
    eligible: int
    ranked: list[RankedOut]
    not_for_you: list[NotForYouOut]
    counterfactuals: list[CounterfactualOut]


class AirlineVerdictOut(Schema):
    airline: str
    iata: str
    kind: str
    verdict: str
    margins_mm: list[int] | None
    limit_mm: list[int] | None
    published: str
    bag_mm: list[int]
    compressed_mm: int
    weight_g: int | None
    source_url: str
    checked_on: str
    confidence: str
    official_url: str
    note: str


class AirlineCheckOut(Schema):
    bag: str
    bag_mm: list[int]
    soft: bool
    verdicts: list[AirlineVerdictOut]


class ItemSourceOut(Schema):
    url: str
    date: str
    gives: str


class ItemOut(Schema):
    id: str
    name: str
    category: str
    dims_mm: list[int]
    shape: str
    rigid: bool
    weight_g: int | None
    volume_ml: int | None
    confidence: str
    note: str
    sources: list[ItemSourceOut]


class ItemList(Schema):
    count: int
    results: list[ItemOut]


class SearchResultOut(Schema):
    type: Literal["bag", "guide", "faq"]
    title: str
    url: str | None  # the page on the site; null for a result without one
    snippet: str


class SearchOut(Schema):
    query: str
    searched: bool
    notes: list[str]
    limit: int
    count: int
    results: list[SearchResultOut]
