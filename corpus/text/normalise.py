"""Normaliser v1: raw page -> canonical ``text`` + ``blocks`` (labels unset).

Deterministic and versioned: any change to its output bumps ``NORMALIZER_VERSION``. Text is NFC,
whitespace folded inside blocks, blocks joined by ``"\\n"``; HTML keeps visible text only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from corpus.errors import DocumentError
from corpus.limits import MAX_BLOCKS, MAX_DOM_DEPTH, MAX_TAG_ATTRIBUTES
from corpus.model import Block, Normalizer
from corpus.text.decode import Decoded, check_raw_size, decode_page, gunzip_capped

NORMALIZER_NAME = "corpus-normaliser"
NORMALIZER_VERSION = "1.0.0"
NORMALIZER = Normalizer(NORMALIZER_NAME, NORMALIZER_VERSION)

#: Elements whose content is never visible text.
SKIP_TAGS = frozenset(
    {"head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object",
     "embed", "canvas", "audio", "video", "map", "datalist"}
)
#: Elements that start and end a block.
BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
     "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
     "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
     "menu", "nav", "ol", "optgroup", "option", "p", "pre", "section", "summary", "table", "tbody",
     "td", "tfoot", "th", "thead", "tr", "ul", "button", "textarea", "frameset", "noframes"}
)
_HIDDEN_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
# A browser with scripting on reads <noscript> content as raw text up to </noscript>; libxml2 parses
# it as markup, so an unclosed element inside can swallow the rest of the page. Drop it up front.
_NOSCRIPT_OPEN = re.compile(r"<noscript\b", re.IGNORECASE)
_NOSCRIPT_CLOSE = re.compile(r"</noscript\s*>", re.IGNORECASE)


#: Strings at least this long have their :func:`clean` / :func:`drop_noscript` result kept until the next
#: such call: normaliser v2 and :func:`parse_html` prepare the same decoded page alike.
_MEMO_MIN_CHARS = 4096
#: (input, result) pairs, replaced whole (a tuple: a reader in another thread sees one call's pair).
_last_clean: tuple[str, str] = ("", "")
_last_noscript: tuple[str, str] = ("", "")


def drop_noscript(s: str) -> str:
    """Remove ``<noscript>...</noscript>`` runs in one linear scan (no backtracking on hostile input)."""
    global _last_noscript
    last = _last_noscript
    if s is last[0]:
        return last[1]
    out = _drop_noscript(s)
    if len(s) >= _MEMO_MIN_CHARS:
        _last_noscript = (s, out)
    return out


def has_noscript(s: str) -> bool:
    """Whether ``s`` holds a ``<noscript`` start tag."""
    return _NOSCRIPT_OPEN.search(s) is not None


def _drop_noscript(s: str) -> str:
    out: list[str] = []
    pos = 0
    while (m := _NOSCRIPT_OPEN.search(s, pos)) is not None:
        end = _NOSCRIPT_CLOSE.search(s, m.end())
        if end is None:
            break
        out.append(s[pos : m.start()])
        pos = end.end()
    out.append(s[pos:])
    return "".join(out)
# Characters dropped before anything else: C0/C1 controls that are not whitespace.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# The same characters as UTF-8 bytes: C0 controls are single bytes, C1 controls are 0xC2 0x80-0x9F.
_C0_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x84\x86-\x9f]")
_CLEAN_NEEDED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff]")
# Start tags long enough to hold more than MAX_TAG_ATTRIBUTES attributes.
# (a tag name followed by whitespace, so script text such as ``i<n.length`` is not taken for a tag)
_LONG_TAG = re.compile(r"<[A-Za-z][A-Za-z0-9:-]*\s[^<>]{" + str(4 * MAX_TAG_ATTRIBUTES) + ",}")
# One attribute as the HTML tokenizer reads it: a name, optionally ``=`` and a quoted or unquoted value
# (so ``=`` inside a JSON or URL value is not another attribute). A quoted value still open at the end
# of the match runs on past a ``<`` or ``>`` inside it: it takes the rest.
_SPACE = re.compile(r"\s")
_ATTRIBUTE = re.compile(r"""[^\s/>=]+(?:\s*=\s*(?:"[^"]*(?:"|\Z)|'[^']*(?:'|\Z)|[^\s>]*))?""")


def check_attribute_counts(s: str) -> None:
    """Reject markup with an element of more than ``MAX_TAG_ATTRIBUTES`` attributes.

    Parsers check each new attribute against the element's earlier ones, so one element with very many
    attributes costs quadratic time.
    """
    # a match never holds a second "<", so matching each "<"-to-"<" piece finds what finditer would
    for piece in s.split("<")[1:]:
        if len(piece) <= 4 * MAX_TAG_ATTRIBUTES or (m := _LONG_TAG.match("<" + piece)) is None:
            continue
        tag = m.group()
        after_name = _SPACE.search(tag).end()
        # only attributes with a value count: a "tag" found inside an attribute value (an inline SVG in a
        # data: URL) reads as many bare names
        if sum("=" in a.group() for a in _ATTRIBUTE.finditer(tag, after_name)) > MAX_TAG_ATTRIBUTES:
            raise DocumentError(f"an element has more than MAX_TAG_ATTRIBUTES={MAX_TAG_ATTRIBUTES} attributes",
                                reason="too_many_attributes")


@dataclass(frozen=True, slots=True)
class NormalisedPage:
    text: str
    blocks: tuple[Block, ...]
    encoding: str | None
    raw_format: str
    normalizer: Normalizer = NORMALIZER
    encoding_source: str | None = None  # why ``encoding`` was used (corpus.text.decode.ENCODING_SOURCES)


def clean(s: str) -> str:
    """Replace lone surrogates by U+FFFD and drop non-whitespace control characters."""
    global _last_clean
    last = _last_clean
    if s is last[0]:
        return last[1]
    out = _CONTROL.sub("", _SURROGATE.sub("\ufffd", s)) if _needs_clean(s) else s
    if len(s) >= _MEMO_MIN_CHARS:
        _last_clean = (s, out)
    return out


def _needs_clean(s: str) -> bool:
    """Whether :func:`clean` changes ``s``; long strings are checked on their UTF-8 bytes (C speed)."""
    if len(s) < 512:
        return _CLEAN_NEEDED.search(s) is not None
    try:
        b = s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return True
    return len(b.translate(None, _C0_BYTES)) != len(b) or (not s.isascii() and _C1_UTF8.search(b) is not None)


def fold(s: str) -> str:
    """One block's canonical form: cleaned, NFC, whitespace runs folded to one space, stripped."""
    return fold_clean(clean(s))


def folder(parts: Sequence[str]) -> Callable[[str], str]:
    """:func:`fold` for strings of ``parts``: :func:`fold_clean` when no part needs :func:`clean` (one
    check of them all instead of one per part)."""
    return fold if _needs_clean("".join(parts)) else fold_clean


def fold_clean(s: str) -> str:
    """:func:`fold` of a string :func:`clean` leaves unchanged."""
    if s.isascii():  # ASCII is always NFC
        return " ".join(s.split())
    if not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)
    s = " ".join(s.split())
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def fold_text(s: str) -> str:
    """Whitespace folding as used for substring checks (snippets, segments metrics)."""
    return " ".join(s.split())


def _assemble(parts: Iterator[tuple[str, str | None, str | None]], *, folded: bool = False
              ) -> tuple[str, tuple[Block, ...]]:
    """Join block texts; ``folded``: the parts' texts already went through :func:`fold`."""
    texts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for raw, tag, xpath in parts:
        t = raw if folded else fold(raw)
        if not t:
            continue
        if len(blocks) >= MAX_BLOCKS:
            raise DocumentError(f"more than MAX_BLOCKS={MAX_BLOCKS} blocks", reason="too_many_blocks")
        if blocks:
            pos += 1
        blocks.append(Block(pos, pos + len(t), None, tag, xpath))
        texts.append(t)
        pos += len(t)
    return "\n".join(texts), tuple(blocks)


def normalise_text(s: str) -> tuple[str, tuple[Block, ...]]:
    """Plain-text page dump: every non-empty line is a block."""
    return _assemble((line, None, None) for line in clean(s).splitlines())


def parse_html(s: str, *, checked: bool = False, plain: bool = False):
    """Parse decoded HTML with lxml; ``None`` for an empty document. Never fetches anything.

    ``checked``: ``s`` already passed normaliser v2's :func:`check_attribute_counts` (on the same
    string unless an XML declaration is removed here), so it is not counted again. ``plain``: the
    same tree of plain ``lxml.etree`` elements instead of ``lxml.html``'s element classes (cheaper
    to walk; no ``text_content()`` and the other ``lxml.html`` methods).
    """
    import lxml.html
    from lxml import etree

    cleaned = clean(s)
    no_decl = _XML_DECL.sub("", cleaned, count=1)
    s = drop_noscript(no_decl)
    if not s.strip():
        return None
    if not checked or len(no_decl) != len(cleaned):
        check_attribute_counts(s)
    make = etree.HTMLParser if plain else lxml.html.HTMLParser
    parser = make(remove_comments=True, remove_pis=True, no_network=True)
    if plain:
        root = etree.fromstring(s, parser=parser)
        if root is None:  # what lxml.html.document_fromstring raises ParserError for
            return None
    else:
        try:
            root = lxml.html.document_fromstring(s, parser=parser)
        except etree.ParserError:
            return None
    for entry in parser.error_log:
        if "Excessive depth" in entry.message:
            raise DocumentError(
                f"HTML nesting deeper than MAX_DOM_DEPTH={MAX_DOM_DEPTH}", reason="dom_too_deep"
            )
    return root


def _is_hidden(el) -> bool:
    if el.get("hidden") is not None:
        return True
    if el.tag == "input" and (el.get("type") or "").lower() == "hidden":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def html_segments(root) -> Iterator[tuple[str, object]]:
    """Yield ``(raw_text, block_element)`` runs in document order; one run per future block.

    ``block_element`` is the nearest block-level ancestor (the element a labeller can inspect).
    Iterative, so depth never touches Python's recursion limit. Trees without comments or processing
    instructions (what :func:`parse_html` produces) are walked with lxml's C-level ``iterwalk``.
    """
    from lxml import etree

    if root.xpath("boolean(//comment() | //processing-instruction())"):
        yield from _html_segments_generic(root)
        return
    buf: list[str] = []
    ctx_stack = [root]
    skip_tags = SKIP_TAGS
    block_tags = BLOCK_TAGS
    skipped = None  # the element whose subtree was just skipped (its "end" event comes next)
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            tag = el.tag.lower()
            if tag in skip_tags or (el.attrib and _is_hidden(el)):
                walker.skip_subtree()
                skipped = el
                continue
            if tag in block_tags:
                if buf:
                    yield "".join(buf), ctx_stack[-1]
                    buf = []
                ctx_stack.append(el)
            elif tag == "br" and buf:
                yield "".join(buf), ctx_stack[-1]
                buf = []
            text = el.text
            if text:
                buf.append(text)
        else:
            if el is skipped:
                skipped = None
            elif el.tag.lower() in block_tags:
                if buf:
                    yield "".join(buf), ctx_stack[-1]
                    buf = []
                ctx_stack.pop()
            tail = el.tail
            if tail:
                buf.append(tail)
    if buf:
        yield "".join(buf), ctx_stack[-1] if ctx_stack else root


def _html_segments_generic(root) -> Iterator[tuple[str, object]]:
    """:func:`html_segments` for any tree (comments and processing instructions contribute their tail)."""
    buf: list[str] = []
    ctx_stack = [root]
    # stack of (element, entering?)
    stack: list[tuple[object, bool]] = [(root, True)]
    while stack:
        el, entering = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else None
        if entering:
            if tag is None:  # comment / PI: only its tail counts
                if el.tail:
                    buf.append(el.tail)
                continue
            tag = tag.lower()
            if tag in SKIP_TAGS or _is_hidden(el):
                if el.tail:
                    buf.append(el.tail)
                continue
            if tag == "br" or tag in BLOCK_TAGS:
                if buf:
                    yield "".join(buf), ctx_stack[-1]
                    buf = []
            if tag in BLOCK_TAGS:
                ctx_stack.append(el)
            stack.append((el, False))
            if el.text:
                buf.append(el.text)
            stack.extend((child, True) for child in reversed(el))
        else:
            if tag.lower() in BLOCK_TAGS:
                if buf:
                    yield "".join(buf), ctx_stack[-1]
                    buf = []
                ctx_stack.pop()
            if el.tail:
                buf.append(el.tail)
    if buf:
        yield "".join(buf), ctx_stack[-1] if ctx_stack else root


class _XPaths:
    """``getroottree().getpath(el)`` in amortised O(depth): lxml's own is linear in the number of
    preceding siblings, which makes pages with very many sibling blocks quadratic."""

    def __init__(self) -> None:
        self.paths: dict[object, str] = {}
        self.steps: dict[object, str] = {}  # element -> its step ("p[3]") under its parent

    def _index_children(self, parent) -> None:
        counts: dict[str, int] = {}
        children = [c for c in parent if isinstance(c.tag, str)]
        for c in children:
            counts[c.tag] = counts.get(c.tag, 0) + 1
        seen: dict[str, int] = {}
        for c in children:
            seen[c.tag] = seen.get(c.tag, 0) + 1
            self.steps[c] = c.tag if counts[c.tag] == 1 else f"{c.tag}[{seen[c.tag]}]"

    def __call__(self, el) -> str:
        chain = []
        node = el
        while node is not None and node not in self.paths:
            chain.append(node)
            node = node.getparent()
        base = self.paths[node] if node is not None else ""
        for n in reversed(chain):
            parent = n.getparent()
            if parent is None:  # the root may have same-tag siblings at document level
                before = sum(1 for x in n.itersiblings(preceding=True) if x.tag == n.tag)
                after = any(x.tag == n.tag for x in n.itersiblings())
                base = "/" + n.tag + (f"[{before + 1}]" if before or after else "")
            else:
                if n not in self.steps:
                    self._index_children(parent)
                base = base + "/" + self.steps[n]
            self.paths[n] = base
        return base


def normalise_html_root(root) -> tuple[str, tuple[Block, ...], tuple[object, ...]]:
    """Text, blocks and the block element of each block, from a parsed tree."""
    if root is None:
        return "", (), ()
    xpath = _XPaths()
    paths: dict[int, tuple[str, str]] = {}
    elements: list[object] = []

    def parts() -> Iterator[tuple[str, str | None, str | None]]:
        for raw, el in html_segments(root):
            t = fold(raw)
            if not t:
                continue
            key = id(el)
            if key not in paths:
                paths[key] = (el.tag.lower(), xpath(el))
            elements.append(el)
            tag, xp = paths[key]
            yield t, tag, xp

    text, blocks = _assemble(parts(), folded=True)
    return text, blocks, tuple(elements)


def normalise_html(s: str) -> tuple[str, tuple[Block, ...]]:
    """Decoded HTML -> text and blocks."""
    text, blocks, _ = normalise_html_root(parse_html(s))
    return text, blocks


def raw_format_for(path: str) -> tuple[str, bool]:
    """``(raw_format, gzipped)`` from a file name."""
    name = path.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    if name.endswith((".warc", ".arc")):
        return "warc", gz
    if name.endswith(".txt"):
        return "text", gz
    return "html", gz


def decode_raw_page(raw: bytes, raw_format: str, *, gzipped: bool = False,
                    declared_charset: str | None = None) -> Decoded:
    """Raw bytes of one page -> :class:`~corpus.text.decode.Decoded`, with size limits enforced."""
    check_raw_size(raw)
    if gzipped:
        raw = gunzip_capped(raw)
    if b"\0" in raw[:1024] and raw.count(b"\0") > len(raw) // 10 and not raw.startswith(
        (b"\xff\xfe", b"\xfe\xff")
    ):
        raise DocumentError("input looks binary (many NUL bytes)", reason="binary_content")
    return decode_page(raw, declared=declared_charset, html=raw_format != "text")


def decode_raw(raw: bytes, raw_format: str, *, gzipped: bool = False,
               declared_charset: str | None = None) -> tuple[str, str]:
    """``(decoded text, encoding)`` of :func:`decode_raw_page`."""
    d = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    return d.text, d.encoding


def normalise_raw(raw: bytes, raw_format: str, *, gzipped: bool = False,
                  declared_charset: str | None = None) -> NormalisedPage:
    """Raw bytes of one page (``html`` or ``text``; a WARC record's payload is ``html``)."""
    d = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    if raw_format == "text":
        text, blocks = normalise_text(d.text)
    else:
        text, blocks = normalise_html(d.text)
    return NormalisedPage(text, blocks, d.encoding, raw_format, encoding_source=d.source)
