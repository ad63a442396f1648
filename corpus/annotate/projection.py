"""Projection of a source's gold onto a document's blocks (annotation status ``projected``).

Public benchmarks give their gold as plain text, as snippets, or as marks on HTML elements; the
corpus labels blocks. These pure functions turn each kind of gold into one label (or ``None``:
undecided) per block of a document. A projected layer may be partial: a block is only labelled when
the evidence is unambiguous, everything else stays ``None``.

Rules (``docs/importers.md`` documents them per importer):

- plain-text gold (:func:`reference_labels`): a block whose text occurs in the whitespace-folded
  gold text gets that gold's label; a block shorter than :data:`MIN_PROJECTED_CHARS` only does so
  when a neighbouring block matched with a long text (short strings such as "Home" or "Share"
  occur in almost any article);
- snippet gold (:func:`snippet_labels`): blocks overlapping the first occurrence of an ``include``
  snippet are ``body``, of a ``comments`` snippet ``comments``; a block overlapping an ``exclude``
  snippet is never labelled content (it stays ``None``, since a snippet does not say which kind of
  boilerplate it is);
- a block whose text equals the gold title (after folding and case-folding) is ``title``
  (:func:`title_labels`);
- element marks (:func:`element_labels`): each character gets the label of its nearest marked
  ancestor element; a block takes the label covering most of its characters.
"""

from __future__ import annotations

import bisect
import copy
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from corpus.labels import BLOCK_LABELS
from corpus.model import Document, Layer
from corpus.text.normalise import fold, fold_text, normalise_html_root

#: Blocks shorter than this only take a plain-text gold label next to a long matching block.
MIN_PROJECTED_CHARS = 25
#: Tool name recorded in ``annotation.blocks.tool`` for projected layers.
PROJECTION_TOOL = "corpus.annotate.projection"

Labels = list[str | None]


def _key(s: str) -> str:
    """Comparison form of a string: NFC, whitespace folded, case-folded."""
    return fold(s).casefold()


class _Gold:
    """A folded gold text with a k-gram index, so blocks that cannot occur in it are ruled out in O(1)."""

    K = 8
    #: Longer gold texts are searched without the index (it would cost memory, not time).
    MAX_INDEXED_CHARS = 2_000_000

    def __init__(self, label: str, text: str):
        self.label = label
        self.text = text
        k = self.K
        indexed = len(text) <= self.MAX_INDEXED_CHARS
        self.grams = {text[i : i + k] for i in range(len(text) - k + 1)} if indexed else None

    def contains(self, t: str) -> bool:
        k = self.K
        if self.grams is not None and len(t) >= k:
            mid = (len(t) - k) // 2
            if t[:k] not in self.grams or t[-k:] not in self.grams or t[mid : mid + k] not in self.grams:
                return False
        return t in self.text


def reference_labels(doc: Document, golds: Mapping[str, str], *, min_chars: int = MIN_PROJECTED_CHARS) -> Labels:
    """One label per block from plain-text gold; ``golds`` maps label -> gold text, first match wins."""
    folded = [_Gold(label, unicodedata.normalize("NFC", fold_text(text))) for label, text in golds.items() if text]
    texts = [doc.text[b.start : b.end] for b in doc.blocks]
    found: Labels = []
    for t in texts:
        found.append(next((g.label for g in folded if g.contains(t)), None))
    out: Labels = [None] * len(texts)
    for i, (t, label) in enumerate(zip(texts, found, strict=True)):
        if label is None:
            continue
        if len(t) >= min_chars:
            out[i] = label
            continue
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(texts)]
        if any(found[j] == label and len(texts[j]) >= min_chars for j in neighbours):
            out[i] = label
    return out


def title_labels(doc: Document, title: str | None, labels: Labels | None = None) -> Labels:
    """``title`` on one block equal to the gold title (folded, case-folded).

    Teasers and breadcrumbs often repeat the headline, so with several candidates the last one
    before the first block ``labels`` marks as ``body`` is chosen (else the first candidate).
    """
    out: Labels = [None] * len(doc.blocks)
    if not title or not fold(title):
        return out
    want = _key(title)
    hits = [i for i, b in enumerate(doc.blocks) if _key(doc.text[b.start : b.end]) == want]
    if not hits:
        return out
    first_body = next((i for i, lab in enumerate(labels or ()) if lab == "body"), None)
    before = [i for i in hits if first_body is not None and i < first_body]
    out[before[-1] if before else hits[0]] = "title"
    return out


def snippet_labels(
    doc: Document,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    comments: Sequence[str] = (),
) -> Labels:
    """One label per block from snippet gold (see the module docstring)."""
    flat = doc.text.replace("\n", " ")  # same offsets: blocks are joined by single newlines
    starts = [b.start for b in doc.blocks]
    votes: list[set[str]] = [set() for _ in doc.blocks]

    def mark(snippets: Sequence[str], label: str, every: bool) -> None:
        for s in snippets:
            needle = unicodedata.normalize("NFC", fold_text(s)) if isinstance(s, str) else ""
            if not needle:
                continue
            pos = flat.find(needle)
            while pos >= 0:
                for i in _blocks_overlapping(starts, doc, pos, pos + len(needle)):
                    votes[i].add(label)
                if not every:
                    break
                pos = flat.find(needle, pos + 1)

    mark(include, "body", every=False)
    mark(comments, "comments", every=False)
    mark(exclude, "exclude", every=True)
    out: Labels = []
    for v in votes:
        content = v - {"exclude"}
        out.append(content.pop() if len(content) == 1 and "exclude" not in v else None)
    return out


def _blocks_overlapping(starts: list[int], doc: Document, start: int, end: int) -> list[int]:
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    hits = []
    while i < len(doc.blocks) and doc.blocks[i].start < end:
        if doc.blocks[i].end > start:
            hits.append(i)
        i += 1
    return hits


def merge_labels(*layers: Labels) -> Labels:
    """Per block, the first non-``None`` label across ``layers`` (earlier layers take precedence)."""
    if not layers:
        return []
    return [next((lab for lab in column if lab is not None), None) for column in zip(*layers, strict=True)]


def apply_labels(doc: Document, labels: Labels, *, by: str) -> Document:
    """``doc`` with ``labels`` on its blocks and a ``projected`` block layer (unchanged when all None)."""
    if len(labels) != len(doc.blocks):
        raise ValueError(f"{len(labels)} labels for {len(doc.blocks)} blocks")
    if all(lab is None for lab in labels):
        return doc
    bad = {lab for lab in labels if lab is not None and lab not in BLOCK_LABELS}
    if bad:
        raise ValueError(f"unknown block labels {sorted(bad)}")
    blocks = tuple(b if b.label == lab else replace(b, label=lab) for b, lab in zip(doc.blocks, labels, strict=True))
    layer = Layer(status="projected", by=by, tool=PROJECTION_TOOL)
    return doc.replace(blocks=blocks, annotation=replace(doc.annotation, blocks=layer))


# -- element marks -----------------------------------------------------------------------------
#: Private-use code points standing for labels while the marked copy is normalised.
_CODE_BASE = 0xF0000  # Supplementary Private Use Area-A: never folded, composed or dropped


def element_labels(root, label_of: Callable[[object], str | None], *, default: str | None = None) -> Labels:
    """One label per block of ``normalise_html_root(root)`` from marks on elements.

    ``label_of(element)`` returns the label an element assigns to its content, or ``None`` (no mark:
    inherit the parent's). Characters outside any mark get ``default``. Works on a copy of the tree
    whose text is re-coded so every visible character carries its label, so block segmentation is
    exactly the normaliser's.
    """
    if root is None:
        return []
    names, coded, blocks = _coded(root, label_of, default)
    return [_majority(names, coded[b.start : b.end], default) for b in blocks]


def element_char_labels(root, label_of: Callable[[object], str | None], *, default: str | None = None
                        ) -> tuple[str, Labels]:
    """``(normalised text, one label per character)`` from marks on elements (see :func:`element_labels`).

    Spaces and block separators get ``None``. A block whose coded copy differs in length from its
    text (a character the normaliser composed with a neighbour) takes its majority label throughout.
    """
    if root is None:
        return "", []
    text, blocks, _ = normalise_html_root(root)
    names, coded, coded_blocks = _coded(root, label_of, default)
    out: Labels = [None] * len(text)
    if len(coded_blocks) != len(blocks):  # marks change characters, never the block structure
        return text, out
    for b, cb in zip(blocks, coded_blocks, strict=True):
        part = coded[cb.start : cb.end]
        same = len(part) == b.end - b.start
        whole = None if same else _majority(names, part, default)
        for k in range(b.end - b.start):
            if text[b.start + k] == " ":
                continue
            code = ord(part[k]) - _CODE_BASE if same else -1
            out[b.start + k] = (names[code] if 0 <= code < len(names) else None) if same else whole
    return text, out


def _majority(names: list[str | None], coded: str, default: str | None) -> str | None:
    """The label covering most characters of a coded block (ties: the default, then label order)."""
    counts = Counter(ord(c) - _CODE_BASE for c in coded if ord(c) >= _CODE_BASE)
    if not counts:
        return default
    best = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return names[best] if 0 <= best < len(names) else None


def _coded(root, label_of: Callable[[object], str | None], default: str | None):
    """``(label names, text, blocks)`` of a copy of ``root`` whose characters stand for their labels."""
    names = [default, *BLOCK_LABELS]
    index = {name: i for i, name in enumerate(names)}
    coded = copy.deepcopy(root)
    stack = [(coded, index[default])]
    while stack:
        el, inherited = stack.pop()
        if not isinstance(el.tag, str):
            continue
        mark = label_of(el)
        own = index[mark] if mark is not None else inherited
        if el.text:
            el.text = _encode(el.text, own)
        for child in el:
            if child.tail:
                child.tail = _encode(child.tail, own)
            stack.append((child, own))
    text, blocks, _ = normalise_html_root(coded)
    return names, text, blocks


def _encode(s: str, code: int) -> str:
    """Replace every character that survives folding by the label's code point; keep the rest."""
    ch = chr(_CODE_BASE + code)
    return "".join(c if c.isspace() or _dropped(c) else ch for c in s)


def _dropped(c: str) -> bool:
    """Characters the normaliser removes or merges (controls, combining marks)."""
    o = ord(c)
    return o < 0x20 or 0x7F <= o <= 0x9F or unicodedata.combining(c) != 0


def align_labels(target: Sequence[str], source: Sequence[str], labels: Labels) -> Labels:
    """Carry ``labels`` of ``source`` block texts over to equal ``target`` block texts, in order.

    Used when the gold marks live in a different copy of the page (e.g. an annotated version with
    inserted markup): identical texts are matched block-to-block; unmatched target blocks get None.
    """
    if list(target) == list(source):
        return list(labels)
    out: Labels = [None] * len(target)
    sm = SequenceMatcher(None, list(target), list(source), autojunk=False)
    for a, b, n in sm.get_matching_blocks():
        for k in range(n):
            out[a + k] = labels[b + k]
    return out
