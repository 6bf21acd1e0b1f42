"""Spec checks: rules that catch catalog values which cannot be true, or cannot be trusted.

Each check looks at one ``Product`` and returns ``Finding`` records: which
product and field, a stable code, a severity, a sentence for a person and the
evidence behind it (the claims and numbers used). Checks never change data;
the catalog shows their findings next to the values.

Severities: ``error`` (impossible as stated), ``warning`` (probably wrong or
unsupported), ``info`` (worth knowing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from minipack.records import Claim, ClaimKind, Product, fold
from minipack.units import format_dimensions, format_volume

SEVERITIES = ("error", "warning", "info")

# A soft bag's usable volume is below its outer box (walls, rounded corners,
# tapering); makers usually state 50-90 % of the box. Below this share the
# stated litres are more likely a typo or a different bag than a real figure.
LOW_CAPACITY_SHARE = 0.40

# Fields a buyer needs to compare bags; a missing one is worth saying.
REQUIRED_FIELDS: dict[str, str] = {
    "exterior": "warning",
    "price": "warning",
    "capacity": "info",
    "weight": "info",
    "material": "info",
}


@dataclass(frozen=True)
class Finding:
    product: str
    field: str
    code: str
    severity: str
    message: str
    evidence: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "evidence": [{"label": k, "value": v} for k, v in self.evidence],
        }


def _cite(claim: Claim) -> str:
    shown = claim.published or str(claim.value)
    return f"{shown} ({claim.source.title}, {claim.source.date.stated}, {claim.kind.value})"


def _size_text(claim: Claim) -> str:
    """The size as the source printed it, without axis letters: in a sentence about
    litres, '8 L x 10 H x 5 D in' would read as if 'L' meant litres."""
    text = claim.published or format_dimensions(claim.value)
    return re.sub(r"\s*\b[LWHD]\b", "", text)


def _box_for(product: Product, capacity: Claim) -> Claim | None:
    """The exterior claim to compare a capacity with: the same source's, else the chosen one."""
    same = [c for c in product.claims_for("exterior") if c.source.key == capacity.source.key]
    return same[0] if same else product.chosen("exterior")


def check_capacity_vs_box(product: Product) -> list[Finding]:
    out: list[Finding] = []
    for cap in product.claims_for("capacity"):
        ext = _box_for(product, cap)
        if ext is None:
            continue
        box_mm3 = ext.value.box_mm3
        evidence = (("capacity", _cite(cap)), ("exterior", _cite(ext)), ("box volume", format_volume(box_mm3 // 1000)))
        if cap.value.low_ml * 1000 > box_mm3:
            out.append(
                Finding(
                    product.slug,
                    "capacity",
                    "capacity_exceeds_box",
                    "error",
                    f"{format_volume(cap.value)} stated by {cap.source.title} is more than the "
                    f"{format_volume(box_mm3 // 1000)} outer box of {_size_text(ext)}: "
                    "impossible as stated.",
                    evidence,
                )
            )
        elif cap.value.high_ml * 1000 < LOW_CAPACITY_SHARE * box_mm3:
            out.append(
                Finding(
                    product.slug,
                    "capacity",
                    "capacity_suspiciously_low",
                    "warning",
                    f"{format_volume(cap.value)} is under {LOW_CAPACITY_SHARE:.0%} of the "
                    f"{format_volume(box_mm3 // 1000)} outer box of {_size_text(ext)}: check the litres or the size.",
                    evidence,
                )
            )
    return out


_CROSSBODY = re.compile(r"\b(crossbody|cross-body|shoulder bag|sling)\b")
_BACKPACK = re.compile(r"\b(backpack|rucksack|daypack)\b")


def implied_category(name: str) -> str | None:
    """The category a product's own name implies, if it names one."""
    text = fold(name)
    crossbody, backpack = bool(_CROSSBODY.search(text)), bool(_BACKPACK.search(text))
    if crossbody and backpack:
        return "convertible"
    if crossbody:
        return "crossbody"
    if backpack:
        return "backpack"
    return None


def check_category(product: Product) -> list[Finding]:
    implied = implied_category(product.name)
    out: list[Finding] = []
    if implied is None:
        return out
    for claim in product.claims_for("category"):
        listed = claim.value
        # A convertible bag may fairly be listed as either of its forms.
        if listed == implied or implied == "convertible" or listed == "convertible":
            continue
        out.append(
            Finding(
                product.slug,
                "category",
                "category_mismatch",
                "warning",
                f"{claim.source.title} lists it as a {listed}, but its name says {implied}.",
                (("listed as", _cite(claim)), ("name", product.name)),
            )
        )
    return out


def check_price_dates(product: Product) -> list[Finding]:
    price = product.chosen("price")
    if price is None or price.source.date.is_dated:
        return []
    return [
        Finding(
            product.slug,
            "price",
            "price_undated",
            "warning",
            f"The price {price.published or price.value} from {price.source.title} has no date: "
            "it may be long out of date.",
            (("price", _cite(price)),),
        )
    ]


def check_conflicts(product: Product) -> list[Finding]:
    out: list[Finding] = []
    for field_name in ("exterior", "capacity", "weight", "material", "category"):
        conflicts = product.conflicts(field_name)
        if not conflicts:
            continue
        chosen = product.chosen(field_name)
        assert chosen is not None
        out.append(
            Finding(
                product.slug,
                field_name,
                "conflicting_claims",
                "warning",
                f"Sources disagree on {field_name}: shown {chosen.published or chosen.value} "
                f"({chosen.source.title}); also claimed "
                + "; ".join(f"{c.published or c.value} ({c.source.title})" for c in conflicts)
                + ".",
                (("shown", _cite(chosen)), *(("conflicting", _cite(c)) for c in conflicts)),
            )
        )
    return out


def check_missing(product: Product) -> list[Finding]:
    return [
        Finding(product.slug, field_name, "missing_field", severity, f"No source gives the {field_name}.")
        for field_name, severity in REQUIRED_FIELDS.items()
        if not product.claims_for(field_name)
    ]


def check_article_only(product: Product) -> list[Finding]:
    """Numbers whose only source is an article deserve a caveat on the page."""
    numeric = [c for c in product.claims if c.field in ("exterior", "capacity", "weight")]
    if not numeric or any(c.kind is not ClaimKind.ARTICLE for c in numeric):
        return []
    titles = sorted({c.source.title for c in numeric})
    return [
        Finding(
            product.slug,
            "exterior",
            "article_only",
            "info",
            "Only " + ", ".join(titles) + " gives these sizes; no maker, shop or measured figure was found.",
            tuple(("claim", _cite(c)) for c in numeric),
        )
    ]


CHECKS: tuple[Callable[[Product], list[Finding]], ...] = (
    check_capacity_vs_box,
    check_category,
    check_price_dates,
    check_conflicts,
    check_missing,
    check_article_only,
)


def run_checks(product: Product) -> list[Finding]:
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(product))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (order[f.severity], f.field, f.code))


def check_catalog(products: Iterable[Product]) -> list[Finding]:
    return [f for p in products for f in run_checks(p)]
