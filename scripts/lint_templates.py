#!/usr/bin/env python
"""Fail on markup that can let a visitor's text become HTML (RELIABILITY A.7 and key finding 6).

HTML and XML templates (``src/**/templates/**``; ``.txt`` ones are plain-text mail):

* an attribute value holding a template variable or tag that is not in quotes
  (``<a title={{ name }}>``): autoescaping does not escape spaces, so a value
  with one adds attributes of its own (``x onmouseover=…``);
* ``|safe``, ``|safeseq``, ``{% filter safe %}`` and ``{% autoescape off %}``,
  unless the exact expression in that file is in ``REVIEWED_SAFE`` below.

Python (``src/**/*.py``):

* every ``mark_safe(…)`` / ``SafeString(…)`` call outside ``REVIEWED_MARK_SAFE``;
* ``format_html`` or ``format_html_join`` whose format string is not a literal
  (an f-string or ``%`` puts the data in before the escaping), or with nothing
  to format (then it escapes nothing).

A reviewed entry says why the markup it lets through cannot carry a visitor's
text. Run by ``make lint``; ``python scripts/lint_templates.py [ROOT]``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file, the expression as written without spaces) -> why it is safe.
REVIEWED_SAFE: dict[tuple[str, str], str] = {
    ("src/minipack_web/templates/catalog/bag.html", "{{page.outline_svg|safe}}"): (
        "SVG from minipack.drawings.outline_svg: coordinates it computes, and text (the bag's name) it XML-escapes"
    ),
    ("src/minipack_web/templates/catalog/bag.html", "{{page.price_chart_svg|safe}}"): (
        "SVG from minipack.drawings.price_chart_svg: numbers, and dates and prices it XML-escapes"
    ),
    ("src/minipack_web/guides/templates/guides/faq.html", "{{answer.svg|safe}}"): (
        "SVG from minipack.drawings.outline_svg (see bag.html); FAQ answers are shipped data, not visitors' text"
    ),
    ("src/minipack_web/guides/templates/guides/_entry.html", "{{e.outline_svg|safe}}"): (
        "SVG from minipack.drawings.outline_svg (see bag.html)"
    ),
}

# (file, function) -> (how many calls, why they are safe).
REVIEWED_MARK_SAFE: dict[tuple[str, str], tuple[int, str]] = {
    ("src/minipack_web/catalog/fit_selectors.py", "_picture"): (
        1,
        "SVG from minipack.fit.svg.packing_svg, which XML-escapes every name (a visitor's own items included)",
    ),
    ("src/minipack_web/seo/jsonld.py", "script_json"): (
        1,
        "JSON with <, > and & escaped as \\u003C…: no text can end the <script> element it goes in",
    ),
    ("src/minipack_web/seo/templatetags/seo.py", "CaptureNode.render"): (
        1,
        "the output of rendering a template block, autoescaped already; marked so it is not escaped twice",
    ),
}

SAFE_CALLS = frozenset({"mark_safe", "SafeString", "SafeText"})
FORMAT_CALLS = {"format_html": 0, "format_html_join": 1}  # -> position of the format string
_TOKEN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_SAFE_FILTER = re.compile(r"\|\s*safe(seq)?\b|\{%\s*filter\b[^%]*\bsafe\b|\{%\s*autoescape\s+off\s*%\}")
_MASK = "\x01"  # stands for a template token while the HTML around it is read
_TAG_START = re.compile(r"<[A-Za-z][^\s/>" + _MASK + "]*")


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# --------------------------------------------------------------------------- templates


def lint_template(path: str, text: str) -> list[Finding]:
    """Findings in one template; ``path`` is relative to the repository root (the allow-list's key)."""
    findings = []
    for match in _TOKEN.finditer(text):
        token = match[0]
        if _SAFE_FILTER.search(token) and (path, re.sub(r"\s+", "", token)) not in REVIEWED_SAFE:
            findings.append(Finding(path, _line(text, match.start()), f"unreviewed {token!r}: escaping switched off"))
    masked = _TOKEN.sub(_masked, text)
    for position in _unquoted_template_values(masked):
        findings.append(
            Finding(path, _line(text, position), "attribute value with a template variable is not in quotes")
        )
    return findings


def _masked(match: re.Match[str]) -> str:
    # Comments vanish; variables and tags become a run of _MASK. Newlines stay, so line numbers do.
    fill = " " if match[0].startswith("{#") else _MASK
    return "".join("\n" if c == "\n" else fill for c in match[0])


def _unquoted_template_values(masked: str) -> list[int]:
    """Where an HTML attribute's unquoted value contains a template token (positions in the text)."""
    found = []
    for tag in _TAG_START.finditer(masked):
        i, end = tag.end(), len(masked)
        while i < end:
            while i < end and (masked[i].isspace() or masked[i] == _MASK or masked[i] == "/"):
                i += 1  # between attributes, a token (`{% if x %}checked{% endif %}`) is not a value
            if i >= end or masked[i] == ">":
                break
            while i < end and not masked[i].isspace() and masked[i] not in "=>":
                i += 1  # the attribute's name
            j = i
            while j < end and masked[j].isspace():
                j += 1
            if j >= end or masked[j] != "=":
                continue
            j += 1
            while j < end and masked[j].isspace():
                j += 1
            if j < end and masked[j] in "\"'":
                close = masked.find(masked[j], j + 1)
                i = end if close < 0 else close + 1
                continue
            start = j
            while j < end and not masked[j].isspace() and masked[j] != ">":
                j += 1
            if _MASK in masked[start:j]:
                found.append(start)
            i = j
    return found


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


# --------------------------------------------------------------------------- Python


def lint_python(path: str, source: str) -> list[Finding]:
    """Findings in one Python module; ``path`` is relative to the repository root (the allow-list's key)."""
    findings: list[Finding] = []
    calls: Counter[str] = Counter()
    lines: dict[str, int] = {}

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                visit(child, (*scope, child.name))
                continue
            if isinstance(child, ast.Call):
                name = _called(child)
                where = ".".join(scope) or "<module>"
                if name in SAFE_CALLS:
                    calls[where] += 1
                    lines.setdefault(where, child.lineno)
                elif name in FORMAT_CALLS:
                    findings.extend(_format_call(path, child, name))
            visit(child, scope)

    visit(ast.parse(source, filename=path), ())
    for where, count in calls.items():
        allowed = REVIEWED_MARK_SAFE.get((path, where), (0, ""))[0]
        if count > allowed:
            findings.append(
                Finding(
                    path,
                    lines[where],
                    f"mark_safe in {where} ({count} call(s), {allowed} reviewed): add a review to REVIEWED_MARK_SAFE "
                    "saying why no visitor's text can reach it, or escape instead",
                )
            )
    return findings


def _called(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _format_call(path: str, call: ast.Call, name: str) -> list[Finding]:
    position = FORMAT_CALLS[name]
    if len(call.args) <= position:
        return [Finding(path, call.lineno, f"{name} without a format string")]
    template = call.args[position]
    if not (isinstance(template, ast.Constant) and isinstance(template.value, str)):
        return [Finding(path, call.lineno, f"{name} with a computed format string: data in it is not escaped")]
    if name == "format_html" and len(call.args) == 1 and not call.keywords:
        return [Finding(path, call.lineno, "format_html with nothing to format escapes nothing")]
    return []


# --------------------------------------------------------------------------- the tree


def lint_tree(root: Path) -> list[Finding]:
    findings = []
    src = root / "src"
    for file in sorted(src.rglob("*")):
        if not file.is_file() or "__pycache__" in file.parts or ".egg-info" in str(file):
            continue
        relative = file.relative_to(root).as_posix()
        if file.suffix == ".py":
            findings += lint_python(relative, file.read_text(encoding="utf-8"))
        elif "templates" in file.parts and file.suffix in (".html", ".xml"):
            # .txt templates are plain-text mail bodies: nothing reads them as HTML, and escaping would
            # only garble the '&' in their links (so they print URLs with |safe).
            findings += lint_template(relative, file.read_text(encoding="utf-8"))
    return sorted(findings)


def main(argv: list[str]) -> int:
    root = Path(argv[1]).resolve() if len(argv) > 1 else ROOT
    findings = lint_tree(root)
    for finding in findings:
        print(finding)
    if findings:
        print(f"{len(findings)} finding(s): see scripts/lint_templates.py for the rules and the reviewed list.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
