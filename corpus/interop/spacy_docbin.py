"""spaCy ``DocBin`` (export only; needs the ``ner`` extra): ``corpus.spacy``.

One spaCy ``Doc`` per document whose text is exactly the document's ``text``; tokens are those of
:mod:`corpus.text.tokens` (whitespace beyond one space becomes its own token, as in spaCy) split at
every entity and block boundary, so each span maps to tokens exactly. ``doc.ents`` holds the
entities (CoNLL-4 labels), ``doc.spans["blocks"]`` the labelled blocks and ``doc.user_data["id"]``
the document id.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path

from corpus.errors import require
from corpus.model import Document
from corpus.registry import exporter
from corpus.text.tokens import TOKEN_RE, conll_entities

BLOCKS_KEY = "blocks"


def words_and_spaces(text: str, cuts: Iterable[int]) -> tuple[list[str], list[bool]]:
    """spaCy ``words``/``spaces`` reproducing ``text``, with a token boundary at every cut."""
    points = sorted({0, len(text), *(c for c in cuts if 0 < c < len(text))})
    words: list[str] = []
    spaces: list[bool] = []

    def add_ws(ws: str) -> None:
        if not ws:
            return
        if words and not spaces[-1] and ws[0] == " " and not words[-1].isspace():
            spaces[-1] = True
            ws = ws[1:]
        if ws:
            words.append(ws)
            spaces.append(False)

    for lo, hi in itertools.pairwise(points):
        seg = text[lo:hi]
        pos = 0
        for m in TOKEN_RE.finditer(seg):
            add_ws(seg[pos : m.start()])
            words.append(m.group())
            spaces.append(False)
            pos = m.end()
        add_ws(seg[pos:])
    return words, spaces


def to_spacy(doc: Document, vocab) -> object:
    """The spaCy ``Doc`` of one document."""
    from spacy.tokens import Doc, Span

    ents = conll_entities(doc)
    cuts = [x for s, e, _ in ents for x in (s, e)] + [x for b in doc.blocks for x in (b.start, b.end)]
    words, spaces = words_and_spaces(doc.text, cuts)
    sdoc = Doc(vocab, words=words, spaces=spaces)
    if sdoc.text != doc.text:  # pragma: no cover - words_and_spaces reproduces the text by construction
        raise ValueError(f"{doc.id}: spaCy tokens do not reproduce the text")
    sdoc.ents = [sdoc.char_span(s, e, label=label) for s, e, label in ents]
    sdoc.spans[BLOCKS_KEY] = [Span(sdoc, sp.start, sp.end, label=b.label) for b in doc.blocks
                              if b.label is not None and (sp := sdoc.char_span(b.start, b.end)) is not None]
    sdoc.user_data["id"] = doc.id
    return sdoc


@exporter("spacy", description="spaCy DocBin with entities and block spans (corpus.spacy; needs spaCy)")
def export_spacy(docs: Iterable[Document], out: Path) -> int:
    spacy = require("spacy", "ner", "the spaCy DocBin export")
    from spacy.tokens import DocBin

    vocab = spacy.blank("xx").vocab
    db = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    n = 0
    for doc in docs:
        db.add(to_spacy(doc, vocab))
        n += 1
    db.to_disk(out / "corpus.spacy")
    return n
