"""Reports: an ``ArticleReport`` as JSON-ready data and as plain text for a terminal.

``report_as_json`` gives the shape documented in docs/article-import.md,
built from plain types only (str, int, bool, None, lists, dicts) so that
``json.dumps`` needs no help. ``format_report`` gives the same facts for a
person: each product with the fields found, its checks, then the findings
about the article as a whole.
"""

from __future__ import annotations

import textwrap
from typing import Any

from minipack.checks import Finding
from minipack.extract.article import ArticleProduct, ArticleReport
from minipack.extract.signals import ArticleFinding
from minipack.records import FEATURES
from minipack.units import format_dimensions, format_price, format_volume

_WIDTH = 100
_LABEL_WIDTH = 12


def _finding_json(finding: Finding | ArticleFinding) -> dict[str, str]:
    return {"code": finding.code, "severity": finding.severity, "message": finding.message}


def product_as_json(product: ArticleProduct) -> dict[str, Any]:
    """One product in the documented JSON shape."""
    out: dict[str, Any] = {
        "brand": product.brand,
        "model": product.model,
        "slug": product.slug,
        "exterior_mm": list(product.exterior.mm) if product.exterior else None,
        "dims_as_published": product.dims_as_published,
        "capacity_ml": product.capacity.low_ml if product.capacity else None,
    }
    if product.capacity is not None and product.capacity.is_range:
        out["capacity_ml_high"] = product.capacity.high_ml
    out.update(
        {
            "material": product.material,
            "features": list(product.features),
            "features_as_published": product.features_as_published,
            "price": (
                {"amount_minor": product.price.amount_minor, "currency": product.price.currency}
                if product.price
                else None
            ),
            "price_as_published": product.price_as_published,
            "benefits": list(product.benefits),
            "description": product.description,
            "pros": list(product.pros),
            "cons": list(product.cons),
            "in_table": product.in_table,
            "in_list": product.in_list,
            "list_position": product.list_position,
            "category": product.category,
            "findings": [_finding_json(f) for f in product.findings],
            "origin": product.origin,
            "names_as_published": list(product.names_as_published),
        }
    )
    return out


def report_as_json(report: ArticleReport) -> dict[str, Any]:
    """The whole report in the documented JSON shape."""
    return {
        "article": {
            "title": report.title,
            "source_url": report.source.url,
            "source_date": report.source.date.stated,
            "products_found": len(report.products),
            "findings": [_finding_json(f) for f in report.findings],
        },
        "products": [product_as_json(p) for p in report.products],
    }


# --------------------------------------------------------------------------- text


def format_report(report: ArticleReport) -> str:
    """A readable plain-text report: products and their fields, their checks, then article findings."""
    products = report.products
    lines = [
        f"Article: {report.title}",
        f"Source:  {report.source.url or '(no URL)'} \u00b7 {report.source.date.stated} \u00b7 "
        f"{'HTML' if report.is_html else 'plain text'}",
        f"Products: {len(products)} ({sum(p.in_table for p in products)} in the table, "
        f"{sum(p.in_list for p in products)} in the ranked list, "
        f"{sum(p.origin == 'card' for p in products)} from shop cards)",
        "",
    ]
    for number, product in enumerate(products, start=1):
        lines.extend(_product_lines(number, product))
        lines.append("")
    lines.append(f"Article findings ({len(report.findings)}):")
    if not report.findings:
        lines.append("  none")
    for finding in report.findings:
        lines.extend(_wrap(f"{finding.severity.upper():<8}{finding.code}: {finding.message}", "  ", "          "))
    return "\n".join(lines) + "\n"


def _product_lines(number: int, product: ArticleProduct) -> list[str]:
    places = []
    if product.in_table:
        places.append(f"table row {product.table_row}")
    if product.in_list:
        places.append(f"list #{product.list_position}")
    if product.origin == "card":
        places.append("shop card")
    lines = [f"{number:>2}. {product.brand} \u2014 {product.model}  [{', '.join(places)}]  {product.slug}"]
    fields: list[tuple[str, str | None]] = [
        ("named", " | ".join(product.names_as_published)),
        ("category", _category(product)),
        ("size", _size(product)),
        ("capacity", _capacity(product)),
        ("material", product.material),
        ("features", _features(product)),
        ("price", _price(product)),
        ("benefits", "; ".join(product.benefits) or None),
        ("description", product.description),
        ("pros", " / ".join(product.pros) or None),
        ("cons", " / ".join(product.cons) or None),
    ]
    for label, value in fields:
        if value:
            lines.extend(_wrap(value, f"    {label:<{_LABEL_WIDTH}}", " " * (4 + _LABEL_WIDTH)))
    for finding in product.findings:
        lines.extend(_wrap(f"{finding.severity.upper()} {finding.code}: {finding.message}", "    ! ", "      "))
    return lines


def _category(product: ArticleProduct) -> str:
    claim = product.category_claim
    if claim is None or claim == product.category:
        return product.category
    return f"{product.category} (the article files it as a {claim})"


def _size(product: ArticleProduct) -> str | None:
    if product.dims_as_published is None:
        return None
    if product.exterior is None:
        return f"{product.dims_as_published}  (unreadable)"
    mm = " x ".join(map(str, product.exterior.mm))
    return f"{product.dims_as_published}  = {mm} mm ({format_dimensions(product.exterior)})"


def _capacity(product: ArticleProduct) -> str | None:
    if product.capacity_as_published is None:
        return None
    if product.capacity is None:
        return f"{product.capacity_as_published}  (unreadable)"
    return f"{product.capacity_as_published}  = {format_volume(product.capacity)}"


def _features(product: ArticleProduct) -> str | None:
    if not product.features and not product.features_as_published:
        return None
    codes = ", ".join(f"{c} ({FEATURES[c]})" for c in product.features) or "no vocabulary feature"
    return f"{product.features_as_published or ''}  -> {codes}".strip()


def _price(product: ArticleProduct) -> str | None:
    if product.price_as_published is None:
        return None
    if product.price is None:
        return f"{product.price_as_published}  (unreadable)"
    return f"{product.price_as_published}  = {format_price(product.price)} {product.price.currency}"


def _wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False) or [
        first.rstrip()
    ]
