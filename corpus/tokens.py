"""Token-level NER view: deterministic tokenisation of each block and BIO tags from entity spans.

Tokens are the matches of ``\\w+|[^\\w\\s]`` (Unicode) inside one block. A token gets the tag of the
entity it overlaps (``B-`` on the entity's first token, ``I-`` after); OntoNotes labels are mapped
to CoNLL-4 and labels that map to nothing leave their tokens ``O``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .labels import to_conll
from .model import Document

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


def block_tokens(doc: Document) -> Iterator[tuple[int, list[str], list[str] | None]]:
    """``(block index, tokens, BIO tag names or None when every tag is O)`` per block with tokens."""
    ents = conll_entities(doc)
    text = doc.text
    ei = 0
    for bi, block in enumerate(doc.blocks):
        # entities are sorted and non-overlapping; skip those that end before this block
        while ei < len(ents) and ents[ei][1] <= block.start:
            ei += 1
        if ei >= len(ents) or ents[ei][0] >= block.end:  # no entity here: no offsets needed
            words = TOKEN_RE.findall(text, block.start, block.end)
            if words:
                yield bi, words, None
            continue
        toks = [(m.start(), m.end(), m.group()) for m in TOKEN_RE.finditer(text, block.start, block.end)]
        if not toks:
            continue
        tags = ["O"] * len(toks)
        j, ti = ei, 0
        while j < len(ents) and ents[j][0] < block.end:
            s, e, label = ents[j]
            while ti < len(toks) and toks[ti][1] <= s:
                ti += 1
            k = ti
            while k < len(toks) and toks[k][0] < e:
                tags[k] = ("B-" if k == ti else "I-") + label
                k += 1
            ti = k
            j += 1
        yield bi, [t[2] for t in toks], tags


def token_rows(doc: Document) -> Iterator[TokenRow]:
    """One :class:`TokenRow` per block that has at least one token, in reading order."""
    for bi, words, tags in block_tokens(doc):
        yield TokenRow(bi, tuple(words), tuple(tags) if tags is not None else ("O",) * len(words))
