"""Normaliser v2: decoded HTML -> canonical ``text`` + ``blocks`` on an HTML5-conformant parser.

Same output structure as v1 (:mod:`corpus.text.normalise`): NFC text, whitespace folded inside blocks,
blocks joined by ``"\\n"``, each block with the tag and XPath of its nearest block-level element. The
tree is built by lexbor (``selectolax``), which follows the HTML standard's tree construction (implicit
end tags, misnested formatting, foster parenting, ``<template>`` contents kept out of the tree), so the
text is what a browser shows. Every rule is in docs/normalisation.md; any change to the output bumps
``NORMALIZER_V2_VERSION``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from corpus.errors import DocumentError
from corpus.limits import MAX_DOM_DEPTH, MAX_PARSE_NESTING, MAX_TAG_ATTRIBUTES
from corpus.model import Block, Normalizer
from corpus.text.normalise import (
    _LONG_TAG,
    BLOCK_TAGS,
    NORMALIZER_NAME,
    NormalisedPage,
    _assemble,
    clean,
    decode_raw_page,
    fold,
    normalise_text,
)

NORMALIZER_V2_VERSION = "2.0.0"
NORMALIZER_V2 = Normalizer(NORMALIZER_NAME, NORMALIZER_V2_VERSION)

#: Elements whose content is never visible text: ``display: none`` in a browser's default style sheet,
#: not rendered (media and frame fallbacks, form-control values), or dropped deliberately as a browser
#: with scripting on would (``noscript``, ``canvas`` fallback) or as markup rather than prose (``svg``,
#: ``math``); docs/normalisation.md.
SKIP_TAGS_V2 = frozenset(
    {"head", "title", "script", "style", "noscript", "template", "svg", "math", "iframe", "embed", "canvas",
     "audio", "video", "datalist", "textarea", "input", "img", "area", "param", "source", "track", "rp",
     "noembed", "noframes", "frameset", "base", "link", "meta"}
)
#: Elements that start and end a block (v1's set, where ``button``/``textarea`` give way to the
#: browser's block-level defaults).
BLOCK_TAGS_V2 = (BLOCK_TAGS - {"button", "textarea", "frameset", "noframes"}) | frozenset(
    {"search", "listing", "plaintext", "xmp", "marquee"}
)
#: Elements whose text keeps its line breaks (``white-space: pre`` by default): one block per line.
PRE_TAGS = frozenset({"pre", "listing", "plaintext", "xmp"})
_HIDDEN_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))", re.IGNORECASE)
_TEXT = "-text"
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
#: Start tags that never stay open: void elements and those the parser closes implicitly or flattens.
_NO_NESTING = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
     "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
     "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body", "frame", "keygen", "image"}
)


def nesting_estimate(s: str) -> int:
    """An upper estimate of the deepest nesting of ``s``: start tags that stay open minus end tags."""
    depth = peak = 0
    no_nesting = _NO_NESTING
    for slash, name in _TAG.findall(s):
        if slash:
            if depth:
                depth -= 1
        elif name.lower() not in no_nesting:
            depth += 1
            if depth > peak:
                peak = depth
    return peak


def check_markup(s: str) -> None:
    """Reject markup that would make tree construction slow (named reasons, as v1 does)."""
    for m in _LONG_TAG.finditer(s):  # the parser is quadratic in the attributes of one element
        if m.group().count("=") > MAX_TAG_ATTRIBUTES:
            raise DocumentError(f"an element has more than MAX_TAG_ATTRIBUTES={MAX_TAG_ATTRIBUTES} attributes",
                                reason="too_many_attributes")
    if s.count("<") > MAX_PARSE_NESTING and nesting_estimate(s) > MAX_PARSE_NESTING:
        raise DocumentError(f"HTML nesting deeper than MAX_PARSE_NESTING={MAX_PARSE_NESTING} (estimated)",
                            reason="dom_too_deep")


def parse_html_v2(s: str):
    """Parse decoded HTML with lexbor; the parser object (never fetches anything)."""
    from selectolax.lexbor import LexborHTMLParser

    s = clean(s)
    check_markup(s)
    return LexborHTMLParser(s)


def _hidden(node, tag: str) -> bool:
    attrs = node.attributes
    if not attrs:
        return tag == "dialog"
    if len(attrs) > MAX_TAG_ATTRIBUTES:
        raise DocumentError(f"an element has more than MAX_TAG_ATTRIBUTES={MAX_TAG_ATTRIBUTES} attributes",
                            reason="too_many_attributes")
    if "hidden" in attrs:
        return True
    if tag == "dialog" and "open" not in attrs:
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def html_segments_v2(root) -> Iterator[tuple[str, object]]:
    """Yield ``(raw_text, block_node)`` runs in document order, one per future block (before folding).

    Iterative over lexbor's sibling/child links, so depth never touches Python's recursion limit.
    """
    buf: list[str] = []
    ctx: list[object] = [root]  # open block elements
    open_tags: list[tuple[str, bool]] = []  # (tag, is_block) of every open element below root
    pre = 0  # open elements whose text keeps its line breaks
    skip_tags, block_tags, pre_tags = SKIP_TAGS_V2, BLOCK_TAGS_V2, PRE_TAGS
    node = root.child
    while node is not None:
        tag = node.tag
        descend = False
        if tag == _TEXT:
            t = node.text_content
            if t:
                if pre:
                    lines = t.split("\n")
                    for line in lines[:-1]:
                        buf.append(line)
                        yield "".join(buf), ctx[-1]
                        buf = []
                    buf.append(lines[-1])
                else:
                    buf.append(t)
        elif tag[0] != "-" and tag not in skip_tags and not _hidden(node, tag):
            if tag in block_tags:
                if buf:
                    yield "".join(buf), ctx[-1]
                    buf = []
                ctx.append(node)
                if tag in pre_tags:
                    pre += 1
                is_block = True
            else:
                if tag == "br":
                    yield "".join(buf), ctx[-1]
                    buf = []
                is_block = False
            if node.child is not None:
                if len(open_tags) >= MAX_DOM_DEPTH:
                    raise DocumentError(f"HTML nesting deeper than MAX_DOM_DEPTH={MAX_DOM_DEPTH}",
                                        reason="dom_too_deep")
                open_tags.append((tag, is_block))
                node = node.child
                descend = True
            elif is_block:
                if buf:
                    yield "".join(buf), ctx[-1]
                    buf = []
                ctx.pop()
                if tag in pre_tags:
                    pre -= 1
        if descend:
            continue
        while node.next is None:
            node = node.parent
            if node is None or not open_tags:
                node = None
                break
            tag, is_block = open_tags.pop()
            if is_block:
                if buf:
                    yield "".join(buf), ctx[-1]
                    buf = []
                ctx.pop()
                if tag in pre_tags:
                    pre -= 1
        if node is None:
            break
        node = node.next
    if buf:
        yield "".join(buf), ctx[-1]


class _XPathsV2:
    """XPath of a lexbor element (``/html/body/div[2]/p``, v1's format), in amortised O(depth)."""

    def __init__(self) -> None:
        self.paths: dict[int, str] = {}
        self.steps: dict[int, str] = {}

    def _index_children(self, parent) -> None:
        children = []
        c = parent.child
        while c is not None:
            if c.tag[0] != "-":
                children.append(c)
            c = c.next
        counts: dict[str, int] = {}
        for c in children:
            counts[c.tag] = counts.get(c.tag, 0) + 1
        seen: dict[str, int] = {}
        for c in children:
            seen[c.tag] = seen.get(c.tag, 0) + 1
            self.steps[c.mem_id] = c.tag if counts[c.tag] == 1 else f"{c.tag}[{seen[c.tag]}]"

    def __call__(self, el) -> str:
        chain = []
        node = el
        while node is not None and node.tag[0] != "-" and node.mem_id not in self.paths:
            chain.append(node)
            node = node.parent
        base = self.paths[node.mem_id] if node is not None and node.mem_id in self.paths else ""
        for n in reversed(chain):
            parent = n.parent
            if parent is None or parent.tag[0] == "-":  # the document element
                base = "/" + n.tag
            else:
                if n.mem_id not in self.steps:
                    self._index_children(parent)
                base = base + "/" + self.steps[n.mem_id]
            self.paths[n.mem_id] = base
        return base


def normalise_html_tree_v2(tree) -> tuple[str, tuple[Block, ...], tuple[object, ...]]:
    """Text, blocks and the block element of each block, from a lexbor tree."""
    root = tree.root if tree is not None else None
    if root is None:
        return "", (), ()
    xpath = _XPathsV2()
    paths: dict[int, tuple[str, str]] = {}
    elements: list[object] = []

    def parts() -> Iterator[tuple[str, str | None, str | None]]:
        for raw, el in html_segments_v2(root):
            t = fold(raw)
            if not t:
                continue
            key = el.mem_id
            if key not in paths:
                paths[key] = (el.tag, xpath(el))
            elements.append(el)
            tag, xp = paths[key]
            yield t, tag, xp

    text, blocks = _assemble(parts(), folded=True)
    return text, blocks, tuple(elements)


def normalise_html_v2(s: str) -> tuple[str, tuple[Block, ...]]:
    """Decoded HTML -> text and blocks (normaliser v2)."""
    if not s.strip():
        return "", ()
    text, blocks, _ = normalise_html_tree_v2(parse_html_v2(s))
    return text, blocks


def normalise_raw_v2(raw: bytes, raw_format: str, *, gzipped: bool = False,
                     declared_charset: str | None = None) -> NormalisedPage:
    """Raw bytes of one page -> :class:`NormalisedPage` by normaliser v2 (decoding as v1)."""
    d = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    text, blocks = normalise_text(d.text) if raw_format == "text" else normalise_html_v2(d.text)
    return NormalisedPage(text, blocks, d.encoding, raw_format, normalizer=NORMALIZER_V2,
                          encoding_source=d.source)
