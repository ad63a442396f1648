"""Shared pieces of the annotation-tool importers and exporters (Label Studio, brat, doccano).

Tools annotate the document's ``text`` as it is; importing takes the original documents (the
corpus the export came from), checks the text is unchanged, and applies the tool's block labels
and entities (:func:`apply_spans`). Offsets are converted between Python code points and UTF-16
code units where a tool counts the latter.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from corpus.errors import ConfigError, DocumentError
from corpus.labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Block, Document, Entity, Layer
from corpus.registry import Imported

Span = tuple[int, int, str]


# -- UTF-16 ---------------------------------------------------------------------------------------
def utf16_offsets(text: str) -> list[int]:
    """``out[i]`` = UTF-16 code units before code point ``i`` (length ``len(text) + 1``)."""
    out = [0] * (len(text) + 1)
    n = 0
    for i, ch in enumerate(text):
        out[i] = n
        n += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = n
    return out


def utf16_to_codepoint(offsets: Sequence[int], unit: int) -> int | None:
    """Code point index of UTF-16 offset ``unit`` (None when it falls inside a surrogate pair)."""
    i = bisect.bisect_left(offsets, unit)
    return i if i < len(offsets) and offsets[i] == unit else None


def is_astral_free(text: str) -> bool:
    return all(ord(c) <= 0xFFFF for c in text)


# -- corpus lookup --------------------------------------------------------------------------------
class ToolCorpus(dict[str, Document]):
    """The documents a tool export belongs to, by id, and the directories their raw pages are in.

    An imported document keeps ``source.raw_path``; :meth:`imported` carries the raw page along, so
    the import's output corpus validates and builds on its own (as a benchmark import does).
    """

    def __init__(self, docs: dict[str, Document], raw_bases: Sequence[Path]):
        super().__init__(docs)
        self.raw_bases = list(raw_bases)

    def raw(self, doc: Document) -> bytes | None:
        """The raw page of ``doc``; None when it records none or it is not found."""
        rel = doc.source.raw_path
        for base in self.raw_bases if rel else ():
            p = base / rel
            if p.is_file():
                return p.read_bytes()
        return None

    def imported(self, doc: Document) -> Imported:
        """``doc`` with its raw page, to be written under the output corpus. A page that cannot be
        found does not cost the annotations: the document is imported with a warning (validation
        will report ``raw-missing`` until the page is put in place)."""
        raw = self.raw(doc)
        if raw is None and doc.source.raw_path:
            tried = ", ".join(str(b) for b in self.raw_bases)
            return Imported(doc, None, f"{doc.id}: raw page {doc.source.raw_path} not found under {tried}; "
                                       "give the directory holding it with --raw-root")
        return Imported(doc, raw)


def corpus_index(corpus: str | os.PathLike[str] | None, fmt: str,
                 raw_root: str | os.PathLike[str] | None = None) -> ToolCorpus:
    """Documents of the corpus a tool export belongs to, by id; their raw pages are looked up under
    ``raw_root`` if given, else under the corpus root (the directory holding ``documents/``)."""
    from corpus.documents import load_documents
    from corpus.paths import resolve

    if corpus is None or str(corpus) == "":
        raise ConfigError(f"`corpus import {fmt}` needs --corpus DIR: the documents the tool annotated "
                          "(their text and blocks are fixed; the export carries labels and entities)")
    p = Path(corpus)
    if not p.exists():
        raise ConfigError(f"{p}: no such corpus")
    if raw_root is not None and not Path(raw_root).is_dir():
        raise ConfigError(f"--raw-root {raw_root}: not a directory")
    paths = resolve(p, require_documents=False)
    if raw_root is not None:
        bases = [Path(raw_root)]
    elif paths.root is not None:
        bases = [paths.root]
    else:
        here = p if p.is_dir() else p.parent
        bases = [here, here.parent]
    return ToolCorpus({d.id: d for d in load_documents(p)}, bases)


# -- applying spans -------------------------------------------------------------------------------
def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends on whitespace (tools often select it)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def block_labels_from_spans(doc: Document, spans: Iterable[Span]) -> tuple[Block, ...]:
    """Blocks relabelled by the labelled regions covering them: a block takes the label of the
    region covering most of its characters, when that covers more than half of it; other blocks
    get no label."""
    spans = sorted(spans)
    out = []
    for b in doc.blocks:
        cover: dict[str, int] = {}
        for s, e, label in spans:
            lo, hi = max(s, b.start), min(e, b.end)
            if hi > lo:
                cover[label] = cover.get(label, 0) + hi - lo
        label = None
        if cover:
            best = max(cover.values())
            cand = min(k for k, v in cover.items() if v == best)
            if 2 * best > b.end - b.start:
                label = cand
        out.append(Block(b.start, b.end, label, b.tag, b.xpath))
    return tuple(out)


def check_entities(doc: Document, spans: Iterable[Span], where: str) -> tuple[Entity, ...]:
    """Entities from ``(start, end, label)`` code-point spans, trimmed of edge whitespace; raises
    DocumentError for a span outside the text, across blocks, overlapping another or with an
    unknown label."""
    allowed = ENTITY_LABEL_SETS.get(doc.annotation.entity_label_set, ())
    starts = [b.start for b in doc.blocks]
    ents: list[Entity] = []
    for s0, e0, label in sorted(spans):
        if not (0 <= s0 < e0 <= len(doc.text)):
            raise DocumentError(f"{where}: entity [{s0}, {e0}) is outside the text ({len(doc.text)} characters)",
                                reason="entity_out_of_range")
        s, e = trim_span(doc.text, s0, e0)
        if s == e:
            raise DocumentError(f"{where}: entity [{s0}, {e0}) covers only whitespace", reason="entity_empty")
        if label not in allowed:
            raise DocumentError(f"{where}: entity label {label!r} is not in {doc.annotation.entity_label_set} "
                                f"({', '.join(allowed)})", reason="entity_label_unknown")
        i = bisect.bisect_right(starts, s) - 1
        if i < 0 or e > doc.blocks[i].end:
            raise DocumentError(f"{where}: entity {doc.text[s:e]!r} [{s}, {e}) is not inside one block",
                                reason="entity_crosses_blocks")
        if ents and s < ents[-1].end:
            raise DocumentError(f"{where}: entities {ents[-1].text!r} and {doc.text[s:e]!r} overlap "
                                "(entities are flat)", reason="entity_overlap")
        ents.append(Entity(s, e, label, doc.text[s:e]))
    return tuple(ents)


def apply_spans(doc: Document, blocks: Iterable[Span] | None, entities: Iterable[Span] | None, *,
                tool: str, by: str | None = None, status: str = "gold", where: str = "") -> Document:
    """``doc`` with the block labels and entities a tool produced; a layer given as None is kept.

    A replaced layer gets ``status`` (``none`` when nothing is labelled) and the tool's name."""
    ann = doc.annotation
    changes: dict[str, object] = {}
    if blocks is not None:
        spans = list(blocks)
        for s, e, label in spans:
            if label not in BLOCK_LABELS:
                raise DocumentError(f"{where}: unknown block label {label!r}", reason="block_label_unknown")
            if not (0 <= s < e <= len(doc.text)):
                raise DocumentError(f"{where}: block region [{s}, {e}) is outside the text",
                                    reason="block_out_of_range")
        new_blocks = block_labels_from_spans(doc, spans)
        changes["blocks"] = new_blocks
        labelled = any(b.label is not None for b in new_blocks)
        ann = _replace_layer(ann, "blocks", Layer(status if labelled else "none", by, tool))
    if entities is not None:
        ents = check_entities(doc, entities, where)
        changes["entities"] = ents
        ann = _replace_layer(ann, "entities", Layer(status if ents else "none", by, tool))
    return doc.replace(annotation=ann, **changes)


def _replace_layer(ann, name: str, layer: Layer):
    import dataclasses

    return dataclasses.replace(ann, **{name: layer})


def spans_equal(a: Document, b: Document) -> bool:
    """Same text, block offsets and labels, and entities (what a tool round trip must preserve)."""
    return (a.text == b.text and [(x.start, x.end, x.label) for x in a.blocks]
            == [(x.start, x.end, x.label) for x in b.blocks] and a.entities == b.entities)
