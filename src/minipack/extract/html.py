"""HTML articles: markup reduced to the blocks of ``minipack.extract.blocks``.

selectolax (the lexbor engine) parses the page the way a browser would; this
module then walks the tree once, in document order, and emits headings,
paragraphs, list items and table rows (one block per ``<tr>``, its cells kept
apart). Only text nodes are ever read, so attributes (``onclick``, ``href``,
``style``) cannot reach a report, and the elements whose content is not
visible text (``script``, ``style``, ``template``, ``noscript``, ``svg``…)
are removed before the walk. Text that still looks like a tag (a page that
escaped "&lt;script&gt;" shows it as text) is dropped too, so that nothing
a later renderer could mistake for markup reaches a report. The walk uses an explicit stack rather than
recursion, so a page nested ten thousand levels deep cannot crash it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from minipack.extract.blocks import Block, BlockKind, Document, clean_text

# Elements whose content is code, hidden or not text at all.
_INVISIBLE_TAGS = ["script", "style", "template", "noscript", "svg", "math", "iframe", "object", "canvas", "head"]
# Elements that start a new line of reading; everything else is inline.
_BLOCK_KINDS: dict[str, BlockKind] = {
    **{f"h{n}": "heading" for n in range(1, 7)},
    "li": "item",
    "dt": "heading",
    "caption": "heading",
    "p": "text",
    "div": "text",
    "section": "text",
    "article": "text",
    "main": "text",
    "aside": "text",
    "header": "text",
    "footer": "text",
    "nav": "text",
    "blockquote": "text",
    "figure": "text",
    "figcaption": "text",
    "dd": "text",
    "dl": "text",
    "ul": "text",
    "ol": "text",
    "pre": "text",
    "address": "text",
    "form": "text",
    "body": "text",
}
_TAG_LIKE = re.compile(r"<\s*/?\s*[A-Za-z!?][^<>]*>")
_LINE_BREAKS = frozenset({"br", "hr"})
_CELL_TAGS = frozenset({"td", "th"})


def html_document(markup: str) -> Document:
    """The blocks of an HTML page; its title is the first ``<h1>``, else ``<title>``."""
    tree = LexborHTMLParser(markup)
    title = _first_text(tree, "h1") or _first_text(tree, "title")
    tree.strip_tags(_INVISIBLE_TAGS)
    root = tree.body
    if root is None:
        return Document((), title, is_html=True)
    return Document(tuple(_Walker().walk(root)), title, is_html=True)


def _first_text(tree: LexborHTMLParser, selector: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    return visible_text(inline_text(node)) or None


def visible_text(text: str) -> str:
    """Text as a reader sees it, on one line, with anything tag-shaped removed."""
    return clean_text(_TAG_LIKE.sub(" ", text))


def inline_text(node: LexborNode) -> str:
    """All visible text under ``node``, with a space wherever a block or a line break starts."""
    parts: list[str] = []
    for child in node.traverse(include_text=True):
        if child.tag == "-text":
            parts.append(child.text_content or "")
        elif child.tag in _BLOCK_KINDS or child.tag in _LINE_BREAKS or child.tag in _CELL_TAGS:
            parts.append(" ")
    return "".join(parts)


class _Walker:
    """One pass over the tree, collecting inline text into the innermost open block."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.kinds: list[BlockKind] = ["text"]

    def walk(self, root: LexborNode) -> list[Block]:
        # Each stack entry is a node to enter, or the block kind to close on the way out.
        stack: list[LexborNode | BlockKind] = [root]
        while stack:
            entry = stack.pop()
            if isinstance(entry, str):
                self.flush()
                self.kinds.pop()
                continue
            node = entry
            tag = node.tag
            if tag == "-text":
                self.buffer.append(node.text_content or "")
            elif tag in _LINE_BREAKS:
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(node)
            elif tag in _BLOCK_KINDS:
                self.flush()
                kind = _BLOCK_KINDS[tag]
                # A <div> inside a list item is still part of that item.
                if kind == "text" and self.kinds[-1] == "item" and tag not in ("ul", "ol"):
                    kind = "item"
                self.kinds.append(kind)
                stack.append(kind)
                stack.extend(reversed(list(node.iter(include_text=True))))
            elif tag is not None and not tag.startswith("-"):
                stack.extend(reversed(list(node.iter(include_text=True))))
        self.flush()
        return self.blocks

    def flush(self) -> None:
        text = visible_text("".join(self.buffer))
        self.buffer.clear()
        if text:
            self.blocks.append(Block(self.kinds[-1], text))

    def table(self, table: LexborNode) -> None:
        caption = table.css_first("caption")
        if caption is not None:
            text = visible_text(inline_text(caption))
            if text:
                self.blocks.append(Block("heading", text))
        for row in table.css("tr"):
            cells = [c for c in row.iter() if c.tag in _CELL_TAGS]
            if not cells:
                continue
            texts = tuple(visible_text(inline_text(c)) for c in cells)
            in_head = row.parent is not None and row.parent.tag == "thead"
            header = in_head or all(c.tag == "th" for c in cells)
            self.blocks.append(Block("row", " ".join(t for t in texts if t), cells=texts, header=header))
