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
from functools import lru_cache
from itertools import accumulate
from operator import sub

from corpus.errors import DocumentError
from corpus.limits import MAX_PARSE_NESTING
from corpus.model import Block, Normalizer
from corpus.text.normalise import (
    BLOCK_TAGS,
    NORMALIZER_NAME,
    NormalisedPage,
    _assemble,
    check_attribute_counts,
    clean,
    decode_raw_page,
    drop_noscript,
    folder,
    has_noscript,
    normalise_text,
)

NORMALIZER_V2_VERSION = "2.3.0"
NORMALIZER_V2 = Normalizer(NORMALIZER_NAME, NORMALIZER_V2_VERSION)
#: Earlier versions whose every document this version reproduces: up to 2.2.0 each later one differs only on
#: pages the earlier ones reject (no text, or estimated too deep), so never on a document. 2.3.0 also reads
#: differently a page whose shown text is under :data:`HIDDEN_WRAPPER_SHARE` of its shown and hidden text,
#: so their records are re-checked with that rule off (``hidden_share=0``: 2.2.0's reading exactly).
COMPATIBLE_V2_VERSIONS = ("2.0.0", "2.1.0", "2.2.0")
#: A page whose shown text (non-space characters) is under this share of its text with hidden elements shown
#: is read with them shown: nearly all of its server-rendered text sits in a hidden wrapper that the page's
#: scripts reveal (a ``display: none`` "deferred" product block, a collapsed shell around the whole page).
HIDDEN_WRAPPER_SHARE = 0.1

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
_SKIP_SELECTOR = ", ".join(sorted(SKIP_TAGS_V2))
#: The same without ``noscript``: what a browser with scripting off shows (the no-text fallback).
_SKIP_SELECTOR_NO_SCRIPTING = ", ".join(sorted(SKIP_TAGS_V2 - {"noscript"}))
#: Elements whose text keeps its line breaks (``white-space: pre`` by default): one block per line.
PRE_TAGS = frozenset({"pre", "listing", "plaintext", "xmp"})
_HIDDEN_STYLE = re.compile(r"(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*")
#: Start tags that never stay open: void elements and those the parser closes implicitly or flattens.
_NO_NESTING = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
     "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
     "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body", "frame", "keygen", "image"}
)


class _Delta(dict):
    """Nesting change of a ``<tag`` / ``</tag`` token (unknown names: +1 for a start tag, -1 for an end tag)."""

    def __missing__(self, key: str) -> int:
        low = key.lower()
        if low != key and low in self:
            return self[low]
        return -1 if key[1] == "/" else 1


#: HTML start tags that end SVG/MathML content (the HTML standard's list; ``font`` whatever its attributes).
_BREAKOUT = frozenset(
    {"b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em", "embed", "font",
     "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing", "menu", "meta", "nobr", "ol",
     "p", "pre", "ruby", "s", "small", "span", "strong", "strike", "sub", "sup", "table", "tt", "u", "ul", "var"}
)
#: A self-closed start tag (no ``<`` or ``>`` inside), else an ``<svg`` / ``<math`` start or end tag.
_FOREIGN = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)[^<>]*/>|<(/?)(?:svg|math)(?=[\s/>])", re.IGNORECASE)
_DELTA = _Delta({f"<{t}": 0 for t in _NO_NESTING} | {f"</{t}": 0 for t in _NO_NESTING})


def nesting_estimate(s: str) -> int:
    """An upper estimate of the deepest nesting of ``s``: start tags that stay open minus end tags.

    The depth never goes below zero (stray end tags close nothing): with ``S`` the running sum of the
    changes and ``m`` its running minimum, the depth after each tag is ``S - min(m, 0)``.
    """
    sums = list(accumulate(map(_DELTA.__getitem__, _TAG.findall(s)), initial=0))
    return max(map(sub, sums, accumulate(sums, min)))


def drop_foreign_self_closed(s: str) -> str:
    """``s`` without the self-closed tags that stand inside ``<svg>`` / ``<math>`` (breakout tags kept).

    Inside SVG and MathML a self-closed element (``<path/>``) opens nothing, but the nesting estimate
    cannot tell it from an HTML start tag; icon sprites of thousands of them push a shallow page over
    the limit. Their removal changes no text: v2 shows nothing of ``svg`` or ``math``.
    """
    depth = 0
    out: list[str] = []
    pos = 0
    for m in _FOREIGN.finditer(s):
        name, close = m.group(1), m.group(2)
        if name is None:  # <svg / <math / </svg / </math
            depth = max(depth - 1, 0) if close else depth + 1
        elif depth and name.lower() not in _BREAKOUT:
            out.append(s[pos : m.start()])
            pos = m.end()
    out.append(s[pos:])
    return "".join(out)


def check_markup(s: str) -> str:
    """Reject markup that would make tree construction slow (named reasons, as v1 does); the markup to parse.

    A page over the limit is estimated again without its self-closed SVG/MathML elements
    (:func:`drop_foreign_self_closed`) and, under the limit then, parsed without them.
    """
    check_attribute_counts(s)
    if s.count("<") > MAX_PARSE_NESTING and nesting_estimate(s) > MAX_PARSE_NESTING:
        s = drop_foreign_self_closed(s)
        if nesting_estimate(s) > MAX_PARSE_NESTING:
            raise DocumentError(f"HTML nesting deeper than MAX_PARSE_NESTING={MAX_PARSE_NESTING} (estimated)",
                                reason="dom_too_deep")
    return s


def parse_html_v2(s: str, *, scripting: bool = True):
    """Parse decoded HTML with lexbor; the parser object (never fetches anything).

    ``scripting``: as a browser with scripting on, ``<noscript>`` runs removed; off, parsed as markup
    (lexbor's own mode, a browser with scripting off), to be walked with ``scripting=False``.
    """
    from selectolax.lexbor import LexborHTMLParser

    # a browser with scripting on reads <noscript> content as raw text up to </noscript>; parsed as markup
    # (lexbor's scripting flag is off), an unclosed <div> inside makes the parser ignore </noscript>
    s = drop_noscript(clean(s)) if scripting else clean(s)
    return LexborHTMLParser(check_markup(s))


def parse_and_walk_v2(s: str, tree=None, *, hidden_share: float = HIDDEN_WRAPPER_SHARE):
    """``(tree, (text, blocks, elements, walk))`` of decoded HTML, the way normaliser v2 reads a page.

    As a browser with scripting on; a page that shows no text so is read as a browser with scripting
    off shows it when it has ``<noscript>`` (an application shell whose content is only there, as forum
    software serves it to clients without scripts), and if it still shows none, or shows under
    :data:`HIDDEN_WRAPPER_SHARE` of what its hidden elements hold, with its hidden elements shown:
    server-rendered text that the page's own scripts reveal (streamed ``<div hidden>`` segments, a
    ``visibility: hidden`` wrapper lifted on hydration, a ``display: none`` block shown once the page's
    scripts have loaded). ``tree``: :func:`parse_html_v2` of ``s``, when
    the caller parsed it already (the walk prunes it in place). ``hidden_share``: that share (0: only a
    page that shows no text, as 2.2.0 reads pages).
    """
    tree = parse_html_v2(s) if tree is None else tree
    walked = walk_html_tree_v2(tree)
    if not walked[0] and has_noscript(s):
        tree = parse_html_v2(s, scripting=False)
        walked = walk_html_tree_v2(tree, scripting=False)
    if walked[3] is not None and walked[3].hidden and _hidden_wrapper(walked[0], walked[3].hidden_chars,
                                                                       hidden_share):
        tree = parse_html_v2(s)
        walked = walk_html_tree_v2(tree, hide=False)
    return tree, walked


def _hidden_wrapper(shown: str, hidden_chars: int, share: float) -> bool:
    """Whether a page showing ``shown`` holds nearly all of its text in hidden elements (under ``share`` of it
    shows); a page that shows no text and hides some always does."""
    if not hidden_chars:
        return False
    visible = _solid_chars(shown)
    return visible == 0 or visible < share * (visible + hidden_chars)


#: Where the parser accepts each tag (table parts and frameset elements are dropped elsewhere).
_CONTEXTS = ("<body>{}", "<table>{}</table>", "<table><tr>{}</tr></table>", "<select>{}</select>",
             "<html>{}", "<math>{}</math>", "<svg>{}</svg>")


@lru_cache(maxsize=1)
def _tag_ids() -> tuple[dict[str, int], int, int]:
    """lexbor's ids of the standard tags (fixed by the library), of text nodes and of comments."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser("<body>text<!--c--><br><span></span></body>")
    ids = {n.tag: n.tag_id for n in tree.root.traverse(include_text=True) if n.tag}
    for name in sorted(SKIP_TAGS_V2 | BLOCK_TAGS_V2):
        for ctx in _CONTEXTS:
            found = [n.tag_id for n in LexborHTMLParser(ctx.format(f"<{name}></{name}>")).root.traverse()
                     if n.tag == name]
            if found:
                ids[name] = found[0]
                break
    return ids, ids.pop("-text"), ids.pop("-comment")


def _is_hidden(node) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or (node.tag == "dialog" and "open" not in attrs):
        return True
    style = attrs.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _solid_chars(t: str) -> int:
    """Characters of ``t`` that are not white space."""
    return sum(map(len, t.split()))


def _prune(tree, selector: str = _SKIP_SELECTOR, *, hide: bool = True) -> tuple[frozenset[int], int]:
    """Drop invisible subtrees in place; returns the ``mem_id`` of each (emptied) hidden element and the
    non-space characters of the text they held (each counted once).

    Elements of :data:`SKIP_TAGS_V2` go with their content (never an ancestor of visible text, so no
    reported XPath changes); hidden elements are emptied but kept, so their siblings keep their positions.
    ``hide=False`` keeps hidden elements as they are (what the page's scripts reveal).
    """
    for el in reversed(tree.root.css(selector)):  # innermost first, as below
        el.decompose()
    if not hide:
        return frozenset(), 0
    hidden = [n for n in tree.root.css("[hidden], [style], dialog") if _is_hidden(n)]
    chars = 0
    for el in reversed(hidden):  # innermost first: never touch a node after an ancestor freed it
        chars += _solid_chars(el.text(deep=True))  # an inner one is emptied before its hidden ancestor
        child = el.child
        while child is not None:
            nxt = child.next
            child.decompose()
            child = nxt
    return frozenset(n.mem_id for n in hidden), chars


class _Walk:
    """One pass over a pruned lexbor tree: text runs per block, block elements, sibling positions."""

    def __init__(self, tree, scripting: bool = True, hide: bool = True) -> None:
        ids, self.text_id, self.comment_id = _tag_ids()
        self.block_ids = frozenset(ids[t] for t in BLOCK_TAGS_V2 if t in ids)
        self.pre_ids = frozenset(ids[t] for t in PRE_TAGS)
        self.br_id = ids["br"]
        self.names: dict[int, str] = {v: k for k, v in ids.items()}
        #: ``hidden_chars``: non-space characters of the text the hidden elements held (0 with ``hide=False``)
        self.hidden, self.hidden_chars = _prune(tree, _SKIP_SELECTOR if scripting else _SKIP_SELECTOR_NO_SCRIPTING,
                                                hide=hide)
        self.root = tree.root
        #: element mem_id -> (parent mem_id, tag id, position among same-tag siblings)
        self.steps: dict[int, tuple[int, int, int]] = {}
        self.counts: dict[tuple[int, int], int] = {}
        self.tags: dict[int, int] = {}  # block mem_id -> tag id
        self.segments: list[tuple[str, int]] = []  # (raw text, block mem_id)

    def run(self) -> None:
        text_id, comment_id, block_ids, pre_ids, br_id = (self.text_id, self.comment_id, self.block_ids,
                                                          self.pre_ids, self.br_id)
        hidden, steps, counts, names, segments = self.hidden, self.steps, self.counts, self.names, self.segments
        buf: list[str] = []
        ctx: list[int] = []  # open blocks' mem_ids
        ends: list[int] = [-1]  # mem_id of the last node inside each open block
        end_of: dict[int, int] = {}
        pre = 0
        pres: list[bool] = []
        for node in self.root.traverse(include_text=True):
            tid = node.tag_id
            mid = node.mem_id
            if tid == text_id:
                t = node.text_content
                if t:
                    if pre:
                        lines = t.split("\n")
                        for line in lines[:-1]:
                            buf.append(line)
                            segments.append(("".join(buf), ctx[-1]))
                            buf = []
                        buf.append(lines[-1])
                    else:
                        buf.append(t)
            elif tid != comment_id and tid:
                parent = node.parent
                pm = parent.mem_id if parent is not None else 0
                key = (pm, tid)
                k = counts[key] = counts.get(key, 0) + 1
                steps[mid] = (pm, tid, k)
                if tid not in names:
                    names[tid] = node.tag
                if tid in block_ids and mid not in hidden:
                    if buf:
                        segments.append(("".join(buf), ctx[-1]))
                        buf = []
                    ctx.append(mid)
                    self.tags[mid] = tid
                    is_pre = tid in pre_ids
                    pres.append(is_pre)
                    pre += is_pre
                    ends.append(self._last(node, end_of))
                elif tid == br_id and ctx and mid not in hidden:
                    segments.append(("".join(buf), ctx[-1]))
                    buf = []
            while mid == ends[-1]:
                ends.pop()
                if buf:
                    segments.append(("".join(buf), ctx[-1]))
                    buf = []
                ctx.pop()
                pre -= pres.pop()
        if buf and ctx:
            segments.append(("".join(buf), ctx[-1]))

    @staticmethod
    def _last(node, end_of: dict[int, int]) -> int:
        """``mem_id`` of the last node of ``node``'s subtree in document order (memoised down the spine)."""
        spine = []
        n = node
        while True:
            m = n.mem_id
            if m in end_of:
                last = end_of[m]
                break
            spine.append(m)
            c = n.last_child
            if c is None:
                last = m
                break
            n = c
        for m in spine:
            end_of[m] = last
        return last

    def xpath(self, mid: int, cache: dict[int, str]) -> str:
        """``/html/body/div[2]/p`` for a walked element (v1's format; ``[k]`` only among same-tag siblings)."""
        chain = []
        while mid in self.steps and mid not in cache:
            chain.append(mid)
            mid = self.steps[mid][0]
        base = cache.get(mid, "")
        for m in reversed(chain):
            pm, tid, k = self.steps[m]
            name = self.names[tid]
            base = f"{base}/{name}[{k}]" if self.counts[(pm, tid)] > 1 else f"{base}/{name}"
            cache[m] = base
        return base


def normalise_html_tree_v2(tree) -> tuple[str, tuple[Block, ...], tuple[int, ...]]:
    """Text, blocks and the ``mem_id`` of each block's element, from a parsed lexbor tree (pruned in place)."""
    text, blocks, elements, _ = walk_html_tree_v2(tree)
    return text, blocks, elements


def walk_html_tree_v2(tree, *, scripting: bool = True, hide: bool = True
                      ) -> tuple[str, tuple[Block, ...], tuple[int, ...], _Walk | None]:
    """:func:`normalise_html_tree_v2` plus the walk itself (its ``steps`` give every element's parent and
    tag, which the block labeller's features read); ``scripting=False`` keeps ``noscript`` content,
    ``hide=False`` the content of hidden elements."""
    if tree is None or tree.root is None:
        return "", (), (), None
    walk = _Walk(tree, scripting, hide)
    walk.run()
    cache: dict[int, str] = {}
    paths: dict[int, tuple[str, str]] = {}
    elements: list[int] = []

    fold_ = folder([raw for raw, _ in walk.segments])

    def parts() -> Iterator[tuple[str, str | None, str | None]]:
        for raw, mid in walk.segments:
            t = fold_(raw)
            if not t:
                continue
            if mid not in paths:
                paths[mid] = (walk.names[walk.tags[mid]], walk.xpath(mid, cache))
            elements.append(mid)
            tag, xp = paths[mid]
            yield t, tag, xp

    text, blocks = _assemble(parts(), folded=True)
    return text, blocks, tuple(elements), walk


def normalise_html_v2(s: str, *, hidden_share: float = HIDDEN_WRAPPER_SHARE) -> tuple[str, tuple[Block, ...]]:
    """Decoded HTML -> text and blocks (normaliser v2; ``hidden_share``: :func:`parse_and_walk_v2`)."""
    if not s.strip():
        return "", ()
    _, (text, blocks, _, _) = parse_and_walk_v2(s, hidden_share=hidden_share)
    return text, blocks


def normalise_raw_v2(raw: bytes, raw_format: str, *, gzipped: bool = False, declared_charset: str | None = None,
                     hidden_share: float = HIDDEN_WRAPPER_SHARE) -> NormalisedPage:
    """Raw bytes of one page -> :class:`NormalisedPage` by normaliser v2 (decoding as v1; ``hidden_share``:
    :func:`parse_and_walk_v2`)."""
    d = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    text, blocks = (normalise_text(d.text) if raw_format == "text"
                    else normalise_html_v2(d.text, hidden_share=hidden_share))
    return NormalisedPage(text, blocks, d.encoding, raw_format, normalizer=NORMALIZER_V2,
                          encoding_source=d.source)
