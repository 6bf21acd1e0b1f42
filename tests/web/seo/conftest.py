"""Fixtures and readers for the search-engine and feed tests: the bundled catalog, a page's head and JSON-LD."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from minipack_web.catalog.services import catalog_load_bundled

BROWSER_PAGES = Path(__file__).resolve().parents[2] / "browser" / "test_pages.py"


def browser_pages() -> list[str]:
    """The browser tests' PAGES, read from the file: importing it would load Playwright and its fixtures."""
    tree = ast.parse(BROWSER_PAGES.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("tests/browser/test_pages.py defines no PAGES")


@pytest.fixture
def bundled(db: None) -> None:
    catalog_load_bundled()


def parse(html: str) -> LexborHTMLParser:
    return LexborHTMLParser(html)


def meta(tree: LexborHTMLParser, key: str) -> str | None:
    """The content of <meta property=key> or <meta name=key>; None when absent. Fails on a repeated tag."""
    nodes = tree.css(f'meta[property="{key}"]') + tree.css(f'meta[name="{key}"]')
    assert len(nodes) <= 1, f"{key} appears {len(nodes)} times"
    return nodes[0].attributes.get("content") if nodes else None


def canonical(tree: LexborHTMLParser) -> str:
    links = tree.css('link[rel="canonical"]')
    assert len(links) == 1, f"{len(links)} canonical links"
    href = links[0].attributes.get("href")
    assert href
    return href


def jsonld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Every application/ld+json script, parsed back as a browser's JSON.parse would."""
    return [json.loads(node.text()) for node in tree.css('script[type="application/ld+json"]')]


def jsonld_of_type(tree: LexborHTMLParser, kind: str) -> dict[str, Any]:
    found = [d for d in jsonld(tree) if d.get("@type") == kind]
    assert len(found) == 1, f"{len(found)} {kind} blocks"
    return found[0]
