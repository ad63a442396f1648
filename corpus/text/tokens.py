"""Token-level NER view: deterministic tokenisation of each block and BIO tags from entity spans.

Tokens are the matches of ``\\w+|[^\\w\\s]`` (Unicode) inside one block. Entities, in text order,
claim every token they overlap that no earlier entity claimed (``B-`` on the first, ``I-`` after), so an
entity edge inside a word tags the whole word; OntoNotes labels are mapped to CoNLL-4 and labels that
map to nothing leave their tokens ``O``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
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


def _is_word_char(c: str) -> bool:
    """``\\w`` of a ``str`` pattern: ``str.isalnum()`` or the underscore (the ``re`` definition)."""
    return c.isalnum() or c == "_"


def _splits_word(text: str, p: int, lo: int, hi: int) -> bool:
    """True when offset ``p`` falls inside a ``\\w+`` token (between two word characters)."""
    return lo < p < hi and _is_word_char(text[p - 1]) and _is_word_char(text[p])


def block_tokens(doc: Document) -> Iterator[tuple[int, list[str], list[str] | None]]:
    """``(block index, tokens, BIO tag names or None when every tag is O)`` per block with tokens."""
    ents = conll_entities(doc)
    text = doc.text
    findall = TOKEN_RE.findall
    ei = 0
    for bi, block in enumerate(doc.blocks):
        lo, hi = block.start, block.end
        # entities are sorted and non-overlapping; skip those that end before this block
        while ei < len(ents) and ents[ei][1] <= lo:
            ei += 1
        if ei >= len(ents) or ents[ei][0] >= hi:  # no entity here: no offsets needed
            words = findall(text, lo, hi)
            if words:
                yield bi, words, None
            continue
        here = []
        j = ei
        while j < len(ents) and ents[j][0] < hi:
            here.append(ents[j])
            j += 1
        if all(lo <= s and e <= hi and not _splits_word(text, s, lo, hi) and not _splits_word(text, e, lo, hi)
               for s, e, _ in here) and all(a[1] <= b[0] for a, b in pairwise(here)):
            # entity edges are token edges: tokenise the pieces between them (same tokens, no offsets)
            words, tags, pos = [], [], lo
            for s, e, label in here:
                before = findall(text, pos, s)
                words += before
                tags += ["O"] * len(before)
                inside = findall(text, s, e)
                if inside:
                    words += inside
                    tags += [f"B-{label}"] + [f"I-{label}"] * (len(inside) - 1)
                pos = e
            after = findall(text, pos, hi)
            words += after
            tags += ["O"] * len(after)
            if words:
                yield bi, words, tags
            continue
        toks = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, lo, hi)]
        if not toks:
            continue
        yield bi, [t[2] for t in toks], claim_tags(toks, here)


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
