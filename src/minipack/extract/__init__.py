"""Article import: products, claims and findings read from a buying-guide article.

The public names are below; everything else in this package is private to it.
``extract_article`` reads plain text or HTML into an ``ArticleReport``;
``report_as_json`` and ``format_report`` present it; ``read_article`` reads a
file as UTF-8 with a clear error. docs/article-import.md describes the
output and the heuristics' limits.
"""

from minipack.extract.article import (
    PRODUCT_CHECK_CODES,
    ArticleProduct,
    ArticleReport,
    extract_article,
    read_article,
)
from minipack.extract.report import format_report, report_as_json
from minipack.extract.signals import ArticleFinding

__all__ = [
    "PRODUCT_CHECK_CODES",
    "ArticleFinding",
    "ArticleProduct",
    "ArticleReport",
    "extract_article",
    "format_report",
    "read_article",
    "report_as_json",
]
