"""Token-level NER view: deterministic tokenisation of each block and BIO tags from entity spans.

Tokens are the matches of ``\\w+|[^\\w\\s]`` (Unicode) inside one block. Entities, in text order,
claim every token they overlap that no earlier entity claimed (``B-`` on the first, ``I-`` after), so an
entity edge inside a word tags the whole word; OntoNotes labels are mapped to CoNLL-4 and labels that
map to nothing leave their tokens ``O``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from corpus.labels import to_conll
from corpus.model import Document

TOKEN_RE = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class TokenRow:
    """One block of one document as tokens and BIO tag names."""

    block_index: int
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


def tokenize(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` for every token of ``text``; offsets are shifted by ``offset``."""
    return [(m.start() + offset, m.end() + offset, m.group()) for m in TOKEN_RE.finditer(text)]


def conll_entities(doc: Document) -> list[tuple[int, int, str]]:
    """The document's entities as ``(start, end, CoNLL-4 label)``, dropped labels removed."""
    out = []
    for e in doc.entities:
        label = to_conll(e.label, doc.annotation.entity_label_set)
        if label is not None:
            out.append((e.start, e.end, label))
    out.sort()
    return out


def _edges_on_tokens(text: str, lo: int, hi: int, here: Sequence[tuple[int, int, str]]) -> bool:
    """True when every span of ``here`` lies in ``lo:hi``, starts and ends on token edges (never between
    two word characters) and the spans do not overlap: then the pieces between the edges tokenise alike."""
    # a word character is re's \w of a str pattern: str.isalnum() or "_" (inlined: this runs for every
    # entity of a build; tests/text/test_tokens_word_char.py holds it to re's \w on every code point)
    for s, e, _ in here:
        if s < lo or e > hi:
            return False
        if lo < s < hi and ((c := text[s - 1]).isalnum() or c == "_") and ((c := text[s]).isalnum() or c == "_"):
            return False
        if lo < e < hi and ((c := text[e - 1]).isalnum() or c == "_") and ((c := text[e]).isalnum() or c == "_"):
            return False
    return all(a[1] <= b[0] for a, b in pairwise(here))


def block_tokens(doc: Document) -> Iterator[tuple[int, list[str], list[str] | None]]:
    """``(block index, tokens, BIO tag names or None when every tag is O)`` per block with tokens."""
    blocks = doc.blocks
    yield from span_tokens(doc.text, [b.start for b in blocks], [b.end for b in blocks], conll_entities(doc))


def span_tokens(
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
    ents: Sequence[tuple[int, int, str]],
    bio: Mapping[str, Any] | None = None,
) -> Iterator[tuple[int, list[str], list[Any] | None]]:
    """:func:`block_tokens` of the blocks ``starts[i]:ends[i]`` of ``text`` and the sorted entities
    ``ents`` (``(start, end, CoNLL-4 label)``, as :func:`conll_entities` gives them). Tags are names, or
    ``bio[name]`` when ``bio`` is given (e.g. class ids); None still stands for a block of O tags only."""
    findall = TOKEN_RE.findall
    outside = "O" if bio is None else bio["O"]
    tag_pairs: dict[str, tuple[Any, Any]] = {}  # label -> (B- tag, I- tag)
    n_ents = len(ents)
    ei = 0
    for bi, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        # entities are sorted and non-overlapping; skip those that end before this block
        while ei < n_ents and ents[ei][1] <= lo:
            ei += 1
        if ei >= n_ents or ents[ei][0] >= hi:  # no entity here: no offsets needed
            words = findall(text, lo, hi)
            if words:
                yield bi, words, None
            continue
        j = ei + 1
        while j < n_ents and ents[j][0] < hi:
            j += 1
        here = ents[ei:j]
        if _edges_on_tokens(text, lo, hi, here):
            # entity edges are token edges: tokenise the pieces between them (same tokens, no offsets)
            words, tags, pos = [], [], lo
            for s, e, label in here:
                before = findall(text, pos, s)
                if before:
                    words += before
                    tags += [outside] * len(before)
                inside = findall(text, s, e)
                if inside:
                    pair = tag_pairs.get(label)
                    if pair is None:
                        b, i = f"B-{label}", f"I-{label}"
                        pair = tag_pairs[label] = (b, i) if bio is None else (bio[b], bio[i])
                    words += inside
                    tags.append(pair[0])
                    if len(inside) > 1:
                        tags += [pair[1]] * (len(inside) - 1)
                pos = e
            after = findall(text, pos, hi)
            if after:
                words += after
                tags += [outside] * len(after)
            if words:
                yield bi, words, tags
            continue
        toks = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, lo, hi)]
        if not toks:
            continue
        names = claim_tags(toks, here)
        yield bi, [t[2] for t in toks], names if bio is None else [bio[t] for t in names]


def token_rows(doc: Document) -> Iterator[TokenRow]:
    """One :class:`TokenRow` per block that has at least one token, in reading order."""
    for bi, words, tags in block_tokens(doc):
        yield TokenRow(bi, tuple(words), tuple(tags) if tags is not None else ("O",) * len(words))


def claim_tags(toks: Sequence[tuple[int, int, Any]], spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """BIO tags of ``toks`` (``(start, end, …)``, in order): spans, in order, claim the tokens they
    overlap that no earlier span claimed (``B-`` on the first, ``I-`` after) — the ``ner_tokens`` rule."""
    tags = ["O"] * len(toks)
    ti = 0
    for s, e, label in spans:
        while ti < len(toks) and toks[ti][1] <= s:
            ti += 1
        k = ti
        while k < len(toks) and toks[k][0] < e:
            tags[k] = ("B-" if k == ti else "I-") + label
            k += 1
        ti = k
    return tags
